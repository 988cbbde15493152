// Delivery through crashes and restarts of the subscription service and of Redis, and a
// graceful drain: every newsroom ends with the full sequence, in order, without gaps, and
// with no duplicate beyond what it had not acknowledged.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);

class DeliveryFault : public ::testing::Test {
 protected:
  void SetUpSuite(SuiteOptions options = {}) {
    suite_ = std::make_unique<Suite>(std::move(options));
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutOutlet("wire", "Test wire").ok());
    spokesperson_ = *suite_->IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  }

  std::vector<std::string> Newsrooms(int n) {
    auto ids = suite_->ImportClients("newsroom", n, "wire");
    EXPECT_TRUE(ids.ok());
    std::vector<std::string> tokens;
    for (int i = 0; i < n; ++i) {
      tokens.push_back(*suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, absl::StrCat("newsroom-", i)));
    }
    return tokens;
  }

  // Publishes until it returns OK, retrying with the same idempotency key while services
  // restart (UNAVAILABLE and the like); any other error fails at once.
  void PublishSurely(const std::string& headline) {
    const absl::Time deadline = absl::Now() + kWait;
    const std::string key = absl::StrCat("key-", std::hash<std::string>()(headline));
    absl::Status last;
    while (absl::Now() < deadline) {
      auto r = suite_->Publish(spokesperson_, MakeDraft("MOH", headline), key);
      if (r.ok()) return;
      last = r.status();
      if (!absl::IsUnavailable(last) && !absl::IsDeadlineExceeded(last) && !absl::IsInternal(last) &&
          !absl::IsAborted(last)) {
        break;
      }
    }
    FAIL() << "publish " << headline << " never succeeded: " << last;
  }

  static std::vector<std::string> Expected(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("Bản tin ", i));
    return out;
  }

  // `got` is `expected` in order, except that a reconnect from the acknowledged position may
  // repeat the deliveries received after the last acknowledgement.
  static void ExpectSequence(const std::vector<std::string>& got, const std::vector<std::string>& expected,
                             bool duplicates_allowed) {
    std::vector<std::string> unique;
    for (const auto& h : got) {
      if (!unique.empty() && std::find(unique.begin(), unique.end(), h) != unique.end()) {
        EXPECT_TRUE(duplicates_allowed) << "duplicate " << h;
        continue;
      }
      unique.push_back(h);
    }
    EXPECT_EQ(unique, expected);
  }

  std::unique_ptr<Suite> suite_;
  std::string spokesperson_;
};

TEST_F(DeliveryFault, SubscriptionSigkillWith50StreamingClients) {
  SetUpSuite();
  const auto tokens = Newsrooms(50);
  std::vector<std::unique_ptr<ResilientSubscriber>> clients;
  for (int i = 0; i < 50; ++i) {
    // Half resume from the last cursor they processed, half from their acknowledgements
    // (acknowledging every third delivery).
    auto resume = i % 2 == 0 ? ResilientSubscriber::Resume::kFromCursor : ResilientSubscriber::Resume::kFromAck;
    clients.push_back(std::make_unique<ResilientSubscriber>(std::vector<std::string>{suite_->subscription_address()},
                                                            tokens[i], resume, resume == ResilientSubscriber::Resume::kFromAck ? 3 : 0));
    clients.back()->Start();
  }
  constexpr int kStatements = 20;
  for (int i = 0; i < 10; ++i) PublishSurely(absl::StrCat("Bản tin ", i));
  for (auto& c : clients) ASSERT_TRUE(c->WaitForCount(10, kWait));

  suite_->subscription().Signal(SIGKILL);
  ASSERT_TRUE(suite_->subscription().Wait(kWait).ok());
  for (int i = 10; i < 15; ++i) PublishSurely(absl::StrCat("Bản tin ", i));  // while it is down
  ASSERT_TRUE(suite_->RestartSubscription(0).ok());
  for (int i = 15; i < kStatements; ++i) PublishSurely(absl::StrCat("Bản tin ", i));

  for (size_t i = 0; i < clients.size(); ++i) {
    auto& c = *clients[i];
    ASSERT_TRUE(c.WaitForHeadline(Expected(kStatements).back(), kWait))
        << "client " << i << " has " << c.deliveries().size();
    c.Stop();
    EXPECT_GE(c.connections(), 2);
    const bool from_ack = i % 2 == 1;
    ExpectSequence(c.headlines(), Expected(kStatements), from_ack);
    if (!from_ack) {
      EXPECT_EQ(c.headlines().size(), static_cast<size_t>(kStatements)) << "no duplicates when resuming by cursor";
    } else {
      // The repeats are exactly the deliveries after the last acknowledgement the server
      // recorded: the client's last confirmed one, or the one whose Ack was in flight when
      // the service died (it may or may not have been applied).
      const size_t acked = c.acked_at_connect()[1];
      const auto got = c.headlines();
      ASSERT_GE(got.size(), static_cast<size_t>(kStatements));
      const size_t resumed_from = 10 - (got.size() - kStatements);
      EXPECT_TRUE(resumed_from == acked || resumed_from == acked + 3) << "acked " << acked << ", resumed from "
                                                                       << resumed_from;
      const auto expected = Expected(kStatements);
      EXPECT_EQ(std::vector<std::string>(got.begin() + 10, got.end()),
                std::vector<std::string>(expected.begin() + resumed_from, expected.end()));
    }
  }
}

TEST_F(DeliveryFault, RedisSigkillBetweenPublishesLosesNothingThatReturnedOk) {
  SetUpSuite();  // Redis with AOF, fsync every second: the documented default
  const auto tokens = Newsrooms(5);
  std::vector<std::unique_ptr<ResilientSubscriber>> clients;
  for (const auto& t : tokens) {
    clients.push_back(std::make_unique<ResilientSubscriber>(
        std::vector<std::string>{suite_->subscription_address()}, t, ResilientSubscriber::Resume::kFromCursor));
    clients.back()->Start();
  }
  for (int i = 0; i < 10; ++i) PublishSurely(absl::StrCat("Bản tin ", i));
  suite_->redis().process().Signal(SIGKILL);
  ASSERT_TRUE(suite_->redis().process().Wait(kWait).ok());
  ASSERT_TRUE(suite_->redis().Restart().ok());
  for (int i = 10; i < 20; ++i) PublishSurely(absl::StrCat("Bản tin ", i));
  for (auto& c : clients) {
    ASSERT_TRUE(c->WaitForCount(20, kWait)) << c->headlines().size();
    c->Stop();
    ExpectSequence(c->headlines(), Expected(20), false);
    EXPECT_EQ(c->headlines().size(), 20u);
  }
}

TEST_F(DeliveryFault, SigtermDrainsStreamsToAnotherReplica) {
  SetUpSuite();
  ASSERT_TRUE(suite_->StartSubscription(1).ok());
  const auto tokens = Newsrooms(10);
  std::vector<std::unique_ptr<ResilientSubscriber>> clients;
  for (size_t i = 0; i < tokens.size(); ++i) {
    clients.push_back(std::make_unique<ResilientSubscriber>(
        std::vector<std::string>{suite_->subscription_address(0), suite_->subscription_address(1)}, tokens[i],
        i % 2 ? ResilientSubscriber::Resume::kFromAck : ResilientSubscriber::Resume::kFromCursor, 1));
    clients.back()->Start();
  }
  for (int i = 0; i < 5; ++i) PublishSurely(absl::StrCat("Bản tin ", i));
  for (auto& c : clients) ASSERT_TRUE(c->WaitForCount(5, kWait));

  const absl::Time sent = absl::Now();
  suite_->subscription(0).Signal(SIGTERM);
  auto exited = suite_->subscription(0).Wait(kWait);
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0);  // a clean exit, not a signal
  EXPECT_LT(absl::Now() - sent, absl::Seconds(10)) << "drain took too long";
  for (int i = 5; i < 10; ++i) PublishSurely(absl::StrCat("Bản tin ", i));
  for (size_t i = 0; i < clients.size(); ++i) {
    auto& c = clients[i];
    ASSERT_TRUE(c->WaitForCount(10, kWait));
    c->Stop();
    // They were told to go, with UNAVAILABLE and a reason, and resumed on the other replica
    // with nothing lost. Those resuming from their cursor see no repeat; those resuming from
    // their acknowledgements may see again what they had not managed to acknowledge before
    // the replica went (an Ack racing the drain).
    ASSERT_FALSE(c->endings().empty());
    EXPECT_EQ(c->endings()[0].error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(c->endings()[0].error_message().find("resume"), std::string::npos);
    const bool from_ack = i % 2 == 1;
    ExpectSequence(c->headlines(), Expected(10), from_ack);
    if (!from_ack) {
      EXPECT_EQ(c->headlines(), Expected(10));
    }
  }
}

}  // namespace
}  // namespace pressrelay::testing
