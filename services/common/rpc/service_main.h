// The life of a pressrelay service process, the same for every service:
//
//   1. main() has read and checked the configuration (ParseFlagsWithEnv checks every numeric
//      flag's range; the service's Config::FromFlags the rest) before any thread starts;
//      --check_config stops here and says whether it is good.
//   2. RunService starts the listener: readiness NOT_SERVING, liveness SERVING; calls are
//      answered UNAVAILABLE ("starting") while the StartupGate is closed.
//   3. It calls `start` (wait for Redis — for the gateway, the services —, load state, start
//      the service's threads) until it succeeds, logging one clear line per kind of failure;
//      a FAILED_PRECONDITION is fatal (exit 2), and so is --startup_timeout passing (exit 1).
//   4. The gate opens; a HealthMonitor keeps readiness true to `ready` and liveness true to
//      the StallChecks.
//   5. SIGTERM (or SIGINT): readiness NOT_SERVING, `drain` (streams told to reconnect), then
//      the server stops within --drain_grace.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/rpc/edge.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/server.h"
#include "services/common/base/worker_pool.h"

namespace pressrelay {

struct ServiceRun {
  // The gRPC server to start (a ServiceHost) ...
  ServerOptions server;
  std::vector<grpc::Service*> services;
  std::function<void(grpc::ServerBuilder&)> customize;  // optional
  // Optional: right after the server is built (say, to start polling completion queues that
  // `customize` added), and after it has shut down (to stop polling them).
  std::function<void()> built;
  std::function<void()> stopped;
  // ... or, when set, another listener (the gateway's HTTP server).
  std::function<absl::StatusOr<std::unique_ptr<Listener>>()> listen;
  StartupGate* gate = nullptr;
  std::string waiting_for = "Redis";  // what `start` waits for, in the log
  std::function<absl::Status()> start;  // step 3; retried
  std::function<absl::Status()> ready;  // readiness probe
  std::vector<StallCheck> liveness;
  std::function<void()> drain;  // optional
  absl::Duration startup_timeout = absl::Minutes(5);
  absl::Duration drain_grace = absl::Seconds(20);
};

// Steps 2-5; returns the process's exit code.
int RunService(ServiceRun run);

// Liveness checks for the usual suspects: a worker pool's queue and a Redis pool.
StallCheck QueueStall(const WorkerPool& pool, absl::Duration bound);
StallCheck RedisStall(const redis::Pool& pool, absl::Duration bound);

// The readiness probe's Redis half: PING on a connection of the pool.
absl::Status PingRedis(redis::Pool& pool);

}  // namespace pressrelay
