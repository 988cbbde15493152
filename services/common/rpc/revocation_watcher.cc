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
                                     Handler handler)
    : stub_(pressrelay::registry::v1::Directory::NewStub(std::move(registry))),
      service_token_(std::move(service_token)),
      handler_(std::move(handler)),
      thread_([this] { Loop(); }) {}

RevocationWatcher::~RevocationWatcher() {
  {
    absl::MutexLock lock(&mu_);
    stop_.Notify();
    if (call_ != nullptr) call_->TryCancel();
  }
  thread_.join();
}

void RevocationWatcher::Loop() {
  std::string cursor;
  absl::Duration backoff = absl::Milliseconds(100);
  bool warned = false;
  while (!stop_.HasBeenNotified()) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", service_token_));
    ctx.set_wait_for_ready(true);
    {
      absl::MutexLock lock(&mu_);
      if (stop_.HasBeenNotified()) break;
      call_ = &ctx;
    }
    pressrelay::registry::v1::WatchRevocationsRequest request;
    request.set_after(cursor);
    auto reader = stub_->WatchRevocations(&ctx, request);
    Revocation revocation;
    while (reader->Read(&revocation)) {
      backoff = absl::Milliseconds(100);
      if (warned) spdlog::info("revocation feed: following again");
      warned = false;
      // An entry with only a cursor marks where the feed started for us.
      if (revocation.reset() || !revocation.token_id().empty() || !revocation.principal_id().empty()) {
        handler_(revocation);
      }
      cursor = revocation.cursor();
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      call_ = nullptr;
    }
    if (stop_.HasBeenNotified()) break;
    if (!warned) {
      spdlog::warn("revocation feed: {} ({}); reconnecting", status.error_message(),
                   static_cast<int>(status.error_code()));
      warned = true;
    }
    stop_.WaitForNotificationWithTimeout(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace pressrelay
