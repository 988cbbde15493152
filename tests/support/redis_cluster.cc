#include "tests/support/redis_cluster.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/common/redis/cluster.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

redis::Options NodeOptions(int port) {
  redis::Options options;
  options.port = port;
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Seconds(2);
  return options;
}

// Retries `probe` with a growing back-off (5 ms .. 100 ms) until it answers OK or `timeout`.
absl::Status Await(absl::Duration timeout, const std::function<absl::Status()>& probe) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last;
  for (absl::Duration backoff = absl::Milliseconds(5);; backoff = std::min(backoff * 2, absl::Milliseconds(100))) {
    last = probe();
    if (last.ok()) return last;
    if (absl::Now() > deadline) return absl::DeadlineExceededError(absl::StrCat("redis cluster: ", last.message()));
    absl::SleepFor(backoff);
  }
}

// The value of `field` in an INFO-style "name:value" text.
std::string InfoField(absl::string_view text, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripSuffix(line, "\r");
    if (absl::StartsWith(line, absl::StrCat(field, ":"))) return std::string(line.substr(field.size() + 1));
  }
  return "";
}

// A node's CLUSTER INFO text.
absl::StatusOr<std::string> ClusterInfo(int port) {
  auto conn = redis::Connection::Connect(NodeOptions(port));
  if (!conn.ok()) return conn.status();
  auto info = (*conn)->Run({"CLUSTER", "INFO"});
  if (!info.ok()) return info.status();
  return std::string(info->str());
}

// The slot map as the node on `port` sees it.
absl::StatusOr<redis::SlotMap> SlotsSeenBy(int port) {
  auto conn = redis::Connection::Connect(NodeOptions(port));
  if (!conn.ok()) return conn.status();
  auto slots = (*conn)->Run({"CLUSTER", "SLOTS"});
  if (!slots.ok()) return slots.status();
  return redis::ParseSlots(*slots, redis::Endpoint{"127.0.0.1", port});
}

}  // namespace

RedisCluster::~RedisCluster() {
  for (auto& node : nodes_) node.process.reset();
}

absl::Status RedisCluster::LaunchNode(Node* node) {
  std::filesystem::create_directories(node->dir);
  node->process = std::make_unique<ChildProcess>();
  const std::vector<std::string> argv = {
      "redis-server", "--port", std::to_string(node->port), "--bind", "127.0.0.1",
      "--cluster-enabled", "yes", "--cluster-port", std::to_string(node->bus_port),
      "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1500",
      // A replica takes over however long it lost touch (tests kill primaries on purpose).
      "--cluster-replica-validity-factor", "0",
      "--dir", node->dir, "--save", "", "--daemonize", "no", "--protected-mode", "yes",
      "--appendonly", "yes", "--appendfsync", "everysec", "--loglevel", "notice",
      // To the file, not stdout: nobody drains the stdout pipe, and a full pipe would stall the node.
      "--logfile", node->dir + "/redis.log"};
  if (auto s = node->process->Start(argv, node->dir + "/redis.log"); !s.ok()) return s;
  return Await(kStartTimeout, [&]() -> absl::Status {
    if (auto exited = node->process->Wait(absl::ZeroDuration()); exited.ok()) {
      return absl::InternalError(absl::StrCat("node ", node->port, " exited; see ", node->dir, "/redis.log"));
    }
    auto conn = redis::Connection::Connect(NodeOptions(node->port));
    if (!conn.ok()) return conn.status();
    return (*conn)->Run({"PING"}).status();
  });
}

absl::Status RedisCluster::Start(int primaries, int replicas_per_primary) {
  const int total = primaries * (1 + replicas_per_primary);
  std::set<int> taken;
  for (int i = 0; i < total; ++i) {
    Node node;
    do node.port = FreePort(); while (!taken.insert(node.port).second);
    do node.bus_port = FreePort(); while (!taken.insert(node.bus_port).second);
    node.dir = absl::StrCat(dir_, "/redis-", i);
    nodes_.push_back(std::move(node));
  }
  for (auto& node : nodes_) {
    if (auto s = LaunchNode(&node); !s.ok()) return s;
    ports_.push_back(node.port);
  }
  std::vector<std::string> argv = {"redis-cli", "--cluster", "create"};
  for (int port : ports_) argv.push_back(absl::StrCat("127.0.0.1:", port));
  for (const char* a : {"--cluster-replicas", "", "--cluster-yes"}) argv.push_back(a);
  argv[argv.size() - 2] = std::to_string(replicas_per_primary);
  auto [code, out] = RunProgram(argv, dir_ + "/cluster-create.log", {}, absl::Seconds(60));
  if (code != 0) {
    return absl::InternalError(absl::StrCat("redis-cli --cluster create failed (", code, "): ", out,
                                            ReadFile(dir_ + "/cluster-create.log")));
  }
  if (auto s = WaitAgreed(total, kStartTimeout); !s.ok()) return s;
  return WaitReplicasOnline(replicas_per_primary, kStartTimeout);
}

absl::Status RedisCluster::WaitReplicasOnline(int per_primary, absl::Duration timeout) const {
  return Await(timeout, [&]() -> absl::Status {
    auto primaries = PrimaryPorts();
    if (!primaries.ok()) return primaries.status();
    for (int port : *primaries) {
      auto conn = redis::Connection::Connect(NodeOptions(port));
      if (!conn.ok()) return conn.status();
      auto info = (*conn)->Run({"INFO", "replication"});
      if (!info.ok()) return info.status();
      int online = 0;
      for (int i = 0; i < per_primary + 4; ++i) {
        if (absl::StrContains(InfoField(info->str(), absl::StrCat("slave", i)), "state=online")) ++online;
      }
      if (online < per_primary) {
        return absl::UnavailableError(absl::StrCat("primary ", port, " has ", online, " of ", per_primary,
                                                   " replicas online"));
      }
    }
    return absl::OkStatus();
  });
}

absl::Status RedisCluster::WaitAgreed(int expected_nodes, absl::Duration timeout) const {
  return Await(timeout, [&]() -> absl::Status {
    for (int port : LivePorts()) {
      auto info = ClusterInfo(port);
      if (!info.ok()) return info.status();
      if (InfoField(*info, "cluster_state") != "ok" ||
          InfoField(*info, "cluster_known_nodes") != std::to_string(expected_nodes)) {
        return absl::UnavailableError(absl::StrCat("node ", port, " is not ready: state ",
                                                   InfoField(*info, "cluster_state"), ", knows ",
                                                   InfoField(*info, "cluster_known_nodes"), " nodes"));
      }
    }
    return absl::OkStatus();
  });
}

std::vector<int> RedisCluster::LivePorts() const {
  std::vector<int> out;
  for (const auto& node : nodes_) {
    if (!node.killed) out.push_back(node.port);
  }
  return out;
}

std::string RedisCluster::seeds() const {
  std::vector<std::string> out;
  for (int port : ports_) out.push_back(absl::StrCat("127.0.0.1:", port));
  return absl::StrJoin(out, ",");
}

redis::Client RedisCluster::Client() const {
  redis::Options options = NodeOptions(ports_.front());
  options.cluster = true;
  for (size_t i = 1; i < ports_.size(); ++i) options.seeds.push_back(redis::Endpoint{"127.0.0.1", ports_[i]});
  return redis::Client(options);
}

redis::Client RedisCluster::NodeClient(int port) const { return redis::Client(NodeOptions(port)); }

absl::StatusOr<std::vector<int>> RedisCluster::PrimaryPorts() const {
  absl::Status last = absl::UnavailableError("no live node");
  for (int port : LivePorts()) {
    auto map = SlotsSeenBy(port);
    if (!map.ok()) {
      last = map.status();
      continue;
    }
    std::vector<int> out;
    for (const auto& e : map->primaries) out.push_back(e.port);
    std::sort(out.begin(), out.end());
    return out;
  }
  return last;
}

absl::StatusOr<int> RedisCluster::PrimaryOf(const std::string& key) const {
  for (int port : LivePorts()) {
    auto map = SlotsSeenBy(port);
    if (!map.ok()) continue;
    const int owner = map->owner[redis::KeySlot(key)];
    if (owner >= 0) return map->primaries[owner].port;
  }
  return absl::UnavailableError(absl::StrCat("no live node knows who serves ", key));
}

void RedisCluster::Kill(int port) {
  for (auto& node : nodes_) {
    if (node.port == port) {
      node.process->Kill();
      node.killed = true;
    }
  }
}

absl::Status RedisCluster::Restart(int port) {
  for (auto& node : nodes_) {
    if (node.port != port) continue;
    if (auto s = LaunchNode(&node); !s.ok()) return s;
    node.killed = false;
    if (auto s = WaitAgreed(static_cast<int>(nodes_.size()), kStartTimeout); !s.ok()) return s;
    return WaitReplicasOnline(1, kStartTimeout);
  }
  return absl::NotFoundError(absl::StrCat("no node on ", port));
}

absl::StatusOr<int> RedisCluster::HandOver(int primary) {
  int replica = 0;
  for (int port : LivePorts()) {
    auto conn = redis::Connection::Connect(NodeOptions(port));
    if (!conn.ok()) return conn.status();
    auto info = (*conn)->Run({"INFO", "replication"});
    if (!info.ok()) return info.status();
    if (InfoField(info->str(), "role") == "slave" && InfoField(info->str(), "master_port") == std::to_string(primary)) {
      replica = port;
    }
  }
  if (replica == 0) return absl::NotFoundError(absl::StrCat("primary ", primary, " has no replica"));
  auto conn = redis::Connection::Connect(NodeOptions(replica));
  if (!conn.ok()) return conn.status();
  if (auto s = (*conn)->Run({"CLUSTER", "FAILOVER"}).status(); !s.ok()) return s;
  if (auto s = WaitServedWithout({primary}, kStartTimeout); !s.ok()) return s;
  if (auto s = WaitReplicasOnline(1, kStartTimeout); !s.ok()) return s;
  return replica;
}

absl::Status RedisCluster::WaitHealed(absl::Duration timeout) const {
  std::set<int> dead;
  for (const auto& node : nodes_) {
    if (node.killed) dead.insert(node.port);
  }
  return WaitServedWithout(dead, timeout);
}

absl::Status RedisCluster::WaitServedWithout(const std::set<int>& gone, absl::Duration timeout) const {
  return Await(timeout, [&]() -> absl::Status {
    for (int port : LivePorts()) {
      auto info = ClusterInfo(port);
      if (!info.ok()) return info.status();
      if (InfoField(*info, "cluster_state") != "ok") {
        return absl::UnavailableError(absl::StrCat("node ", port, " says the cluster is ",
                                                   InfoField(*info, "cluster_state")));
      }
      auto map = SlotsSeenBy(port);
      if (!map.ok()) return map.status();
      for (const auto& primary : map->primaries) {
        if (gone.count(primary.port) > 0) {
          return absl::UnavailableError(absl::StrCat("node ", port, " still names ", primary.port, " as a primary"));
        }
      }
      if (std::count(map->owner.begin(), map->owner.end(), int16_t{-1}) > 0) {
        return absl::UnavailableError(absl::StrCat("node ", port, " knows slots without an owner"));
      }
    }
    return absl::OkStatus();
  });
}

absl::Status RedisCluster::WaitReplicated(absl::Duration timeout) const {
  auto primaries = PrimaryPorts();
  if (!primaries.ok()) return primaries.status();
  for (int port : *primaries) {
    // The primary's offset now; then until each of its replicas reports having reached it.
    int64_t target = -1;
    auto status = Await(timeout, [&]() -> absl::Status {
      auto conn = redis::Connection::Connect(NodeOptions(port));
      if (!conn.ok()) return conn.status();
      auto info = (*conn)->Run({"INFO", "replication"});
      if (!info.ok()) return info.status();
      if (target < 0 && !absl::SimpleAtoi(InfoField(info->str(), "master_repl_offset"), &target)) {
        return absl::InternalError("no master_repl_offset");
      }
      int replicas = 0;
      (void)absl::SimpleAtoi(InfoField(info->str(), "connected_slaves"), &replicas);
      for (int i = 0; i < replicas; ++i) {
        // slave0:ip=127.0.0.1,port=7001,state=online,offset=1234,lag=0
        int64_t offset = -1;
        for (absl::string_view part : absl::StrSplit(InfoField(info->str(), absl::StrCat("slave", i)), ',')) {
          if (absl::ConsumePrefix(&part, "offset=")) (void)absl::SimpleAtoi(part, &offset);
        }
        if (offset < target) {
          return absl::UnavailableError(absl::StrCat("a replica of ", port, " is at ", offset, " of ", target));
        }
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace pressrelay::testing
