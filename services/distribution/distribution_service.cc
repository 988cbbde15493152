#include "services/distribution/distribution_service.h"

#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {

DistributionService::DistributionService(Publisher* publisher, Catalog* catalog, DeliveryReporter* reporter,
                                         Edge* edge)
    : EdgeService(edge) {
  // Publish and Revise answer when their fan-out has run, from the fan-out thread: no worker
  // waits for it.
  UnaryAsync<v1::PublishRequest, v1::PublishResponse>(
      "Publish", [publisher](const Principal& caller, const v1::PublishRequest& request,
                             v1::PublishResponse* response, Done done) {
        publisher->Publish(caller, request, absl::Now(),
                           [response, done = std::move(done)](absl::StatusOr<v1::PublishResponse> r) mutable {
                             if (r.ok()) *response = std::move(*r);
                             std::move(done)(r.status());
                           });
      });
  UnaryAsync<v1::ReviseRequest, v1::PublishResponse>(
      "Revise", [publisher](const Principal& caller, const v1::ReviseRequest& request, v1::PublishResponse* response,
                            Done done) {
        publisher->Revise(caller, request, absl::Now(),
                          [response, done = std::move(done)](absl::StatusOr<v1::PublishResponse> r) mutable {
                            if (r.ok()) *response = std::move(*r);
                            std::move(done)(r.status());
                          });
      });
  Unary<v1::GetStatementRequest, Statement>(
      "GetStatement", [catalog](const Principal& caller, const v1::GetStatementRequest& request,
                                Statement* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, catalog->GetStatement(caller, request.statement_id(), request.version()));
        return absl::OkStatus();
      });
  Unary<v1::ListStatementsRequest, v1::ListStatementsResponse>(
      "ListStatements", [catalog](const Principal& caller, const v1::ListStatementsRequest& request,
                                  v1::ListStatementsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, catalog->ListStatements(caller, request));
        return absl::OkStatus();
      });
  Unary<v1::GetDeliveryReportRequest, v1::DeliveryReport>(
      "GetDeliveryReport", [reporter](const Principal& caller, const v1::GetDeliveryReportRequest& request,
                                      v1::DeliveryReport* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, reporter->Report(caller, request));
        return absl::OkStatus();
      });
}

CatalogService::CatalogService(Catalog* catalog, Edge* edge) : EdgeService(edge) {
  Unary<v1::BatchGetVersionsRequest, v1::BatchGetVersionsResponse>(
      "BatchGetVersions", [catalog](const Principal&, const v1::BatchGetVersionsRequest& request,
                                    v1::BatchGetVersionsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, catalog->BatchGetVersions(request));
        return absl::OkStatus();
      });
  Unary<v1::QueryHistoryRequest, v1::QueryHistoryResponse>(
      "QueryHistory", [catalog](const Principal&, const v1::QueryHistoryRequest& request,
                                v1::QueryHistoryResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, catalog->QueryHistory(request));
        return absl::OkStatus();
      });
}

}  // namespace pressrelay::distribution
