// Security through the running suite: revocation reaching open streams, token and press-card
// expiry, the per-principal stream cap, rate limits with retry hints, the audit trail of
// state-changing calls, and no token in any log.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <functional>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/redis_watch.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
// "A revoked token ends an open stream within a few seconds."
constexpr absl::Duration kRevocationBound = absl::Seconds(5);

using pressrelay::common::v1::AuditEntry;

// The google.rpc.RetryInfo a refusal carries, if any.
std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload("type.googleapis.com/google.rpc.RetryInfo");
  google::rpc::RetryInfo retry;
  if (!payload.has_value() || !retry.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(retry.retry_delay().seconds()) + absl::Nanoseconds(retry.retry_delay().nanos());
}

class SecurityTest : public ::testing::Test {
 protected:
  void StartSuite(SuiteOptions options = {}) {
    suite_ = std::make_unique<Suite>(std::move(options));
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutAgency("MOF", "Bộ Tài chính").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp2", "MOH").ok());
    ASSERT_TRUE(suite_->PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    ASSERT_TRUE(suite_->PutClient("tt-cms", "tuoitre").ok());
    reg::Subscription everything;
    everything.set_recipient_id("client:tt-cms");
    ASSERT_TRUE(suite_->SetSubscription(everything).ok());
    auto issued = suite_->IssueTokenFull(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
    ASSERT_TRUE(issued.ok());
    moh_ = issued->token();
    moh_token_id_ = issued->info().token_id();
  }

  absl::StatusOr<reg::IssueTokenResponse> IssueWithTtl(reg::SubjectKind kind, const std::string& subject,
                                                       absl::Duration ttl) {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::IssueTokenRequest request;
    request.set_subject_kind(kind);
    request.set_subject_id(subject);
    request.set_ttl_seconds(absl::ToInt64Seconds(ttl));
    reg::IssueTokenResponse response;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->IssueToken(ctx.get(), request, &response)));
    return response;
  }

  // The audit entries of one principal's calls of one method, newest first.
  std::vector<AuditEntry> AuditOf(const std::string& principal_id, const std::string& method) {
    reg::QueryAuditRequest request;
    request.set_principal_id(principal_id);
    request.set_method(method);
    auto entries = QueryAudit(suite_->operator_token(), request);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<AuditEntry>();
  }

  absl::StatusOr<std::vector<AuditEntry>> QueryAudit(const std::string& token, const reg::QueryAuditRequest& request) {
    auto admin = suite_->Admin();
    auto ctx = CallContext(token, kWait);
    reg::QueryAuditResponse response;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->QueryAudit(ctx.get(), request, &response)));
    return std::vector<AuditEntry>(response.entries().begin(), response.entries().end());
  }

  // A subscriber of the client "tt-cms" that is live (caught up) on its stream.
  // A stream of `token` on subscription replica `replica`, caught up (or a failure).
  std::unique_ptr<TestSubscriber> LiveSubscriber(const std::string& token, int replica = 0) {
    auto s = std::make_unique<TestSubscriber>(suite_->subscription_address(replica), token);
    s->Start();
    EXPECT_TRUE(s->WaitCaughtUp(kWait)) << s->status().error_message();
    return s;
  }

  // Two subscription replicas capping each principal at two streams, leases of `lease`;
  // `token` is the newsroom client's.
  void StartTwoReplicasCappedAtTwo(absl::Duration lease, std::string* token) {
    SuiteOptions options;
    options.subscription_flags = {"--max_streams_per_principal=2",
                                  absl::StrCat("--stream_lease=", absl::ToInt64Seconds(lease), "s")};
    StartSuite(options);
    ASSERT_TRUE(suite_->StartSubscription(1).ok());
    auto issued = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
    ASSERT_TRUE(issued.ok());
    *token = *issued;
  }

  std::unique_ptr<Suite> suite_;
  std::string moh_;
  std::string moh_token_id_;
};

TEST_F(SecurityTest, RevokedTokenEndsItsOpenStreamWithinSeconds) {
  StartSuite();
  auto revoked = suite_->IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  auto kept = suite_->IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(revoked.ok() && kept.ok());
  auto doomed = LiveSubscriber(revoked->token());
  auto survivor = LiveSubscriber(kept->token());

  const absl::Time at = absl::Now();
  ASSERT_TRUE(suite_->RevokeToken(revoked->info().token_id()).ok());
  ASSERT_TRUE(doomed->WaitEnded(kRevocationBound));
  const absl::Duration took = absl::Now() - at;
  EXPECT_EQ(doomed->status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(doomed->status().error_message(), "revoked")) << doomed->status().error_message();
  std::cout << "revocation ended the stream after " << absl::FormatDuration(took) << "\n";

  // Only that token: the client's other stream goes on receiving.
  ASSERT_TRUE(suite_->Publish(moh_, MakeDraft("MOH", "Sau thu hồi")).ok());
  EXPECT_TRUE(survivor->WaitForCount(1, kWait));
  EXPECT_FALSE(survivor->ended());
  // And the revoked token opens nothing again.
  TestSubscriber again(suite_->subscription_address(), revoked->token());
  again.Start();
  ASSERT_TRUE(again.WaitEnded(kWait));
  EXPECT_EQ(again.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SecurityTest, RevokedSpokespersonTokenCannotPublishAtOnce) {
  StartSuite();
  ASSERT_TRUE(suite_->Publish(moh_, MakeDraft("MOH", "Trước thu hồi")).ok());  // cached now
  const absl::Time cached_at = absl::Now();
  ASSERT_TRUE(suite_->RevokeToken(moh_token_id_).ok());
  // The distribution service forgets its cached answer when the revocation arrives; the
  // first publish after that is refused. The bound is below the cache's 2 s lifetime, so
  // expiry of the cached answer alone cannot pass this test.
  const absl::Time deadline = cached_at + absl::Milliseconds(1500);
  absl::Status last;
  int accepted_after = 0;
  while (absl::Now() < deadline) {
    last = suite_->Publish(moh_, MakeDraft("MOH", "Sau thu hồi")).status();
    if (!last.ok()) break;
    ++accepted_after;
  }
  EXPECT_EQ(last.code(), absl::StatusCode::kUnauthenticated) << last;
  std::cout << accepted_after << " publishes were accepted while the revocation travelled\n";
}

TEST_F(SecurityTest, DisabledClientLosesItsStreams) {
  StartSuite();
  auto token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(token.ok());
  auto stream = LiveSubscriber(*token);
  ASSERT_TRUE(suite_->PutClient("tt-cms", "tuoitre", /*disabled=*/true).ok());
  ASSERT_TRUE(stream->WaitEnded(kRevocationBound));
  EXPECT_EQ(stream->status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(stream->status().error_message(), "disabled")) << stream->status().error_message();
}

TEST_F(SecurityTest, RevocationReachesStreamsAfterTheRegistryRestarted) {
  StartSuite();
  auto issued = suite_->IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(issued.ok());
  auto stream = LiveSubscriber(issued->token());
  // The services' watches break and reconnect, resuming from their cursors.
  ASSERT_TRUE(suite_->RestartRegistry().ok());
  ASSERT_TRUE(suite_->RevokeToken(issued->info().token_id()).ok());
  ASSERT_TRUE(stream->WaitEnded(kRevocationBound + absl::Seconds(5)));
  EXPECT_EQ(stream->status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SecurityTest, StreamEndsWhenItsTokenExpires) {
  StartSuite();
  auto issued = IssueWithTtl(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms", absl::Seconds(3));
  ASSERT_TRUE(issued.ok()) << issued.status();
  auto stream = LiveSubscriber(issued->token());
  ASSERT_TRUE(stream->WaitEnded(absl::Seconds(3) + kRevocationBound));
  EXPECT_EQ(stream->status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(stream->status().error_message(), "expired")) << stream->status().error_message();
  EXPECT_GE(absl::Now(), FromProto(issued->info().expires_at()));
}

TEST_F(SecurityTest, StreamsPerPrincipalAreCapped) {
  SuiteOptions options;
  options.subscription_flags = {"--max_streams_per_principal=2"};
  StartSuite(options);
  auto token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(token.ok());
  auto first = LiveSubscriber(*token);
  auto second = LiveSubscriber(*token);
  TestSubscriber third(suite_->subscription_address(), *token);
  third.Start();
  ASSERT_TRUE(third.WaitEnded(kWait));
  EXPECT_EQ(third.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(third.status().error_message(), "at most 2")) << third.status().error_message();
  // Closing one makes room (the server notices the cancel, then the slot is free).
  first->Stop();
  const absl::Time deadline = absl::Now() + kWait;
  bool reopened = false;
  while (!reopened && absl::Now() < deadline) {
    TestSubscriber next(suite_->subscription_address(), *token);
    next.Start();
    reopened = next.WaitCaughtUp(absl::Seconds(2));
    if (!reopened) {
      ASSERT_TRUE(next.WaitEnded(kWait));
    }
  }
  EXPECT_TRUE(reopened);
  EXPECT_FALSE(second->ended());
}

// A replica that drains (SIGTERM, as in a rolling update) gives its streams' slots back as
// they end: the newsroom reconnecting to another replica is not refused while leases lapse.
TEST_F(SecurityTest, ADrainedReplicaGivesItsStreamSlotsBackAtOnce) {
  std::string token;
  ASSERT_NO_FATAL_FAILURE(StartTwoReplicasCappedAtTwo(absl::Seconds(60), &token));
  auto first = LiveSubscriber(token);  // both on replica 0
  auto second = LiveSubscriber(token);
  suite_->subscription(0).Signal(SIGTERM);
  ASSERT_TRUE(suite_->subscription(0).Wait(kWait).ok());
  // Well within the 60 s lease: only a give-back frees both slots this soon.
  auto again1 = LiveSubscriber(token, 1);
  auto again2 = LiveSubscriber(token, 1);
}

// Replicas sit behind one load balancer: the cap counts a principal's streams on all of them,
// and a replica that dies holds its streams' slots only until their leases lapse.
TEST_F(SecurityTest, TheStreamCapCountsEveryReplicaAndADeadOneOnlyUntilItsLeasesLapse) {
  constexpr absl::Duration kLease = absl::Seconds(3);
  std::string token;
  ASSERT_NO_FATAL_FAILURE(StartTwoReplicasCappedAtTwo(kLease, &token));
  auto first = LiveSubscriber(token);  // both on replica 0
  auto second = LiveSubscriber(token);
  TestSubscriber third(suite_->subscription_address(1), token);
  third.Start();
  ASSERT_TRUE(third.WaitEnded(kWait));
  EXPECT_EQ(third.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(third.status().error_message(), "at most 2")) << third.status().error_message();
  // It says when a slot could free up: when the oldest lease lapses, should its stream be gone.
  const std::optional<absl::Duration> delay = RetryDelay(FromGrpcStatus(third.status()));
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, absl::ZeroDuration());
  EXPECT_LE(*delay, kLease);

  // Replica 0 dies without giving anything back: right after, its leases (renewed every
  // second, 3 s long) still hold both slots.
  auto lapsed = KeyspaceEvents::Watch(suite_->redis().port(), keys::StreamLeases("3/tt-cms"), "Kx");
  ASSERT_NE(lapsed, nullptr);
  suite_->subscription(0).Signal(SIGKILL);
  ASSERT_TRUE(suite_->subscription(0).Wait(kWait).ok());
  const absl::Time killed = absl::Now();
  TestSubscriber early(suite_->subscription_address(1), token);
  early.Start();
  ASSERT_TRUE(early.WaitEnded(kWait));
  EXPECT_EQ(early.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The leases lapse (Redis expires the set with its last lease), and the newsroom gets both
  // streams back on the surviving replica.
  ASSERT_TRUE(lapsed->WaitFor("expired", kWait));
  const absl::Duration took = absl::Now() - killed;
  std::cout << "slots of the dead replica free again after " << absl::FormatDuration(took) << "\n";
  EXPECT_LE(took, kLease + absl::Seconds(2));
  auto back1 = LiveSubscriber(token, 1);
  auto back2 = LiveSubscriber(token, 1);
  ASSERT_FALSE(HasFailure()) << "both streams came back";

  // Live streams keep their slots past the lease: the replica renews them (a ZADD per stream
  // a second here). After five renewals of both, longer than a lease, the cap still holds.
  auto renewals = KeyspaceEvents::Watch(suite_->redis().port(), keys::StreamLeases("3/tt-cms"), "Kzx");
  ASSERT_NE(renewals, nullptr);
  const absl::Time watching = absl::Now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(renewals->WaitFor("zadd", kWait)) << i;
  EXPECT_GT(absl::Now() - watching, kLease);
  TestSubscriber over(suite_->subscription_address(1), token);
  over.Start();
  ASSERT_TRUE(over.WaitEnded(kWait));
  EXPECT_EQ(over.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_FALSE(back1->ended());
  EXPECT_FALSE(back2->ended());
}

// A Redis restart empties its script cache: the renewals, sent as EVALSHA, get NOSCRIPT and
// go again with the script's source, so open streams keep their slots.
TEST_F(SecurityTest, StreamLeasesAreRenewedAfterRedisLosesItsScripts) {
  constexpr absl::Duration kLease = absl::Seconds(3);
  std::string token;
  ASSERT_NO_FATAL_FAILURE(StartTwoReplicasCappedAtTwo(kLease, &token));
  auto live = LiveSubscriber(token);
  auto redis = suite_->redis().Client();
  ASSERT_TRUE(redis.Run({"SCRIPT", "FLUSH"}).ok());
  auto renewals = KeyspaceEvents::Watch(suite_->redis().port(), keys::StreamLeases("3/tt-cms"), "Kz");
  ASSERT_NE(renewals, nullptr);
  const absl::Time watching = absl::Now();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(renewals->WaitFor("zadd", kWait)) << i;
  EXPECT_GT(absl::Now() - watching, kLease);
  auto held = redis.Run({"ZCARD", keys::StreamLeases("3/tt-cms")});
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->integer(), 1);
  EXPECT_FALSE(live->ended());
}

TEST_F(SecurityTest, RateLimitAnswersResourceExhaustedWithARetryHint) {
  SuiteOptions options;
  options.distribution_flags = {"--rate_limits=spokesperson=5"};
  StartSuite(options);
  auto other = suite_->IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp2");
  ASSERT_TRUE(other.ok());
  // The count lives in Redis: two distribution replicas, called in turn, share it.
  ASSERT_TRUE(suite_->StartDistribution(1).ok());
  int accepted = 0;
  absl::Status refused;
  const int64_t first_minute = absl::ToUnixSeconds(absl::Now()) / 60;
  for (int i = 0; i < 20 && refused.ok(); ++i) {
    auto published = suite_->Publish(moh_, MakeDraft("MOH", absl::StrCat("Thông cáo ", i)), "", false, i % 2);
    if (published.ok()) {
      ++accepted;
    } else {
      refused = published.status();
    }
  }
  // The window is one minute: a test running across a minute boundary sees the count reset once.
  if (absl::ToUnixSeconds(absl::Now()) / 60 == first_minute) {
    EXPECT_EQ(accepted, 5);
  } else {
    EXPECT_GE(accepted, 5);
    EXPECT_LE(accepted, 10);
  }
  ASSERT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "at most 5 calls a minute")) << refused;
  const std::optional<absl::Duration> delay = RetryDelay(refused);
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, absl::ZeroDuration());
  EXPECT_LE(*delay, absl::Minutes(1));
  // Per principal: another spokesperson of the same agency is not held back.
  EXPECT_TRUE(suite_->Publish(*other, MakeDraft("MOH", "Người khác")).ok());
}

TEST_F(SecurityTest, AuditTrailRecordsPublishAndKillAndNoTokenIsLogged) {
  StartSuite();
  auto published = suite_->Publish(moh_, MakeDraft("MOH", "Thông cáo báo chí"));
  ASSERT_TRUE(published.ok());
  const std::string id = published->statement().id();
  dist::ReviseRequest kill;
  kill.set_statement_id(id);
  kill.set_signal(pressrelay::common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thông tin chưa được kiểm chứng");
  ASSERT_TRUE(suite_->Revise(moh_, kill).ok());
  // A refused attempt is recorded too: another agency's statement.
  auto denied = suite_->Publish(moh_, MakeDraft("MOF", "Giả mạo"));
  ASSERT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);

  reg::QueryAuditRequest by_statement;
  by_statement.set_target(id);
  auto entries = QueryAudit(suite_->operator_token(), by_statement);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  // Newest first.
  EXPECT_EQ((*entries)[0].method(), "Distribution.Revise");
  EXPECT_EQ((*entries)[1].method(), "Distribution.Publish");
  for (const auto& e : *entries) {
    EXPECT_EQ(e.service(), "distribution");
    EXPECT_EQ(e.principal_id(), "moh-sp");
    EXPECT_EQ(e.role(), pressrelay::common::v1::ROLE_SPOKESPERSON);
    EXPECT_EQ(e.token_id(), moh_token_id_);
    EXPECT_TRUE(absl::StartsWith(e.peer(), "ipv4:127.0.0.1:")) << e.peer();
    EXPECT_EQ(e.outcome(), "OK");
    EXPECT_LE(absl::Now() - FromProto(e.at()), absl::Minutes(1));
  }
  const auto publishes = AuditOf("moh-sp", "Distribution.Publish");
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[0].outcome(), "PERMISSION_DENIED");
  EXPECT_EQ(publishes[0].target(), "MOF");
  // So is an attempt with a forged token: who is unknown, but where from and what is not.
  auto forged = suite_->Publish("prt_forged-token-never-issued", MakeDraft("MOH", "Giả mạo"));
  ASSERT_EQ(forged.status().code(), absl::StatusCode::kUnauthenticated);
  const auto all_publishes = AuditOf("", "Distribution.Publish");
  ASSERT_EQ(all_publishes.size(), 3u);
  EXPECT_EQ(all_publishes[0].outcome(), "UNAUTHENTICATED");
  EXPECT_EQ(all_publishes[0].principal_id(), "");
  EXPECT_EQ(all_publishes[0].token_id(), "");
  EXPECT_TRUE(absl::StartsWith(all_publishes[0].peer(), "ipv4:127.0.0.1:")) << all_publishes[0].peer();
  EXPECT_EQ(all_publishes[0].target(), "MOH");
  // The registry's own changes are there too (the set-up above), and reads are not.
  reg::QueryAuditRequest registry_changes;
  registry_changes.set_method("RegistryAdmin.IssueToken");
  auto issued = QueryAudit(suite_->operator_token(), registry_changes);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->size(), 1u);
  EXPECT_EQ((*issued)[0].principal_id(), "test-operator");
  reg::QueryAuditRequest reads;
  reads.set_method("Distribution.GetStatement");
  EXPECT_TRUE(QueryAudit(suite_->operator_token(), reads)->empty());
  // The CLI shows the same trail.
  WriteFile(suite_->dir() + "/operator.token", suite_->operator_token());
  auto [rc, shown] = RunProgram({BinaryPath("pressrelay"), "--registry", suite_->registry_address(), "--token-file",
                                 suite_->dir() + "/operator.token", "audit", "--target", id},
                                suite_->dir() + "/cli-audit.log");
  EXPECT_EQ(rc, 0) << ReadFile(suite_->dir() + "/cli-audit.log");
  EXPECT_TRUE(absl::StrContains(shown, "Distribution.Revise") && absl::StrContains(shown, "moh-sp")) << shown;
  // Only operators read the trail.
  EXPECT_EQ(QueryAudit(moh_, by_statement).status().code(), absl::StatusCode::kPermissionDenied);
  // A bad query names its field.
  reg::QueryAuditRequest too_many;
  too_many.set_limit(5000);
  EXPECT_EQ(ErrorField(QueryAudit(suite_->operator_token(), too_many).status()), "limit");

  // A newsroom's token goes through the subscription service and the registry too.
  auto newsroom = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(newsroom.ok());
  LiveSubscriber(*newsroom)->Stop();

  // No token, of any kind, in the audit stream, in any service log or anywhere in Redis.
  const std::vector<std::string> secrets = {moh_, suite_->operator_token(), *newsroom,
                                            ReadFile(suite_->service_token_file()), "prt_forged-token-never-issued"};
  auto redis = suite_->redis().Client();
  auto raw = redis.Run({"XRANGE", "audit:log", "-", "+"});
  ASSERT_TRUE(raw.ok());
  ASSERT_GT(raw->size(), 5u);
  for (size_t i = 0; i < raw->size(); ++i) {
    const std::string entry((*raw)[i][1][1].str());
    for (const auto& secret : secrets) EXPECT_FALSE(absl::StrContains(entry, secret));
  }
  std::string everything;
  std::function<void(const redis::ReplyView&)> flatten = [&](const redis::ReplyView& r) {
    if (r.is_array()) {
      for (size_t i = 0; i < r.size(); ++i) flatten(r[i]);
    } else if (r.is_string()) {
      absl::StrAppend(&everything, r.str(), "\n");
    }
  };
  auto keys = redis.Run({"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_GT(keys->size(), 10u);
  for (size_t i = 0; i < keys->size(); ++i) {
    const std::string key((*keys)[i].str());
    const std::string type(redis.Run({"TYPE", key})->str());
    if (type == "none") continue;  // gone since KEYS (a stream's lease given back as it ended)
    redis::Args read;
    if (type == "string") read = {"GET", key};
    if (type == "hash") read = {"HGETALL", key};
    if (type == "zset") read = {"ZRANGE", key, "0", "-1"};
    if (type == "stream") read = {"XRANGE", key, "-", "+"};
    if (type == "list") read = {"LRANGE", key, "0", "-1"};
    if (type == "set") read = {"SMEMBERS", key};
    ASSERT_GT(read.size(), 0u) << key << " is a " << type;
    auto value = redis.Run(read);
    ASSERT_TRUE(value.ok()) << key;
    absl::StrAppend(&everything, key, "\n");
    flatten(*value);
  }
  for (const auto& secret : secrets) EXPECT_FALSE(absl::StrContains(everything, secret)) << "a token is stored in Redis";
  int logs = 0;
  for (const auto& file : std::filesystem::directory_iterator(suite_->dir())) {
    if (file.path().extension() != ".log") continue;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    ++logs;
    for (const auto& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(text.str(), secret)) << file.path() << " holds a token";
    }
  }
  EXPECT_GE(logs, 3);
}

// One audit query reads a bounded stretch of the trail (--audit_scan_limit entries) and says
// where it stopped; following its page tokens reads the whole trail once, in order.
TEST_F(SecurityTest, AnAuditQueryReadsABoundedStretchAndSaysWhereToGoOn) {
  SuiteOptions options;
  options.registry_flags = {"--audit_scan_limit=4"};
  StartSuite(options);
  auto published = suite_->Publish(moh_, MakeDraft("MOH", "Thông cáo báo chí"));
  ASSERT_TRUE(published.ok()) << published.status();
  const std::string id = published->statement().id();
  // Five newer entries bury the publish beyond one query's reach.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(suite_->PutOutlet(absl::StrCat("outlet-", i), "Báo").ok());

  // The trail as Redis holds it, newest first.
  auto redis = suite_->redis().Client();
  auto raw = redis.Run({"XREVRANGE", "audit:log", "+", "-"});
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::vector<std::string> trail;
  for (size_t i = 0; i < raw->size(); ++i) trail.emplace_back((*raw)[i][1][1].str());
  ASSERT_GE(trail.size(), 12u);

  // Reads the pages of `request` to the end; each answer is checked on the way.
  auto read_all = [&](reg::QueryAuditRequest request, std::vector<std::string>* seen) -> int {
    int pages = 0;
    while (pages < 100) {
      auto admin = suite_->Admin();
      auto ctx = CallContext(suite_->operator_token(), kWait);
      reg::QueryAuditResponse response;
      const grpc::Status status = admin->QueryAudit(ctx.get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      ++pages;
      EXPECT_LE(response.entries_size(), request.limit() == 0 ? 100 : request.limit());
      for (const auto& e : response.entries()) seen->push_back(e.SerializeAsString());
      if (response.next_page_token().empty()) break;
      EXPECT_NE(response.next_page_token(), request.page_token());
      request.set_page_token(response.next_page_token());
    }
    return pages;
  };

  // Without a filter, pages of three: the whole trail, each entry once, newest first.
  reg::QueryAuditRequest all;
  all.set_limit(3);
  std::vector<std::string> seen;
  const int pages = read_all(all, &seen);
  EXPECT_EQ(seen, trail);
  EXPECT_EQ(pages, static_cast<int>((trail.size() + 2) / 3));
  // And one at a time (a page that fills before the end of what its last read returned).
  all.set_limit(1);
  std::vector<std::string> one_by_one;
  EXPECT_EQ(read_all(all, &one_by_one), static_cast<int>(trail.size()));
  EXPECT_EQ(one_by_one, trail);

  // A narrow filter: the first answer has looked at four entries, found nothing, and says
  // where to go on; the pages that follow find the publish, and only it.
  reg::QueryAuditRequest by_statement;
  by_statement.set_target(id);
  {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::QueryAuditResponse first;
    ASSERT_TRUE(admin->QueryAudit(ctx.get(), by_statement, &first).ok());
    EXPECT_EQ(first.entries_size(), 0);
    EXPECT_FALSE(first.next_page_token().empty());
  }
  std::vector<std::string> found;
  EXPECT_EQ(read_all(by_statement, &found), static_cast<int>((trail.size() + 3) / 4));
  ASSERT_EQ(found.size(), 1u);
  AuditEntry publish;
  ASSERT_TRUE(publish.ParseFromString(found[0]));
  EXPECT_EQ(publish.method(), "Distribution.Publish");
  EXPECT_EQ(publish.target(), id);

  // The CLI passes a page token on.
  WriteFile(suite_->dir() + "/operator.token", suite_->operator_token());
  std::vector<std::string> cli = {BinaryPath("pressrelay"), "--registry", suite_->registry_address(),
                                  "--token-file", suite_->dir() + "/operator.token", "audit", "--limit", "1"};
  auto [rc, newest] = RunProgram(cli, suite_->dir() + "/cli-audit.log");
  ASSERT_EQ(rc, 0) << ReadFile(suite_->dir() + "/cli-audit.log");
  reg::QueryAuditResponse newest_page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(newest, &newest_page).ok()) << newest;
  ASSERT_FALSE(newest_page.next_page_token().empty());
  cli.insert(cli.end(), {"--page-token", newest_page.next_page_token()});
  auto [rc2, second] = RunProgram(cli, suite_->dir() + "/cli-audit.log");
  ASSERT_EQ(rc2, 0) << ReadFile(suite_->dir() + "/cli-audit.log");
  reg::QueryAuditResponse second_page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(second, &second_page).ok()) << second;
  ASSERT_EQ(second_page.entries_size(), 1);
  EXPECT_EQ(second_page.entries(0).SerializeAsString(), trail[1]);

  // A token the registry did not issue names its field, and reads nothing.
  for (const char* bad : {"garbage", "12-", "-3", "1-2-3", "+", "(5-0"}) {
    reg::QueryAuditRequest forged;
    forged.set_page_token(bad);
    EXPECT_EQ(ErrorField(QueryAudit(suite_->operator_token(), forged).status()), "page_token") << bad;
  }
}

TEST_F(SecurityTest, OversizedMessagesAreRefused) {
  StartSuite();
  auto draft = MakeDraft("MOH", "Quá lớn");
  draft.set_body(std::string(5 << 20, 'x'));  // over the 4 MiB a call may carry
  auto published = suite_->Publish(moh_, draft);
  EXPECT_EQ(published.status().code(), absl::StatusCode::kResourceExhausted) << published.status();
  // Under the transport limit but over the body limit: the field is named.
  draft.set_body(std::string(1 << 20, 'x'));
  published = suite_->Publish(moh_, draft);
  EXPECT_EQ(ErrorField(published.status()), "draft.body") << published.status();
}

}  // namespace
}  // namespace pressrelay::testing
