#include "services/common/rpc/revocation_watcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"

namespace pressrelay {

using pressrelay::registry::v1::Revocation;

bool RevocationCovers(const Revocation& revocation, absl::string_view token_id, absl::string_view principal_id,
                      Role role) {
  if (revocation.reset()) return false;
  if (!revocation.token_id().empty()) return revocation.token_id() == token_id;
  return !revocation.principal_id().empty() && revocation.principal_id() == principal_id && revocation.role() == role;
}

bool RevocationCovers(const Revocation& revocation, const Principal& principal) {
  return RevocationCovers(revocation, principal.token_id(), principal.id(), principal.role());
}

void ForgetRevoked(const Revocation& revocation, CachingAuthenticator& auth) {
  if (revocation.reset()) {
    auth.Clear();
  } else {
    auth.Forget([&revocation](const Principal& p) { return RevocationCovers(revocation, p); });
  }
}

RevocationWatcher::RevocationWatcher(std::shared_ptr<grpc::Channel> registry, std::string service_token,
                                     Handler handler, Polling polling)
    : stub_(pressrelay::registry::v1::Directory::NewStub(std::move(registry))),
      service_token_(std::move(service_token)),
      handler_(std::move(handler)),
      polling_(polling),
      own_queue_(polling == Polling::kOwnThread ? std::make_unique<grpc::CompletionQueue>() : nullptr),
      thread_([this] { Loop(); }) {}

RevocationWatcher::~RevocationWatcher() { Stop(); }

void RevocationWatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (call_ != nullptr) call_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void RevocationWatcher::RequestCalls(grpc::ServerCompletionQueue* cq) {
  if (polling_ != Polling::kProcessLoop) return;
  absl::MutexLock lock(&mu_);
  if (loop_queue_ == nullptr) loop_queue_ = cq;
}

void RevocationWatcher::LoopCompletion::Proceed(bool ok, bool /*requesting*/) {
  absl::MutexLock lock(&mu_);
  done_ = true;
  ok_ = ok;
}

bool RevocationWatcher::LoopCompletion::Await() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&done_));
  done_ = false;
  return ok_;
}

void* RevocationWatcher::Tag() { return polling_ == Polling::kProcessLoop ? loop_completion_.tag() : this; }

bool RevocationWatcher::Await() {
  if (polling_ == Polling::kProcessLoop) return loop_completion_.Await();
  void* tag;
  bool ok = false;
  return own_queue_->Next(&tag, &ok) && ok;
}

void RevocationWatcher::Loop() {
  grpc::CompletionQueue* cq = own_queue_.get();
  if (cq == nullptr) {  // kProcessLoop: the watch starts with the loop
    absl::MutexLock lock(&mu_);
    const auto given = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return loop_queue_ != nullptr || stopping_; };
    mu_.Await(absl::Condition(&given));
    cq = loop_queue_;
  }
  std::string cursor;
  absl::Duration backoff = absl::Milliseconds(100);
  bool warned = false;
  while (cq != nullptr && !stop_.HasBeenNotified()) {
    if (WatchOnce(cq, cursor, warned)) backoff = absl::Milliseconds(100);
    if (stop_.HasBeenNotified()) break;
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  if (own_queue_ != nullptr) {
    own_queue_->Shutdown();
    void* tag;
    bool ok;
    while (own_queue_->Next(&tag, &ok)) {
    }
  }
}

bool RevocationWatcher::WatchOnce(grpc::CompletionQueue* cq, std::string& cursor, bool& warned) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", service_token_));
  ctx.set_wait_for_ready(true);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    call_ = &ctx;
  }
  pressrelay::registry::v1::WatchRevocationsRequest request;
  request.set_after(cursor);
  // One operation in flight at a time, each awaited before the next starts.
  auto reader = stub_->PrepareAsyncWatchRevocations(&ctx, request, cq);
  reader->StartCall(Tag());
  bool open = Await();
  bool followed = false;
  Revocation revocation;
  while (open) {
    reader->Read(&revocation, Tag());
    if (!Await()) break;
    followed = true;
    if (warned) spdlog::info("revocation feed: following again");
    warned = false;
    // An entry with only a cursor marks where the feed started for us.
    if (revocation.reset() || !revocation.token_id().empty() || !revocation.principal_id().empty()) {
      handler_(revocation);
    }
    cursor = revocation.cursor();
  }
  grpc::Status status;
  reader->Finish(&status, Tag());
  Await();
  {
    absl::MutexLock lock(&mu_);
    call_ = nullptr;
  }
  if (!stop_.HasBeenNotified() && !warned) {
    spdlog::warn("revocation feed: {} ({}); reconnecting", status.error_message(),
                 static_cast<int>(status.error_code()));
    warned = true;
  }
  return followed;
}

}  // namespace pressrelay
