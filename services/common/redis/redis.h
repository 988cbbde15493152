// The one way pressrelay talks to Redis: a thin RAII adapter over hiredis.
//
// A Connection is one hiredis context, owned by one thread. Client wraps it with lazy
// (re)connection so a Redis restart costs a failed call, not a restarted service.
// Pipelining is a first-class call: every command of a batch goes out in one write and
// the replies are read in order. Every failure is an absl::Status: UNAVAILABLE for I/O
// (the connection is dropped and re-made on next use) and for the error replies that mean
// "retry" (LOADING after a restart, ...: IsTransientError), INTERNAL for other error replies.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

struct redisContext;
struct redisReply;

namespace pressrelay::redis {

struct Endpoint {
  std::string host;
  int port = 0;
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  // A Redis Cluster: host:port and `seeds` are nodes to ask for the slot map; every command
  // goes to the primary that owns its key's slot (cluster.h).
  bool cluster = false;
  std::vector<Endpoint> seeds;
  // Client::AwaitReplicas: how many replicas must have a client's writes (WAIT), and for
  // how long to wait for them. 0: do not wait (replication stays asynchronous).
  int wait_replicas = 0;
  absl::Duration wait_timeout = absl::Seconds(1);
  std::string password;  // AUTH on connect when set
  // CLIENT SETNAME on connect ("pressrelay-<service>"), so CLIENT LIST and MONITOR show
  // which service a connection belongs to.
  std::string client_name;
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration command_timeout = absl::Seconds(5);
};

// A non-owning view of one node of a reply tree.
class ReplyView {
 public:
  explicit ReplyView(const redisReply* r) : r_(r) {}
  bool is_nil() const;
  bool is_error() const;
  bool is_string() const;  // bulk or status string
  bool is_integer() const;
  bool is_array() const;
  absl::string_view str() const;  // string, status or error text; "" otherwise
  long long integer() const;     // integer reply, or a string holding a number
  size_t size() const;           // array length; 0 otherwise
  ReplyView operator[](size_t i) const;

 protected:
  const redisReply* r_;
};

// An owned reply.
class Reply : public ReplyView {
 public:
  explicit Reply(redisReply* r);
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept = default;

 private:
  struct Free {
    void operator()(redisReply* r) const;
  };
  std::unique_ptr<redisReply, Free> owner_;
};

// One command's words. Binary-safe.
class Args {
 public:
  Args() = default;
  Args(std::initializer_list<absl::string_view> words);
  Args& Add(absl::string_view word);
  Args& Add(int64_t number);
  template <typename Range>
  Args& AddAll(const Range& words) {
    for (const auto& w : words) Add(w);
    return *this;
  }
  size_t size() const { return words_.size(); }
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
};

// A Lua script run by EVALSHA, loaded on first NOSCRIPT.
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }
  // The start of a command that runs it: "EVALSHA <sha1>", or "EVAL <source>" once Redis
  // has answered NOSCRIPT (its script cache is emptied by a restart). Add the number of
  // keys, the keys and the arguments.
  Args Call(bool by_sha) const { return by_sha ? Args{"EVALSHA", sha1_} : Args{"EVAL", source_}; }

 private:
  std::string source_;
  std::string sha1_;
};

// True for the error EVALSHA gets when Redis does not have the script.
bool IsNoScript(const ReplyView& reply);

// The start of every script that needs the time: Redis's own clock (TIME), so that every
// replica agrees, as `now`, in milliseconds since the Unix epoch.
inline constexpr absl::string_view kLuaNow = R"lua(local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

class Connection;

// Stops the blocking calls of one Client from another thread (Client::Interrupt, at
// shutdown), without touching a connection that its owner thread is replacing at that
// moment. Shared by the client and every connection it makes: a connection joins when it is
// made and leaves before it is freed, both under the lock Interrupt() holds while it shuts
// the members' sockets down. The interrupt stays: no connection is made after it, so a call
// that was between connections when it came fails at once too. (A write to a socket shut
// down this way raises SIGPIPE, which every service ignores: rpc/server.h.)
class Interrupter {
 public:
  void Interrupt();

 private:
  friend class Connection;
  // False once interrupted: the connection must not be used.
  bool Join(Connection* conn);
  void Leave(Connection* conn);

  absl::Mutex mu_;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Connection*> members_ ABSL_GUARDED_BY(mu_);
};

class Connection {
 public:
  // With an `interrupter`, the connection is one of its members for its whole life.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const Options& options,
                                                             std::shared_ptr<Interrupter> interrupter = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command. An error reply becomes INTERNAL with Redis's message.
  absl::StatusOr<Reply> Run(const Args& args);
  // Many commands in one round trip. Error replies stay replies (is_error()), so a caller
  // can tell which command failed; only I/O failure fails the whole call.
  absl::StatusOr<std::vector<Reply>> Pipeline(absl::Span<const Args> batch);
  // EVALSHA, falling back to EVAL when the script cache is empty (after a restart).
  absl::StatusOr<Reply> Eval(const Script& script, absl::Span<const std::string> keys,
                             absl::Span<const std::string> argv);
  // For blocking commands (XREAD BLOCK): the socket timeout for this call only.
  absl::StatusOr<Reply> RunWithTimeout(const Args& args, absl::Duration timeout);
  // Pipeline in two halves, so that a batch spread over several connections (a cluster's
  // nodes) is written to all of them before any reply is awaited.
  absl::Status Send(absl::Span<const Args> batch);
  absl::StatusOr<std::vector<Reply>> Receive(size_t count);
  // After an I/O failure, or when a caller gave up on a batch with replies still unread (a
  // cluster batch whose other node failed): the next read would return an earlier command's
  // reply, so the connection is out of step and must be replaced. Every call then fails.
  bool broken() const { return broken_ || unread_ > 0; }

 private:
  friend class Interrupter;
  explicit Connection(redisContext* ctx, Options options);
  // Shuts the socket down: a thread blocked reading it gets an error (Interrupter only).
  void ShutDown();
  absl::Status Append(const Args& args);
  absl::StatusOr<Reply> ReadReply();
  absl::Status IoError(absl::string_view what);

  redisContext* ctx_;
  Options options_;
  bool broken_ = false;
  size_t unread_ = 0;  // replies of Send not yet taken by Receive
  std::shared_ptr<Interrupter> interrupter_;
};

class ClusterRouter;

// A connection that re-connects on the next call after a failure. One thread only.
// With Options::cluster, one connection per primary, each command routed by its key's slot
// (ClusterRouter in cluster.h); the calls and their answers are the same.
class Client {
 public:
  explicit Client(Options options);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  absl::StatusOr<Reply> Run(const Args& args);
  absl::StatusOr<std::vector<Reply>> Pipeline(absl::Span<const Args> batch);
  absl::StatusOr<Reply> Eval(const Script& script, absl::Span<const std::string> keys,
                             absl::Span<const std::string> argv);
  absl::StatusOr<Reply> RunWithTimeout(const Args& args, absl::Duration timeout);
  // A batch with script calls, in one round trip: `build(by_sha)` makes it, first calling the
  // scripts by their sha (Script::Call); if Redis answers NOSCRIPT to any command (its script
  // cache was emptied by a restart) the batch is built again with the sources and sent once
  // more. The other commands of the batch must bear being sent twice (idempotent), and a
  // script must apply nothing when NOSCRIPT can answer one of its batch mates (one script per
  // batch, or scripts that tolerate a replay). Error replies stay replies.
  absl::StatusOr<std::vector<Reply>> PipelineScripts(const std::function<std::vector<Args>(bool by_sha)>& build);
  // One page of SCAN ... MATCH `pattern`: over every primary of a cluster (its cursor then
  // names the primary too). Start with "0"; "0" comes back when the walk is over.
  struct ScanPage {
    std::string cursor;
    std::vector<std::string> keys;
  };
  absl::StatusOr<ScanPage> Scan(absl::string_view cursor, absl::string_view pattern, int count);
  // With Options::wait_replicas: until that many replicas have every write this client has
  // sent (WAIT, on each node it wrote to), or UNAVAILABLE after wait_timeout (the writes
  // are applied on the primary but may not survive its loss). OK at once without it.
  absl::Status AwaitReplicas();
  // From another thread, for shutdown: the call blocked now (XREAD BLOCK) and every later
  // one fail with UNAVAILABLE.
  void Interrupt();
  // A start-up check: whether the Redis answering is of the kind Options::cluster says. A
  // cluster node reached without it, or a standalone Redis with it, is FAILED_PRECONDITION
  // naming --redis_cluster (a setting: waiting does not mend it); UNAVAILABLE while Redis
  // does not answer.
  absl::Status CheckKind();
  const Options& options() const { return options_; }
  bool cluster() const { return options_.cluster; }

 private:
  absl::StatusOr<Connection*> Get();
  Options options_;
  std::shared_ptr<Interrupter> interrupter_ = std::make_shared<Interrupter>();
  std::unique_ptr<Connection> conn_;           // one Redis
  std::unique_ptr<ClusterRouter> router_;      // a Redis Cluster
};

// A bounded set of Clients shared by worker threads. Acquire() lends one for the length of
// a Lease.
//
// Two rules keep a pool from wedging (STYLE.md rule 10):
//   - A thread never holds two leases of one pool: a second Acquire() on a thread that holds
//     one fails at once with INTERNAL (pass the leased client down instead). Two threads each
//     holding one and waiting for another could otherwise take every connection for good.
//   - Waiting has a deadline: when every connection stays lent past `acquire_timeout`,
//     Acquire() answers UNAVAILABLE (and logs), never hangs.
// StalledFor() tells liveness how long every connection has been lent with none given back.
class Pool {
 public:
  Pool(Options options, int size, absl::Duration acquire_timeout = absl::Seconds(2));
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Client> client);
    Lease(Lease&& other) noexcept : pool_(other.pool_), client_(std::move(other.client_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Client* operator->() { return client_.get(); }
    Client& operator*() { return *client_; }

   private:
    Pool* pool_;
    std::unique_ptr<Client> client_;
  };

  absl::StatusOr<Lease> Acquire();
  const Options& options() const { return options_; }
  int size() const { return size_; }
  // How long every connection has been lent without one coming back (zero while one is idle).
  absl::Duration StalledFor(absl::Time now) const;

 private:
  void Return(std::unique_ptr<Client> client);
  const Options options_;
  const int size_;
  const absl::Duration acquire_timeout_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Client>> idle_ ABSL_GUARDED_BY(mu_);
  // Since when none has been idle, or the last return after that (InfiniteFuture: one is idle).
  absl::Time exhausted_since_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
};

// Redis errors that say "not now" rather than "wrong": the data set is loading after a
// restart (LOADING), a script is running long (BUSY), a replica lost its primary
// (MASTERDOWN), a cluster is moving slots or has lost one (TRYAGAIN, CLUSTERDOWN). Clients
// retry these, so they map to UNAVAILABLE; every other error reply is INTERNAL.
bool IsTransientError(absl::string_view message);

// The reply as a status: OK unless it is an error reply.
absl::Status ReplyStatus(const ReplyView& reply);

}  // namespace pressrelay::redis
