// The Redis client's interrupt (how the services' blocking readers of Redis streams are
// stopped at shutdown) against a real redis-server: it ends a read blocked on another thread,
// it holds for a connection the client makes after it, and it is safe while the owner thread
// is replacing its connection. (A cluster client's: redis_cluster_test.cc.)
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "services/common/redis/redis.h"
#include "tests/support/process.h"
#include "tests/support/suite.h"

namespace pressrelay::redis {
namespace {

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As every service does (rpc/server.h): a write to a socket the interrupt shut down
    // fails instead of ending the process.
    signal(SIGPIPE, SIG_IGN);
    ASSERT_TRUE(redis_.Start().ok());
  }

  // Until Redis lists a client blocked in `command` (CLIENT LIST, one round trip a probe).
  bool AwaitBlockedIn(const std::string& command) {
    auto probe = redis_.Client();
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      auto clients = probe.Run({"CLIENT", "LIST"});
      if (clients.ok() && absl::StrContains(clients->str(), "cmd=" + command)) return true;
    }
    return false;
  }

  pressrelay::testing::TempDir dir_;
  pressrelay::testing::RedisServer redis_{dir_.path()};
};

TEST_F(RedisClientTest, InterruptEndsAReadBlockedOnAnotherThreadAndEveryLaterCall) {
  auto reader = redis_.Client();
  absl::StatusOr<Reply> read = absl::UnknownError("not run");
  std::thread blocked([&] { read = reader.RunWithTimeout({"XREAD", "BLOCK", "0", "STREAMS", "events", "$"},
                                                         absl::Minutes(5)); });
  ASSERT_TRUE(AwaitBlockedIn("xread"));
  const absl::Time interrupted = absl::Now();
  reader.Interrupt();
  blocked.join();
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable) << read.status();
  EXPECT_LT(absl::Now() - interrupted, absl::Seconds(5));
  // The client does not come back to life by reconnecting.
  EXPECT_EQ(reader.Run({"PING"}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(RedisClientTest, AnInterruptBeforeTheConnectionIsMadeHoldsForIt) {
  // A reader interrupted while it has no connection (before its first call, or between a
  // lost connection and the next) must not then block in a fresh one.
  auto reader = redis_.Client();
  reader.Interrupt();
  const absl::Time start = absl::Now();
  auto read = reader.RunWithTimeout({"XREAD", "BLOCK", "3000", "STREAMS", "events", "$"}, absl::Seconds(10));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable) << "the read ran: " << read.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(RedisClientTest, AnInterruptWhileTheOwnerKeepsReconnectingStopsIt) {
  // The owner thread's connection is killed by Redis over and over (CLIENT KILL from another
  // client), so it is forever replacing it, and the interrupt comes in the middle of that.
  auto owner = redis_.Client();
  std::atomic<int> calls{0}, failures_before{0};
  std::atomic<bool> interrupted{false}, give_up{false};
  absl::Notification owner_stopped;
  absl::Status last;
  std::thread owner_thread([&] {
    while (!give_up) {
      const bool after = interrupted.load();
      auto pong = owner.Run({"PING"});
      ++calls;
      if (!pong.ok() && after) {
        last = pong.status();
        break;
      }
      if (!pong.ok()) ++failures_before;
    }
    owner_stopped.Notify();
  });
  auto killer = redis_.Client();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (failures_before.load() < 20 && absl::Now() < deadline) {
    EXPECT_TRUE(killer.Run({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}).ok());
  }
  EXPECT_GE(failures_before.load(), 20) << "the owner's connection was not replaced often";
  owner.Interrupt();
  interrupted = true;
  // Its next call after the interrupt fails, and it stops.
  EXPECT_TRUE(owner_stopped.WaitForNotificationWithTimeout(absl::Seconds(20))) << "it went on after " << calls;
  give_up = true;
  owner_thread.join();
  EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
  EXPECT_EQ(owner.Run({"PING"}).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pressrelay::redis
