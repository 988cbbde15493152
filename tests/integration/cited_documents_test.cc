// Legal references, end to end: the wire reads what a statement cites, signs it with the
// statement, delivers it to subscriptions by cited document whatever agency issued it, and
// filters history by it. A real redis-server and the three real service binaries.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/domain/signing.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

class CitedDocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    moh_ = *suite_.AddSpeaker("MOH", "Bộ Y tế");
    mof_ = *suite_.AddSpeaker("MOF", "Bộ Tài chính");
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  }

  // A journalist subscribed to statements citing `cites` (as typed), and their token.
  std::string Journalist(const std::string& card, std::vector<std::string> cites) {
    reg::Subscription s;
    for (auto& c : cites) s.add_cites(c);
    auto token = suite_.AddJournalist(card, "tuoitre", s);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<TestSubscriber> Subscribe(const std::string& token) { return SubscribeCaughtUp(suite_, token, kWait); }

  std::string Publish(const std::string& token, const std::string& agency, const std::string& headline,
                      const std::string& body) {
    auto published = suite_.PublishText(token, agency, headline, body);
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? published->statement().id() : "";
  }

  absl::StatusOr<std::vector<std::string>> History(const std::string& token, const std::string& cites) {
    auto stub = suite_.Subscription();
    std::vector<std::string> ids;
    std::string page;
    do {
      sub::HistoryRequest request;
      request.set_cites(cites);
      request.set_page_token(page);
      sub::HistoryResponse response;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + token);
      grpc::Status status = stub->History(&ctx, request, &response);
      if (!status.ok()) return FromGrpcStatus(status);
      for (const auto& s : response.statements()) ids.push_back(s.id());
      page = response.next_page_token();
    } while (!page.empty());
    return ids;
  }

  Suite suite_;
  std::string moh_, mof_;
};

std::vector<std::string> IdsOf(const std::vector<sub::Delivery>& deliveries) {
  std::vector<std::string> out;
  for (const auto& d : deliveries) out.push_back(d.statement().id());
  return out;
}

TEST_F(CitedDocumentsTest, ASubscriptionByCitedDocumentGetsEveryAgencysStatementsCitingIt) {
  // Typed as a newsroom would: ASCII ND, lower case; the registry keeps the canonical form.
  const std::string decree = Journalist("TT-001", {"09/2017/nd-cp"});
  const std::string press_law = Journalist("TT-002", {"103/2016/QH13"});
  const std::string everything = Journalist("TT-003", {});
  {
    auto stub = suite_.Admin();
    reg::GetSubscriptionRequest request;
    request.set_recipient_id("journalist:TT-001");
    reg::Subscription stored;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + suite_.operator_token());
    ASSERT_TRUE(stub->GetSubscription(&ctx, request, &stored).ok());
    ASSERT_EQ(stored.cites_size(), 1);
    EXPECT_EQ(stored.cites(0), "09/2017/NĐ-CP");
  }
  auto s_decree = Subscribe(decree);
  auto s_press_law = Subscribe(press_law);
  auto s_everything = Subscribe(everything);

  const std::string cites_decree = Publish(
      moh_, "MOH", "Bộ Y tế thực hiện chế độ phát ngôn",
      "Thực hiện Nghị định số 09/2017/NĐ-CP ngày 08 tháng 02 năm 2017 của Chính phủ, Bộ Y tế "
      "công bố người phát ngôn.");
  const std::string cites_nothing = Publish(moh_, "MOH", "Lịch tiêm chủng", "Không dẫn văn bản nào.");
  const std::string cites_directive =
      Publish(mof_, "MOF", "Truyền thông chính sách", "Triển khai Chỉ thị 07/CT-TTg ngày 25/4/2023.");
  // Another agency, another spelling (Ð typed for Đ, spaces round the hyphen), and the
  // Press Law by its name only.
  const std::string cites_both = Publish(
      mof_, "MOF", "Bộ Tài chính cung cấp thông tin cho báo chí",
      "Theo Luật Báo chí và Nghị định 09/2017/NÐ - CP, Bộ Tài chính cung cấp thông tin định kỳ.");
  ASSERT_FALSE(cites_both.empty());

  // Lanes keep order: the last statement arriving means the ones between were not queued.
  ASSERT_TRUE(s_decree->WaitForCount(2, kWait));
  ASSERT_TRUE(s_press_law->WaitForCount(1, kWait));
  ASSERT_TRUE(s_everything->WaitForCount(4, kWait));
  EXPECT_EQ(IdsOf(s_decree->deliveries()), (std::vector<std::string>{cites_decree, cites_both}));
  EXPECT_EQ(IdsOf(s_press_law->deliveries()), (std::vector<std::string>{cites_both}));
  EXPECT_EQ(IdsOf(s_everything->deliveries()),
            (std::vector<std::string>{cites_decree, cites_nothing, cites_directive, cites_both}));

  // The references travel structured, with their date and span, and are signed.
  const common::v1::Statement first = s_decree->deliveries()[0].statement();
  ASSERT_EQ(first.references_size(), 1);
  const auto& ref = first.references(0);
  EXPECT_EQ(ref.canonical(), "09/2017/NĐ-CP");
  EXPECT_EQ(ref.type_name(), "Nghị định");
  EXPECT_EQ(ref.number(), "09");
  EXPECT_EQ(ref.year(), 2017);
  EXPECT_EQ(ref.issuer(), "CP");
  EXPECT_EQ(ref.issued_on(), "2017-02-08");
  EXPECT_EQ(ref.field(), "body");
  EXPECT_EQ(first.body().substr(ref.begin(), ref.end() - ref.begin()), "09/2017/NĐ-CP");
  const common::v1::Statement both = s_decree->deliveries()[1].statement();
  std::set<std::string> canonical;
  for (const auto& r : both.references()) canonical.insert(r.canonical());
  EXPECT_EQ(canonical, (std::set<std::string>{"103/2016/QH13", "09/2017/NĐ-CP"}));
  auto keys = suite_.AgencyKeys(decree);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(signing::Verify(first, *keys).ok());
  common::v1::Statement forged = first;
  forged.mutable_references(0)->set_canonical("10/2017/NĐ-CP");
  EXPECT_FALSE(signing::Verify(forged, *keys).ok());

  // A correction that drops the citation still reaches everyone who had the statement.
  dist::ReviseRequest correction;
  correction.set_statement_id(cites_decree);
  correction.set_signal(common::v1::VERSION_SIGNAL_CORRECTION);
  correction.set_reason("Bỏ trích dẫn sai");
  *correction.mutable_draft() = MakeDraft("MOH", "Bộ Y tế thực hiện chế độ phát ngôn");
  correction.mutable_draft()->set_body("Bộ Y tế công bố người phát ngôn.");
  auto corrected = suite_.Revise(moh_, correction);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(corrected->statement().references_size(), 0);
  ASSERT_TRUE(s_decree->WaitForCount(3, kWait));
  EXPECT_EQ(s_decree->deliveries()[2].statement().id(), cites_decree);
  EXPECT_EQ(s_decree->deliveries()[2].statement().version(), 2);

  // History filtered by a cited document, within what the recipient may see, in any spelling.
  auto directive = History(everything, "07/ct-ttg");
  ASSERT_TRUE(directive.ok()) << directive.status();
  EXPECT_EQ(*directive, (std::vector<std::string>{cites_directive}));
  auto press = History(everything, "103/2016/QH13");
  ASSERT_TRUE(press.ok()) << press.status();
  EXPECT_EQ(*press, (std::vector<std::string>{cites_both}));
  // The decree subscriber's history holds what cites the decree now (the corrected version
  // no longer does), and a filter outside the subscription finds nothing.
  auto decree_history = History(decree, "");
  ASSERT_TRUE(decree_history.ok()) << decree_history.status();
  EXPECT_EQ(*decree_history, (std::vector<std::string>{cites_both}));
  auto outside = History(decree, "07/CT-TTg");
  ASSERT_TRUE(outside.ok()) << outside.status();
  EXPECT_TRUE(outside->empty());
  auto bad = History(everything, "không phải văn bản");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  EXPECT_EQ(ErrorField(bad.status()), "cites");
}

TEST_F(CitedDocumentsTest, ASubscriptionCitingSomethingThatIsNotADocumentIsRefusedNamingIt) {
  auto rid = suite_.PutJournalist("TT-009", "tuoitre");
  ASSERT_TRUE(rid.ok());
  reg::Subscription s;
  s.set_recipient_id(*rid);
  s.add_cites("07/CT-TTg");
  s.add_cites("Chỉ thị về truyền thông");
  const absl::Status status = suite_.SetSubscription(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ErrorField(status), "subscription.cites[1]");
}

}  // namespace
}  // namespace pressrelay::testing
