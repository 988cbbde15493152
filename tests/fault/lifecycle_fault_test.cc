// The statement lifecycle through real processes: embargoes that hold across restarts,
// kills and corrections that reach exactly who had the statement and overtake routine
// items, delivery reports, slow readers, retention and a Redis that lost its data.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);

class Lifecycle : public ::testing::Test {
 protected:
  void Start(SuiteOptions options = {}) {
    suite_ = std::make_unique<Suite>(std::move(options));
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutAgency("MOF", "Bộ Tài chính").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutOutlet("ttxvn", "Thông tấn xã Việt Nam", /*trusted=*/true).ok());
    ASSERT_TRUE(suite_->PutOutlet("wire", "Test wire").ok());
    spokesperson_ = *suite_->IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  }

  // A newsroom client of `outlet` subscribed to `agencies`; returns its token.
  std::string Newsroom(const std::string& id, const std::string& outlet = "wire",
                       std::vector<std::string> agencies = {"MOH"}) {
    auto rid = suite_->PutClient(id, outlet);
    EXPECT_TRUE(rid.ok());
    reg::Subscription s;
    s.set_recipient_id(*rid);
    for (const auto& a : agencies) s.add_agency_codes(a);
    EXPECT_TRUE(suite_->SetSubscription(s).ok());
    return *suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, id);
  }

  std::unique_ptr<TestSubscriber> Connect(const std::string& token, const std::string& cursor = "",
                                          int replica = 0) {
    auto s = std::make_unique<TestSubscriber>(suite_->subscription_address(replica), token, cursor);
    s->Start();
    EXPECT_TRUE(s->WaitCaughtUp(kWait));
    return s;
  }

  dist::PublishResponse Publish(const dist::StatementDraft& draft, bool early = false, int replica = 0) {
    auto r = suite_->Publish(spokesperson_, draft, "", early, replica);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : dist::PublishResponse();
  }

  dist::PublishResponse Revise(const std::string& id, pressrelay::common::v1::VersionSignal signal,
                               const std::string& reason, const dist::StatementDraft* draft = nullptr) {
    dist::ReviseRequest request;
    request.set_statement_id(id);
    request.set_signal(signal);
    request.set_reason(reason);
    if (draft != nullptr) *request.mutable_draft() = *draft;
    auto r = suite_->Revise(spokesperson_, request);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : dist::PublishResponse();
  }

  absl::StatusOr<dist::DeliveryReport> Report(const std::string& id, int version, bool only_unacknowledged = false) {
    auto stub = suite_->Distribution();
    dist::GetDeliveryReportRequest request;
    request.set_statement_id(id);
    request.set_version(version);
    request.set_only_unacknowledged(only_unacknowledged);
    dist::DeliveryReport report;
    auto ctx = CallContext(spokesperson_, kWait);
    absl::Status s = FromGrpcStatus(stub->GetDeliveryReport(ctx.get(), request, &report));
    if (!s.ok()) return s;
    return report;
  }

  std::unique_ptr<Suite> suite_;
  std::string spokesperson_;
};

TEST_F(Lifecycle, EmbargoHoldsThroughRestartsAndReleasesExactlyOnce) {
  Start();
  ASSERT_TRUE(suite_->StartDistribution(1).ok());  // a second replica competes for the release
  const std::string trusted = Newsroom("ttxvn-ingest", "ttxvn");
  const std::string regular = Newsroom("wire-ingest");
  auto s_trusted = Connect(trusted);
  auto s_regular = Connect(regular);

  auto draft = MakeDraft("MOH", "Công bố số liệu dịch tễ (cấm đăng trước giờ công bố)");
  const absl::Time release = absl::Now() + absl::Seconds(3);
  *draft.mutable_embargoed() = ToProto(release);
  auto published = Publish(draft, /*early=*/true);
  EXPECT_TRUE(published.scheduled());
  EXPECT_EQ(published.recipients_matched(), 2);
  EXPECT_EQ(published.recipients_queued(), 1);  // the trusted outlet, at once

  // The trusted outlet has it now, marked as under embargo.
  ASSERT_TRUE(s_trusted->WaitForCount(1, kWait));
  EXPECT_TRUE(s_trusted->deliveries()[0].under_embargo());
  EXPECT_EQ(MillisFromProto(s_trusted->deliveries()[0].statement().embargoed()), absl::ToUnixMillis(release));

  // Both distribution replicas and Redis die and come back before the release time.
  suite_->distribution(0).Signal(SIGKILL);
  suite_->distribution(1).Signal(SIGKILL);
  suite_->redis().process().Signal(SIGKILL);
  ASSERT_TRUE(suite_->redis().process().Wait(kWait).ok());
  ASSERT_TRUE(suite_->redis().Restart().ok());
  ASSERT_TRUE(suite_->RestartDistribution(0).ok());
  ASSERT_TRUE(suite_->RestartDistribution(1).ok());
  ASSERT_LT(absl::Now(), release) << "restarts took longer than the embargo; the test proves nothing";

  ASSERT_TRUE(s_regular->WaitForCount(1, kWait));
  const auto got = s_regular->deliveries()[0];
  EXPECT_GE(s_regular->arrivals()[0], release) << "delivered before the embargo";
  EXPECT_GE(MillisFromProto(got.queued_at()), absl::ToUnixMillis(release));
  EXPECT_FALSE(got.under_embargo());
  EXPECT_EQ(got.statement().id(), published.statement().id());

  // Exactly once: the next statement is each one's next delivery.
  Publish(MakeDraft("MOH", "Tin tiếp theo"));
  ASSERT_TRUE(s_regular->WaitForCount(2, kWait));
  ASSERT_TRUE(s_trusted->WaitForCount(2, kWait));
  EXPECT_EQ(s_regular->deliveries()[1].statement().headline(), "Tin tiếp theo");
  EXPECT_EQ(s_trusted->deliveries()[1].statement().headline(), "Tin tiếp theo");
  EXPECT_EQ(s_regular->count(), 2u);
  EXPECT_EQ(s_trusted->count(), 2u);
}

TEST_F(Lifecycle, ManyEmbargoesReleaseOnceEachAcrossThreeReplicasAndTrustedOutletsWaitUnlessAsked) {
  Start();
  ASSERT_TRUE(suite_->StartDistribution(1).ok());
  ASSERT_TRUE(suite_->StartDistribution(2).ok());
  const std::string trusted = Newsroom("ttxvn-ingest", "ttxvn");
  const std::string regular = Newsroom("wire-ingest");
  auto s_trusted = Connect(trusted);
  auto s_regular = Connect(regular);

  // 20 statements under embargo, published through the three replicas in turn, none asking
  // for early delivery to trusted outlets.
  constexpr int kEmbargoed = 20;
  const absl::Time release = absl::Now() + absl::Seconds(6);
  for (int i = 0; i < kEmbargoed; ++i) {
    auto draft = MakeDraft("MOH", absl::StrCat("Cấm đăng trước giờ công bố ", i));
    *draft.mutable_embargoed() = ToProto(release + absl::Milliseconds(10 * i));
    auto published = Publish(draft, /*early=*/false, /*replica=*/i % 3);
    EXPECT_TRUE(published.scheduled());
    EXPECT_EQ(published.recipients_queued(), 0);  // nobody has it before the release
  }
  // A statement without embargo, published after them, arrives first and alone: the trusted
  // outlet got nothing early.
  Publish(MakeDraft("MOH", "Không cấm đăng"), false, 1);
  ASSERT_TRUE(s_trusted->WaitForCount(1, kWait));
  EXPECT_EQ(s_trusted->deliveries()[0].statement().headline(), "Không cấm đăng");
  EXPECT_LT(absl::Now(), release) << "the check above must run before the release time";

  // After the release: each statement exactly once for both, none before its time, none
  // marked as under embargo.
  for (auto* s : {s_trusted.get(), s_regular.get()}) {
    ASSERT_TRUE(s->WaitForCount(kEmbargoed + 1, kWait)) << s->count();
    const auto got = s->deliveries();
    const auto arrived = s->arrivals();
    std::map<std::string, int> seen;
    for (size_t i = 0; i < got.size(); ++i) {
      ++seen[got[i].statement().headline()];
      EXPECT_FALSE(got[i].under_embargo());
      if (IsSet(got[i].statement().embargoed())) {
        EXPECT_GE(arrived[i], FromProto(got[i].statement().embargoed())) << got[i].statement().headline();
      }
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kEmbargoed + 1));
    for (const auto& [headline, n] : seen) EXPECT_EQ(n, 1) << headline;
  }
  // Nothing more comes: a last marker is the next and only further delivery.
  Publish(MakeDraft("MOH", "Kết thúc"), false, 2);
  ASSERT_TRUE(s_regular->WaitForCount(kEmbargoed + 2, kWait));
  EXPECT_EQ(s_regular->count(), static_cast<size_t>(kEmbargoed + 2));
  EXPECT_EQ(s_regular->deliveries().back().statement().headline(), "Kết thúc");
}

TEST_F(Lifecycle, KillReachesExactlyWhoHadItAheadOfRoutineItemsAndReportsAcks) {
  Start();
  std::vector<std::string> five, later;
  for (int i = 0; i < 5; ++i) five.push_back(Newsroom(absl::StrCat("first-", i)));
  auto v1 = Publish(MakeDraft("MOH", "Thông cáo sẽ bị thu hồi"));
  ASSERT_EQ(v1.recipients_queued(), 5);
  const std::string id = v1.statement().id();
  // The five receive and acknowledge version 1.
  for (const auto& token : five) {
    auto s = Connect(token);
    ASSERT_EQ(s->count(), 1u);
    ASSERT_TRUE(s->AckLast().ok());
  }
  // Two newsrooms subscribe later; then 100 routine items pile up for all seven.
  for (int i = 0; i < 2; ++i) later.push_back(Newsroom(absl::StrCat("later-", i)));
  for (int i = 0; i < 100; ++i) Publish(MakeDraft("MOH", absl::StrCat("Tin thường ", i)));

  auto kill = Revise(id, pressrelay::common::v1::VERSION_SIGNAL_KILL, "Thông tin chưa được kiểm chứng");
  EXPECT_EQ(kill.recipients_matched(), 5);
  EXPECT_EQ(kill.recipients_queued(), 5);
  EXPECT_EQ(kill.statement().version(), 2);
  EXPECT_EQ(kill.statement().pubstatus(), pressrelay::common::v1::PUB_STATUS_CANCELED);

  // The five: the kill comes first, ahead of the 100 routine items queued before it.
  for (size_t i = 0; i < five.size(); ++i) {
    TestSubscriber s(suite_->subscription_address(), five[i]);
    s.Start();
    ASSERT_TRUE(s.WaitForCount(101, kWait));
    const auto got = s.deliveries();
    EXPECT_EQ(got[0].statement().id(), id);
    EXPECT_EQ(got[0].statement().signal(), pressrelay::common::v1::VERSION_SIGNAL_KILL);
    EXPECT_EQ(got[0].lane(), sub::LANE_PRIORITY);
    EXPECT_EQ(got[1].statement().headline(), "Tin thường 0");
    // Three of them acknowledge the kill (only the kill).
    if (i < 3) {
      auto stub = suite_->Subscription();
      sub::AckRequest ack;
      ack.set_cursor(got[0].cursor());
      sub::AckResponse r;
      auto ctx = CallContext(five[i], kWait);
      ASSERT_TRUE(stub->Ack(ctx.get(), ack, &r).ok());
    }
    s.Stop();
  }
  // The two who never had it get the routine items and no kill.
  for (const auto& token : later) {
    TestSubscriber s(suite_->subscription_address(), token);
    s.Start();
    ASSERT_TRUE(s.WaitCaughtUp(kWait));
    EXPECT_EQ(s.count(), 100u);
    for (const auto& d : s.deliveries()) EXPECT_NE(d.statement().id(), id);
  }
  // The report says who confirmed the kill.
  auto report = Report(id, 2);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->recipients_matched(), 5);
  EXPECT_EQ(report->queued(), 5);
  EXPECT_EQ(report->sent(), 5);
  EXPECT_EQ(report->acknowledged(), 3);
  int acked = 0;
  for (const auto& r : report->recipients()) {
    EXPECT_TRUE(IsSet(r.queued_at()));
    EXPECT_TRUE(IsSet(r.sent_at()));
    EXPECT_EQ(r.outlet_name(), "Test wire");
    const bool should = r.recipient_id() == "client:first-0" || r.recipient_id() == "client:first-1" ||
                        r.recipient_id() == "client:first-2";
    EXPECT_EQ(IsSet(r.acknowledged_at()), should) << r.recipient_id();
    acked += IsSet(r.acknowledged_at()) ? 1 : 0;
  }
  EXPECT_EQ(acked, 3);
  // Reading the statement shows it killed, and a kill is final.
  auto stub = suite_->Distribution();
  dist::GetStatementRequest get;
  get.set_statement_id(id);
  pressrelay::common::v1::Statement statement;
  auto ctx = CallContext(spokesperson_, kWait);
  ASSERT_TRUE(stub->GetStatement(ctx.get(), get, &statement).ok());
  EXPECT_EQ(statement.pubstatus(), pressrelay::common::v1::PUB_STATUS_CANCELED);
  EXPECT_EQ(statement.signal_reason(), "Thông tin chưa được kiểm chứng");
  dist::ReviseRequest again;
  again.set_statement_id(id);
  again.set_signal(pressrelay::common::v1::VERSION_SIGNAL_UPDATE);
  EXPECT_EQ(suite_->Revise(spokesperson_, again).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(Lifecycle, FlashItemsAndUpdatesTakeTheirLanesAndTheReportListsWhoHasNotConfirmed) {
  Start();
  const std::string newsroom = Newsroom("wire-ingest");
  auto rid = suite_->PutJournalist("B-00042", "ttxvn");
  ASSERT_TRUE(rid.ok());
  reg::Subscription s;
  s.set_recipient_id(*rid);
  s.add_agency_codes("MOH");
  ASSERT_TRUE(suite_->SetSubscription(s).ok());
  const std::string journalist = *suite_->IssueToken(reg::SUBJECT_KIND_JOURNALIST, "B-00042");

  auto original = Publish(MakeDraft("MOH", "Thông cáo ban đầu"));
  const std::string id = original.statement().id();
  for (int i = 0; i < 30; ++i) Publish(MakeDraft("MOH", absl::StrCat("Tin thường ", i)));
  // A flash item (urgency 1) and an update of the first statement (routine urgency: it keeps
  // its place in line) after 30 routine items.
  auto flash = Publish(MakeDraft("MOH", "Khẩn: sự cố hóa chất tại Hải Phòng", {}, "", /*urgency=*/1));
  auto updated_draft = MakeDraft("MOH", "Thông cáo ban đầu (cập nhật giờ họp báo)");
  auto update = Revise(id, pressrelay::common::v1::VERSION_SIGNAL_UPDATE, "Đổi giờ họp báo", &updated_draft);
  EXPECT_EQ(update.statement().version(), 2);
  EXPECT_EQ(update.recipients_queued(), 2);

  for (const std::string& token : {newsroom, journalist}) {
    auto stream = Connect(token);
    ASSERT_TRUE(stream->WaitForCount(33, kWait)) << stream->count();
    const auto got = stream->deliveries();
    // The flash item jumps the queue; the routine items and the update follow in order.
    EXPECT_EQ(got[0].statement().id(), flash.statement().id());
    EXPECT_EQ(got[0].lane(), sub::LANE_PRIORITY);
    EXPECT_EQ(got[1].statement().headline(), "Thông cáo ban đầu");
    EXPECT_EQ(got[2].statement().headline(), "Tin thường 0");
    EXPECT_EQ(got.back().statement().id(), id);
    EXPECT_EQ(got.back().statement().version(), 2);
    EXPECT_EQ(got.back().statement().signal(), pressrelay::common::v1::VERSION_SIGNAL_UPDATE);
    EXPECT_EQ(got.back().statement().signal_reason(), "Đổi giờ họp báo");
    EXPECT_EQ(got.back().lane(), sub::LANE_ROUTINE);
    // Only the newsroom confirms the update (its last delivery).
    if (token == newsroom) {
      ASSERT_TRUE(stream->AckLast().ok());
    }
  }
  // The spokesperson asks who has not confirmed the update: the journalist, by outlet.
  auto unconfirmed = Report(id, 2, /*only_unacknowledged=*/true);
  ASSERT_TRUE(unconfirmed.ok()) << unconfirmed.status();
  const dist::DeliveryReport& report = *unconfirmed;
  EXPECT_EQ(report.recipients_matched(), 2);
  EXPECT_EQ(report.acknowledged(), 1);
  ASSERT_EQ(report.recipients_size(), 1);
  EXPECT_EQ(report.recipients(0).recipient_id(), "journalist:B-00042");
  EXPECT_EQ(report.recipients(0).outlet_name(), "Thông tấn xã Việt Nam");
  EXPECT_TRUE(IsSet(report.recipients(0).sent_at()));
  EXPECT_FALSE(IsSet(report.recipients(0).acknowledged_at()));
}

TEST_F(Lifecycle, CorrectionReachesEveryoneWhoHadItEvenAfterTheirSubscriptionChanged) {
  Start();
  const std::string had = Newsroom("had-it");
  const std::string never = Newsroom("never", "wire", {"MOF"});
  auto v1 = Publish(MakeDraft("MOH", "Số liệu ban đầu"));
  ASSERT_EQ(v1.recipients_queued(), 1);
  // The recipient who had it now only wants MOF; another newsroom starts wanting MOH.
  reg::Subscription moved;
  moved.set_recipient_id("client:had-it");
  moved.add_agency_codes("MOF");
  ASSERT_TRUE(suite_->SetSubscription(moved).ok());
  const std::string newcomer = Newsroom("newcomer");

  auto corrected = MakeDraft("MOH", "Số liệu đã được đính chính");
  auto v2 = Revise(v1.statement().id(), pressrelay::common::v1::VERSION_SIGNAL_CORRECTION, "Sửa số liệu ở đoạn 2",
                   &corrected);
  EXPECT_EQ(v2.recipients_matched(), 2);  // who had it, and who matches it now
  auto s_had = Connect(had);
  auto s_new = Connect(newcomer);
  auto s_never = Connect(never);
  ASSERT_EQ(s_had->count(), 2u);
  EXPECT_EQ(s_had->deliveries()[0].statement().signal(), pressrelay::common::v1::VERSION_SIGNAL_CORRECTION);
  EXPECT_EQ(s_had->deliveries()[0].lane(), sub::LANE_PRIORITY);  // corrections overtake
  EXPECT_EQ(s_had->deliveries()[1].statement().version(), 1);
  ASSERT_EQ(s_new->count(), 1u);
  EXPECT_EQ(s_new->deliveries()[0].statement().version(), 2);
  EXPECT_EQ(s_never->count(), 0u);
  // A withhold goes to both who had a version, nobody else.
  auto held = Revise(v1.statement().id(), pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD, "Tạm dừng đăng");
  EXPECT_EQ(held.recipients_matched(), 2);
  EXPECT_EQ(held.statement().pubstatus(), pressrelay::common::v1::PUB_STATUS_WITHHELD);
  ASSERT_TRUE(s_had->WaitForCount(3, kWait));
  ASSERT_TRUE(s_new->WaitForCount(2, kWait));
  EXPECT_EQ(s_never->count(), 0u);
}

TEST_F(Lifecycle, AReaderThatNeverReadsIsDisconnectedWhileOthersKeepReceiving) {
  Start(SuiteOptions{.subscription_flags = {"--stall_timeout", "2s", "--outbox_limit", "16",
                                            "--statement_cache_bytes", "8000000"}});
  std::vector<std::unique_ptr<TestSubscriber>> readers;
  for (int i = 0; i < 20; ++i) readers.push_back(Connect(Newsroom(absl::StrCat("reader-", i))));
  // The stuck newsroom is a real process (the CLI) that we freeze: its socket stops being
  // read, as with a hung host, and the kernel buffers between us fill up.
  WriteFile(suite_->dir() + "/stuck.token", Newsroom("stuck"));
  ChildProcess stuck;
  ASSERT_TRUE(stuck
                  .Start({BinaryPath("pressrelay"), "--subscription", suite_->subscription_address(), "--token-file",
                          suite_->dir() + "/stuck.token", "subscribe", "--cursor-file",
                          suite_->dir() + "/stuck.cursor", "--no-ack"},
                         suite_->dir() + "/stuck.log")
                  .ok());
  // Its stream is open once the server has it registered: wait until a first statement
  // reaches it, then freeze it.
  Publish(MakeDraft("MOH", "Bản tin mở đầu"));
  ASSERT_TRUE(stuck.WaitForLine("{", kWait).ok()) << ReadFile(suite_->dir() + "/stuck.log");
  for (auto& r : readers) ASSERT_TRUE(r->WaitForCount(1, kWait));
  stuck.Signal(SIGSTOP);

  auto rss_before = suite_->subscription().RssKib();
  ASSERT_TRUE(rss_before.ok());
  constexpr int kStatements = 300;
  auto draft = MakeDraft("MOH", "x");
  draft.set_body(std::string(64 * 1024, 'b'));  // 300 x 64 KiB = 19 MB for each reader
  for (int i = 0; i < kStatements; ++i) {
    draft.set_headline(absl::StrCat("Bản tin ", i));
    Publish(draft);
  }
  for (auto& r : readers) ASSERT_TRUE(r->WaitForCount(kStatements + 1, kWait)) << r->count();
  auto rss_after = suite_->subscription().RssKib();
  ASSERT_TRUE(rss_after.ok());
  const int64_t growth_kib = *rss_after - *rss_before;
  RecordProperty("subscription_rss_growth_kib", std::to_string(growth_kib));
  // What the frozen reader did not take stays in Redis, not in the service: at most its
  // outbox (shared statement frames) and one message in flight. Buffering all 19 MB for
  // it, or 300 messages, would show here.
  EXPECT_LT(growth_kib, 16 * 1024) << "subscription service grew " << growth_kib << " KiB";

  // The stall timeout (2 s without write progress) cuts it off, as the service logs...
  ASSERT_TRUE(suite_->subscription().WaitForLog("of client:stuck: no write progress", kWait).ok());
  // ...and thawed, it finds its stream ended part-way; resuming from its cursor file gives it
  // exactly the rest.
  stuck.Signal(SIGCONT);
  auto out = stuck.ReadToEnd(kWait);
  ASSERT_TRUE(out.ok());
  auto exited = stuck.Wait(kWait);
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) != 0);
  // It is told why, as a lagging reader is (not a bare "CANCELLED: Cancelled on the server
  // side"): the status overtakes the message stuck behind its full window.
  EXPECT_NE(ReadFile(suite_->dir() + "/stuck.log").find("RESOURCE_EXHAUSTED: reading too slowly"), std::string::npos)
      << ReadFile(suite_->dir() + "/stuck.log");
  const size_t got = std::count(out->begin(), out->end(), '\n') - 1;  // minus the opening bulletin
  EXPECT_LT(got, static_cast<size_t>(kStatements));
  ChildProcess resumed;
  ASSERT_TRUE(resumed
                  .Start({BinaryPath("pressrelay"), "--subscription", suite_->subscription_address(), "--token-file",
                          suite_->dir() + "/stuck.token", "subscribe", "--cursor-file",
                          suite_->dir() + "/stuck.cursor", "--until-caught-up"},
                         suite_->dir() + "/resumed.log")
                  .ok());
  auto rest = resumed.ReadToEnd(kWait);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(static_cast<size_t>(std::count(rest->begin(), rest->end(), '\n')), kStatements - got);
  EXPECT_NE(rest->find(absl::StrCat("\"headline\":\"Bản tin ", got, "\"")), std::string::npos);
}

TEST_F(Lifecycle, AReaderThatFallsTooFarBehindIsToldSoAndResumesFromItsCursor) {
  Start(SuiteOptions{.subscription_flags = {"--max_lag", "1s", "--stall_timeout", "120s", "--outbox_limit", "4"}});
  const std::string token = Newsroom("slow");
  // A newsroom that reads the opening message and one delivery, then pauses (a long ingest,
  // a busy host) with its HTTP/2 window full.
  TestSubscriber slow(suite_->subscription_address(), token);
  slow.SetReadLimit(2);
  slow.Start();
  ASSERT_TRUE(slow.WaitCaughtUp(kWait));
  constexpr int kStatements = 40;
  auto draft = MakeDraft("MOH", "x");
  draft.set_body(std::string(32 * 1024, 'b'));  // 40 x 32 KiB: far more than its window
  for (int i = 0; i < kStatements; ++i) {
    draft.set_headline(absl::StrCat("Bản tin ", i));
    Publish(draft);
  }
  ASSERT_TRUE(slow.WaitForCount(1, kWait));
  // What waits for it is older than max_lag: the service ends the stream with a status that
  // says why, which the newsroom reads as soon as it reads again.
  ASSERT_TRUE(suite_->subscription().WaitForLog("of client:slow: ", kWait).ok());
  ASSERT_TRUE(suite_->subscription().WaitForLog("behind; ending it", kWait).ok());
  slow.ResumeReading();
  ASSERT_TRUE(slow.WaitEnded(kWait));
  EXPECT_EQ(slow.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << slow.status().error_message();
  EXPECT_TRUE(absl::StrContains(slow.status().error_message(), "reading too slowly")) << slow.status().error_message();
  const auto got = slow.deliveries();
  ASSERT_FALSE(got.empty());
  ASSERT_LT(got.size(), static_cast<size_t>(kStatements));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].statement().headline(), absl::StrCat("Bản tin ", i));

  // Resuming from the last cursor it processed gives it exactly the rest, in order.
  TestSubscriber resumed(suite_->subscription_address(), token, got.back().cursor());
  resumed.Start();
  ASSERT_TRUE(resumed.WaitForCount(kStatements - got.size(), kWait)) << resumed.count();
  ASSERT_TRUE(resumed.WaitCaughtUp(kWait));
  const auto rest = resumed.deliveries();
  ASSERT_EQ(rest.size(), kStatements - got.size());
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(rest[i].statement().headline(), absl::StrCat("Bản tin ", got.size() + i));
  }
}

TEST_F(Lifecycle, ACursorOlderThanRetentionGetsTheDocumentedError) {
  Start(SuiteOptions{.distribution_flags = {"--queue_max_entries", "5"}});
  const std::string token = Newsroom("reader");
  std::string old_cursor;
  {
    auto s = Connect(token);
    Publish(MakeDraft("MOH", "Bản tin 0"));
    ASSERT_TRUE(s->WaitForCount(1, kWait));
    old_cursor = s->deliveries()[0].cursor();
  }
  for (int i = 1; i <= 10; ++i) Publish(MakeDraft("MOH", absl::StrCat("Bản tin ", i)));

  TestSubscriber stale(suite_->subscription_address(), token, old_cursor);
  stale.Start();
  ASSERT_TRUE(stale.WaitEnded(kWait));
  EXPECT_EQ(stale.status().error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(stale.status().error_message().find("History"), std::string::npos) << stale.status().error_message();
  EXPECT_NE(stale.status().error_message().find("from_oldest_retained"), std::string::npos);
  EXPECT_EQ(stale.count(), 0u);

  // What the error says to do works: back-fill through History, then the retained queue.
  auto stub = suite_->Subscription();
  sub::HistoryRequest history;
  history.set_page_size(100);
  sub::HistoryResponse page;
  auto ctx = CallContext(token, kWait);
  ASSERT_TRUE(stub->History(ctx.get(), history, &page).ok());
  EXPECT_EQ(page.statements_size(), 11);
  TestSubscriber oldest(suite_->subscription_address(), token, "", /*from_oldest=*/true);
  oldest.Start();
  ASSERT_TRUE(oldest.WaitCaughtUp(kWait));
  ASSERT_EQ(oldest.count(), 5u);
  EXPECT_EQ(oldest.deliveries()[0].statement().headline(), "Bản tin 6");
}

TEST_F(Lifecycle, ACursorOlderThanTheRetentionAgeGetsTheDocumentedErrorToo) {
  Start(SuiteOptions{.distribution_flags = {"--queue_max_age", "2s", "--retention_sweep_interval", "200ms"}});
  const std::string token = Newsroom("reader");
  std::string old_cursor;
  {
    auto s = Connect(token);
    Publish(MakeDraft("MOH", "Bản tin cũ"));
    ASSERT_TRUE(s->WaitForCount(1, kWait));
    old_cursor = s->deliveries()[0].cursor();
  }
  Publish(MakeDraft("MOH", "Bản tin mới hơn"));
  // The sweep drops entries older than 2 s from the queues (and says so). Only once the newer
  // one is gone too does the old cursor point before a gap (a sweep may take the two apart
  // when the publishes were more than a sweep interval apart): until the queue is empty.
  ASSERT_TRUE(suite_->distribution().WaitForLog("retention sweep: dropped", kWait).ok());
  auto redis = suite_->redis().Client();
  auto queued = [&redis]() {
    int64_t n = 0;
    auto keys = redis.Run({"KEYS", "q:*:client:reader:*"});
    for (size_t i = 0; keys.ok() && i < keys->size(); ++i) n += redis.Run({"ZCARD", (*keys)[i].str()})->integer();
    return n;
  };
  for (const absl::Time deadline = absl::Now() + kWait; queued() > 0 && absl::Now() < deadline;) {
    absl::SleepFor(absl::Milliseconds(50));  // a sweep runs every 200 ms
  }
  ASSERT_EQ(queued(), 0);
  TestSubscriber stale(suite_->subscription_address(), token, old_cursor);
  stale.Start();
  ASSERT_TRUE(stale.WaitEnded(kWait));
  EXPECT_EQ(stale.status().error_code(), grpc::StatusCode::OUT_OF_RANGE) << stale.status().error_message();
  EXPECT_NE(stale.status().error_message().find("History"), std::string::npos) << stale.status().error_message();
  EXPECT_EQ(stale.count(), 0u);
  // History still has both statements for the back-fill.
  auto stub = suite_->Subscription();
  sub::HistoryRequest history;
  sub::HistoryResponse page;
  auto ctx = CallContext(token, kWait);
  ASSERT_TRUE(stub->History(ctx.get(), history, &page).ok());
  EXPECT_EQ(page.statements_size(), 2);
}

TEST_F(Lifecycle, ARedisThatLostItsDataIsDetectedNotPaperedOver) {
  Start();
  const std::string token = Newsroom("reader");
  auto s = Connect(token);
  Publish(MakeDraft("MOH", "Trước sự cố"));
  ASSERT_TRUE(s->WaitForCount(1, kWait));
  const std::string cursor = s->deliveries()[0].cursor();

  // Redis comes back empty (its disk was lost).
  suite_->redis().Kill();
  std::filesystem::remove_all(suite_->dir() + "/appendonlydir");
  ASSERT_TRUE(suite_->redis().Restart().ok());
  // The open stream is ended with FAILED_PRECONDITION, not left silent.
  ASSERT_TRUE(s->WaitEnded(kWait));
  EXPECT_EQ(s->status().error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Set the registry up again (it lost its data too) and resume with the old cursor.
  ASSERT_TRUE(suite_->RestartRegistry().ok());
  ASSERT_TRUE(suite_->PutOutlet("wire", "Test wire").ok());
  const std::string fresh = Newsroom("reader");
  // As a newsroom client would: UNAVAILABLE (the subscription service's channel to the
  // restarted registry still reconnecting) is retried; the answer that counts is the next.
  grpc::Status answer;
  for (const absl::Time deadline = absl::Now() + kWait; absl::Now() < deadline;) {
    TestSubscriber resumed(suite_->subscription_address(), fresh, cursor);
    resumed.Start();
    ASSERT_TRUE(resumed.WaitEnded(kWait));
    answer = resumed.status();
    if (answer.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(200));  // the client's back-off
  }
  EXPECT_EQ(answer.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << answer.error_message();
  EXPECT_NE(answer.error_message().find("reset"), std::string::npos);
}

}  // namespace
}  // namespace pressrelay::testing
