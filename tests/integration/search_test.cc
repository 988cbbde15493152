// Search for journalists and newsrooms, end to end: Subscription.Search over what the
// caller's subscription allows, accent-insensitive, fed from the statements as they are
// released and rebuilt from Redis when the distribution restarts. A real redis-server and the
// three real service binaries.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

using pressrelay::common::v1::SearchResults;

constexpr absl::Duration kWait = absl::Seconds(20);

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    moh_ = *suite_.AddSpeaker("MOH", "Bộ Y tế");
    mof_ = *suite_.AddSpeaker("MOF", "Bộ Tài chính");
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    everything_ = Reader("TT-001", {});
    moh_only_ = Reader("TT-002", {"MOH"});
  }

  std::string Reader(const std::string& card, std::vector<std::string> agencies) {
    reg::Subscription s;
    for (auto& a : agencies) s.add_agency_codes(a);
    auto token = suite_.AddJournalist(card, "tuoitre", s);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::string Publish(const std::string& token, const std::string& agency, const std::string& headline,
                      const std::string& body) {
    auto published = suite_.PublishText(token, agency, headline, body);
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? published->statement().id() : "";
  }

  absl::StatusOr<SearchResults> Search(const std::string& token, const std::string& text,
                                       std::function<void(sub::SearchRequest*)> more = nullptr) {
    auto stub = suite_.Subscription();
    sub::SearchRequest request;
    request.mutable_query()->set_text(text);
    if (more) more(&request);
    SearchResults results;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Status status = stub->Search(&ctx, request, &results);
    if (!status.ok()) return FromGrpcStatus(status);
    return results;
  }

  std::vector<std::string> Ids(const std::string& token, const std::string& text) {
    auto results = Search(token, text);
    EXPECT_TRUE(results.ok()) << results.status();
    std::vector<std::string> ids;
    if (results.ok()) {
      for (const auto& hit : results->hits()) ids.push_back(hit.statement().id());
    }
    return ids;
  }

  // Search follows releases through the change log: waits (probing) until `text` finds
  // `count` statements, or the wait is over.
  bool WaitFound(const std::string& token, const std::string& text, size_t count) {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      auto results = Search(token, text);
      if (results.ok() && static_cast<size_t>(results->hits_size()) == count) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  Suite suite_;
  std::string moh_, mof_, everything_, moh_only_;
};

TEST_F(SearchTest, FindsWhatTheReaderMaySeeWhateverAccentsAndFormTheyType) {
  const std::string policy = Publish(mof_, "MOF", "Đẩy mạnh truyền thông chính sách thuế",
                                     "Bộ Tài chính thực hiện Chỉ thị 07/CT-TTg về truyền thông chính sách.");
  const std::string health = Publish(moh_, "MOH", "Truyền thông chính sách y tế cơ sở",
                                     "Bộ Y tế hướng dẫn phòng chống sốt xuất huyết. Hoà bình và ổn định.");
  const std::string other = Publish(moh_, "MOH", "Lịch tiêm chủng mở rộng", "Tiêm vắc-xin đúng lịch.");
  ASSERT_TRUE(WaitFound(everything_, "tiem chung", 1));

  // Without accents, with them, upper case, decomposed (NFD): the same two statements, the
  // one with the words in its headline first.
  const auto plain = Ids(everything_, "truyen thong chinh sach");
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(Ids(everything_, "truyền thông chính sách"), plain);
  EXPECT_EQ(Ids(everything_, "TRUYỀN THÔNG CHÍNH SÁCH"), plain);
  EXPECT_EQ(Ids(everything_, "truye\xCC\x82\xCC\x80n tho\xCC\x82ng chi\xCC\x81nh sa\xCC\x81\x63h"), plain);
  // đ as d; tone placement: "hòa" finds "Hoà".
  EXPECT_EQ(Ids(everything_, "day manh"), (std::vector<std::string>{policy}));
  EXPECT_EQ(Ids(everything_, "hòa bình"), (std::vector<std::string>{health}));
  // A phrase keeps its order.
  EXPECT_EQ(Ids(everything_, "\"chinh sach y te\""), (std::vector<std::string>{health}));
  // The MOH-only reader never finds the MOF statement.
  EXPECT_EQ(Ids(moh_only_, "truyen thong chinh sach"), (std::vector<std::string>{health}));
  EXPECT_TRUE(Ids(moh_only_, "thue").empty());

  // Filters: agency, cited document, dates; a snippet around the match; totals and pages.
  auto by_agency = Search(everything_, "chinh sach", [](sub::SearchRequest* r) { r->mutable_query()->add_agency_codes("MOF"); });
  ASSERT_TRUE(by_agency.ok());
  ASSERT_EQ(by_agency->hits_size(), 1);
  EXPECT_EQ(by_agency->hits(0).statement().id(), policy);
  EXPECT_NE(by_agency->hits(0).snippet().find("truyền thông chính sách"), std::string::npos)
      << by_agency->hits(0).snippet();
  auto cited = Search(everything_, "", [](sub::SearchRequest* r) { r->mutable_query()->set_cites("07/ct-ttg"); });
  ASSERT_TRUE(cited.ok());
  ASSERT_EQ(cited->hits_size(), 1);
  EXPECT_EQ(cited->hits(0).statement().id(), policy);
  auto future = Search(everything_, "chinh sach", [](sub::SearchRequest* r) {
    *r->mutable_query()->mutable_published_from() = ToProto(absl::Now() + absl::Hours(1));
  });
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(future->total(), 0);
  auto first_page = Search(everything_, "bo", [](sub::SearchRequest* r) { r->set_page_size(1); });
  ASSERT_TRUE(first_page.ok());
  EXPECT_EQ(first_page->total(), 3);
  ASSERT_FALSE(first_page->next_page_token().empty());
  auto second_page = Search(everything_, "bo", [&](sub::SearchRequest* r) {
    r->set_page_size(1);
    r->set_page_token(first_page->next_page_token());
  });
  ASSERT_TRUE(second_page.ok());
  ASSERT_EQ(second_page->hits_size(), 1);
  EXPECT_NE(second_page->hits(0).statement().id(), first_page->hits(0).statement().id());

  // A kill takes the statement out of search; a correction's new text replaces the old.
  dist::ReviseRequest kill;
  kill.set_statement_id(other);
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Lịch thay đổi");
  ASSERT_TRUE(suite_.Revise(moh_, kill).ok());
  ASSERT_TRUE(WaitFound(everything_, "tiem chung", 0));

  // Bad input names its field.
  auto bad = Search(everything_, std::string(600, 'a'));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(bad.status()), "query.text");
  bad = Search(everything_, "a", [](sub::SearchRequest* r) { r->set_page_token("xyz"); });
  EXPECT_EQ(ErrorField(bad.status()), "page_token");
}

TEST_F(SearchTest, ARestartedDistributionRebuildsItsIndexFromRedis) {
  const std::string id = Publish(moh_, "MOH", "Phòng chống thiên tai mùa mưa bão", "Bốn tại chỗ.");
  ASSERT_TRUE(WaitFound(everything_, "thien tai", 1));
  ASSERT_TRUE(suite_.RestartDistribution(0).ok());
  ASSERT_TRUE(WaitFound(everything_, "thien tai", 1));
  EXPECT_EQ(Ids(everything_, "thien tai"), (std::vector<std::string>{id}));
  // And it follows new releases after the load.
  Publish(moh_, "MOH", "Thiên tai và ứng phó", "Sẵn sàng.");
  EXPECT_TRUE(WaitFound(everything_, "thien tai", 2));
}

}  // namespace
}  // namespace pressrelay::testing
