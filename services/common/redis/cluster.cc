// Redis Cluster routing (cluster.h): key slots, the slot map and the router that
// redis::Client hands every call to in cluster mode (redis.cc); the router in turn sends over
// redis.h's Connections, one per node.
#include "services/common/redis/cluster.h"

#include <algorithm>
#include <optional>
#include <atomic>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/log.h"

namespace pressrelay::redis {
namespace {

// CRC16-CCITT (XMODEM), polynomial 0x1021, as Redis Cluster specifies.
uint16_t Crc16(absl::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c) << 8;
    for (int i = 0; i < 8; ++i) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

std::string Upper(absl::string_view word) { return absl::AsciiStrToUpper(word); }

bool IsKeyless(absl::string_view command) {
  static const char* const kKeyless[] = {"PING",   "MULTI",  "EXEC", "DISCARD", "INFO",    "TIME",
                                         "AUTH",   "CLIENT", "SCRIPT", "CLUSTER", "SCAN",  "ASKING",
                                         "READONLY", "WAIT", "COMMAND", "DBSIZE", "CONFIG", "ECHO",
                                         "SELECT", "FLUSHALL", "FLUSHDB", "HELLO", "LASTSAVE", "BGREWRITEAOF"};
  for (const char* k : kKeyless) {
    if (command == k) return true;
  }
  return false;
}

bool SameEndpoint(const Endpoint& a, const Endpoint& b) { return a.host == b.host && a.port == b.port; }

// Bumped by any router of the process that meets a sign of a changed cluster (a node that
// went away, a MOVED): every other router refreshes its map before its next call instead of
// finding the dead node by a failed call of its own.
std::atomic<uint64_t> topology_epoch{0};

}  // namespace

int KeySlot(absl::string_view key) {
  const size_t open = key.find('{');
  if (open != absl::string_view::npos) {
    const size_t close = key.find('}', open + 1);
    if (close != absl::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return Crc16(key) & (kClusterSlots - 1);
}

std::optional<absl::string_view> FirstKey(const Args& args) {
  const auto& w = args.words();
  if (w.empty()) return std::nullopt;
  const std::string command = Upper(w[0]);
  if (IsKeyless(command)) return std::nullopt;
  if (command == "EVAL" || command == "EVALSHA" || command == "EVAL_RO" || command == "EVALSHA_RO") {
    int numkeys = 0;
    if (w.size() < 4 || !absl::SimpleAtoi(w[2], &numkeys) || numkeys <= 0) return std::nullopt;
    return absl::string_view(w[3]);
  }
  if (command == "XREAD" || command == "XREADGROUP") {
    for (size_t i = 1; i + 1 < w.size(); ++i) {
      if (Upper(w[i]) == "STREAMS") return absl::string_view(w[i + 1]);
    }
    return std::nullopt;
  }
  if (w.size() < 2) return std::nullopt;
  return absl::string_view(w[1]);
}

std::optional<Redirect> ParseRedirect(const ReplyView& reply) {
  if (!reply.is_error()) return std::nullopt;
  const absl::string_view text = reply.str();
  const bool moved = absl::StartsWith(text, "MOVED ");
  const bool ask = absl::StartsWith(text, "ASK ");
  if (!moved && !ask) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.size() != 3) return std::nullopt;
  Redirect r;
  r.ask = ask;
  if (!absl::SimpleAtoi(parts[1], &r.slot) || r.slot < 0 || r.slot >= kClusterSlots) return std::nullopt;
  const size_t colon = parts[2].rfind(':');
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(parts[2].substr(colon + 1), &r.port)) return std::nullopt;
  r.host = std::string(parts[2].substr(0, colon));
  return r;
}

absl::StatusOr<SlotMap> ParseSlots(const ReplyView& reply, const Endpoint& answered_by) {
  if (!reply.is_array()) return absl::InternalError("redis cluster: CLUSTER SLOTS did not answer an array");
  SlotMap map;
  for (size_t i = 0; i < reply.size(); ++i) {
    const ReplyView range = reply[i];
    if (range.size() < 3 || !range[2].is_array() || range[2].size() < 2) {
      return absl::InternalError("redis cluster: a CLUSTER SLOTS range without its primary");
    }
    const long long first = range[0].integer();
    const long long last = range[1].integer();
    if (first < 0 || last >= kClusterSlots || first > last) {
      return absl::InternalError(absl::StrCat("redis cluster: bad slot range ", first, "-", last));
    }
    Endpoint primary{std::string(range[2][0].str()), static_cast<int>(range[2][1].integer())};
    if (primary.host.empty() || primary.host == "?") primary.host = answered_by.host;
    auto it = std::find_if(map.primaries.begin(), map.primaries.end(),
                           [&](const Endpoint& e) { return SameEndpoint(e, primary); });
    const int index = static_cast<int>(it - map.primaries.begin());
    if (it == map.primaries.end()) map.primaries.push_back(primary);
    for (long long s = first; s <= last; ++s) map.owner[s] = static_cast<int16_t>(index);
  }
  if (map.primaries.empty()) return absl::UnavailableError("redis cluster: no slot is served (cluster not created?)");
  return map;
}

ClusterRouter::ClusterRouter(Options options, std::shared_ptr<Interrupter> interrupter)
    : options_(std::move(options)), interrupter_(std::move(interrupter)) {}
ClusterRouter::~ClusterRouter() = default;

int ClusterRouter::NodeIndex(const Endpoint& endpoint) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (SameEndpoint(nodes_[i].endpoint, endpoint)) return static_cast<int>(i);
  }
  if (nodes_.size() == kMaxNodes) {
    // A cluster reshaped many times over: forget the nodes without an open connection.
    std::erase_if(nodes_, [](const Node& n) { return n.conn == nullptr; });
  }
  nodes_.push_back(Node{endpoint, nullptr});
  return static_cast<int>(nodes_.size() - 1);
}

absl::StatusOr<Connection*> ClusterRouter::ConnectionTo(const Endpoint& endpoint) {
  Node& node = nodes_[NodeIndex(endpoint)];
  if (node.conn && !node.conn->broken()) return node.conn.get();
  node.conn.reset();
  Options options = options_;
  options.host = endpoint.host;
  options.port = endpoint.port;
  auto conn = Connection::Connect(options, interrupter_);
  if (!conn.ok()) {
    MarkStale();
    return conn.status();
  }
  node.conn = std::move(*conn);
  return node.conn.get();
}

absl::Status ClusterRouter::Refresh() {
  const uint64_t epoch = topology_epoch.load(std::memory_order_relaxed);
  // Ask the nodes we know (the current primaries first), then the configured seeds.
  std::vector<Endpoint> candidates = map_.primaries;
  for (const auto& n : nodes_) candidates.push_back(n.endpoint);
  candidates.push_back(Endpoint{options_.host, options_.port});
  for (const auto& s : options_.seeds) candidates.push_back(s);
  absl::Status last = absl::UnavailableError("redis cluster: no node to ask for the slot map");
  std::optional<Endpoint> standalone;  // a node that said it is not in cluster mode
  std::vector<Endpoint> tried;
  for (const auto& endpoint : candidates) {
    if (std::any_of(tried.begin(), tried.end(), [&](const Endpoint& e) { return SameEndpoint(e, endpoint); })) continue;
    tried.push_back(endpoint);
    auto conn = ConnectionTo(endpoint);
    if (!conn.ok()) {
      last = conn.status();
      continue;
    }
    auto reply = (*conn)->Run({"CLUSTER", "SLOTS"});
    if (!reply.ok()) {
      if (absl::StrContains(reply.status().message(), "cluster support disabled")) standalone = endpoint;
      last = reply.status();
      continue;
    }
    auto map = ParseSlots(*reply, endpoint);
    if (!map.ok()) {
      last = map.status();
      continue;
    }
    // A node that has lost sight of the cluster can answer with slots missing: keep asking.
    if (std::count(map->owner.begin(), map->owner.end(), int16_t{-1}) > 0) {
      last = absl::UnavailableError(absl::StrCat("redis cluster: ", endpoint.host, ":", endpoint.port,
                                                 " does not know an owner for every slot"));
      continue;
    }
    map_ = std::move(*map);
    stale_ = false;
    seen_epoch_ = epoch;
    // Close the connections to nodes that serve nothing now (a dead or demoted primary).
    for (auto& node : nodes_) {
      if (std::none_of(map_.primaries.begin(), map_.primaries.end(),
                       [&](const Endpoint& e) { return SameEndpoint(e, node.endpoint); })) {
        node.conn.reset();
      }
    }
    return absl::OkStatus();
  }
  stale_ = true;
  if (standalone) {
    // A setting, not an outage: waiting will not make it a cluster.
    return absl::FailedPreconditionError(absl::StrCat(
        "redis: --redis_cluster is set but ", standalone->host, ":", standalone->port,
        " is a standalone Redis (cluster support disabled): point --redis at the cluster's nodes, or drop "
        "--redis_cluster"));
  }
  return last;
}

void ClusterRouter::NoteUsed(const Endpoint& node) {
  if (std::none_of(used_.begin(), used_.end(), [&](const Endpoint& e) { return SameEndpoint(e, node); })) {
    used_.push_back(node);
  }
}

void ClusterRouter::MarkStale() {
  stale_ = true;
  topology_epoch.fetch_add(1, std::memory_order_relaxed);
}

absl::Status ClusterRouter::EnsureMap() {
  if (seen_epoch_ != topology_epoch.load(std::memory_order_relaxed)) stale_ = true;
  return stale_ ? Refresh() : absl::OkStatus();
}

absl::StatusOr<std::vector<Endpoint>> ClusterRouter::Primaries() {
  if (auto s = EnsureMap(); !s.ok()) return s;
  return map_.primaries;
}

absl::StatusOr<std::vector<Reply>> ClusterRouter::Pipeline(absl::Span<const Args> batch) {
  if (auto s = EnsureMap(); !s.ok()) return s;
  const size_t n = batch.size();
  // The slot each command goes by (-1: no key), then keyless commands take a neighbour's.
  std::vector<int> slot(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (auto key = FirstKey(batch[i])) slot[i] = KeySlot(*key);
  }
  // MULTI blocks: [begin, end] index ranges, resent whole when any command in them moved.
  std::vector<size_t> block_of(n);
  for (size_t i = 0; i < n; ++i) block_of[i] = i;
  for (size_t i = 0; i < n; ++i) {
    if (slot[i] >= 0 || batch[i].size() == 0) continue;
    const std::string command = Upper(batch[i].words()[0]);
    if (command == "MULTI") {
      for (size_t j = i + 1; j < n && slot[i] < 0; ++j) slot[i] = slot[j];
      size_t end = i;
      while (end + 1 < n && Upper(batch[end].words()[0]) != "EXEC") ++end;
      for (size_t j = i; j <= end && j < n; ++j) block_of[j] = i;
    } else {
      for (size_t j = i; j-- > 0 && slot[i] < 0;) slot[i] = slot[j];
    }
    if (slot[i] < 0) {
      for (size_t j = i + 1; j < n && slot[i] < 0; ++j) slot[i] = slot[j];
    }
    if (slot[i] < 0) slot[i] = 0;  // a batch with no key at all: any primary (slot 0's)
  }

  std::vector<std::optional<Reply>> replies(n);
  std::vector<std::optional<Endpoint>> ask_to(n);
  std::vector<size_t> pending(n);
  for (size_t i = 0; i < n; ++i) pending[i] = i;

  for (int round = 0; !pending.empty(); ++round) {
    if (round > 0) {
      if (auto s = EnsureMap(); !s.ok()) return s;
    }
    // Group by destination, keeping the batch's order within each node.
    std::vector<std::pair<Endpoint, std::vector<size_t>>> groups;
    for (size_t i : pending) {
      const Endpoint to = ask_to[i] ? *ask_to[i] : map_.primaries[map_.owner[slot[i]]];
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return SameEndpoint(g.first, to); });
      if (it == groups.end()) {
        groups.push_back({to, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(i);
    }
    // Connect to every node first: a node that cannot be reached got nothing, so the round
    // is safe to try again on a refreshed map (the owner after a failover).
    std::vector<Connection*> conns;
    absl::Status unreachable;
    for (const auto& group : groups) {
      auto conn = ConnectionTo(group.first);
      if (!conn.ok()) {
        unreachable = conn.status();
        break;
      }
      conns.push_back(*conn);
    }
    if (!unreachable.ok()) {
      if (round >= kMaxRedirects) return unreachable;
      if (auto s = Refresh(); !s.ok()) return unreachable;
      continue;
    }
    // Write every node's share, then read every node's replies.
    std::vector<size_t> sent_counts;
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto& indices = groups[g].second;
      Connection* conn = conns[g];
      std::vector<Args> share;
      share.reserve(indices.size());
      for (size_t i : indices) {
        if (ask_to[i]) share.push_back(Args{"ASKING"});
        share.push_back(batch[i]);
      }
      if (auto s = conn->Send(share); !s.ok()) {
        MarkStale();
        return s;
      }
      sent_counts.push_back(share.size());
    }
    std::vector<size_t> redo;
    bool moved = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      auto got = conns[g]->Receive(sent_counts[g]);
      if (!got.ok()) {
        MarkStale();
        return got.status();
      }
      size_t r = 0;
      for (size_t i : groups[g].second) {
        if (ask_to[i]) ++r;  // ASKING's +OK
        Reply& reply = (*got)[r++];
        ask_to[i].reset();
        auto redirect = round < kMaxRedirects ? ParseRedirect(reply) : std::nullopt;
        if (!redirect) {
          // The command ran here: a later WAIT asks this node. (A node that only redirected
          // ran nothing and is left out: after a failover it is a replica, which has no WAIT.)
          NoteUsed(groups[g].first);
          replies[i] = std::move(reply);
          continue;
        }
        const Endpoint target{redirect->host, redirect->port};
        if (redirect->ask) {
          ask_to[i] = target;
        } else {
          // The map is wrong about this slot: point it at the new owner now, refresh it all
          // before the next round.
          auto it = std::find_if(map_.primaries.begin(), map_.primaries.end(),
                                 [&](const Endpoint& e) { return SameEndpoint(e, target); });
          if (it == map_.primaries.end()) {
            map_.primaries.push_back(target);
            it = map_.primaries.end() - 1;
          }
          map_.owner[redirect->slot] = static_cast<int16_t>(it - map_.primaries.begin());
          moved = true;
        }
        redo.push_back(i);
      }
    }
    // A command inside a MULTI block that moved aborted the whole block: send it all again.
    std::vector<size_t> next;
    for (size_t i : redo) {
      const size_t begin = block_of[i];
      if (begin == i && !(batch[i].size() > 0 && Upper(batch[i].words()[0]) == "MULTI")) {
        next.push_back(i);
        continue;
      }
      for (size_t j = begin; j < n && block_of[j] == begin; ++j) next.push_back(j);
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    if (moved) {
      spdlog::info("redis cluster: slots moved; refreshing the slot map");
      MarkStale();
    }
    pending = std::move(next);
  }
  std::vector<Reply> out;
  out.reserve(n);
  for (auto& r : replies) out.push_back(std::move(*r));
  return out;
}

absl::StatusOr<Reply> ClusterRouter::RunWithTimeout(const Args& args, absl::Duration timeout) {
  for (int round = 0; round <= kMaxRedirects; ++round) {
    if (auto s = EnsureMap(); !s.ok()) return s;
    const auto key = FirstKey(args);
    const Endpoint to = map_.primaries[map_.owner[key ? KeySlot(*key) : 0]];
    auto conn = ConnectionTo(to);
    if (!conn.ok()) return conn.status();
    auto reply = (*conn)->RunWithTimeout(args, timeout);
    if (reply.ok()) return reply;
    if ((*conn)->broken()) MarkStale();
    if (!absl::StrContains(reply.status().message(), "MOVED ")) return reply;
    MarkStale();  // a blocking read's key moved: ask again where it lives
  }
  return absl::UnavailableError("redis cluster: redirected too many times");
}

absl::StatusOr<std::pair<std::string, std::vector<std::string>>> ClusterRouter::Scan(absl::string_view cursor,
                                                                                       absl::string_view pattern,
                                                                                       int count) {
  if (auto s = EnsureMap(); !s.ok()) return s;
  size_t node = 0;
  std::string node_cursor = "0";
  if (cursor != "0") {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(cursor, absl::MaxSplits(':', 1));
    if (!absl::SimpleAtoi(parts.first, &node) || parts.second.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("redis cluster: bad scan cursor \"", cursor, "\""));
    }
    node_cursor = std::string(parts.second);
  }
  std::pair<std::string, std::vector<std::string>> page{"0", {}};
  if (node >= map_.primaries.size()) return page;
  auto conn = ConnectionTo(map_.primaries[node]);
  if (!conn.ok()) return conn.status();
  auto reply = (*conn)->Run(Args{"SCAN", node_cursor, "MATCH", pattern, "COUNT"}.Add(count));
  if (!reply.ok()) {
    if ((*conn)->broken()) MarkStale();
    return reply.status();
  }
  const std::string next(reply->operator[](0).str());
  const ReplyView found = (*reply)[1];
  for (size_t i = 0; i < found.size(); ++i) page.second.emplace_back(found[i].str());
  if (next != "0") {
    page.first = absl::StrCat(node, ":", next);
  } else if (node + 1 < map_.primaries.size()) {
    page.first = absl::StrCat(node + 1, ":0");
  }
  return page;
}

absl::StatusOr<std::vector<std::pair<Endpoint, Reply>>> ClusterRouter::OnEveryNodeUsed(const Args& args) {
  std::vector<Endpoint> used = std::move(used_);
  used_.clear();
  std::vector<Connection*> conns;
  for (const auto& to : used) {
    // The connection the commands went over, not a new one (which would have nothing to wait for).
    Node& node = nodes_[NodeIndex(to)];
    if (!node.conn || node.conn->broken()) {
      MarkStale();
      return absl::UnavailableError(absl::StrCat("redis cluster: lost the connection to ", to.host, ":", to.port,
                                                 " before its writes were confirmed on replicas"));
    }
    if (auto s = node.conn->Send(absl::MakeConstSpan(&args, 1)); !s.ok()) {
      MarkStale();
      return s;
    }
    conns.push_back(node.conn.get());
  }
  std::vector<std::pair<Endpoint, Reply>> out;
  for (size_t i = 0; i < conns.size(); ++i) {
    auto got = conns[i]->Receive(1);
    if (!got.ok()) {
      MarkStale();
      return got.status();
    }
    out.emplace_back(used[i], std::move(got->front()));
  }
  return out;
}

}  // namespace pressrelay::redis
