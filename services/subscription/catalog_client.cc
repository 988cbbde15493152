#include "services/subscription/catalog_client.h"

#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::subscription {

GrpcStatementSource::GrpcStatementSource(std::shared_ptr<grpc::Channel> channel, std::string service_token,
                                         absl::Duration deadline)
    : channel_(std::move(channel)),
      stub_(dist_v1::Catalog::NewStub(channel_)),
      service_token_(std::move(service_token)),
      deadline_(deadline) {}

absl::StatusOr<std::vector<pressrelay::common::v1::Statement>> GrpcStatementSource::BatchGet(
    const std::vector<std::pair<std::string, int>>& refs) {
  dist_v1::BatchGetVersionsRequest request;
  for (const auto& [id, version] : refs) {
    auto* ref = request.add_refs();
    ref->set_statement_id(id);
    ref->set_version(version);
  }
  dist_v1::BatchGetVersionsResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->BatchGetVersions(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "distribution");
  return std::vector<pressrelay::common::v1::Statement>(response.statements().begin(), response.statements().end());
}

absl::StatusOr<dist_v1::QueryHistoryResponse> GrpcStatementSource::QueryHistory(
    const dist_v1::QueryHistoryRequest& request) {
  dist_v1::QueryHistoryResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->QueryHistory(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "distribution");
  return response;
}

absl::StatusOr<pressrelay::common::v1::SearchResults> GrpcStatementSource::Search(
    const dist_v1::CatalogSearchRequest& request) {
  pressrelay::common::v1::SearchResults response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->Search(ctx.get(), request, &response);
  // The distribution's field names (query.text, page_token) are the caller's too.
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace pressrelay::subscription
