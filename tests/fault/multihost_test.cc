// Replicas on hosts of their own (network namespaces on a bridge, tests/support/netns.h): one
// Redis host, a registry, two distribution and two subscription replicas, and the test as the
// client host. Under steady load (hundreds of newsroom streams spread over both subscription
// replicas, a few statements a second spread over both distribution replicas, corrections and
// delivery reports in between), one distribution and one subscription replica are SIGKILLed
// and come back, then a subscription and a distribution replica's links are cut for 10 s and
// restored. Every
// newsroom must end with every version exactly once, and every call must be answered by its
// deadline. Skips (with the reason) where namespaces cannot be made.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/rpc/grpc_util.h"
#include "tests/support/netns.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr int kNewsrooms = 200;
constexpr absl::Duration kDeadline = absl::Seconds(3);  // every call the load makes
constexpr absl::Duration kSlack = absl::Milliseconds(500);
constexpr absl::Duration kWait = absl::Seconds(90);

class MultiHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!TestNetwork::Available(&why)) GTEST_SKIP() << "no network namespaces here: " << why;
    network_ = std::make_unique<TestNetwork>();
    auto made = network_->Start("10.77.0.1", {{"redis", "10.77.0.2"},
                                              {"registry", "10.77.0.3"},
                                              {"distribution-0", "10.77.0.4"},
                                              {"distribution-1", "10.77.0.5"},
                                              {"subscription-0", "10.77.0.6"},
                                              {"subscription-1", "10.77.0.7"}});
    if (absl::IsFailedPrecondition(made)) GTEST_SKIP() << "no network namespaces here: " << made;
    ASSERT_TRUE(made.ok()) << made;
    SuiteOptions options;
    options.hosts = network_->hosts();
    // Each service knows every replica of the services it calls (the channel moves to the
    // next when one fails).
    options.subscription_flags = {"--distribution=10.77.0.4:7402,10.77.0.5:7402"};
    options.distribution_flags = {"--subscription=10.77.0.6:7403,10.77.0.7:7403", "--job_lease=2s"};
    suite_ = std::make_unique<Suite>(options);
    auto started = suite_->Start();
    ASSERT_TRUE(started.ok()) << started;
    ASSERT_TRUE(suite_->StartDistribution(1).ok());
    ASSERT_TRUE(suite_->StartSubscription(1).ok());
    auto speaker = suite_->AddSpeaker("MOH", "Bộ Y tế");
    ASSERT_TRUE(speaker.ok()) << speaker.status();
    speaker_ = *speaker;
    ASSERT_TRUE(suite_->PutOutlet("nr", "Báo Nhân Dân").ok());
    auto ids = suite_->ImportClients("nr", kNewsrooms, "nr");
    ASSERT_TRUE(ids.ok()) << ids.status();
    for (int i = 0; i < kNewsrooms; ++i) {
      auto token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, absl::StrCat("nr-", i));
      ASSERT_TRUE(token.ok()) << token.status();
      tokens_.push_back(*token);
    }
  }

  // One call of the load: counted, and checked to come back by its deadline.
  template <typename Call>
  grpc::Status Timed(Call call) {
    const absl::Time start = absl::Now();
    grpc::Status status = call();
    const absl::Duration took = absl::Now() - start;
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (took > kDeadline + kSlack) late_.push_back(absl::StrCat(status.error_code(), " after ", absl::FormatDuration(took)));
    return status;
  }

  // Publishes (or revises) until a replica answers OK, starting with the one that answered
  // last and moving to the other on any failure, with the same idempotency key; records the
  // (id, version) issued. Every fifth statement is followed by a delivery report.
  void Issue(int n) {
    const bool revise = n % 5 == 4 && !issued_ids_.empty();
    const std::string key = absl::StrCat("load-", n);
    for (int attempt = 0; attempt < 40 && !stop_; ++attempt) {
      const int replica = (preferred_ + attempt) % 2;
      auto stub = dist::Distribution::NewStub(OpenChannel(suite_->distribution_address(replica)));
      dist::PublishResponse response;
      grpc::Status status = Timed([&] {
        auto ctx = CallContext(speaker_, kDeadline);
        if (!revise) {
          dist::PublishRequest request;
          *request.mutable_draft() = MakeDraft("MOH", absl::StrCat("Thông cáo số ", n));
          request.set_idempotency_key(key);
          return stub->Publish(ctx.get(), request, &response);
        }
        dist::ReviseRequest request;
        request.set_statement_id(issued_ids_[n % issued_ids_.size()]);
        request.set_signal(common::v1::VERSION_SIGNAL_CORRECTION);
        request.set_reason("Đính chính số liệu");
        *request.mutable_draft() = MakeDraft("MOH", absl::StrCat("Thông cáo (đính chính) ", n));
        request.set_idempotency_key(key);
        return stub->Revise(ctx.get(), request, &response);
      });
      if (!status.ok()) continue;
      preferred_ = replica;
      {
        absl::MutexLock lock(&mu_);
        if (!revise) issued_ids_.push_back(response.statement().id());
        expected_.insert({response.statement().id(), response.statement().version()});
      }
      if (n % 5 == 2) {
        // Its answer may be an error while a ledger is out of reach; it must come in time.
        Timed([&] {
          auto ctx = CallContext(speaker_, kDeadline);
          dist::GetDeliveryReportRequest request;
          request.set_statement_id(response.statement().id());
          dist::DeliveryReport report;
          return stub->GetDeliveryReport(ctx.get(), request, &report);
        });
      }
      return;
    }
    if (!stop_) ADD_FAILURE() << "statement " << n << " was never issued";
  }

  std::unique_ptr<TestNetwork> network_;  // outlives the suite: its processes die first
  std::unique_ptr<Suite> suite_;
  std::string speaker_;
  std::vector<std::string> tokens_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::vector<std::string> issued_ids_;  // written by the load thread only
  int preferred_ = 0;                    // the load thread's: the replica that answered last
  std::set<std::pair<std::string, int>> expected_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> late_ ABSL_GUARDED_BY(mu_);
};

TEST_F(MultiHostTest, ReplicasKilledAndCutOffLoseNothingAndDoubleNothing) {
  std::vector<std::unique_ptr<ResilientSubscriber>> newsrooms;
  for (int i = 0; i < kNewsrooms; ++i) {
    // Half start on each subscription replica; each moves to the other when its stream ends.
    std::vector<std::string> addresses = {suite_->subscription_address(i % 2), suite_->subscription_address(1 - i % 2)};
    newsrooms.push_back(std::make_unique<ResilientSubscriber>(addresses, tokens_[i], ResilientSubscriber::Resume::kFromCursor));
    newsrooms.back()->Start();
  }
  // The load: a statement every 250 ms, every fifth a correction of an earlier one, with
  // delivery reports whenever a replica fails to answer.
  std::thread load([this] {
    for (int n = 0; !stop_; ++n) {
      const absl::Time next = absl::Now() + absl::Milliseconds(250);
      Issue(n);
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() { return stop_.load(); };
      mu_.AwaitWithDeadline(absl::Condition(&stopping), next);
    }
  });
  // The scenario's own pace (what happens, and for how long, is the test): these waits are
  // the durations of the faults, not synchronisation.
  absl::SleepFor(absl::Seconds(3));
  suite_->distribution(1).Signal(SIGKILL);
  suite_->subscription(1).Signal(SIGKILL);
  ASSERT_TRUE(suite_->distribution(1).Wait(kWait).ok());
  ASSERT_TRUE(suite_->subscription(1).Wait(kWait).ok());
  absl::SleepFor(absl::Seconds(2));
  ASSERT_TRUE(suite_->RestartDistribution(1).ok());
  ASSERT_TRUE(suite_->RestartSubscription(1).ok());
  absl::SleepFor(absl::Seconds(2));
  // A subscription replica's and a distribution replica's links cut for 10 s (shorter than
  // any keepalive: streams there stall and resume where they were once it is back; calls to
  // the cut distribution replica end at their deadline and go to the other one with the same
  // idempotency key, and a request that reaches the cut one after its link returns replays).
  ASSERT_TRUE(network_->SetLink("subscription-0", false).ok());
  ASSERT_TRUE(network_->SetLink("distribution-0", false).ok());
  absl::SleepFor(absl::Seconds(10));
  ASSERT_TRUE(network_->SetLink("subscription-0", true).ok());
  ASSERT_TRUE(network_->SetLink("distribution-0", true).ok());
  absl::SleepFor(absl::Seconds(3));
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  load.join();

  std::set<std::pair<std::string, int>> expected;
  {
    absl::MutexLock lock(&mu_);
    expected = expected_;
    EXPECT_TRUE(late_.empty()) << late_.size() << " of " << calls_ << " calls came back after their deadline, e.g. "
                               << late_.front();
    EXPECT_GT(calls_, 40);
  }
  ASSERT_GT(expected.size(), 30u);  // about 4 a second for 20 s, less what the faults cost (60 here)
  int reconnected = 0;
  for (int i = 0; i < kNewsrooms; ++i) {
    auto& newsroom = *newsrooms[i];
    ASSERT_TRUE(newsroom.WaitForCount(expected.size(), kWait)) << "newsroom " << i << " has " << newsroom.deliveries().size()
                                                               << " of " << expected.size();
    newsroom.Stop();
    std::multiset<std::pair<std::string, int>> got;
    for (const auto& d : newsroom.deliveries()) got.insert({d.statement().id(), d.statement().version()});
    EXPECT_EQ(got.size(), expected.size()) << "newsroom " << i << ": something doubled";
    const std::set<std::pair<std::string, int>> distinct(got.begin(), got.end());
    EXPECT_EQ(distinct, expected) << "newsroom " << i;
    if (newsroom.connections() > 1) ++reconnected;
  }
  // Every stream on the killed replica moved to the survivor (about half of them).
  EXPECT_GE(reconnected, kNewsrooms / 2 - 10);
  int calls = 0;
  {
    absl::MutexLock lock(&mu_);
    calls = calls_;
  }
  std::cout << "multihost: " << expected.size() << " versions issued in " << calls << " calls; " << reconnected
            << " of " << kNewsrooms << " newsrooms reconnected; each ended with every version once\n";
}

}  // namespace
}  // namespace pressrelay::testing
