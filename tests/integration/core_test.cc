// The core, end to end, against a real redis-server and the three real service binaries.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/domain/signing.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

// Three outlets' newsroom systems and two journalists with different filters; the
// Ministry of Health (MOH) and of Finance (MOF) with one spokesperson each.
class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_.PutAgency("MOF", "Bộ Tài chính").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("mof-sp", "MOF").ok());
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    ASSERT_TRUE(suite_.PutOutlet("thanhnien", "Báo Thanh Niên").ok());
    ASSERT_TRUE(suite_.PutOutlet("vnexpress", "VnExpress").ok());
    moh_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
    mof_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "mof-sp");
  }

  // Registers a recipient with a subscription and returns its token.
  std::string Recipient(const std::string& kind, const std::string& id, const std::string& outlet,
                        const reg::Subscription& filter) {
    auto rid = kind == "client" ? suite_.PutClient(id, outlet) : suite_.PutJournalist(id, outlet);
    EXPECT_TRUE(rid.ok()) << rid.status();
    reg::Subscription s = filter;
    s.set_recipient_id(*rid);
    EXPECT_TRUE(suite_.SetSubscription(s).ok());
    auto token = suite_.IssueToken(kind == "client" ? reg::SUBJECT_KIND_NEWSROOM_CLIENT : reg::SUBJECT_KIND_JOURNALIST, id);
    EXPECT_TRUE(token.ok());
    return *token;
  }

  std::unique_ptr<TestSubscriber> Subscribe(const std::string& token, const std::string& cursor = "") {
    auto s = std::make_unique<TestSubscriber>(suite_.subscription_address(), token, cursor);
    s->Start();
    EXPECT_TRUE(s->WaitCaughtUp(kWait));
    return s;
  }

  int64_t QueueLength(const std::string& recipient_id) {
    auto redis = suite_.redis().Client();
    int64_t total = 0;
    auto keys = redis.Run({"KEYS", absl::StrCat("q:*:", recipient_id, ":*")});
    for (size_t i = 0; i < keys->size(); ++i) total += redis.Run({"ZCARD", (*keys)[i].str()})->integer();
    return total;
  }

  Suite suite_;
  std::string moh_, mof_;
};

reg::Subscription Filter(std::vector<std::string> agencies, std::vector<std::string> topics = {},
                         std::vector<std::string> regions = {}, std::vector<std::string> languages = {}) {
  reg::Subscription s;
  for (auto& a : agencies) s.add_agency_codes(a);
  for (auto& t : topics) s.add_topics(t);
  for (auto& r : regions) s.add_region_codes(r);
  for (auto& l : languages) s.add_languages(l);
  return s;
}

TEST_F(CoreTest, StatementReachesExactlyTheMatchingRecipients) {
  const std::string tuoitre = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}, {"health"}));
  const std::string thanhnien = Recipient("client", "thanhnien-cms", "thanhnien", Filter({"MOH"}));
  const std::string vnexpress = Recipient("client", "vnexpress-cms", "vnexpress", Filter({"MOF"}));
  const std::string hanoi = Recipient("journalist", "B-00001", "tuoitre", Filter({}, {}, {"VN-HN"}));
  const std::string english = Recipient("journalist", "B-00002", "thanhnien", Filter({}, {}, {}, {"en"}));

  auto s_tuoitre = Subscribe(tuoitre);
  auto s_thanhnien = Subscribe(thanhnien);
  auto s_vnexpress = Subscribe(vnexpress);
  auto s_hanoi = Subscribe(hanoi);
  auto s_english = Subscribe(english);

  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Cảnh báo dịch sốt xuất huyết tại Hà Nội", {"health"}, "VN-HN"));
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->recipients_matched(), 3);
  EXPECT_EQ(published->recipients_queued(), 3);
  const std::string id = published->statement().id();

  for (auto* s : {s_tuoitre.get(), s_thanhnien.get(), s_hanoi.get()}) {
    ASSERT_TRUE(s->WaitForCount(1, kWait));
    EXPECT_EQ(s->deliveries()[0].statement().id(), id);
  }
  // The others have nothing queued...
  EXPECT_EQ(QueueLength("client:vnexpress-cms"), 0);
  EXPECT_EQ(QueueLength("journalist:B-00002"), 0);
  // ...and receive nothing: a later statement they do match arrives first and alone.
  auto marker = MakeDraft("MOF", "Finance update", {}, "", 5, "en");
  ASSERT_TRUE(suite_.Publish(mof_, marker).ok());
  ASSERT_TRUE(s_vnexpress->WaitForCount(1, kWait));
  ASSERT_TRUE(s_english->WaitForCount(1, kWait));
  EXPECT_EQ(s_vnexpress->deliveries()[0].statement().headline(), "Finance update");
  EXPECT_EQ(s_english->deliveries()[0].statement().headline(), "Finance update");
  EXPECT_EQ(s_vnexpress->count(), 1u);
  EXPECT_EQ(s_english->count(), 1u);
  // The matching ones got exactly one delivery each of the first (the marker is MOF/en:
  // only the Hà Nội journalist, who has no agency filter, also matches it).
  EXPECT_EQ(s_tuoitre->count(), 1u);
  EXPECT_EQ(s_thanhnien->count(), 1u);
}

// A newsroom may hold several streams (a desk each): every one of them gets each live
// statement once, in order, including statements published back to back, which the
// dispatcher offers together (one event batch, one offer per stream for all it holds).
TEST_F(CoreTest, EveryOpenStreamOfARecipientGetsEachLiveStatementOnceAndInOrder) {
  const std::string tuoitre = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  const std::string thanhnien = Recipient("client", "thanhnien-cms", "thanhnien", Filter({"MOH"}));
  auto desk1 = Subscribe(tuoitre);
  auto desk2 = Subscribe(tuoitre);
  auto other = Subscribe(thanhnien);

  constexpr int kStatements = 6;
  std::vector<std::string> ids;
  for (int i = 0; i < kStatements; ++i) {
    auto published = suite_.Publish(moh_, MakeDraft("MOH", absl::StrCat("Thông cáo số ", i + 1)));
    ASSERT_TRUE(published.ok()) << published.status();
    ids.push_back(published->statement().id());
  }
  // A last statement after the burst: anything delivered twice would come before it.
  auto last = suite_.Publish(moh_, MakeDraft("MOH", "Thông cáo cuối"));
  ASSERT_TRUE(last.ok()) << last.status();
  ids.push_back(last->statement().id());
  for (auto* s : {desk1.get(), desk2.get(), other.get()}) {
    ASSERT_TRUE(s->WaitForCount(ids.size(), kWait)) << s->count();
    std::vector<std::string> got;
    for (const auto& d : s->deliveries()) got.push_back(d.statement().id());
    EXPECT_EQ(got, ids);
  }
}

TEST_F(CoreTest, OnlyACurrentSpokespersonOfTheAgencyMayPublish) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({}));
  ASSERT_TRUE(suite_.PutSpokesperson("moh-former", "MOH", absl::Now() - absl::Hours(48), absl::Now() - absl::Hours(1)).ok());
  ASSERT_TRUE(suite_.PutSpokesperson("moh-future", "MOH", absl::Now() + absl::Hours(24)).ok());
  const std::string former = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-former");
  const std::string future = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-future");

  for (const auto& [token, agency] : std::vector<std::pair<std::string, std::string>>{
           {former, "MOH"}, {future, "MOH"}, {mof_, "MOH"}}) {
    auto r = suite_.Publish(token, MakeDraft(agency, "Không được phép"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << r.status();
  }
  // Newsroom tokens cannot publish at all.
  auto r = suite_.Publish(reader, MakeDraft("MOH", "Không được phép"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << r.status();
  // Nothing stored, nothing queued.
  auto redis = suite_.redis().Client();
  EXPECT_EQ(redis.Run({"ZCARD", "{dist}:st:index"})->integer(), 0);
  EXPECT_EQ(QueueLength("client:tuoitre-cms"), 0);
}

// Revising is publishing: only a currently valid spokesperson of the issuing agency may
// update, correct, withhold or kill, and a refused revision changes nothing.
TEST_F(CoreTest, OnlyACurrentSpokespersonOfTheIssuingAgencyMayReviseIt) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto stream = Subscribe(reader);
  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Thông cáo gốc"));
  ASSERT_TRUE(published.ok()) << published.status();
  const std::string id = published->statement().id();
  ASSERT_TRUE(stream->WaitForCount(1, kWait));

  ASSERT_TRUE(suite_.PutSpokesperson("moh-former", "MOH", absl::Now() - absl::Hours(48), absl::Now() - absl::Hours(1)).ok());
  const std::string former = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-former");
  using common::v1::VersionSignal;
  for (const std::string& token : {former, mof_, reader}) {
    for (VersionSignal signal : {common::v1::VERSION_SIGNAL_UPDATE, common::v1::VERSION_SIGNAL_CORRECTION,
                                 common::v1::VERSION_SIGNAL_WITHHOLD, common::v1::VERSION_SIGNAL_KILL}) {
      dist::ReviseRequest request;
      request.set_statement_id(id);
      request.set_signal(signal);
      request.set_reason("Không được phép");
      if (signal == common::v1::VERSION_SIGNAL_UPDATE || signal == common::v1::VERSION_SIGNAL_CORRECTION) {
        *request.mutable_draft() = MakeDraft("MOH", "Nội dung giả mạo");
      }
      auto r = suite_.Revise(token, request);
      ASSERT_FALSE(r.ok()) << "signal " << signal;
      EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << "signal " << signal << ": " << r.status();
    }
  }
  EXPECT_EQ(QueueLength("client:tuoitre-cms"), 1);
  // The agency's own spokesperson may: the kill is version 2, the first new one, and it is
  // the only thing the newsroom received after the original.
  dist::ReviseRequest kill;
  kill.set_statement_id(id);
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thông tin chưa được kiểm chứng");
  auto killed = suite_.Revise(moh_, kill);
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_EQ(killed->statement().version(), 2);
  ASSERT_TRUE(stream->WaitForCount(2, kWait));
  EXPECT_EQ(stream->deliveries()[1].statement().version(), 2);
  EXPECT_EQ(stream->deliveries()[1].statement().pubstatus(), common::v1::PUB_STATUS_CANCELED);
  EXPECT_EQ(stream->deliveries()[1].statement().headline(), "Thông cáo gốc");
}

TEST_F(CoreTest, BadRevisionsAreRefusedNamingTheFieldAndWriteNothing) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Thông cáo gốc"));
  ASSERT_TRUE(published.ok()) << published.status();
  const std::string id = published->statement().id();
  auto request = [&](common::v1::VersionSignal signal, const std::string& reason) {
    dist::ReviseRequest r;
    r.set_statement_id(id);
    r.set_signal(signal);
    r.set_reason(reason);
    return r;
  };
  struct Case {
    std::string what;
    dist::ReviseRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({"kill without a reason", request(common::v1::VERSION_SIGNAL_KILL, ""), "reason"});
  cases.push_back({"correction without a reason", request(common::v1::VERSION_SIGNAL_CORRECTION, ""), "reason"});
  cases.push_back({"no signal", request(common::v1::VERSION_SIGNAL_UNSPECIFIED, "x"), "signal"});
  cases.push_back({"PUBLISH is not a revision", request(common::v1::VERSION_SIGNAL_PUBLISH, "x"), "signal"});
  cases.push_back({"unknown signal", request(static_cast<common::v1::VersionSignal>(99), "x"), "signal"});
  cases.push_back({"no statement id", request(common::v1::VERSION_SIGNAL_KILL, "x"), "statement_id"});
  cases.back().request.clear_statement_id();
  cases.push_back({"a kill with content", request(common::v1::VERSION_SIGNAL_KILL, "x"), "draft"});
  *cases.back().request.mutable_draft() = MakeDraft("MOH", "y");
  cases.push_back({"a correction without a headline", request(common::v1::VERSION_SIGNAL_CORRECTION, "x"), "draft.headline"});
  *cases.back().request.mutable_draft() = MakeDraft("MOH", "");
  cases.push_back({"a correction moving the statement to another agency",
                   request(common::v1::VERSION_SIGNAL_CORRECTION, "x"), "draft.agency_code"});
  *cases.back().request.mutable_draft() = MakeDraft("MOF", "y");
  cases.push_back({"a reason too long", request(common::v1::VERSION_SIGNAL_KILL, std::string(5000, 'x')), "reason"});
  for (const Case& c : cases) {
    auto r = suite_.Revise(moh_, c.request);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.what << ": " << r.status();
    EXPECT_EQ(ErrorField(r.status()), c.field) << c.what << ": " << r.status();
  }
  auto missing = suite_.Revise(moh_, [&] {
    auto r = request(common::v1::VERSION_SIGNAL_KILL, "x");
    r.set_statement_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
    return r;
  }());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  // Nothing was written: still one statement, one queued version, and the next valid
  // revision is version 2.
  auto redis = suite_.redis().Client();
  EXPECT_EQ(redis.Run({"ZCARD", "{dist}:st:index"})->integer(), 1);
  EXPECT_EQ(QueueLength("client:tuoitre-cms"), 1);
  auto corrected = suite_.Revise(moh_, [&] {
    auto r = request(common::v1::VERSION_SIGNAL_CORRECTION, "Sửa tiêu đề");
    *r.mutable_draft() = MakeDraft("MOH", "Thông cáo đã sửa");
    return r;
  }());
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(corrected->statement().version(), 2);
  EXPECT_EQ(QueueLength("client:tuoitre-cms"), 2);
}

TEST_F(CoreTest, BadInputIsRefusedNamingTheField) {
  auto draft = MakeDraft("MOH", "");
  auto r = suite_.Publish(moh_, draft);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(r.status()), "draft.headline");
  auto anonymous = suite_.Publish("", MakeDraft("MOH", "x"));
  EXPECT_EQ(anonymous.status().code(), absl::StatusCode::kUnauthenticated);
  auto forged = suite_.Publish("prt_forged", MakeDraft("MOH", "x"));
  EXPECT_EQ(forged.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CoreTest, RetriedPublishWithTheSameKeyFansOutOnce) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto sub = Subscribe(reader);
  auto draft = MakeDraft("MOH", "Thông cáo một lần");
  auto first = suite_.Publish(moh_, draft, "retry-key-1");
  auto second = suite_.Publish(moh_, draft, "retry-key-1");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->statement().id(), second->statement().id());
  EXPECT_FALSE(first->replayed());
  EXPECT_TRUE(second->replayed());
  EXPECT_EQ(second->recipients_queued(), 1);
  EXPECT_EQ(QueueLength("client:tuoitre-cms"), 1);
  // The same key with another statement is refused.
  auto other = suite_.Publish(moh_, MakeDraft("MOH", "Khác"), "retry-key-1");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  // The reader got it once: the next statement is its second delivery.
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Tiếp theo")).ok());
  ASSERT_TRUE(sub->WaitForCount(2, kWait));
  auto got = sub->deliveries();
  EXPECT_EQ(got[0].statement().id(), first->statement().id());
  EXPECT_EQ(got[1].statement().headline(), "Tiếp theo");
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(CoreTest, ReconnectingWithACursorYieldsExactlyWhatWasMissed) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto first = Subscribe(reader);
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Số 1")).ok());
  ASSERT_TRUE(first->WaitForCount(1, kWait));
  const std::string cursor = first->deliveries()[0].cursor();
  first->Stop();

  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Số 2")).ok());
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Số 3")).ok());

  auto again = Subscribe(reader, cursor);
  ASSERT_TRUE(again->WaitForCount(2, kWait));
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Số 4")).ok());
  ASSERT_TRUE(again->WaitForCount(3, kWait));
  std::vector<std::string> headlines;
  for (const auto& d : again->deliveries()) headlines.push_back(d.statement().headline());
  EXPECT_EQ(headlines, (std::vector<std::string>{"Số 2", "Số 3", "Số 4"}));
}

TEST_F(CoreTest, WithoutACursorAStreamResumesAfterTheLastAcknowledgement) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto first = Subscribe(reader);
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Một")).ok());
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Hai")).ok());
  ASSERT_TRUE(first->WaitForCount(2, kWait));
  // Acknowledge only the first.
  {
    auto stub = suite_.Subscription();
    sub::AckRequest ack;
    ack.set_cursor(first->deliveries()[0].cursor());
    sub::AckResponse r;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + reader);
    ASSERT_TRUE(stub->Ack(&ctx, ack, &r).ok());
  }
  first->Stop();
  auto again = Subscribe(reader);
  ASSERT_EQ(again->count(), 1u);
  EXPECT_EQ(again->deliveries()[0].statement().headline(), "Hai");
}

TEST_F(CoreTest, VietnameseTextArrivesByteIdentical) {
  const std::string reader = Recipient("journalist", "B-00042", "tuoitre", Filter({"MOH"}));
  auto sub = Subscribe(reader);
  auto draft = MakeDraft("MOH", "Chỉ thị về tăng cường công tác phát ngôn và cung cấp thông tin cho báo chí");
  draft.set_summary("Thực hiện Nghị định số 09/2017/NĐ-CP ngày 09/02/2017 của Chính phủ.");
  draft.set_body(
      "Căn cứ Nghị định số 09/2017/NĐ-CP ngày 09 tháng 02 năm 2017 của Chính phủ quy định chi tiết việc phát ngôn "
      "và cung cấp thông tin cho báo chí của các cơ quan hành chính nhà nước, và Chỉ thị số 07/CT-TTg năm 2023 của "
      "Thủ tướng Chính phủ về tăng cường công tác phát ngôn, cung cấp thông tin cho báo chí, Bộ trưởng Bộ Y tế yêu "
      "cầu thủ trưởng các đơn vị thuộc Bộ khẩn trương, nghiêm túc thực hiện; kịp thời, chính xác, đầy đủ — "
      "không được chậm trễ, né tránh. Người phát ngôn chịu trách nhiệm trước pháp luật về nội dung phát ngôn.\n\n"
      "Đoạn hai: ưu tiên ổn định đời sống người dân; khắc phục hậu quả thiên tai ở Quảng Ngãi, Đắk Lắk, Huế.");
  auto published = suite_.Publish(moh_, draft);
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(sub->WaitForCount(1, kWait));
  const auto got = sub->deliveries()[0].statement();
  EXPECT_EQ(got.headline(), draft.headline());
  EXPECT_EQ(got.summary(), draft.summary());
  EXPECT_EQ(got.body(), draft.body());
  EXPECT_EQ(got.SerializeAsString(), published->statement().SerializeAsString());
}

TEST_F(CoreTest, DecomposedVietnameseIsDeliveredAsNfcAndItsSignatureVerifies) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  auto sub = Subscribe(reader);
  // "Nghị định" and "Bộ Y tế" typed with combining marks (NFD), as some keyboards and
  // copy-paste from PDFs produce them.
  const std::string nfd_headline = "Ngh" "i\xCC\xA3" " \xC4\x91i\xCC\xA3nh m\xC6\xA1\xCC\x81i";
  const std::string nfc_headline = "Nghị định mới";
  ASSERT_NE(nfd_headline, nfc_headline);
  auto draft = MakeDraft("MOH", nfd_headline);
  draft.set_body("Bo\xCC\xA3\xCC\x82 Y te\xCC\x82\xCC\x81 tho\xCC\x82ng tin.");
  auto published = suite_.Publish(moh_, draft);
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(sub->WaitForCount(1, kWait));
  const auto got = sub->deliveries()[0].statement();
  EXPECT_EQ(got.headline(), nfc_headline);
  EXPECT_EQ(got.body(), "Bộ Y tế thông tin.");
  // Signed as delivered: the normalised text is what the agency's signature covers.
  auto keys = suite_.AgencyKeys(reader);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(signing::Verify(got, *keys).ok());
}

TEST_F(CoreTest, HistoryPagesThroughWhatTheRecipientIsEntitledTo) {
  const std::string reader = Recipient("client", "tuoitre-cms", "tuoitre", Filter({"MOH"}));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", absl::StrCat("Bộ Y tế ", i))).ok());
  ASSERT_TRUE(suite_.Publish(mof_, MakeDraft("MOF", "Bộ Tài chính")).ok());
  auto stub = suite_.Subscription();
  std::vector<std::string> headlines;
  std::string token;
  do {
    sub::HistoryRequest request;
    request.set_page_size(2);
    request.set_page_token(token);
    sub::HistoryResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + reader);
    ASSERT_TRUE(stub->History(&ctx, request, &response).ok());
    for (const auto& s : response.statements()) headlines.push_back(s.headline());
    token = response.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(headlines, (std::vector<std::string>{"Bộ Y tế 4", "Bộ Y tế 3", "Bộ Y tế 2", "Bộ Y tế 1", "Bộ Y tế 0"}));
}

}  // namespace
}  // namespace pressrelay::testing
