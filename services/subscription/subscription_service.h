// The subscription service's gRPC edge: Subscription for newsrooms and journalists,
// Ledger for the distribution service's delivery reports.
//
// Subscribe is registered as a raw method: the stream writes pre-serialised
// SubscribeResponse bytes (one serialisation of a statement shared by every stream)
// instead of building a message per delivery.
#pragma once

#include <atomic>

#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/edge.h"
#include "services/common/worker_pool.h"
#include "services/subscription/ledger.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/stream_hub.h"

namespace pressrelay::subscription {

class SubscriptionService final
    : public v1::Subscription::WithRawCallbackMethod_Subscribe<v1::Subscription::CallbackService> {
 public:
  SubscriptionService(StreamHub* hub, QueueAccess* access, DeliveryLedger* ledger, Edge* edge,
                      StreamOptions stream_options)
      : hub_(hub), access_(access), ledger_(ledger), edge_(edge), stream_options_(stream_options) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* ctx,
                                                        const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* Ack(grpc::CallbackServerContext* ctx, const v1::AckRequest* request,
                                v1::AckResponse* response) override;
  grpc::ServerUnaryReactor* History(grpc::CallbackServerContext* ctx, const v1::HistoryRequest* request,
                                    v1::HistoryResponse* response) override;

  // SIGTERM: refuse new streams and end the open ones with UNAVAILABLE, so newsroom clients
  // reconnect (to another replica) and resume from their cursors.
  void Drain();

 private:
  StreamHub* const hub_;
  QueueAccess* const access_;
  DeliveryLedger* const ledger_;
  Edge* const edge_;
  const StreamOptions stream_options_;
  std::atomic<bool> draining_{false};
};

class LedgerService final : public v1::Ledger::CallbackService {
 public:
  LedgerService(DeliveryLedger* ledger, Edge* edge) : ledger_(ledger), edge_(edge) {}
  grpc::ServerUnaryReactor* GetDeliveryStates(grpc::CallbackServerContext* ctx,
                                              const v1::GetDeliveryStatesRequest* request,
                                              v1::GetDeliveryStatesResponse* response) override;

 private:
  DeliveryLedger* const ledger_;
  Edge* const edge_;
};

}  // namespace pressrelay::subscription
