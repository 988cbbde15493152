#include "services/subscription/subscription_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/wire_check.h"

namespace pressrelay::subscription {
namespace {

absl::Status Draining() {
  return absl::UnavailableError("this replica is shutting down; reconnect and resume from your last cursor");
}

}  // namespace

SubscriptionService::SubscriptionService(StreamHub* hub, QueueAccess* access, StreamOpener* opener, Edge* edge)
    : EdgeService(edge, UnaryTransport::kQueued), hub_(hub), opener_(opener) {
  Handled("Subscribe");
  Unary<v1::AckRequest, v1::AckResponse>(
      "Ack", [access](const Principal& caller, const v1::AckRequest& request, v1::AckResponse*) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto queue, access->QueueOf(caller));
        return access->Ack(queue, request, absl::Now());
      });
  Unary<v1::HistoryRequest, v1::HistoryResponse>(
      "History", [access](const Principal& caller, const v1::HistoryRequest& request,
                          v1::HistoryResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto queue, access->QueueOf(caller));
        PR_ASSIGN_OR_RETURN(*response, access->History(queue, request));
        return absl::OkStatus();
      });
  Unary<v1::SearchRequest, pressrelay::common::v1::SearchResults>(
      "Search", [access](const Principal& caller, const v1::SearchRequest& request,
                         pressrelay::common::v1::SearchResults* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto queue, access->QueueOf(caller));
        PR_ASSIGN_OR_RETURN(*response, access->Search(queue, request));
        return absl::OkStatus();
      });
}

void SubscriptionService::RequestCall(grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                                      grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::CompletionQueue* call_cq,
                                      grpc::ServerCompletionQueue* notification_cq, void* tag) {
  RequestSubscribe(ctx, request, writer, call_cq, notification_cq, tag);
}

void SubscriptionService::Open(StreamMachine* stream, const grpc::ServerContext& ctx,
                               const grpc::ByteBuffer& request) {
  if (draining_.load()) {
    stream->Fail(Draining());
    return;
  }
  if (edge()->gate != nullptr && !edge()->gate->open()) {
    stream->Fail(absl::UnavailableError("the service is starting; retry shortly"));
    return;
  }
  // Authentication, the request and the cursor checks touch the registry and Redis: the
  // opener does them, for every stream waiting at once (stream_opener.h).
  absl::Status queued = opener_->Open(StreamOpener::Call{stream, Flatten(request), BearerToken(ctx), GatewayToken(ctx),
                                                         RequestIdOf(ctx)});
  if (!queued.ok()) stream->Fail(queued);
}

void SubscriptionService::Drain() {
  draining_.store(true);
  hub_->EndAll(Draining());
}

LedgerService::LedgerService(DeliveryLedger* ledger, Edge* edge) : EdgeService(edge, UnaryTransport::kQueued) {
  Unary<v1::GetDeliveryStatesRequest, v1::GetDeliveryStatesResponse>(
      "GetDeliveryStates", [ledger](const Principal&, const v1::GetDeliveryStatesRequest& request,
                                    v1::GetDeliveryStatesResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, ledger->States(request.statement_id(), request.version()));
        return absl::OkStatus();
      });
}

}  // namespace pressrelay::subscription
