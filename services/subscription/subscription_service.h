// The subscription service's gRPC edge: Subscription for newsrooms and journalists, Ledger
// for the distribution service's delivery reports. Each is an EdgeService (edge.h).
//
// Subscribe is served raw: the stream writes pre-serialised SubscribeResponse bytes (one
// serialisation of a statement shared by every stream) instead of building a message per
// delivery; it reads its request itself, with the edge's rules (wire_check.h).
#pragma once

#include <atomic>

#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/rpc/edge.h"
#include "services/subscription/ledger.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/stream_hub.h"

namespace pressrelay::subscription {

class SubscriptionService final
    : public EdgeService<v1::Subscription,
                         v1::Subscription::WithRawCallbackMethod_Subscribe<v1::Subscription::CallbackService>> {
 public:
  // At most `start_limit` streams are being started at once (a reconnect storm after a
  // replica restart is 10,000 of them); beyond it a stream is refused with RetryInfo. Their
  // starts queue on the edge's workers outside --queue_limit, which bounds other calls.
  SubscriptionService(StreamHub* hub, QueueAccess* access, DeliveryLedger* ledger, Edge* edge,
                      StreamOptions stream_options, int start_limit);

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* ctx,
                                                        const grpc::ByteBuffer* request) override;

  // SIGTERM: refuse new streams and end the open ones with UNAVAILABLE, so newsroom clients
  // reconnect (to another replica) and resume from their cursors.
  void Drain();

 private:
  StreamHub* const hub_;
  QueueAccess* const access_;
  DeliveryLedger* const ledger_;
  const StreamOptions stream_options_;
  const int start_limit_;
  std::atomic<int> starting_{0};
  std::atomic<bool> draining_{false};
};

class LedgerService final : public EdgeService<v1::Ledger> {
 public:
  LedgerService(DeliveryLedger* ledger, Edge* edge);
};

}  // namespace pressrelay::subscription
