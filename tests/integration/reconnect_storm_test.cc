// A reconnect storm against the real binaries: streams that arrive together are opened
// together (stream_opener.h), one registry round trip and three Redis round trips per batch,
// and each stream still gets its own verdict: a revoked or unknown token is refused, a bad
// cursor is named, a principal over its stream cap is refused, the rest stream.
//
// To make the storm arrive at once whatever the machine's speed, the registry is held with
// SIGSTOP while the streams connect: the opener's first batch waits on it, and every later
// call queues behind that batch (pressrelay_stream_open_waiting shows them). Then the
// registry goes on and the queue is opened.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status_macros.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);
constexpr int kStreams = 200;

class ReconnectStormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SuiteOptions options;
    options.metrics = true;
    options.subscription_flags = {"--max_streams_per_principal=2"};
    suite_ = std::make_unique<Suite>(options);
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    auto speaker = suite_->AddSpeaker("MOH", "Bộ Y tế");
    ASSERT_TRUE(speaker.ok()) << speaker.status();
    speaker_ = *speaker;
  }

  std::string MetricsOf(const std::string& process) {
    for (const auto& [name, address] : suite_->metrics_targets()) {
      if (name == process) return Scrape(address);
    }
    ADD_FAILURE() << "no metrics for " << process;
    return "";
  }

  // Until the subscription service's metric `name` is at least `n` (false after kWait).
  bool WaitForMetric(const std::string& name, double n) {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      if (Value(MetricsOf("subscription-0"), name) >= n) return true;
    }
    return false;
  }

  std::unique_ptr<Suite> suite_;
  std::string speaker_;
};

TEST_F(ReconnectStormTest, StreamsArrivingTogetherAreOpenedInBatchesEachWithItsOwnVerdict) {
  auto clients = suite_->ImportClients("cms", kStreams, "tuoitre");
  ASSERT_TRUE(clients.ok()) << clients.status();
  std::vector<std::string> tokens;
  for (int i = 0; i < kStreams; ++i) {
    auto token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, absl::StrCat("cms-", i));
    ASSERT_TRUE(token.ok()) << token.status();
    tokens.push_back(*token);
  }
  // One statement waits in every queue: each stream catches up with it.
  ASSERT_TRUE(suite_->Publish(speaker_, MakeDraft("MOH", "Thông cáo trước khi kết nối lại")).ok());
  // The revoked token was good until a moment ago (its answer may be cached).
  auto revoked = suite_->IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "cms-0");
  ASSERT_TRUE(revoked.ok());
  {
    auto before = SubscribeCaughtUp(*suite_, revoked->token());
    ASSERT_TRUE(suite_->RevokeToken(revoked->info().token_id()).ok());
    ASSERT_TRUE(before->WaitEnded(kWait));  // the revocation feed reached the replica
  }

  auto capped_token = [&]() -> absl::StatusOr<std::string> {
    PR_RETURN_IF_ERROR(suite_->PutClient("capped", "tuoitre").status());
    return suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "capped");
  }();
  ASSERT_TRUE(capped_token.ok()) << capped_token.status();

  const std::string sub_before = MetricsOf("subscription-0");
  const std::string reg_before = MetricsOf("registry");
  const double batches_before = Value(sub_before, "pressrelay_stream_open_batches_total");

  suite_->registry().Signal(SIGSTOP);
  const absl::Time stopped = absl::Now();
  // The first stream's batch waits on the registry; everything after it queues.
  TestSubscriber first(suite_->subscription_address(), tokens[0]);
  first.Start();
  const bool first_taken = WaitForMetric("pressrelay_stream_open_batches_total", batches_before + 1);
  std::vector<std::unique_ptr<TestSubscriber>> storm;
  for (int i = 1; i < kStreams; ++i) {
    storm.push_back(std::make_unique<TestSubscriber>(suite_->subscription_address(), tokens[i]));
  }
  // Three streams of one principal, capped at two; a revoked token; an unknown one; a cursor
  // that is no cursor.
  std::vector<std::unique_ptr<TestSubscriber>> capped;
  for (int i = 0; i < 3; ++i) {
    capped.push_back(std::make_unique<TestSubscriber>(suite_->subscription_address(), *capped_token));
  }
  TestSubscriber revoked_stream(suite_->subscription_address(), revoked->token());
  TestSubscriber unknown(suite_->subscription_address(), "prt_not-a-token-anyone-issued");
  TestSubscriber bad_cursor(suite_->subscription_address(), tokens[2], "not-a-cursor");
  for (auto& s : storm) s->Start();
  for (auto& s : capped) s->Start();
  revoked_stream.Start();
  unknown.Start();
  bad_cursor.Start();
  const int queued = (kStreams - 1) + 3 + 3;
  const bool all_queued = first_taken && WaitForMetric("pressrelay_stream_open_waiting", queued);
  suite_->registry().Signal(SIGCONT);
  std::cout << "registry held " << absl::FormatDuration(absl::Now() - stopped) << "\n";
  ASSERT_TRUE(first_taken) << "the first call did not reach the opener";
  ASSERT_TRUE(all_queued) << "the calls did not reach the opener";

  ASSERT_TRUE(first.WaitCaughtUp(kWait)) << first.status().error_message();
  for (auto& s : storm) {
    ASSERT_TRUE(s->WaitCaughtUp(kWait)) << s->status().error_message();
    EXPECT_EQ(s->count(), 1u);
  }
  // Three calls of one principal in one batch, against a cap of two: one is refused.
  int refused = 0;
  for (auto& s : capped) {
    if (s->WaitCaughtUp(kWait)) continue;  // returns as soon as the stream is caught up or ended
    ASSERT_TRUE(s->WaitEnded(kWait));
    EXPECT_EQ(s->status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_TRUE(absl::StrContains(s->status().error_message(), "at most 2")) << s->status().error_message();
    ++refused;
  }
  EXPECT_EQ(refused, 1);
  ASSERT_TRUE(revoked_stream.WaitEnded(kWait));
  EXPECT_EQ(revoked_stream.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(unknown.WaitEnded(kWait));
  EXPECT_EQ(unknown.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(bad_cursor.WaitEnded(kWait));
  EXPECT_EQ(bad_cursor.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(bad_cursor.status().error_message(), "cursor")) << bad_cursor.status().error_message();

  // What the storm cost: the first call's batch, then the queue in one batch (at most 500
  // each); one registry round trip per batch at most, none per stream.
  const std::string sub_after = MetricsOf("subscription-0");
  const std::string reg_after = MetricsOf("registry");
  auto delta = [](const std::string& after, const std::string& before, const std::string& name,
                  const std::map<std::string, std::string>& labels = {}) {
    return std::max(0.0, Value(after, name, labels)) - std::max(0.0, Value(before, name, labels));
  };
  const double calls = delta(sub_after, sub_before, "pressrelay_stream_open_calls_total");
  const double batches = delta(sub_after, sub_before, "pressrelay_stream_open_batches_total");
  const double auth_batches =
      delta(reg_after, reg_before, "pressrelay_rpc_requests_total", {{"method", "Directory.AuthenticateBatch"}});
  const double auth_single =
      delta(reg_after, reg_before, "pressrelay_rpc_requests_total", {{"method", "Directory.Authenticate"}});
  const double redis_trips = delta(sub_after, sub_before, "pressrelay_redis_round_trips_total");
  std::cout << "storm: " << calls << " calls in " << batches << " batches; registry AuthenticateBatch " << auth_batches
            << ", Authenticate " << auth_single << "; subscription Redis round trips " << redis_trips << "\n";
  EXPECT_EQ(calls, 1 + queued);
  EXPECT_LE(batches, 3);
  EXPECT_LE(auth_batches, batches);
  EXPECT_EQ(auth_single, 0);
  // Opening took at most three per batch (rate limit, starts, caps); the rest is the hub
  // reading the new streams' queues (256 per round trip), sent marks, lease renewals and the
  // sweeper, which grow with the time the storm takes on a loaded machine: far fewer than one
  // per stream (opened one by one, each took four or five).
  EXPECT_LT(redis_trips, kStreams / 2) << "round trips per stream: " << redis_trips / kStreams;

  first.Stop();
  for (auto& s : storm) s->Stop();
  for (auto& s : capped) s->Stop();
}

}  // namespace
}  // namespace pressrelay::testing
