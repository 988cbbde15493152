// The registry's revocation feed followed from a loop's queue (revocation_watcher.h,
// Polling::kProcessLoop), against a fake registry on port 0 whose first feed ends midway:
// every completion of the watch comes back through the test's loop, the revocations reach
// the handler in feed order (not the cursor-only entry that marks where a feed starts), the
// second watch resumes after the last cursor, and Stop ends an open watch.
#include <gtest/gtest.h>

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/queued_call.h"
#include "services/common/rpc/revocation_watcher.h"

namespace pressrelay {
namespace {

using pressrelay::registry::v1::Directory;
using pressrelay::registry::v1::Revocation;
using pressrelay::registry::v1::WatchRevocationsRequest;

constexpr absl::Duration kWait = absl::Seconds(10);

Revocation Entry(const std::string& token_id, const std::string& cursor) {
  Revocation r;
  r.set_token_id(token_id);
  r.set_cursor(cursor);
  return r;
}

// Writes its entries, then ends with `end` or stays open until the client goes.
class FeedCall final : public grpc::ServerWriteReactor<Revocation> {
 public:
  FeedCall(std::vector<Revocation> entries, std::optional<grpc::Status> end, absl::Notification* cancelled)
      : entries_(std::move(entries)), end_(std::move(end)), cancelled_(cancelled) {
    absl::MutexLock lock(&mu_);
    Next();
  }
  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok || cancelled_->HasBeenNotified()) {
      FinishOnce(grpc::Status::CANCELLED);
      return;
    }
    Next();
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    if (!cancelled_->HasBeenNotified()) cancelled_->Notify();
    if (!writing_) FinishOnce(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  void Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (next_ < entries_.size()) {
      writing_ = true;
      StartWrite(&entries_[next_++]);
    } else if (end_.has_value()) {
      FinishOnce(*end_);
    }
  }
  void FinishOnce(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  absl::Mutex mu_;
  std::vector<Revocation> entries_;
  const std::optional<grpc::Status> end_;
  absl::Notification* const cancelled_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// The first watch: where the feed starts, one revocation, then the feed fails. Later watches:
// one more revocation, and open until the watcher goes.
class FakeFeed final : public Directory::CallbackService {
 public:
  grpc::ServerWriteReactor<Revocation>* WatchRevocations(grpc::CallbackServerContext* ctx,
                                                         const WatchRevocationsRequest* request) override {
    size_t call;
    {
      absl::MutexLock lock(&mu);
      afters.push_back(request->after());
      const auto& metadata = ctx->client_metadata();
      const auto auth = metadata.find("authorization");
      authorizations.emplace_back(auth == metadata.end() ? "" : std::string(auth->second.data(), auth->second.size()));
      call = afters.size();
    }
    if (call == 1) {
      return new FeedCall({Entry("", "c0"), Entry("t1", "c1")},
                          grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"), &first_cancelled);
    }
    return new FeedCall({Entry("t2", "c2")}, std::nullopt, &open_cancelled);
  }

  absl::Mutex mu;
  std::vector<std::string> afters ABSL_GUARDED_BY(mu);
  std::vector<std::string> authorizations ABSL_GUARDED_BY(mu);
  absl::Notification first_cancelled;
  absl::Notification open_cancelled;
};

class Handled {
 public:
  void Add(const Revocation& r) {
    absl::MutexLock lock(&mu_);
    tokens_.push_back(r.token_id());
  }
  std::vector<std::string> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return tokens_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
    return tokens_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> tokens_ ABSL_GUARDED_BY(mu_);
};

TEST(RevocationWatcherOnALoop, FollowsTheFeedThroughTheLoopsQueueResumesAfterItsCursorAndStops) {
  FakeFeed feed;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&feed);
  std::unique_ptr<grpc::ServerCompletionQueue> cq = builder.AddCompletionQueue();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  // The process's loop, as the subscription service's stream loops run it.
  std::atomic<int> through_loop{0};
  std::thread loop([&] {
    void* tag;
    bool ok;
    while (cq->Next(&tag, &ok)) {
      if (QueuedCall* call = QueuedCall::FromTag(tag)) {
        ++through_loop;
        call->Proceed(ok, /*requesting=*/true);
      }
    }
  });

  Handled handled;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  RevocationWatcher watcher(
      channel, "service-token", [&handled](const Revocation& r) { handled.Add(r); },
      RevocationWatcher::Polling::kProcessLoop);
  watcher.RequestCalls(cq.get());

  EXPECT_EQ(handled.WaitFor(2), (std::vector<std::string>{"t1", "t2"}));
  {
    absl::MutexLock lock(&feed.mu);
    EXPECT_EQ(feed.afters, (std::vector<std::string>{"", "c1"}));
    EXPECT_EQ(feed.authorizations, (std::vector<std::string>{"Bearer service-token", "Bearer service-token"}));
  }
  // Each watch's start and reads, the failed read and the first watch's status all came back
  // on the loop's queue: the watcher's own thread never waited in gRPC.
  EXPECT_GE(through_loop.load(), 7);

  watcher.Stop();
  EXPECT_TRUE(feed.open_cancelled.WaitForNotificationWithTimeout(kWait));
  server->Shutdown();
  cq->Shutdown();
  loop.join();
}

TEST(RevocationWatcherOnALoop, StoppedBeforeAnyLoopStartedItEndsAtOnce) {
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  RevocationWatcher watcher(channel, "service-token", [](const Revocation&) {},
                            RevocationWatcher::Polling::kProcessLoop);
  watcher.Stop();  // would never return if the watch waited for a queue
}

}  // namespace
}  // namespace pressrelay
