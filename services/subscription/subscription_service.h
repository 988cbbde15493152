// The subscription service's gRPC edge: Subscription for newsrooms and journalists, Ledger
// for the distribution service's delivery reports. Each is an EdgeService (edge.h).
//
// Subscribe is served raw and asynchronously, by the stream loops (stream_loop.h): the
// stream writes pre-serialised SubscribeResponse bytes (one serialisation of a statement
// shared by every stream) instead of building a message per delivery; this class admits each
// call with the edge's rules (authentication, wire_check.h, audit) like any other RPC.
#pragma once

#include <atomic>

#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/rpc/edge.h"
#include "services/subscription/ledger.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/stream_hub.h"
#include "services/subscription/stream_loop.h"
#include "services/subscription/stream_opener.h"

namespace pressrelay::subscription {

// The base is the plain Service with Subscribe marked raw (asynchronous); the edge marks Ack,
// History and Search raw too and serves them on the stream loops' queues
// (UnaryTransport::kQueued), so that no method of the process is a callback method
// (queued_call.h says why).
class SubscriptionService final
    : public EdgeService<v1::Subscription, v1::Subscription::WithRawMethod_Subscribe<v1::Subscription::Service>>,
      public StreamAcceptor {
 public:
  // Subscribe calls are opened by `opener`, many at once (stream_opener.h).
  SubscriptionService(StreamHub* hub, QueueAccess* access, StreamOpener* opener, Edge* edge);

  // StreamAcceptor
  void RequestCall(grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                   grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::CompletionQueue* call_cq,
                   grpc::ServerCompletionQueue* notification_cq, void* tag) override;
  void Open(StreamMachine* stream, const grpc::ServerContext& ctx, const grpc::ByteBuffer& request) override;

  // SIGTERM: refuse new streams and end the open ones with UNAVAILABLE, so newsroom clients
  // reconnect (to another replica) and resume from their cursors.
  void Drain();

 private:
  StreamHub* const hub_;
  StreamOpener* const opener_;
  std::atomic<bool> draining_{false};
};

// Served on the stream loops' queues, like Subscription (UnaryTransport::kQueued).
class LedgerService final : public EdgeService<v1::Ledger, v1::Ledger::Service> {
 public:
  LedgerService(DeliveryLedger* ledger, Edge* edge);
};

}  // namespace pressrelay::subscription
