#include "services/distribution/distribution_service.h"

#include "services/common/base/metrics.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {
namespace {

// pressrelay_publishes_total and pressrelay_publish_duration_seconds: versions issued (Publish
// and Revise) and how long each took until its answer (queued, or committed when asked).
metrics::Counter& published =
    metrics::CounterOf("pressrelay_publishes_total", "versions issued (Publish and Revise that succeeded)");
metrics::Histogram& took = metrics::HistogramOf("pressrelay_publish_duration_seconds",
                                                "time from a Publish or Revise call to its answer",
                                                metrics::LatencyBuckets());

void CountPublish(absl::Time started) {
  published.Add();
  took.Observe(absl::ToDoubleSeconds(absl::Now() - started));
}

}  // namespace

DistributionService::DistributionService(Publisher* publisher, Catalog* catalog, DeliveryReporter* reporter,
                                         DraftDesk* desk, ObligationDesk* obligations, Edge* edge)
    : EdgeService(edge) {
  Unary<v1::GetObligationsReportRequest, v1::ObligationsReport>(
      "GetObligationsReport", [obligations](const Principal& caller, const v1::GetObligationsReportRequest& request,
                                            v1::ObligationsReport* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, obligations->Report(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  // Publish and Revise answer when their fan-out has run, from the fan-out thread: no worker
  // waits for it.
  UnaryAsync<v1::PublishRequest, v1::PublishResponse>(
      "Publish", [publisher](const Principal& caller, const v1::PublishRequest& request,
                             v1::PublishResponse* response, Done done) {
        const absl::Time started = absl::Now();
        publisher->Publish(caller, request, started,
                           [response, started, done = std::move(done)](absl::StatusOr<v1::PublishResponse> r) mutable {
                             if (r.ok()) {
                               *response = std::move(*r);
                               CountPublish(started);
                             }
                             std::move(done)(r.status());
                           });
      });
  UnaryAsync<v1::ReviseRequest, v1::PublishResponse>(
      "Revise", [publisher](const Principal& caller, const v1::ReviseRequest& request, v1::PublishResponse* response,
                            Done done) {
        const absl::Time started = absl::Now();
        publisher->Revise(caller, request, started,
                          [response, started, done = std::move(done)](absl::StatusOr<v1::PublishResponse> r) mutable {
                            if (r.ok()) {
                              *response = std::move(*r);
                              CountPublish(started);
                            }
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
  Unary<v1::GetStatementHistoryRequest, v1::StatementHistory>(
      "GetStatementHistory", [catalog](const Principal& caller, const v1::GetStatementHistoryRequest& request,
                                       v1::StatementHistory* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, catalog->GetStatementHistory(caller, request.statement_id()));
        return absl::OkStatus();
      });

  // The press office's desk.
  Unary<v1::CreateDraftRequest, v1::Draft>(
      "CreateDraft",
      [desk](const Principal& caller, const v1::CreateDraftRequest& request, v1::Draft* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Create(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::UpdateDraftRequest, v1::Draft>(
      "UpdateDraft",
      [desk](const Principal& caller, const v1::UpdateDraftRequest& request, v1::Draft* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Update(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::GetDraftRequest, v1::Draft>(
      "GetDraft",
      [desk](const Principal& caller, const v1::GetDraftRequest& request, v1::Draft* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Get(caller, request.draft_id()));
        return absl::OkStatus();
      });
  Unary<v1::ListDraftsRequest, v1::ListDraftsResponse>(
      "ListDrafts", [desk](const Principal& caller, const v1::ListDraftsRequest& request,
                           v1::ListDraftsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->List(caller, request));
        return absl::OkStatus();
      });
  Unary<v1::ReviewDraftRequest, v1::Draft>(
      "SubmitDraft",
      [desk](const Principal& caller, const v1::ReviewDraftRequest& request, v1::Draft* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Submit(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::ReviewDraftRequest, v1::Draft>(
      "ReturnDraft",
      [desk](const Principal& caller, const v1::ReviewDraftRequest& request, v1::Draft* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Return(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  // Approval publishes: like Publish, it answers from the fan-out thread.
  UnaryAsync<v1::ApproveDraftRequest, v1::ApproveDraftResponse>(
      "ApproveDraft", [desk](const Principal& caller, const v1::ApproveDraftRequest& request,
                             v1::ApproveDraftResponse* response, Done done) {
        desk->Approve(caller, request, absl::Now(),
                      [response, done = std::move(done)](absl::StatusOr<v1::ApproveDraftResponse> r) mutable {
                        if (r.ok()) *response = std::move(*r);
                        std::move(done)(r.status());
                      });
      });
  Unary<v1::PreviewDraftRequest, Statement>(
      "PreviewDraft",
      [desk](const Principal& caller, const v1::PreviewDraftRequest& request, Statement* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Preview(caller, request, absl::Now()));
        return absl::OkStatus();
      });
}

CatalogService::CatalogService(Catalog* catalog, StatementSearch* search, Edge* edge) : EdgeService(edge) {
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
  Unary<v1::CatalogSearchRequest, pressrelay::common::v1::SearchResults>(
      "Search", [search](const Principal&, const v1::CatalogSearchRequest& request,
                         pressrelay::common::v1::SearchResults* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, search->Search(request));
        return absl::OkStatus();
      });
}

QuestionsService::QuestionsService(QuestionDesk* desk, Edge* edge) : EdgeService(edge) {
  Unary<v1::AskQuestionRequest, v1::Question>(
      "AskQuestion",
      [desk](const Principal& caller, const v1::AskQuestionRequest& request, v1::Question* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Ask(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::ListQuestionsRequest, v1::ListQuestionsResponse>(
      "ListQuestions", [desk](const Principal& caller, const v1::ListQuestionsRequest& request,
                              v1::ListQuestionsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->List(caller, request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::GetQuestionRequest, v1::Question>(
      "GetQuestion",
      [desk](const Principal& caller, const v1::GetQuestionRequest& request, v1::Question* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, desk->Get(caller, request.question_id(), absl::Now()));
        return absl::OkStatus();
      });
  // Answering and declining publish: like Publish, they answer from the fan-out thread.
  auto answered = [](v1::DecideQuestionResponse* response, Done done) {
    return [response, started = absl::Now(), done = std::move(done)](
               absl::StatusOr<v1::DecideQuestionResponse> r) mutable {
      if (r.ok()) {
        *response = std::move(*r);
        CountPublish(started);
      }
      std::move(done)(r.status());
    };
  };
  UnaryAsync<v1::AnswerQuestionRequest, v1::DecideQuestionResponse>(
      "AnswerQuestion", [desk, answered](const Principal& caller, const v1::AnswerQuestionRequest& request,
                                         v1::DecideQuestionResponse* response, Done done) {
        desk->Answer(caller, request, absl::Now(), answered(response, std::move(done)));
      });
  UnaryAsync<v1::DeclineQuestionRequest, v1::DecideQuestionResponse>(
      "DeclineQuestion", [desk, answered](const Principal& caller, const v1::DeclineQuestionRequest& request,
                                          v1::DecideQuestionResponse* response, Done done) {
        desk->Decline(caller, request, absl::Now(), answered(response, std::move(done)));
      });
}

}  // namespace pressrelay::distribution
