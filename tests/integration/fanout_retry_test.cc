// The fan-out outbox's retries against a real redis-server: a job whose run failed is given
// back to run again after a backoff that doubles up to a limit, a runner claiming it then
// knows it for a retry rather than a takeover from a dead replica, and a job that keeps
// failing counts as overdue from its first failure. (The whole suite's retry, with a Redis
// replica that stops confirming writes, is in tests/fault/fanout_fault_test.cc.)
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/redis/keys.h"
#include "services/distribution/statement_store.h"
#include "tests/support/process.h"
#include "tests/support/suite.h"

namespace pressrelay::distribution {
namespace {

using Why = StatementStore::Claim::Why;

class FanoutRetryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start().ok()); }

  // Schedules `job_id` as due now and claims it for `lease`, as a job runner does.
  void ClaimNew(const std::string& job_id, absl::Duration lease) {
    ASSERT_TRUE(client_().Run({"ZADD", keys::kSchedule, "0", job_id}).ok());
    auto claim = StatementStore::ClaimDueJob(client_(), lease);
    ASSERT_TRUE(claim.ok()) << claim.status();
    ASSERT_TRUE(claim->has_value());
    EXPECT_EQ((*claim)->job_id, job_id);
    EXPECT_EQ((*claim)->why, Why::kDue);
  }

  // Claims until a job comes (its lease lapses within `within`); nullopt if none did.
  std::optional<StatementStore::Claim> ClaimWhenDue(absl::Duration lease, absl::Duration within) {
    const absl::Time deadline = absl::Now() + within;
    do {
      auto claim = StatementStore::ClaimDueJob(client_(), lease);
      if (!claim.ok()) {
        ADD_FAILURE() << claim.status();
        return std::nullopt;
      }
      if (claim->has_value()) return **claim;
      // Until Redis's clock passes the lease: a round trip per probe, a few milliseconds.
    } while (absl::Now() < deadline);
    return std::nullopt;
  }

  int64_t LeaseExpiryMs(const std::string& job_id) {
    auto score = client_().Run({"ZSCORE", keys::kLeases, job_id});
    int64_t ms = 0;
    if (!score.ok() || score->is_nil() || !absl::SimpleAtoi(score->str(), &ms)) return -1;
    return ms;
  }

  redis::Client& client_() {
    if (!client_holder_) client_holder_ = std::make_unique<redis::Client>(redis_.Client());
    return *client_holder_;
  }

  pressrelay::testing::TempDir dir_;
  pressrelay::testing::RedisServer redis_{dir_.path()};
  std::unique_ptr<redis::Client> client_holder_;
};

TEST_F(FanoutRetryTest, EachFailedRunWaitsTwiceAsLongAsTheLastUpToTheLongest) {
  ClaimNew("s1:1:now", absl::Seconds(10));
  std::vector<int64_t> delays_ms, failures;
  for (int i = 0; i < 4; ++i) {
    const int64_t before = absl::ToUnixMillis(absl::Now());
    auto retry = StatementStore::RetryLater(client_(), "s1:1:now", absl::Milliseconds(100), absl::Milliseconds(350));
    const int64_t after = absl::ToUnixMillis(absl::Now());
    ASSERT_TRUE(retry.ok()) << retry.status();
    failures.push_back(retry->failures);
    delays_ms.push_back(absl::ToInt64Milliseconds(retry->delay));
    // The lease now lapses after the delay, not after the 10 s it was claimed for.
    const int64_t expiry = LeaseExpiryMs("s1:1:now");
    EXPECT_GE(expiry, before + delays_ms.back() - 1);
    EXPECT_LE(expiry, after + delays_ms.back() + 1);
  }
  EXPECT_EQ(failures, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(delays_ms, (std::vector<int64_t>{100, 200, 350, 350}));

  // A job that holds no lease (finished, or never claimed) is left alone.
  auto none = StatementStore::RetryLater(client_(), "s2:1:now", absl::Milliseconds(100), absl::Seconds(1));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->failures, 0);
  EXPECT_EQ(LeaseExpiryMs("s2:1:now"), -1);
}

TEST_F(FanoutRetryTest, AClaimTellsARetryFromATakeoverAndFinishingForgetsTheFailures) {
  ClaimNew("s1:1:now", absl::Seconds(10));
  ASSERT_TRUE(StatementStore::RetryLater(client_(), "s1:1:now", absl::Milliseconds(1), absl::Milliseconds(1)).ok());

  // Claimed again when the retry falls due: a retry, not a takeover.
  auto retry = ClaimWhenDue(absl::Milliseconds(1), absl::Seconds(5));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->job_id, "s1:1:now");
  EXPECT_EQ(retry->why, Why::kRetry);

  // The retry's runner then holds the lease; when that one lapses it is a takeover.
  auto takeover = ClaimWhenDue(absl::Seconds(10), absl::Seconds(5));
  ASSERT_TRUE(takeover.has_value());
  EXPECT_EQ(takeover->job_id, "s1:1:now");
  EXPECT_EQ(takeover->why, Why::kTakeover);

  // A lease renewed after the retry was set is not a retry either when it lapses.
  ClaimNew("s3:1:now", absl::Seconds(10));
  ASSERT_TRUE(StatementStore::RetryLater(client_(), "s3:1:now", absl::Seconds(5), absl::Seconds(5)).ok());
  ASSERT_TRUE(StatementStore::RenewLease(client_(), "s3:1:now", absl::Milliseconds(1)).ok());
  auto renewed = ClaimWhenDue(absl::Seconds(10), absl::Seconds(5));
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(renewed->job_id, "s3:1:now");
  EXPECT_EQ(renewed->why, Why::kTakeover);

  // Finishing a job forgets its failures; the next failure starts the backoff again.
  for (const std::string job_id : {"s1:1:now", "s3:1:now"}) {
    store::FanoutJob job;
    job.set_job_id(job_id);
    job.set_statement_id(job_id.substr(0, 2));
    job.set_version(1);
    ASSERT_TRUE(StatementStore::FinishJob(client_(), job).ok());
  }
  auto left = client_().Run({"HLEN", keys::kJobRetries});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->integer(), 0);
}

TEST_F(FanoutRetryTest, AJobThatKeepsFailingIsOverdueFromItsFirstFailure) {
  ClaimNew("s1:1:now", absl::Seconds(10));
  const absl::Time first_failure = absl::Now();
  ASSERT_TRUE(StatementStore::RetryLater(client_(), "s1:1:now", absl::Seconds(1), absl::Seconds(5)).ok());
  // Its lease lapses in a second, but it has been pending since it first failed: a minute
  // later (as the metrics gauge would see it) it is a minute overdue, whatever the retries.
  ASSERT_TRUE(StatementStore::RetryLater(client_(), "s1:1:now", absl::Seconds(1), absl::Seconds(5)).ok());
  auto overdue = StatementStore::OldestOverdue(client_(), first_failure + absl::Minutes(1));
  ASSERT_TRUE(overdue.ok()) << overdue.status();
  EXPECT_GE(*overdue, absl::Minutes(1) - absl::Milliseconds(50));
  EXPECT_LE(*overdue, absl::Minutes(1) + absl::Milliseconds(50));

  // Done: nothing is overdue, even with a first failure left behind for a job that holds no
  // lease (finished by a replica of a version before retries, which does not forget it).
  ASSERT_TRUE(client_().Run({"HSET", keys::kJobRetries, "s9:1:now:since",
                             absl::StrCat(absl::ToUnixMillis(first_failure))}).ok());
  store::FanoutJob job;
  job.set_job_id("s1:1:now");
  job.set_statement_id("s1");
  job.set_version(1);
  ASSERT_TRUE(StatementStore::FinishJob(client_(), job).ok());
  overdue = StatementStore::OldestOverdue(client_(), first_failure + absl::Minutes(1));
  ASSERT_TRUE(overdue.ok());
  EXPECT_EQ(*overdue, absl::ZeroDuration());
}

}  // namespace
}  // namespace pressrelay::distribution
