// The registry through its gRPC API: validation naming fields, bulk import, tokens, and
// entitlement (expired press cards, disabled clients), and revocations written in the
// transaction of their cause (read off Redis MONITOR).
#include <algorithm>

#include <gtest/gtest.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/redis_watch.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

// Whether one client ran a transaction (MULTI ... EXEC) holding a command that starts with
// each of `commands` (as MONITOR quotes them, e.g. `"XADD" "{reg}:revocations"`).
bool InOneTransaction(const std::vector<std::string>& lines, const std::vector<std::string>& commands) {
  absl::flat_hash_map<std::string, std::vector<std::string>> open;  // client -> commands since MULTI
  for (const std::string& line : lines) {
    // +<time> [<db> <client>] "<COMMAND>" "<arg>" ...
    const size_t open_bracket = line.find('['), close_bracket = line.find("] ");
    if (open_bracket == std::string::npos || close_bracket == std::string::npos) continue;
    const std::string client = line.substr(open_bracket, close_bracket - open_bracket);
    const std::string command = line.substr(close_bracket + 2);
    if (command == "\"MULTI\"") {
      open[client].clear();
      open[client].push_back(command);
      continue;
    }
    auto it = open.find(client);
    if (it == open.end()) continue;
    if (command != "\"EXEC\"") {
      it->second.push_back(command);
      continue;
    }
    bool all = true;
    for (const std::string& wanted : commands) {
      all = all && std::any_of(it->second.begin(), it->second.end(),
                               [&](const std::string& c) { return absl::StartsWith(c, wanted); });
    }
    if (all) return true;
    open.erase(it);
  }
  return false;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    moh_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  }

  absl::Status Import(const reg::ImportRecipientsRequest& request, reg::ImportRecipientsResponse* response) {
    auto admin = suite_.Admin();
    auto ctx = CallContext(suite_.operator_token(), kWait);
    return FromGrpcStatus(admin->ImportRecipients(ctx.get(), request, response));
  }

  Suite suite_;
  std::string moh_;
};

TEST_F(RegistryTest, EntitiesAreValidatedNamingTheField) {
  EXPECT_EQ(ErrorField(suite_.PutAgency("moh", "Bộ Y tế")), "agency.code");
  EXPECT_EQ(ErrorField(suite_.PutAgency("MOC", "")), "agency.name_vi");
  EXPECT_EQ(ErrorField(suite_.PutSpokesperson("x", "NOPE")), "spokesperson.agency_code");
  EXPECT_EQ(ErrorField(suite_.PutSpokesperson("moh-2", "MOH", absl::Now(), absl::Now() - absl::Hours(1))),
            "spokesperson.valid_until");
  EXPECT_EQ(ErrorField(suite_.PutClient("c1", "no-such-outlet").status()), "client.outlet_id");
  reg::Subscription s;
  s.set_recipient_id("client:nobody");
  EXPECT_EQ(ErrorField(suite_.SetSubscription(s)), "subscription.recipient_id");
  auto rid = suite_.PutClient("c1", "tuoitre");
  ASSERT_TRUE(rid.ok());
  s.set_recipient_id(*rid);
  s.add_languages("fr");
  EXPECT_EQ(ErrorField(suite_.SetSubscription(s)), "subscription.languages[0]");
  // Only operators administer the registry.
  auto admin = suite_.Admin();
  auto ctx = CallContext(moh_, kWait);
  reg::ListAgenciesResponse agencies;
  EXPECT_EQ(admin->ListAgencies(ctx.get(), reg::ListAgenciesRequest(), &agencies).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RegistryTest, UnknownEnumValuesAndBadTokenRequestsAreRefusedNamingTheField) {
  auto admin = suite_.Admin();
  auto call = [&](auto method, const auto& request, auto* response) {
    auto ctx = CallContext(suite_.operator_token(), kWait);
    return FromGrpcStatus(((*admin).*method)(ctx.get(), request, response));
  };
  {
    reg::UpsertAgencyRequest request;
    request.mutable_agency()->set_code("MOC");
    request.mutable_agency()->set_name_vi("Bộ Xây dựng");
    request.mutable_agency()->set_kind(static_cast<reg::AgencyKind>(99));
    reg::UpsertAgencyResponse response;
    EXPECT_EQ(ErrorField(call(&reg::RegistryAdmin::Stub::UpsertAgency, request, &response)), "agency.kind");
  }
  {
    reg::UpsertOutletRequest request;
    request.mutable_outlet()->set_id("vtv");
    request.mutable_outlet()->set_name("Đài Truyền hình Việt Nam");
    request.mutable_outlet()->set_licence_number("VTV-1");
    request.mutable_outlet()->set_kind(static_cast<reg::OutletKind>(99));
    reg::UpsertOutletResponse response;
    EXPECT_EQ(ErrorField(call(&reg::RegistryAdmin::Stub::UpsertOutlet, request, &response)), "outlet.kind");
  }
  {
    reg::UpsertSpokespersonRequest request;
    auto* sp = request.mutable_spokesperson();
    sp->set_id("moh-3");
    sp->set_agency_code("MOH");
    sp->set_full_name("Trần Thị B");
    sp->set_role(static_cast<reg::SpokespersonRole>(99));
    reg::UpsertSpokespersonResponse response;
    EXPECT_EQ(ErrorField(call(&reg::RegistryAdmin::Stub::UpsertSpokesperson, request, &response)),
              "spokesperson.role");
  }
  {
    auto rid = suite_.PutClient("c1", "tuoitre");
    ASSERT_TRUE(rid.ok());
    reg::Subscription s;
    s.set_recipient_id(*rid);
    s.add_kinds(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
    s.add_kinds(static_cast<pressrelay::common::v1::StatementKind>(99));
    EXPECT_EQ(ErrorField(suite_.SetSubscription(s)), "subscription.kinds[1]");
  }
  auto issue = [&](int kind, int64_t ttl_seconds, const std::string& description = "") {
    reg::IssueTokenRequest request;
    request.set_subject_kind(static_cast<reg::SubjectKind>(kind));
    request.set_subject_id("moh-sp");
    request.set_ttl_seconds(ttl_seconds);
    request.set_description(description);
    reg::IssueTokenResponse response;
    return call(&reg::RegistryAdmin::Stub::IssueToken, request, &response);
  };
  EXPECT_EQ(ErrorField(issue(99, 0)), "subject_kind");
  EXPECT_EQ(ErrorField(issue(reg::SUBJECT_KIND_SPOKESPERSON, -5)), "ttl_seconds");
  EXPECT_EQ(ErrorField(issue(reg::SUBJECT_KIND_SPOKESPERSON, int64_t{367} * 24 * 3600)), "ttl_seconds");
  EXPECT_EQ(ErrorField(issue(reg::SUBJECT_KIND_SPOKESPERSON, 3600, std::string(201, 'd'))), "description");
  EXPECT_TRUE(issue(reg::SUBJECT_KIND_SPOKESPERSON, 3600, "Máy tính phòng báo chí").ok());
}

TEST_F(RegistryTest, AnExpiredTokenIsRefusedAndNoTokenIsEverShownAgain) {
  auto admin = suite_.Admin();
  auto issue = [&](reg::SubjectKind kind, const std::string& subject) {
    reg::IssueTokenRequest request;
    request.set_subject_kind(kind);
    request.set_subject_id(subject);
    request.set_ttl_seconds(2);
    reg::IssueTokenResponse issued;
    auto ctx = CallContext(suite_.operator_token(), kWait);
    EXPECT_TRUE(admin->IssueToken(ctx.get(), request, &issued).ok());
    return issued;
  };
  const reg::IssueTokenResponse issued = issue(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  ASSERT_TRUE(suite_.Publish(issued.token(), MakeDraft("MOH", "Trước khi hết hạn")).ok());
  // A newsroom token issued after it expires after it. Its open stream ends when it expires:
  // that is the moment to look, with nothing to wait for but the clock.
  auto rid = suite_.PutClient("c-expiring", "tuoitre");
  ASSERT_TRUE(rid.ok());
  reg::Subscription everything;
  everything.set_recipient_id(*rid);
  ASSERT_TRUE(suite_.SetSubscription(everything).ok());
  const reg::IssueTokenResponse newsroom = issue(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "c-expiring");
  TestSubscriber stream(suite_.subscription_address(), newsroom.token());
  stream.Start();
  ASSERT_TRUE(stream.WaitEnded(kWait));
  EXPECT_EQ(stream.status().error_code(), grpc::StatusCode::UNAUTHENTICATED) << stream.status().error_message();
  EXPECT_GE(absl::Now(), FromProto(issued.info().expires_at()));
  // Neither service's cache of the answer outlives the token.
  auto after = suite_.Publish(issued.token(), MakeDraft("MOH", "Sau khi hết hạn"));
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnauthenticated) << after.status();
  EXPECT_TRUE(absl::StrContains(after.status().message(), "expired")) << after.status();
  auto subscription = suite_.Subscription();
  sub::HistoryResponse page;
  auto history_ctx = CallContext(newsroom.token(), kWait);
  EXPECT_EQ(subscription->History(history_ctx.get(), sub::HistoryRequest(), &page).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Listing tokens shows their ids and metadata, never a token.
  reg::ListTokensRequest list;
  list.set_subject_id("moh-sp");
  reg::ListTokensResponse tokens;
  auto ctx = CallContext(suite_.operator_token(), kWait);
  ASSERT_TRUE(admin->ListTokens(ctx.get(), list, &tokens).ok());
  ASSERT_GE(tokens.tokens_size(), 2);
  EXPECT_FALSE(absl::StrContains(tokens.DebugString(), issued.token()));
  EXPECT_FALSE(absl::StrContains(tokens.DebugString(), moh_));
  EXPECT_FALSE(absl::StrContains(tokens.DebugString(), "prt_"));
}

TEST_F(RegistryTest, BulkImportIsAllOrNothingAndFeedsMatching) {
  reg::ImportRecipientsRequest request;
  auto* outlet = request.add_outlets();
  outlet->set_id("dantri");
  outlet->set_name("Báo Dân trí");
  outlet->set_licence_number("DEMO-9");
  outlet->set_kind(reg::OUTLET_KIND_ONLINE);
  for (int i = 0; i < 1000; ++i) {
    auto* j = request.add_journalists();
    j->set_card_number(absl::StrCat("C-", i));
    j->set_full_name(absl::StrCat("Phóng viên ", i));
    j->set_outlet_id(i % 2 ? "tuoitre" : "dantri");
    *j->mutable_card_expires() = ToProto(absl::Now() + absl::Hours(1000));
    auto* s = request.add_subscriptions();
    s->set_recipient_id(absl::StrCat("journalist:C-", i));
    if (i % 4 == 0) s->add_agency_codes("MOF");  // a quarter wants another ministry only
  }
  reg::ImportRecipientsRequest broken = request;
  broken.mutable_journalists(3)->set_outlet_id("nowhere");
  reg::ImportRecipientsResponse response;
  absl::Status refused = Import(broken, &response);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(refused), "journalists[3].outlet_id");
  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Trước khi nhập"));
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(published->recipients_matched(), 0);  // nothing of the refused import exists

  ASSERT_TRUE(Import(request, &response).ok());
  EXPECT_EQ(response.journalists(), 1000);
  published = suite_.Publish(moh_, MakeDraft("MOH", "Sau khi nhập"));
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(published->recipients_matched(), 750);
  EXPECT_EQ(published->recipients_queued(), 750);
}

TEST_F(RegistryTest, RevokedTokensStopWorkingAndAreStoredOnlyAsHashes) {
  auto issued = suite_.IssueTokenFull(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(absl::StartsWith(issued->token(), "prt_"));
  EXPECT_GE(issued->token().size(), 4u + 43u);  // 256 random bits
  ASSERT_TRUE(suite_.Publish(issued->token(), MakeDraft("MOH", "Trước thu hồi")).ok());
  {
    auto revoked = suite_.RevokeToken(issued->info().token_id());
    ASSERT_TRUE(revoked.ok()) << revoked.status();
    EXPECT_TRUE(IsSet(revoked->info().revoked_at()));
  }
  // The distribution service caches answers for 2 s at most; a revoked token fails after.
  const absl::Time deadline = absl::Now() + kWait;
  absl::Status last;
  do {
    last = suite_.Publish(issued->token(), MakeDraft("MOH", "Sau thu hồi")).status();
  } while (last.ok() && absl::Now() < deadline);
  EXPECT_EQ(last.code(), absl::StatusCode::kUnauthenticated);
  // The token itself is not stored anywhere in Redis, only its hash.
  auto redis = suite_.redis().Client();
  auto all = redis.Run({"HGETALL", "{reg}:tokenhash"});
  ASSERT_TRUE(all.ok());
  for (size_t i = 0; i < all->size(); ++i) EXPECT_NE((*all)[i].str(), issued->token());
}

// A revocation is announced in the same Redis transaction as the change that causes it, so
// a registry that dies between the two cannot leave a revoked token or a disabled client
// unannounced to the services that hold it.
TEST_F(RegistryTest, ARevocationIsWrittenInTheTransactionOfItsCause) {
  auto issued = suite_.IssueTokenFull(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  ASSERT_TRUE(issued.ok());
  ASSERT_TRUE(suite_.PutClient("tt-cms", "tuoitre").ok());
  auto client_token = suite_.IssueTokenFull(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(client_token.ok());
  auto redis = suite_.redis().Client();
  RedisMonitor monitor(suite_.redis().port());
  ASSERT_TRUE(monitor.Start());

  // Whether the last change wrote `record_key` and the revocation feed in one transaction.
  auto announced_with = [&](const std::string& marker, absl::string_view record_key) {
    const auto lines = monitor.LinesBefore(redis, marker);
    const bool together = InOneTransaction(lines, {absl::StrCat("\"HSET\" \"", record_key, "\""),
                                                   absl::StrCat("\"XADD\" \"", keys::kRevocations, "\"")});
    EXPECT_TRUE(together) << absl::StrJoin(lines, "\n");
  };

  // A token revoked: its record and the announcement together.
  ASSERT_TRUE(suite_.RevokeToken(issued->info().token_id()).ok());
  announced_with("after-revoke", keys::kTokens);
  // A newsroom client disabled: the client's record and the announcement together.
  ASSERT_TRUE(suite_.PutClient("tt-cms", "tuoitre", /*disabled=*/true).ok());
  announced_with("after-disable", keys::kClients);
}

// A command of the transaction that fails at EXEC (here the revocation feed, broken on
// purpose) fails the call: the operator is not told a client was disabled and announced
// when the announcement never happened.
TEST_F(RegistryTest, AChangeWhoseAnnouncementFailsIsNotReportedDone) {
  ASSERT_TRUE(suite_.PutClient("tt-cms", "tuoitre").ok());
  auto redis = suite_.redis().Client();
  ASSERT_TRUE(redis.Run({"DEL", std::string(keys::kRevocations)}).ok());
  ASSERT_TRUE(redis.Run({"SET", std::string(keys::kRevocations), "not a stream"}).ok());
  auto disabled = suite_.PutClient("tt-cms", "tuoitre", /*disabled=*/true);
  EXPECT_FALSE(disabled.ok());
  EXPECT_TRUE(absl::StrContains(disabled.status().message(), "WRONGTYPE")) << disabled.status();
}

TEST_F(RegistryTest, ExpiredPressCardsReceiveNothing) {
  auto valid = suite_.PutJournalist("B-1", "tuoitre");
  auto expired = suite_.PutJournalist("B-2", "tuoitre", absl::Now() - absl::Hours(1));
  ASSERT_TRUE(valid.ok() && expired.ok());
  for (const auto& rid : {*valid, *expired}) {
    reg::Subscription s;
    s.set_recipient_id(rid);
    ASSERT_TRUE(suite_.SetSubscription(s).ok());
  }
  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Chỉ cho thẻ còn hạn"));
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(published->recipients_matched(), 1);
  // And the expired card cannot even connect.
  auto token = suite_.IssueToken(reg::SUBJECT_KIND_JOURNALIST, "B-2");
  ASSERT_TRUE(token.ok());
  TestSubscriber s(suite_.subscription_address(), *token);
  s.Start();
  ASSERT_TRUE(s.WaitEnded(kWait));
  EXPECT_EQ(s.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(s.status().error_message().find("press card expired"), std::string::npos);
}

}  // namespace
}  // namespace pressrelay::testing

namespace pressrelay::testing {
namespace {

// The revocation feed delivers into a watch while holding its own lock; a watch whose call
// ended before it had joined used to leave the feed while holding the watch's lock: the two
// locks in opposite orders, a deadlock waiting for its timing. The registry runs with absl's
// lock-order checking on (the Suite turns it on), which aborts the process the moment both
// orders have been seen, deadlock or not. Many watches that end at once, with revocations
// flowing, take both paths.
TEST(RevocationWatchTest, WatchesEndingWhileTheyJoinNeverTakeTheFeedsLockInTheOtherOrder) {
  Suite suite(SuiteOptions{.registry_flags = {"--directory_workers", "1"}});
  ASSERT_TRUE(suite.Start().ok());
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  const std::string service_token = ReadFile(suite.service_token_file());
  auto directory = reg::Directory::NewStub(OpenChannel(suite.registry_address()));
  for (int round = 0; round < 10; ++round) {
    // A revocation, so the feed has a position to tell every joining watcher at once.
    auto issued = suite.IssueTokenFull(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
    ASSERT_TRUE(issued.ok()) << issued.status() << "\n" << ReadFile(suite.registry().log_path());
    ASSERT_TRUE(suite.RevokeToken(issued->info().token_id()).ok());
    // Watches that are cancelled before the single directory worker gets to their start.
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::unique_ptr<grpc::ClientReader<reg::Revocation>>> readers;
    for (int i = 0; i < 20; ++i) {
      contexts.push_back(CallContext(service_token, absl::Seconds(10)));
      readers.push_back(directory->WatchRevocations(contexts.back().get(), reg::WatchRevocationsRequest()));
    }
    for (auto& ctx : contexts) ctx->TryCancel();
    for (auto& reader : readers) (void)reader->Finish();
  }
  // Still alive and answering.
  EXPECT_TRUE(WaitServing(suite.registry_address(), kWait).ok());
  EXPECT_TRUE(suite.registry().running());
  auto log = ReadFile(suite.registry().log_path());
  EXPECT_EQ(log.find("potential deadlock"), std::string::npos) << log.substr(log.find("potential deadlock"));
}

}  // namespace
}  // namespace pressrelay::testing
