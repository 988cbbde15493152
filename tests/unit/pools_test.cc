// The two pools every service shares, and the rules that keep them from wedging: a thread
// never holds two Redis connections of one pool, every wait has a deadline, queues are
// bounded, and how long work has been stuck is there for liveness to read.
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "services/common/redis/redis.h"
#include "services/common/base/worker_pool.h"

namespace pressrelay {
namespace {

TEST(RedisPool, AThreadHoldingAConnectionCannotTakeASecondOne) {
  redis::Pool pool(redis::Options{}, 4);
  auto first = pool.Acquire();
  ASSERT_TRUE(first.ok());
  // Three connections are idle, yet the second lease is refused at once: two threads each
  // holding one and waiting for another is how the distribution service once locked up.
  auto second = pool.Acquire();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(second.status().message().find("pass it down"), absl::string_view::npos);
}

TEST(RedisPool, AConnectionGivenBackCanBeTakenAgainOnTheSameThread) {
  redis::Pool pool(redis::Options{}, 1);
  { ASSERT_TRUE(pool.Acquire().ok()); }
  { ASSERT_TRUE(pool.Acquire().ok()); }
  // Moving a lease keeps one claim on the pool, not two.
  auto a = pool.Acquire();
  ASSERT_TRUE(a.ok());
  redis::Pool::Lease moved = std::move(*a);
  EXPECT_FALSE(pool.Acquire().ok());
}

TEST(RedisPool, WaitingForAConnectionHasADeadline) {
  redis::Pool pool(redis::Options{}, 1, absl::Milliseconds(50));
  absl::Notification taken, release;
  std::thread holder([&] {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    taken.Notify();
    release.WaitForNotification();
  });
  taken.WaitForNotification();
  const absl::Time start = absl::Now();
  auto waited = pool.Acquire();
  EXPECT_EQ(waited.status().code(), absl::StatusCode::kUnavailable) << waited.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
  // Every connection lent, none back: liveness can see for how long.
  EXPECT_GT(pool.StalledFor(absl::Now() + absl::Seconds(5)), absl::Seconds(4));
  release.Notify();
  holder.join();
  EXPECT_EQ(pool.StalledFor(absl::Now() + absl::Seconds(5)), absl::ZeroDuration());
  EXPECT_TRUE(pool.Acquire().ok());
}

TEST(WorkerPool, NewWorkBeyondTheBoundIsRefusedButCompletionsAlwaysRun) {
  WorkerPool pool("test", 1, 2);
  absl::Notification started, release;
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();
  int ran = 0;
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));  // two waiting: full
  pool.Submit([&] { ++ran; });                    // a completion is never refused
  EXPECT_EQ(pool.backlog(), 3u);
  // The oldest waiting task's age is what liveness reads.
  EXPECT_GT(pool.OldestWait(absl::Now() + absl::Seconds(10)), absl::Seconds(9));
  release.Notify();
  absl::Notification drained;
  pool.Submit([&] { drained.Notify(); });
  drained.WaitForNotification();  // one thread: everything queued before it has run
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(pool.OldestWait(absl::Now()), absl::ZeroDuration());
}

}  // namespace
}  // namespace pressrelay
