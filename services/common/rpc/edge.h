// The gRPC edge every service shares.
//
// A service class derives from EdgeService<its generated CallbackService> and registers one
// handler per RPC in its constructor (Unary or UnaryAsync). Every method is registered raw
// (bytes in, bytes out), so the edge itself reads each request. A service that must not use
// the callback API (the subscription service: queued_call.h says why) derives from its plain
// Service with UnaryTransport::kQueued instead: the same steps, its calls requested on
// completion queues the process drives. For every call it:
//   1. answers UNAVAILABLE while the service is starting (the StartupGate is closed);
//   2. hands the call to the edge's worker pool, or answers RESOURCE_EXHAUSTED with a
//      RetryInfo when the pool's queue is full (the reactor thread never blocks or waits);
//   3. on the worker: reads the request bytes, authenticates the caller, applies the access
//      policy (access_policy.h) and the rate limit; an admitted caller whose bytes do not
//      parse gets INVALID_ARGUMENT naming the field (wire_check.h), not gRPC's bare
//      UNIMPLEMENTED;
//   4. runs the logic, which returns absl::Status (or, for UnaryAsync, calls `done` later,
//      from any thread);
//   5. appends the outcome of state-changing calls to the audit trail, then finishes the
//      call with the status mapped once by ToGrpcStatus.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/support/async_unary_call.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/rpc/access_policy.h"
#include "services/common/rpc/audit.h"
#include "services/common/rpc/auth.h"
#include "services/common/base/request_id.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/queued_call.h"
#include "services/common/rpc/rate_limit.h"
#include "services/common/base/status.h"
#include "services/common/rpc/wire_check.h"
#include "services/common/base/worker_pool.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay {

// Closed while a service waits for what it needs at start (Redis); calls are answered
// UNAVAILABLE until it opens.
class StartupGate {
 public:
  bool open() const { return open_.load(std::memory_order_acquire); }
  void Open() { open_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> open_{false};
};

struct Edge {
  WorkerPool* pool = nullptr;
  Authenticator* auth = nullptr;
  RateLimiter* limits = nullptr;  // null: no limits
  AuditLog* audit = nullptr;      // null: no audit trail
  const StartupGate* gate = nullptr;  // null: always open
};

// What a call was about: the first id-like field (statement_id, draft_id, id, code,
// card_number, username, recipient_id, token_id, subject_id, agency_code) of the response,
// else of the request, at the top level or one level down. Never a token or a password: no
// such field is named here.
std::string AuditTarget(const google::protobuf::Message* request, const google::protobuf::Message* response);

// The caller as far as it is known, before or after authentication.
struct CallInfo {
  std::string method;
  std::string peer;
  std::string request_id;
  const google::protobuf::Message* request = nullptr;
  const google::protobuf::Message* response = nullptr;
};
void RecordAudit(Edge& edge, const CallInfo& call, const Principal* principal, const absl::Status& outcome);

// pressrelay_rpc_requests_total{method,code} and pressrelay_rpc_duration_seconds{method}: every
// answered call (`elapsed` from its arrival). A stream's end is counted without a duration (a
// stream's life says nothing of the service's latency).
void RecordRpc(const std::string& method, absl::StatusCode code, absl::Duration elapsed);
void RecordStreamEnd(const std::string& method, absl::StatusCode code);
// One log line per answered call, with its request id: at info for calls that change state
// (the ones audited), at debug for reads.
void LogCall(const CallInfo& call, const Principal* principal, const absl::Status& outcome, absl::Duration elapsed);

// Authenticates, authorises and rate-limits the caller (UNAVAILABLE while starting). A
// person's session (Principal.session) is accepted only with a valid gateway token beside
// it (`gateway_token`, from kGatewayHeader): the principal is then the person, with
// via_gateway naming the gateway, and the person's role decides. An operator's session
// before a second factor is enrolled may only enrol one.
absl::StatusOr<Principal> Admit(Edge& edge, const std::string& token, const std::string& gateway_token,
                                absl::string_view method);
// Admit's rules between authentication and the rate limit (the role, the session), for a
// caller that authenticates and counts many calls at once (stream_opener.h: then
// RateLimiter::AdmitMany).
absl::StatusOr<Principal> AdmitAuthenticated(Edge& edge, Principal principal, const std::string& gateway_token,
                                             absl::string_view method);

// The answer to a call that is full: RESOURCE_EXHAUSTED with a RetryInfo.
absl::Status Overloaded(const WorkerPool& pool);

// The bytes of a request (copied out of gRPC's slices).
std::string Flatten(const grpc::ByteBuffer& buffer);

// Completes an asynchronous call from any thread.
using Done = absl::AnyInvocable<void(absl::Status) &&>;

// How an EdgeService's unary calls reach it.
enum class UnaryTransport {
  kCallback,  // gRPC's callback API: every service but the subscription service
  kQueued,    // requested on completion queues the process drives (queued_call.h); the
              // service's Base is then its plain Service, so that it has no callback method
};

// One unary call of a kQueued EdgeService, as a state machine (queued_call.h):
//   1. Requested  RequestAsyncUnary with this call's tag.
//   2. Arrived    (the tag comes back ok) its successor is requested, then `start` hands the
//                 call to the edge (gate, worker pool); not ok: the server is shutting
//                 down, the call is deleted.
//   3. Finishing  Finish, from whichever thread the edge finishes on (a worker).
//   4. Over       the finish's tag comes back: the call is deleted.
class QueuedUnary final : public QueuedCall {
 public:
  struct Method {
    // Requests one more call of this method on `cq` (a new QueuedUnary).
    std::function<void(grpc::ServerCompletionQueue* cq)> request;
    // Hands an arrived call to the edge, which calls Finish once.
    std::function<void(QueuedUnary* call)> start;
  };
  QueuedUnary(const Method* method, grpc::ServerCompletionQueue* cq) : method_(method), cq_(cq) {}

  void Proceed(bool ok, bool requesting) override {
    if (arrived_ || !ok) {
      delete this;  // the finish is done, or the request came back at shutdown
      return;
    }
    arrived_ = true;
    if (requesting) method_->request(cq_);
    method_->start(this);
  }
  // Sends the answer: `response` if `status` is OK.
  void Finish(const grpc::Status& status) {
    if (status.ok()) {
      responder.Finish(response, status, tag());
    } else {
      responder.FinishWithError(status, tag());
    }
  }

  grpc::ServerContext ctx;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder{&ctx};

 private:
  const Method* const method_;
  grpc::ServerCompletionQueue* const cq_;
  bool arrived_ = false;
};

// The edge half of a service: see the top of this file. `Api` is the generated service class
// (`v1::Distribution`); `Base` its CallbackService, or a WithRawCallbackMethod_ of it for
// streaming RPCs the service serves itself and names with Handled() (with kQueued: its
// Service, or a WithRawMethod_ of it).
template <typename Api, typename Base = typename Api::CallbackService>
class EdgeService : public Base, public QueuedServer {
 public:
  // With kQueued: requests each unary method's first calls on `cq` (QueuedServer).
  void RequestCalls(grpc::ServerCompletionQueue* cq) override {
    for (const auto& method : queued_) {
      for (int i = 0; i < kQueuedPerMethod; ++i) method->request(cq);
    }
  }

  // The RPCs of the service that have no handler (empty once the constructor is done).
  std::vector<std::string> Unhandled() const {
    std::vector<std::string> out;
    for (int i = 0; i < descriptor_->method_count(); ++i) {
      if (!handled_.contains(descriptor_->method(i)->name())) out.push_back(descriptor_->method(i)->name());
    }
    return out;
  }

 protected:
  explicit EdgeService(Edge* edge, UnaryTransport transport = UnaryTransport::kCallback)
      : edge_(edge),
        transport_(transport),
        descriptor_(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string(Api::service_full_name()))) {}

  // `work(caller, request, response)` runs on a worker.
  template <typename Request, typename Response>
  void Unary(absl::string_view method,
             std::function<absl::Status(const Principal&, const Request&, Response*)> work) {
    UnaryAsync<Request, Response>(
        method, [work = std::move(work)](const Principal& caller, const Request& request, Response* response,
                                         Done done) { std::move(done)(work(caller, request, response)); });
  }

  // `work(caller, request, response, done)` starts on a worker and calls `done` exactly once,
  // from any thread (say, when a fan-out it handed on has run). `response` lives until then.
  template <typename Request, typename Response>
  void UnaryAsync(absl::string_view method,
                  std::function<void(const Principal&, const Request&, Response*, Done)> work) {
    const auto* m = descriptor_->FindMethodByName(std::string(method));
    GPR_ASSERT(m != nullptr);
    handled_.insert(std::string(method));
    const std::string name = absl::StrCat(descriptor_->name(), ".", method);
    if (transport_ == UnaryTransport::kQueued) {
      const int index = m->index();
      this->MarkMethodRaw(index);
      auto queued = std::make_unique<QueuedUnary::Method>();
      const QueuedUnary::Method* self = queued.get();
      queued->request = [this, index, self](grpc::ServerCompletionQueue* cq) {
        auto* call = new QueuedUnary(self, cq);
        this->RequestAsyncUnary(index, &call->ctx, &call->request, &call->responder, cq, cq, call->tag());
      };
      queued->start = [this, name, work](QueuedUnary* call) {
        Start<Request, Response>(&call->ctx, name, call->request, &call->response,
                                 [call](const grpc::Status& status) { call->Finish(status); }, work);
      };
      queued_.push_back(std::move(queued));
      return;
    }
    this->MarkMethodRawCallback(
        m->index(), new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
                        [this, name, work](grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                           grpc::ByteBuffer* out) {
                          grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
                          Start<Request, Response>(
                              ctx, name, *in, out, [reactor](const grpc::Status& status) { reactor->Finish(status); },
                              work);
                          return reactor;
                        }));
  }

  // A method the derived class serves itself (a raw streaming RPC).
  void Handled(absl::string_view method) { handled_.insert(std::string(method)); }

  Edge* edge() const { return edge_; }

 private:
  // How many calls of each method a kQueued service keeps requested on each queue.
  static constexpr int kQueuedPerMethod = 4;

  // Sends a call's answer (the response is in `out` when the status is OK), from any thread.
  using Finisher = std::function<void(const grpc::Status&)>;

  template <typename Request, typename Response>
  struct Call {
    Finisher finish;
    grpc::ByteBuffer* out;
    std::string bytes;
    std::string token, gateway_token;
    CallInfo info;
    Request request;
    Response response;
    std::optional<Principal> caller;
    absl::Time arrived;
  };

  // A call arrived (on gRPC's callback thread, or on the loop of a kQueued service): never
  // blocks; `finish` is called exactly once, here or on a worker.
  template <typename Request, typename Response>
  void Start(grpc::ServerContextBase* ctx, const std::string& method, const grpc::ByteBuffer& in,
             grpc::ByteBuffer* out, Finisher finish,
             const std::function<void(const Principal&, const Request&, Response*, Done)>& work) {
    const absl::Time arrived = absl::Now();
    if (edge_->gate != nullptr && !edge_->gate->open()) {
      RecordRpc(method, absl::StatusCode::kUnavailable, absl::Now() - arrived);
      finish(ToGrpcStatus(absl::UnavailableError("the service is starting; retry shortly")));
      return;
    }
    auto* call = new Call<Request, Response>{std::move(finish), out, Flatten(in), BearerToken(*ctx), GatewayToken(*ctx),
                                             CallInfo{method, Mutates(method) ? ctx->peer() : std::string(),
                                                      RequestIdOf(*ctx)},
                                             {}, {}, std::nullopt, arrived};
    // The caller learns the id its request goes by (in the initial metadata of the answer).
    ctx->AddInitialMetadata(std::string(kRequestIdHeader), call->info.request_id);
    call->info.request = &call->request;
    call->info.response = &call->response;
    const bool queued = edge_->pool->TrySubmit([this, call, w = &work]() {
      ScopedRequestId request(call->info.request_id);
      // Read before the caller is admitted too, so that a refused call's audit entry still
      // names its target; but a caller who may not call learns nothing of its bytes.
      const absl::Status parsed = ParseRequest(call->bytes, &call->request);
      if (!parsed.ok()) call->info.request = nullptr;
      auto admitted = Admit(*edge_, call->token, call->gateway_token, call->info.method);
      absl::Status status = admitted.status();
      if (admitted.ok()) {
        call->caller = std::move(*admitted);
        status = parsed;
      }
      if (!status.ok()) {
        Complete(call, status);
        return;
      }
      (*w)(*call->caller, call->request, &call->response, [this, call](absl::Status s) {
        // Finish on a worker: the audit entry is a Redis write, and `done` may be called on a
        // thread that must not wait for one (the fan-out thread).
        edge_->pool->Submit([this, call, s = std::move(s)]() {
          ScopedRequestId request(call->info.request_id);
          Complete(call, s);
        });
      });
    });
    if (!queued) {
      RecordRpc(method, absl::StatusCode::kResourceExhausted, absl::Now() - arrived);
      call->finish(ToGrpcStatus(Overloaded(*edge_->pool)));
      delete call;
    }
  }

  template <typename Request, typename Response>
  void Complete(Call<Request, Response>* call, absl::Status status) {
    if (Mutates(call->info.method)) {
      CallInfo info = call->info;
      if (!status.ok()) info.response = nullptr;
      RecordAudit(*edge_, info, call->caller ? &*call->caller : nullptr, status);
    }
    if (status.ok()) {
      bool own = false;
      grpc::Status serialized = grpc::SerializationTraits<Response>::Serialize(call->response, call->out, &own);
      if (!serialized.ok()) status = absl::InternalError("response could not be written");
    }
    const absl::Duration elapsed = absl::Now() - call->arrived;
    RecordRpc(call->info.method, status.code(), elapsed);
    LogCall(call->info, call->caller ? &*call->caller : nullptr, status, elapsed);
    Finisher finish = std::move(call->finish);
    const grpc::Status answer = ToGrpcStatus(status);
    delete call;
    finish(answer);
  }

  Edge* const edge_;
  const UnaryTransport transport_;
  const google::protobuf::ServiceDescriptor* const descriptor_;
  absl::flat_hash_set<std::string> handled_;
  std::vector<std::unique_ptr<QueuedUnary::Method>> queued_;
};

}  // namespace pressrelay
