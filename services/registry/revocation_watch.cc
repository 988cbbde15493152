#include "services/registry/revocation_watch.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"
#include "services/common/rpc/wire_check.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::registry {
namespace {

bool IsStreamId(absl::string_view s) {
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(s, absl::MaxSplits('-', 1));
  uint64_t a = 0, b = 0;
  return absl::SimpleAtoi(parts.first, &a) && absl::SimpleAtoi(parts.second, &b);
}

}  // namespace

void RevocationWatch::Start(Edge& edge, std::string token, std::string request_bytes) {
  Ref();
  const bool queued = edge.pool->TrySubmit([this, &edge, token = std::move(token),
                                            bytes = std::move(request_bytes)]() mutable {
    v1::WatchRevocationsRequest request;
    absl::Status status = Admit(edge, token, "", "Directory.WatchRevocations").status();
    if (status.ok()) status = ParseRequest(bytes, &request);
    if (status.ok() && !request.after().empty() && !IsStreamId(request.after())) {
      status = FieldError("after", "is not a cursor");
    }
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      FinishLocked(status);
    } else {
      feed_->Add(this, request.after());
      // OnDone may have run before Add: then it could not remove us, so we do. Not under
      // mu_: the feed's lock comes first (it delivers while holding it).
      bool done;
      {
        absl::MutexLock lock(&mu_);
        done = done_;
      }
      if (done) feed_->Remove(this);
    }
    Unref();
  });
  if (!queued) {
    absl::MutexLock lock(&mu_);
    FinishLocked(Overloaded(*edge.pool));
    Unref();
  }
}

void RevocationWatch::Deliver(const std::vector<v1::Revocation>& revocations) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  for (const auto& r : revocations) {
    grpc::ByteBuffer bytes;
    bool own = false;
    if (!grpc::SerializationTraits<v1::Revocation>::Serialize(r, &bytes, &own).ok()) continue;
    queue_.push_back(std::move(bytes));
  }
  if (queue_.size() > kMaxQueued) {
    FinishLocked(absl::ResourceExhaustedError("revocations are not being read; reconnect with the last cursor"));
    return;
  }
  if (!writing_) WriteNextLocked();
}

void RevocationWatch::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(absl::UnavailableError("write failed"));
    return;
  }
  queue_.pop_front();
  if (!queue_.empty()) WriteNextLocked();
}

void RevocationWatch::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(absl::CancelledError());
}

void RevocationWatch::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  feed_->Remove(this);
  Unref();
}

void RevocationWatch::WriteNextLocked() {
  if (finished_ || queue_.empty()) return;
  writing_ = true;
  StartWrite(&queue_.front());
}

void RevocationWatch::FinishLocked(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(ToGrpcStatus(status));
}

}  // namespace pressrelay::registry
