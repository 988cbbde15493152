// grpc.health.v1.Health (Check and Watch) served on the process's own completion queues
// (queued_call.h), for a process that must not use gRPC's callback API: gRPC's default
// health service is a callback service, and one is enough to start the callback threads.
//
// The statuses are set as with the default service, through the server's
// HealthCheckServiceInterface (ServiceHost does): BuilderOption() makes this one's table
// that interface, so that the default service is not created.
//
// A Check is answered on the loop at once. A Watch, as a state machine (WatchCall):
//   1. Requested  AsyncNotifyWhenDone, then RequestAsyncServerStreaming. Back not ok at
//                 shutdown: deleted.
//   2. Watching   its successor requested; it joins the table's watchers and writes the
//                 current status. A change (from any thread) writes the new status if no
//                 write is in flight, or is written when the one in flight completes
//                 (only the latest; repeats of the last written status are skipped).
//   3. Over       the done tag (client gone, or shutdown): it leaves the watchers, and is
//                 deleted once no write is in flight.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/service_type.h>

#include <memory>

#include "services/common/rpc/queued_call.h"

namespace pressrelay {

class QueuedHealth final : public grpc::Service, public QueuedServer {
 public:
  QueuedHealth();
  ~QueuedHealth() override;

  // For the ServerBuilder, before it builds: the server's GetHealthCheckService() is then
  // this service's table.
  std::unique_ptr<grpc::ServerBuilderOption> BuilderOption();
  // QueuedServer: a few Checks and Watches requested on `cq`.
  void RequestCalls(grpc::ServerCompletionQueue* cq) override;

  class Table;

 private:
  friend class HealthCheckCall;
  friend class HealthWatchCall;
  void RequestCheck(grpc::ServerCompletionQueue* cq);
  void RequestWatch(grpc::ServerCompletionQueue* cq);

  std::shared_ptr<Table> table_;
};

}  // namespace pressrelay
