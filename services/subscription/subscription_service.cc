#include "services/subscription/subscription_service.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include "services/common/access_policy.h"
#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "services/common/time_util.h"

namespace pressrelay::subscription {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

namespace {

const grpc::Status kDraining(grpc::StatusCode::UNAVAILABLE,
                             "this replica is shutting down; reconnect and resume from your last cursor");

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscriptionService::Subscribe(CallbackServerContext* ctx,
                                                                           const grpc::ByteBuffer* request) {
  auto* stream = new SubscribeStream(ctx, hub_, ledger_, stream_options_);
  if (draining_.load()) {
    stream->Fail(kDraining);
    return stream;
  }
  v1::SubscribeRequest parsed;
  grpc::ByteBuffer copy(*request);
  if (!grpc::SerializationTraits<v1::SubscribeRequest>::Deserialize(&copy, &parsed).ok()) {
    stream->Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request: not a SubscribeRequest"));
    return stream;
  }
  // Authentication and the cursor checks touch the registry and Redis: a worker does them.
  stream->Ref();
  edge_->pool->Submit([this, stream, parsed = std::move(parsed), token = BearerToken(*ctx), act_as = ActAs(*ctx)]() {
    absl::Status status = [&]() -> absl::Status {
      PR_ASSIGN_OR_RETURN(Principal caller, Admit(*edge_, token, act_as, "Subscription.Subscribe"));
      PR_ASSIGN_OR_RETURN(auto queue, access_->QueueOf(caller));
      PR_ASSIGN_OR_RETURN(Cursor start, access_->ResolveStart(queue, parsed));
      StreamOwner owner{caller.id(), caller.role(), caller.token_id(), token, absl::InfiniteFuture()};
      if (caller.has_access_until()) owner.access_until = FromProto(caller.access_until());
      stream->Begin(std::move(owner), queue.recipient_id, queue.shard, std::move(start));
      return absl::OkStatus();
    }();
    if (!status.ok()) stream->Fail(ToGrpcStatus(status));
    stream->Unref();
  });
  return stream;
}

ServerUnaryReactor* SubscriptionService::Ack(CallbackServerContext* ctx, const v1::AckRequest* request,
                                             v1::AckResponse*) {
  return RunAuthorized(ctx, *edge_, "Subscription.Ack", [=, this](const Principal& caller) -> absl::Status {
    PR_ASSIGN_OR_RETURN(auto queue, access_->QueueOf(caller));
    return access_->Ack(queue, *request, absl::Now());
  }, request, nullptr);
}

ServerUnaryReactor* SubscriptionService::History(CallbackServerContext* ctx, const v1::HistoryRequest* request,
                                                 v1::HistoryResponse* response) {
  return RunAuthorized(ctx, *edge_, "Subscription.History",
                       [=, this](const Principal& caller) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(auto queue, access_->QueueOf(caller));
                         PR_ASSIGN_OR_RETURN(*response, access_->History(queue, *request));
                         return absl::OkStatus();
                       });
}

void SubscriptionService::Drain() {
  draining_.store(true);
  hub_->EndAll(kDraining);
}

ServerUnaryReactor* LedgerService::GetDeliveryStates(CallbackServerContext* ctx,
                                                     const v1::GetDeliveryStatesRequest* request,
                                                     v1::GetDeliveryStatesResponse* response) {
  return RunAuthorized(ctx, *edge_, "Ledger.GetDeliveryStates", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, ledger_->States(request->statement_id(), request->version()));
    return absl::OkStatus();
  });
}

}  // namespace pressrelay::subscription
