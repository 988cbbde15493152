#include "services/common/rpc/queued_health.h"

#include <grpcpp/ext/health_check_service_server_builder_option.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/async_stream.h>
#include <grpcpp/support/async_unary_call.h>
#include <grpcpp/health_check_service_interface.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.pb.h"

namespace pressrelay {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

namespace {

constexpr int kCheckIndex = 0;
constexpr int kWatchIndex = 1;
constexpr int kRequestedPerQueue = 2;  // of each method

}  // namespace

// A watcher's side of the table: told of every change of its service's status.
class HealthWatcher {
 public:
  virtual ~HealthWatcher() = default;
  virtual void Changed(ServingStatus status) = 0;
};

// The statuses by service name, and who watches them. Thread-safe.
class QueuedHealth::Table {
 public:
  void Set(const std::string& service, bool serving) {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    SetLocked(service, serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  }
  void SetAll(bool serving) {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    for (auto& [service, status] : statuses_) {
      SetLocked(service, serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
    }
  }
  void Shutdown() {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    for (auto& [service, status] : statuses_) SetLocked(service, HealthCheckResponse::NOT_SERVING);
    shut_down_ = true;
  }
  // The service's status, or nullopt for a name never set.
  std::optional<ServingStatus> Get(const std::string& service) {
    absl::MutexLock lock(&mu_);
    auto it = statuses_.find(service);
    if (it == statuses_.end()) return std::nullopt;
    return it->second;
  }
  // Joins the watchers of `service` and returns its status now (SERVICE_UNKNOWN if never set).
  ServingStatus Watch(const std::string& service, HealthWatcher* watcher) {
    absl::MutexLock lock(&mu_);
    watchers_.insert({service, watcher});
    auto it = statuses_.find(service);
    return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
  }
  void Unwatch(const std::string& service, HealthWatcher* watcher) {
    absl::MutexLock lock(&mu_);
    watchers_.erase({service, watcher});
  }

 private:
  void SetLocked(const std::string& service, ServingStatus status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    statuses_[service] = status;
    // (Lock order: the table's, then a watcher's.)
    for (auto it = watchers_.lower_bound({service, nullptr}); it != watchers_.end() && it->first == service; ++it) {
      it->second->Changed(status);
    }
  }

  absl::Mutex mu_;
  std::map<std::string, ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<std::string, HealthWatcher*>> watchers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

namespace {

// The table as the server sees it (it owns this; the service shares the table).
class TableInterface final : public grpc::HealthCheckServiceInterface {
 public:
  explicit TableInterface(std::shared_ptr<QueuedHealth::Table> table) : table_(std::move(table)) {}
  void SetServingStatus(const std::string& service_name, bool serving) override { table_->Set(service_name, serving); }
  void SetServingStatus(bool serving) override { table_->SetAll(serving); }
  void Shutdown() override { table_->Shutdown(); }

 private:
  std::shared_ptr<QueuedHealth::Table> table_;
};

}  // namespace

// One Check: requested, then answered on the loop as it arrives, then deleted.
class HealthCheckCall final : public QueuedCall {
 public:
  HealthCheckCall(QueuedHealth* service, grpc::ServerCompletionQueue* cq) : service_(service), cq_(cq) {}
  void Request() { service_->RequestAsyncUnary(kCheckIndex, &ctx_, &request_, &responder_, cq_, cq_, tag()); }
  void Proceed(bool ok, bool requesting) override {
    if (answered_ || !ok) {
      delete this;
      return;
    }
    answered_ = true;
    if (requesting) service_->RequestCheck(cq_);
    const auto status = service_->table_->Get(request_.service());
    if (!status) {
      responder_.FinishWithError(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"), tag());
      return;
    }
    HealthCheckResponse response;
    response.set_status(*status);
    responder_.Finish(response, grpc::Status::OK, tag());
  }

 private:
  QueuedHealth* const service_;
  grpc::ServerCompletionQueue* const cq_;
  grpc::ServerContext ctx_;
  HealthCheckRequest request_;
  grpc::ServerAsyncResponseWriter<HealthCheckResponse> responder_{&ctx_};
  bool answered_ = false;
};

// One Watch (the state machine in queued_health.h). Its three events come back as three
// tags, one per member Event.
class HealthWatchCall final : public HealthWatcher {
 public:
  HealthWatchCall(QueuedHealth* service, grpc::ServerCompletionQueue* cq) : service_(service), cq_(cq) {}

  void Request() {
    ctx_.AsyncNotifyWhenDone(done_.tag());
    service_->RequestAsyncServerStreaming(kWatchIndex, &ctx_, &request_, &writer_, cq_, cq_, arrived_.tag());
  }

  // From the table, under its lock, on any thread.
  void Changed(ServingStatus status) override {
    absl::MutexLock lock(&mu_);
    latest_ = status;
    MaybeWriteLocked();
  }

 private:
  enum class Op { kArrived, kWritten, kDone };
  struct Event final : QueuedCall {
    Event(HealthWatchCall* call, Op op) : call(call), op(op) {}
    void Proceed(bool ok, bool requesting) override { call->On(op, ok, requesting); }
    HealthWatchCall* const call;
    const Op op;
  };

  // Loop thread.
  void On(Op op, bool ok, bool requesting) {
    switch (op) {
      case Op::kArrived: {
        if (!ok) {
          delete this;  // shutdown before a call came: no done tag follows
          return;
        }
        if (requesting) service_->RequestWatch(cq_);
        const ServingStatus now = service_->table_->Watch(request_.service(), this);
        absl::MutexLock lock(&mu_);
        watching_ = true;
        if (!latest_) latest_ = now;  // a change since Watch() is newer
        MaybeWriteLocked();
        return;
      }
      case Op::kWritten: {
        bool over;
        {
          absl::MutexLock lock(&mu_);
          writing_ = false;
          if (!ok) ended_ = true;  // the client is gone; the done tag follows
          MaybeWriteLocked();
          over = done_seen_ && !writing_;
        }
        if (over) delete this;
        return;
      }
      case Op::kDone: {
        if (watching_) service_->table_->Unwatch(request_.service(), this);
        bool over;
        {
          absl::MutexLock lock(&mu_);
          done_seen_ = true;
          ended_ = true;
          over = !writing_;
        }
        if (over) delete this;
        return;
      }
    }
  }

  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || ended_ || !watching_ || !latest_ || latest_ == written_) return;
    writing_ = true;
    written_ = latest_;
    response_.set_status(*latest_);
    writer_.Write(response_, written_event_.tag());
  }

  QueuedHealth* const service_;
  grpc::ServerCompletionQueue* const cq_;
  grpc::ServerContext ctx_;
  HealthCheckRequest request_;
  grpc::ServerAsyncWriter<HealthCheckResponse> writer_{&ctx_};
  Event arrived_{this, Op::kArrived};
  Event written_event_{this, Op::kWritten};
  Event done_{this, Op::kDone};
  bool watching_ = false;  // loop thread: joined the table's watchers (written under mu_ too)

  absl::Mutex mu_;
  HealthCheckResponse response_ ABSL_GUARDED_BY(mu_);
  std::optional<ServingStatus> latest_ ABSL_GUARDED_BY(mu_);
  std::optional<ServingStatus> written_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool done_seen_ ABSL_GUARDED_BY(mu_) = false;
};

QueuedHealth::QueuedHealth() : table_(std::make_shared<Table>()) {
  AddMethod(new grpc::internal::RpcServiceMethod("/grpc.health.v1.Health/Check", grpc::internal::RpcMethod::NORMAL_RPC,
                                                 nullptr));
  AddMethod(new grpc::internal::RpcServiceMethod("/grpc.health.v1.Health/Watch",
                                                 grpc::internal::RpcMethod::SERVER_STREAMING, nullptr));
  MarkMethodAsync(kCheckIndex);
  MarkMethodAsync(kWatchIndex);
}

QueuedHealth::~QueuedHealth() = default;

std::unique_ptr<grpc::ServerBuilderOption> QueuedHealth::BuilderOption() {
  return std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(std::make_unique<TableInterface>(table_));
}

void QueuedHealth::RequestCalls(grpc::ServerCompletionQueue* cq) {
  for (int i = 0; i < kRequestedPerQueue; ++i) {
    RequestCheck(cq);
    RequestWatch(cq);
  }
}

void QueuedHealth::RequestCheck(grpc::ServerCompletionQueue* cq) { (new HealthCheckCall(this, cq))->Request(); }

void QueuedHealth::RequestWatch(grpc::ServerCompletionQueue* cq) { (new HealthWatchCall(this, cq))->Request(); }

}  // namespace pressrelay
