// The search index over real Vietnamese statements: accent-insensitive words, đ as d,
// tone-placement variants, NFC and NFD queries alike, phrases, filters, entitlement, ranking.
#include "services/distribution/search_index.h"
#include "services/distribution/statement_search.h"

#include <atomic>
#include <thread>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"

namespace pressrelay::distribution {
namespace {

using pressrelay::common::v1::SearchQuery;
using pressrelay::common::v1::Statement;

int64_t Day(int d) { return 1798761600000 + int64_t{d} * 86400000; }  // 2027-01-01 + d days

Statement Make(const std::string& id, const std::string& agency, const std::string& headline,
               const std::string& body, int day, const std::string& topic = "policy") {
  Statement s;
  s.set_id(id);
  s.set_version(1);
  s.set_headline(headline);
  s.set_body(body);
  s.set_language("vi");
  s.set_urgency(5);
  s.set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
  s.set_pubstatus(pressrelay::common::v1::PUB_STATUS_USABLE);
  s.mutable_issuer()->set_agency_code(agency);
  s.mutable_issuer()->set_agency_name(agency == "MOH" ? "Bộ Y tế" : agency == "MOF" ? "Bộ Tài chính" : "UBND tỉnh");
  s.add_subjects()->set_code(topic);
  *s.mutable_firstcreated() = ProtoFromMillis(Day(day));
  *s.mutable_versioncreated() = ProtoFromMillis(Day(day));
  legal::AttachReferences(&s);
  return s;
}

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Put(Make("policy", "MOF", "Đẩy mạnh truyền thông chính sách",
                    "Thực hiện Chỉ thị 07/CT-TTg, Bộ Tài chính đẩy mạnh truyền thông chính sách thuế mới.", 1));
    index_.Put(Make("flood", "UBND-QT", "Ứng phó lũ lụt",
                    "Tỉnh chủ động phòng chống thiên tai, hỗ trợ người dân vùng lũ ổn định cuộc sống.", 2,
                    "disaster"));
    index_.Put(Make("peace", "UBND-QT", "Hoà bình và ổn định",
                    "Thông điệp hòa bình của tỉnh Quảng Trị gửi bạn bè quốc tế.", 3));
    index_.Put(Make("water", "MOH", "Nước sạch cho vùng lũ",
                    "Bộ Y tế hướng dẫn xử lý nước, khử khuẩn; thuỷ triều dâng cao ở ven biển. Thủy lợi sẵn sàng.",
                    4, "health"));
    index_.Put(Make("decree", "MOH", "Chế độ phát ngôn của Bộ Y tế",
                    "Theo Nghị định 09/2017/NĐ-CP, người phát ngôn cung cấp thông tin cho báo chí. Chính sách "
                    "truyền thông được công bố hằng tháng.",
                    5, "health"));
  }

  std::vector<std::string> Ids(const std::string& text, audience::Filter entitlement = {},
                               std::function<void(SearchQuery*)> more = nullptr) {
    SearchQuery q;
    q.set_text(text);
    if (more) more(&q);
    auto parsed = ParseQuery(q);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (!parsed.ok()) return {};
    std::vector<std::string> out;
    for (const auto& hit : index_.Search(*parsed, entitlement, 0, 50).hits) out.push_back(hit.statement_id);
    return out;
  }

  SearchIndex index_;
};

TEST_F(SearchIndexTest, WordsWithoutAccentsFindTheAccentedText) {
  // Both statements have the three words; the one saying it in its headline ranks first.
  EXPECT_EQ(Ids("truyen thong chinh sach"), (std::vector<std::string>{"policy", "decree"}));
  EXPECT_EQ(Ids("truyền thông chính sách"), Ids("truyen thong chinh sach"));
  EXPECT_EQ(Ids("TRUYỀN THÔNG"), Ids("truyen thong"));
}

TEST_F(SearchIndexTest, DStrokeMatchesD) {
  EXPECT_EQ(Ids("day manh"), (std::vector<std::string>{"policy"}));
  EXPECT_EQ(Ids("đẩy mạnh"), (std::vector<std::string>{"policy"}));
  EXPECT_EQ(Ids("on dinh"), (std::vector<std::string>{"peace", "flood"}));  // headline first
}

TEST_F(SearchIndexTest, TonePlacementVariantsMatch) {
  // "Hoà" (old placement) in the headline, "hòa" (new) in the body: one word either way.
  EXPECT_EQ(Ids("hòa bình"), (std::vector<std::string>{"peace"}));
  EXPECT_EQ(Ids("hoà bình"), (std::vector<std::string>{"peace"}));
  EXPECT_EQ(Ids("thủy"), (std::vector<std::string>{"water"}));
  EXPECT_EQ(Ids("thuỷ"), (std::vector<std::string>{"water"}));
}

TEST_F(SearchIndexTest, NfcAndNfdQueriesBehaveTheSame) {
  // "phát ngôn" decomposed: a + combining acute, o + combining circumflex.
  const std::string nfd = "pha\xCC\x81t ngo\xCC\x82n";
  EXPECT_EQ(Ids(nfd), (std::vector<std::string>{"decree"}));
  EXPECT_EQ(Ids("phát ngôn"), Ids(nfd));
  // "lũ" with combining tilde.
  EXPECT_EQ(Ids("lu\xCC\x83"), Ids("lũ"));
  EXPECT_EQ(Ids("lũ").size(), 2u);
}

TEST_F(SearchIndexTest, PhrasesKeepTheirOrder) {
  EXPECT_EQ(Ids("\"truyen thong chinh sach\""), (std::vector<std::string>{"policy"}));  // decree says "chính sách truyền thông"
  EXPECT_EQ(Ids("\"chinh sach truyen thong\""), (std::vector<std::string>{"decree"}));
  EXPECT_TRUE(Ids("\"sach chinh\"").empty());
  // An unclosed quote runs to the end.
  EXPECT_EQ(Ids("bo \"y te huong dan"), (std::vector<std::string>{"water"}));
}

TEST_F(SearchIndexTest, AgencyDateAndCitedDocumentFilters) {
  EXPECT_EQ(Ids("vung lu", {}, [](SearchQuery* q) { q->add_agency_codes("MOH"); }),
            (std::vector<std::string>{"water"}));
  EXPECT_EQ(Ids("", {}, [](SearchQuery* q) { q->add_agency_codes("UBND-QT"); }),
            (std::vector<std::string>{"peace", "flood"}));  // no words: newest first
  EXPECT_EQ(Ids("", {}, [](SearchQuery* q) {
              *q->mutable_published_from() = ProtoFromMillis(Day(2));
              *q->mutable_published_until() = ProtoFromMillis(Day(4));
            }),
            (std::vector<std::string>{"peace", "flood"}));
  EXPECT_EQ(Ids("", {}, [](SearchQuery* q) { q->set_cites("09/2017/ND-CP"); }),
            (std::vector<std::string>{"decree"}));
  EXPECT_EQ(Ids("chinh sach", {}, [](SearchQuery* q) { q->set_cites("07/ct-ttg"); }),
            (std::vector<std::string>{"policy"}));
  // The issuing agency's name is searchable too.
  EXPECT_EQ(Ids("bo tai chinh"), (std::vector<std::string>{"policy"}));
}

TEST_F(SearchIndexTest, OnlyWhatTheRecipientIsEntitledToIsFound) {
  audience::Filter health_only;
  health_only.topics = {"health"};
  EXPECT_EQ(Ids("truyen thong chinh sach", health_only), (std::vector<std::string>{"decree"}));
  audience::Filter moh;
  moh.agency_codes = {"MOH"};
  EXPECT_EQ(Ids("lu", moh), (std::vector<std::string>{"water"}));
}

TEST_F(SearchIndexTest, ANewVersionReplacesTheOldAndAKillHidesIt) {
  Statement corrected = Make("flood", "UBND-QT", "Ứng phó bão số 3", "Tỉnh sơ tán dân khỏi vùng ngập.", 2, "disaster");
  corrected.set_version(2);
  index_.Put(corrected);
  EXPECT_TRUE(Ids("lu lut").empty());
  EXPECT_EQ(Ids("bao so 3"), (std::vector<std::string>{"flood"}));
  // An older version arriving late (the load and the change log both bring it) changes nothing.
  index_.Put(Make("flood", "UBND-QT", "Ứng phó lũ lụt", "cũ", 2, "disaster"));
  EXPECT_EQ(Ids("bao so 3"), (std::vector<std::string>{"flood"}));
  Statement killed = corrected;
  killed.set_version(3);
  killed.set_pubstatus(pressrelay::common::v1::PUB_STATUS_CANCELED);
  index_.Put(killed);
  EXPECT_TRUE(Ids("bao so 3").empty());
  EXPECT_EQ(Ids("bao so 3", {}, [](SearchQuery* q) { q->set_include_canceled(true); }),
            (std::vector<std::string>{"flood"}));
  EXPECT_EQ(index_.size(), 5u);
}

// Many searches at once while the feeder replaces versions (which compacts the postings) and
// the aliases change: every search answers, every hit is a statement that was indexed, and
// the statement being revised is found exactly once in each answer, whichever version.
TEST_F(SearchIndexTest, ManySearchersWhileTheFeederRewritesTheIndex) {
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0}, bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      SearchQuery q;
      q.set_text("vung lu");
      auto parsed = ParseQuery(q);
      if (!parsed.ok()) {
        ++bad;
        return;
      }
      while (!stop.load()) {
        const auto page = index_.Search(*parsed, {}, 0, 50);
        int flood = 0;
        for (const auto& hit : page.hits) {
          if (hit.statement_id == "flood") ++flood;
          if (hit.statement_id != "flood" && hit.statement_id != "water") ++bad;
        }
        if (flood != 1) ++bad;
        ++searches;
      }
    });
  }
  for (int v = 2; v <= 400; ++v) {
    Statement next = Make("flood", "UBND-QT", "Ứng phó lũ lụt", absl::StrCat("Vùng lũ, lần cập nhật ", v), 2,
                          "disaster");
    next.set_version(v);
    index_.Put(next);
    if (v % 50 == 0) index_.SetAgencyAliases({{"UBND-QT", {absl::StrCat("UBND tỉnh cũ ", v)}}});
  }
  while (searches.load() < 200) std::this_thread::yield();
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(index_.size(), 5u);
  EXPECT_EQ(Ids("lan cap nhat 400"), (std::vector<std::string>{"flood"}));
}

// Hà Tĩnh's committee renamed or merged into the one indexed here as UBND-QT: a search for the
// old name finds its successor's statements (which keep the issuer name they were signed with).
TEST_F(SearchIndexTest, AnAgencysFormerNamesFindItsStatements) {
  auto sorted = [](std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_TRUE(Ids("ha tinh").empty());
  index_.SetAgencyAliases({{"UBND-QT", {"UBND tỉnh Hà Tĩnh"}}});
  EXPECT_EQ(sorted(Ids("ha tinh")), (std::vector<std::string>{"flood", "peace"}));
  EXPECT_EQ(sorted(Ids("\"tinh ha tinh\"")), (std::vector<std::string>{"flood", "peace"}));
  EXPECT_EQ(Ids("hà tĩnh hoà bình"), (std::vector<std::string>{"peace"}));  // with words of the text
  EXPECT_TRUE(Ids("\"tinh ha ubnd\"").empty());
  index_.SetAgencyAliases({});
  EXPECT_TRUE(Ids("ha tinh").empty());
}

TEST_F(SearchIndexTest, PagesAndTotals) {
  SearchQuery q;
  q.set_text("tinh");  // tỉnh: flood, peace
  auto parsed = ParseQuery(q);
  ASSERT_TRUE(parsed.ok());
  auto first = index_.Search(*parsed, {}, 0, 1);
  auto second = index_.Search(*parsed, {}, 1, 1);
  EXPECT_EQ(first.total, 2);
  ASSERT_EQ(first.hits.size(), 1u);
  ASSERT_EQ(second.hits.size(), 1u);
  EXPECT_NE(first.hits[0].statement_id, second.hits[0].statement_id);
  EXPECT_GE(first.hits[0].score, second.hits[0].score);
}

// Hà Giang merged into Tuyên Quang (2025), Tuyên Quang renamed before that: Tuyên Quang's
// statements are found by every name in its line; a dissolved agency passes on nothing.
TEST(AgencyAliases, FollowMergersToTheAgencyThatCarriesOn) {
  namespace reg = pressrelay::registry::v1;
  std::vector<reg::Agency> agencies(4);
  agencies[0].set_code("UBND-HG");
  agencies[0].set_name_vi("UBND tỉnh Hà Giang");
  agencies[0].set_end(reg::AGENCY_END_MERGED);
  agencies[0].set_successor_code("UBND-TQ");
  agencies[0].add_former_names()->set_name_vi("UBND tỉnh Hà Tuyên");
  agencies[1].set_code("UBND-TQ");
  agencies[1].set_name_vi("UBND tỉnh Tuyên Quang");
  agencies[1].add_former_names()->set_name_vi("UBND tỉnh Tuyên Quang cũ");
  agencies[2].set_code("OLD");
  agencies[2].set_name_vi("Ban đã giải thể");
  agencies[2].set_end(reg::AGENCY_END_DISSOLVED);
  agencies[3].set_code("MOH");
  agencies[3].set_name_vi("Bộ Y tế");
  auto aliases = AgencyAliases(agencies);
  std::vector<std::string> tq = aliases["UBND-TQ"];
  std::sort(tq.begin(), tq.end());
  EXPECT_EQ(tq, (std::vector<std::string>{"UBND tỉnh Hà Giang", "UBND tỉnh Hà Tuyên", "UBND tỉnh Tuyên Quang cũ"}));
  EXPECT_FALSE(aliases.contains("UBND-HG"));
  EXPECT_FALSE(aliases.contains("OLD"));
  EXPECT_FALSE(aliases.contains("MOH"));
}

TEST(SearchQuery, BadQueriesNameTheirField) {
  SearchQuery q;
  q.set_text(std::string(501, 'a'));
  EXPECT_EQ(ErrorField(ParseQuery(q).status()), "query.text");
  q.set_text("mot hai ba bon nam sau bay tam chin muoi muoi-mot muoi-hai muoi-ba muoi-bon");
  EXPECT_EQ(ErrorField(ParseQuery(q).status()), "query.text");
  q.set_text("");
  q.set_cites("không phải văn bản");
  EXPECT_EQ(ErrorField(ParseQuery(q).status()), "query.cites");
  q.clear_cites();
  *q.mutable_published_from() = ProtoFromMillis(Day(3));
  *q.mutable_published_until() = ProtoFromMillis(Day(2));
  EXPECT_EQ(ErrorField(ParseQuery(q).status()), "query.published_until");
}

TEST(SearchSnippet, CutsAroundTheFirstMatchOnCharacters) {
  std::string body;
  for (int i = 0; i < 40; ++i) absl::StrAppend(&body, "Đoạn văn mở đầu số ", i, ". ");
  body += "Người phát ngôn trả lời báo chí.";
  const std::string snippet = SearchIndex::Snippet(body, {"phat", "ngon"}, 80);
  EXPECT_EQ(snippet.rfind("…", 0), 0u) << snippet;  // starts cut
  EXPECT_NE(snippet.find("Người phát ngôn"), std::string::npos) << snippet;
  // Never half a character: the snippet is valid UTF-8 of whole code points.
  EXPECT_EQ(SearchIndex::Snippet("Ngắn gọn.", {"khong"}, 80), "Ngắn gọn.");
}

}  // namespace
}  // namespace pressrelay::distribution
