// Redis Cluster routing for redis::Client: which slot a command belongs to, the slot map,
// and a router that sends each command of a batch to the primary that owns its slot and
// follows the cluster's redirections.
//
// The suite's keys carry hash tags (keys.h): every key of one script or MULTI block shares a
// slot, so a batch splits into per-node sub-batches and each command stays whole. The router
// is owned by one Client and, like it, used by one thread at a time.
//
// How a batch goes (ClusterRouter::Pipeline):
//   1. Each command is given a node: the owner of its first key's slot (KeySlot, FirstKey);
//      a command without a key goes with its neighbours (MULTI with the next keyed command,
//      EXEC and the rest with the previous one) or, alone, to any primary (PING).
//   2. Every node's share is written first, then every node's replies are read: one round
//      trip per node, in parallel on the wire.
//   3. A `MOVED <slot> <host:port>` reply means the command did not run: the slot is pointed
//      at the new owner, the map is refreshed before the next send, and the command (with its
//      whole MULTI block, whose EXEC was aborted) is sent again. `ASK` sends it once more to
//      the named node behind `ASKING`, without changing the map (a slot being migrated).
//      At most kMaxRedirects rounds; then the redirection is answered as an error reply.
//   4. A node that refuses the connection has been sent nothing: the map is refreshed and
//      the round tried again (a primary that died and whose replica took over).
//   5. An I/O failure on any node fails the batch with UNAVAILABLE (like one Redis: the
//      commands may or may not have run); the other nodes' connections whose replies were
//      left unread count as broken and are replaced before their next use (an unread reply
//      would answer the next command). It also marks the map stale in every router of the
//      process: their next call asks a reachable node (CLUSTER SLOTS) for the current
//      owners, which after a failover name the promoted replica, and closes connections to
//      nodes that serve no slot any more. A failover costs a process about one failed call,
//      not one per pooled connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "services/common/redis/redis.h"

namespace pressrelay::redis {

inline constexpr int kClusterSlots = 16384;

// The slot of a key: CRC16 (XMODEM) of its hash tag (the part between the first `{` and the
// next `}`, when not empty) or of the whole key, modulo 16384.
int KeySlot(absl::string_view key);

// The key a command is routed by: EVAL/EVALSHA's first key (none when numkeys is 0), the
// first stream after XREAD's STREAMS, nothing for commands without keys (PING, MULTI, EXEC,
// SCAN, CLUSTER, INFO, ...), otherwise the first argument.
std::optional<absl::string_view> FirstKey(const Args& args);

// A redirection reply: "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381".
struct Redirect {
  bool ask = false;
  int slot = 0;
  std::string host;
  int port = 0;
};
std::optional<Redirect> ParseRedirect(const ReplyView& reply);

// Who owns which slots: the primaries' endpoints as CLUSTER SLOTS names them.
struct SlotMap {
  std::vector<Endpoint> primaries;
  std::vector<int16_t> owner = std::vector<int16_t>(kClusterSlots, -1);  // index into primaries
};
// Parses a CLUSTER SLOTS reply; an empty host stands for the node that answered.
absl::StatusOr<SlotMap> ParseSlots(const ReplyView& reply, const Endpoint& answered_by);

class ClusterRouter {
 public:
  // Its connections are members of `interrupter` (the client's: Client::Interrupt).
  explicit ClusterRouter(Options options, std::shared_ptr<Interrupter> interrupter = nullptr);
  ~ClusterRouter();

  absl::StatusOr<std::vector<Reply>> Pipeline(absl::Span<const Args> batch);
  // One command on its node's connection with a socket timeout for this call (XREAD BLOCK).
  absl::StatusOr<Reply> RunWithTimeout(const Args& args, absl::Duration timeout);
  // One SCAN page over the whole cluster: the cursor is "<primary index>:<node cursor>"
  // ("0" to start, "0" again when every primary has been walked).
  absl::StatusOr<std::pair<std::string, std::vector<std::string>>> Scan(absl::string_view cursor,
                                                                         absl::string_view pattern, int count);
  // Sends `args` to every node this router has sent commands to since the last call (WAIT
  // after writes), all at once; each node's reply, with the node.
  absl::StatusOr<std::vector<std::pair<Endpoint, Reply>>> OnEveryNodeUsed(const Args& args);
  // The current primaries (after a refresh when the map is stale).
  absl::StatusOr<std::vector<Endpoint>> Primaries();

  static constexpr int kMaxRedirects = 5;
  static constexpr size_t kMaxNodes = 256;

 private:
  struct Node {
    Endpoint endpoint;
    std::unique_ptr<Connection> conn;
  };
  absl::Status EnsureMap();
  absl::Status Refresh();
  // The map may be wrong: refresh it before the next send, here and in every other router
  // of the process.
  void MarkStale();
  // A command of a batch ran on `node` (answered other than by a redirection).
  void NoteUsed(const Endpoint& node);
  absl::StatusOr<Connection*> ConnectionTo(const Endpoint& endpoint);
  int NodeIndex(const Endpoint& endpoint);

  const Options options_;
  const std::shared_ptr<Interrupter> interrupter_;
  std::vector<Node> nodes_;  // every node ever talked to, by endpoint
  std::vector<Endpoint> used_;  // nodes sent commands since the last OnEveryNodeUsed
  SlotMap map_;
  bool stale_ = true;
  uint64_t seen_epoch_ = 0;  // the process's topology epoch this map was read at
};

}  // namespace pressrelay::redis
