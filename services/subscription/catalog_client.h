// How the subscription service reads statements: from the distribution service's Catalog,
// which owns them. The interface keeps the logic testable without a network.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.grpc.pb.h"

namespace pressrelay::subscription {

namespace dist_v1 = pressrelay::distribution::v1;

class StatementSource {
 public:
  virtual ~StatementSource() = default;
  // The versions asked for that exist.
  virtual absl::StatusOr<std::vector<pressrelay::common::v1::Statement>> BatchGet(
      const std::vector<std::pair<std::string, int>>& refs) = 0;
  virtual absl::StatusOr<dist_v1::QueryHistoryResponse> QueryHistory(const dist_v1::QueryHistoryRequest& request) = 0;
  virtual absl::StatusOr<pressrelay::common::v1::SearchResults> Search(const dist_v1::CatalogSearchRequest& request) = 0;
};

class GrpcStatementSource : public StatementSource {
 public:
  GrpcStatementSource(std::shared_ptr<grpc::Channel> channel, std::string service_token,
                      absl::Duration deadline = absl::Seconds(5));
  absl::StatusOr<std::vector<pressrelay::common::v1::Statement>> BatchGet(
      const std::vector<std::pair<std::string, int>>& refs) override;
  absl::StatusOr<dist_v1::QueryHistoryResponse> QueryHistory(const dist_v1::QueryHistoryRequest& request) override;
  absl::StatusOr<pressrelay::common::v1::SearchResults> Search(const dist_v1::CatalogSearchRequest& request) override;
  grpc::Channel& channel() { return *channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dist_v1::Catalog::Stub> stub_;
  const std::string service_token_;
  const absl::Duration deadline_;
};

}  // namespace pressrelay::subscription
