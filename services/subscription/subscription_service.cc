#include "services/subscription/subscription_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/request_id.h"
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

SubscriptionService::SubscriptionService(StreamHub* hub, QueueAccess* access, DeliveryLedger* ledger, Edge* edge,
                                         StreamOptions stream_options, int start_limit)
    : EdgeService(edge),
      hub_(hub),
      access_(access),
      ledger_(ledger),
      stream_options_(stream_options),
      start_limit_(start_limit) {
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
                                      grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::ServerCompletionQueue* cq,
                                      void* tag) {
  RequestSubscribe(ctx, request, writer, cq, cq, tag);
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
  if (starting_.fetch_add(1) >= start_limit_) {
    starting_.fetch_sub(1);
    stream->Fail(WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(
                                    "this replica is starting ", start_limit_, " streams already; retry shortly")),
                                absl::Seconds(1)));
    return;
  }
  // Authentication, the request and the cursor checks touch the registry and Redis: a worker
  // does them.
  stream->Ref();
  edge()->pool->Submit([this, stream, bytes = Flatten(request), token = BearerToken(ctx), gateway_token = GatewayToken(ctx),
                        request_id = RequestIdOf(ctx)]() {
    ScopedRequestId scope(request_id);
    absl::Status status = [&]() -> absl::Status {
      PR_ASSIGN_OR_RETURN(Principal caller, Admit(*edge(), token, gateway_token, "Subscription.Subscribe"));
      v1::SubscribeRequest parsed;
      PR_RETURN_IF_ERROR(ParseRequest(bytes, &parsed));
      PR_ASSIGN_OR_RETURN(auto queue, access_->QueueOf(caller));
      PR_ASSIGN_OR_RETURN(Cursor start, access_->ResolveStart(queue, parsed));
      StreamOwner owner{caller.id(), caller.role(), caller.token_id(), token, absl::InfiniteFuture()};
      if (caller.has_access_until()) owner.access_until = FromProto(caller.access_until());
      stream->Begin(std::move(owner), queue.recipient_id, queue.shard, std::move(start));
      return absl::OkStatus();
    }();
    if (!status.ok()) stream->Fail(status);
    starting_.fetch_sub(1);
    stream->Unref();
  });
}

void SubscriptionService::Drain() {
  draining_.store(true);
  hub_->EndAll(Draining());
}

LedgerService::LedgerService(DeliveryLedger* ledger, Edge* edge) : EdgeService(edge) {
  Unary<v1::GetDeliveryStatesRequest, v1::GetDeliveryStatesResponse>(
      "GetDeliveryStates", [ledger](const Principal&, const v1::GetDeliveryStatesRequest& request,
                                    v1::GetDeliveryStatesResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, ledger->States(request.statement_id(), request.version()));
        return absl::OkStatus();
      });
}

}  // namespace pressrelay::subscription
