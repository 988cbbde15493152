#include "services/distribution/distribution_service.h"

#include "services/common/grpc_util.h"
#include "services/distribution/delivery_reporter.h"
#include "services/common/status_macros.h"

namespace pressrelay::distribution {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

ServerUnaryReactor* DistributionService::Publish(CallbackServerContext* ctx, const v1::PublishRequest* request,
                                                 v1::PublishResponse* response) {
  return RunAuthorized(ctx, *edge_, "Distribution.Publish",
                       [=, this](const Principal& caller) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, publisher_->Publish(caller, *request, absl::Now()));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* DistributionService::Revise(CallbackServerContext* ctx, const v1::ReviseRequest* request,
                                                v1::PublishResponse* response) {
  return RunAuthorized(ctx, *edge_, "Distribution.Revise", [=, this](const Principal& caller) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, publisher_->Revise(caller, *request, absl::Now()));
    return absl::OkStatus();
  }, request, response);
}

ServerUnaryReactor* DistributionService::GetStatement(CallbackServerContext* ctx,
                                                      const v1::GetStatementRequest* request, Statement* response) {
  return RunAuthorized(ctx, *edge_, "Distribution.GetStatement",
                       [=, this](const Principal& caller) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, catalog_->GetStatement(caller, request->statement_id(),
                                                                               request->version()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* DistributionService::ListStatements(CallbackServerContext* ctx,
                                                        const v1::ListStatementsRequest* request,
                                                        v1::ListStatementsResponse* response) {
  return RunAuthorized(ctx, *edge_, "Distribution.ListStatements",
                       [=, this](const Principal& caller) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, catalog_->ListStatements(caller, *request));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* DistributionService::GetDeliveryReport(CallbackServerContext* ctx,
                                                           const v1::GetDeliveryReportRequest* request,
                                                           v1::DeliveryReport* response) {
  return RunAuthorized(ctx, *edge_, "Distribution.GetDeliveryReport",
                       [=, this](const Principal& caller) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, reporter_->Report(caller, *request));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* CatalogService::BatchGetVersions(CallbackServerContext* ctx,
                                                     const v1::BatchGetVersionsRequest* request,
                                                     v1::BatchGetVersionsResponse* response) {
  return RunAuthorized(ctx, *edge_, "Catalog.BatchGetVersions", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, catalog_->BatchGetVersions(*request));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* CatalogService::QueryHistory(CallbackServerContext* ctx, const v1::QueryHistoryRequest* request,
                                                 v1::QueryHistoryResponse* response) {
  return RunAuthorized(ctx, *edge_, "Catalog.QueryHistory", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, catalog_->QueryHistory(*request));
    return absl::OkStatus();
  });
}

}  // namespace pressrelay::distribution
