// Delivery reports: for one version of a statement, who it was queued for, who has had it
// written to a stream and who acknowledged it, by outlet — so a spokesperson can see who
// has not yet confirmed a kill. Queue state comes from the fan-out (this service's jobs
// and the queues it wrote); sent/acknowledged from the subscription service's Ledger;
// names from the registry.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/common/redis/redis.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {

namespace sub_v1 = pressrelay::subscription::v1;

class LedgerSource {
 public:
  virtual ~LedgerSource() = default;
  virtual absl::StatusOr<sub_v1::GetDeliveryStatesResponse> States(const std::string& statement_id, int version) = 0;
};

class GrpcLedgerSource : public LedgerSource {
 public:
  GrpcLedgerSource(std::shared_ptr<grpc::Channel> channel, std::string service_token);
  absl::StatusOr<sub_v1::GetDeliveryStatesResponse> States(const std::string& statement_id, int version) override;

 private:
  std::unique_ptr<sub_v1::Ledger::Stub> stub_;
  const std::string service_token_;
};

class DeliveryReporter {
 public:
  DeliveryReporter(redis::Pool* pool, DirectoryClient* directory, LedgerSource* ledger)
      : pool_(pool), directory_(directory), ledger_(ledger) {}

  // Who sees which agency's reports: read_access.h.
  absl::StatusOr<v1::DeliveryReport> Report(const Principal& caller, const v1::GetDeliveryReportRequest& request);

 private:
  redis::Pool* const pool_;
  DirectoryClient* const directory_;
  LedgerSource* const ledger_;
};

}  // namespace pressrelay::distribution
