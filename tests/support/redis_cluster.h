// A real Redis Cluster for tests: `primaries` redis-server processes with cluster mode on,
// each with `replicas_per_primary` replicas, on free loopback ports (client and bus port
// both chosen free: --cluster-port), each in its own directory with an append-only file,
// joined with `redis-cli --cluster create`. Readiness is awaited by asking every node
// (CLUSTER INFO) until all agree the cluster is ok; nothing sleeps.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/redis/redis.h"
#include "tests/support/process.h"

namespace pressrelay::testing {

class RedisCluster {
 public:
  explicit RedisCluster(std::string dir) : dir_(std::move(dir)) {}
  ~RedisCluster();
  absl::Status Start(int primaries = 3, int replicas_per_primary = 1);

  // "127.0.0.1:<port>,..." of every node: the services' --redis with --redis_cluster.
  std::string seeds() const;
  // A client in cluster mode (routes by slot, follows MOVED/ASK).
  redis::Client Client() const;
  // A plain client of one node (by port).
  redis::Client NodeClient(int port) const;
  // The ports of the nodes that are primaries now (as a live node sees it).
  absl::StatusOr<std::vector<int>> PrimaryPorts() const;
  // The primary that serves `key`'s slot now.
  absl::StatusOr<int> PrimaryOf(const std::string& key) const;
  // SIGKILL of the node on `port`.
  void Kill(int port);
  // Starts a killed node again on its port and directory (its nodes.conf): a primary whose
  // slots were taken over rejoins as a replica. Until every node agrees again.
  absl::Status Restart(int port);
  // A graceful failover (CLUSTER FAILOVER on the primary's replica): the replica takes over
  // the primary's slots and the primary becomes its replica. Until every live node names the
  // new owner and the old primary is in sync with it. Returns the new primary's port.
  absl::StatusOr<int> HandOver(int primary);
  // Until every slot is served by a live primary again and the live nodes say
  // cluster_state:ok (a replica of each killed primary promoted), or the timeout.
  absl::Status WaitHealed(absl::Duration timeout) const;
  // Until every replica's replication offset has reached its primary's (WAIT on each).
  absl::Status WaitReplicated(absl::Duration timeout) const;
  const std::vector<int>& ports() const { return ports_; }

 private:
  struct Node {
    int port = 0;
    int bus_port = 0;
    std::string dir;
    std::unique_ptr<ChildProcess> process;
    bool killed = false;
  };
  absl::Status LaunchNode(Node* node);
  absl::Status WaitAgreed(int expected_nodes, absl::Duration timeout) const;
  // Until every primary has at least `per_primary` replicas in sync (state=online).
  absl::Status WaitReplicasOnline(int per_primary, absl::Duration timeout) const;
  // Until the live nodes say cluster_state:ok, every slot has an owner and none of `gone`
  // is a primary (killed, or handed over).
  absl::Status WaitServedWithout(const std::set<int>& gone, absl::Duration timeout) const;
  std::vector<int> LivePorts() const;

  std::string dir_;
  std::vector<Node> nodes_;
  std::vector<int> ports_;
};

}  // namespace pressrelay::testing
