// The spokesperson regime of Decree 09/2017 without Redis or gRPC: what a spokesperson's record
// must carry (the entitling document, the matter's topics, the period), what each kind of
// spokesperson may publish and when, the agency's public list and its CSV export.
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/cli/csv.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/registry/directory_view.h"
#include "services/registry/entity_rules.h"
#include "services/registry/registry_service.h"
#include "services/registry/spokespeople.h"

namespace pressrelay::registry {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1790000000);
constexpr absl::Duration kOneDay = absl::Hours(24);

bool Any(const std::string&) { return true; }

v1::Agency Agency(const std::string& code, const std::string& name) {
  v1::Agency a;
  a.set_code(code);
  a.set_name_vi(name);
  a.set_kind(v1::AGENCY_KIND_MINISTRY);
  return a;
}

v1::Spokesperson Person(const std::string& id, const std::string& agency, const std::string& name,
                        v1::SpokespersonRole role) {
  v1::Spokesperson s;
  s.set_id(id);
  s.set_agency_code(agency);
  s.set_full_name(name);
  s.set_title("Chức vụ của " + name);
  s.set_role(role);
  if (role != v1::SPOKESPERSON_ROLE_HEAD) s.set_authorised_by("15/QĐ-BNNMT");
  return s;
}

// Authorised on floods and storms, for the 30 days around kNow unless told otherwise.
v1::Spokesperson Authorised(const std::string& id, const std::string& name, absl::Time from = kNow - 15 * kOneDay,
                            absl::Time until = kNow + 15 * kOneDay) {
  v1::Spokesperson s = Person(id, "MAE", name, v1::SPOKESPERSON_ROLE_AUTHORISED);
  s.set_matter("Tình hình thiên tai, mưa lũ");
  s.add_matter_topics("disaster");
  s.add_matter_topics("weather");
  *s.mutable_valid_from() = ToProto(from);
  *s.mutable_valid_until() = ToProto(until);
  s.mutable_contact()->set_email("thientai@mae.gov.vn");
  s.mutable_contact()->set_phone("+84 24 3733 5703");
  return s;
}

// The first field CheckSpokesperson refuses (none: empty); rewrites `s` as it would be stored.
std::vector<std::string> Refused(v1::Spokesperson* s) {
  FieldViolations v;
  CheckSpokesperson(s, "spokesperson", Any, &v);
  const absl::Status status = v.ToStatus();
  if (status.ok()) return {};
  return {ErrorField(status)};
}

std::string FirstRefusal(v1::Spokesperson s) {
  auto fields = Refused(&s);
  return fields.empty() ? "" : fields[0];
}

// --- the record ---------------------------------------------------------------------------

TEST(SpokespersonRecord, TheHeadSpeaksByRightAndTheOthersByADocument) {
  EXPECT_EQ(FirstRefusal(Person("head", "MAE", "Đỗ Đức Duy", v1::SPOKESPERSON_ROLE_HEAD)), "");
  v1::Spokesperson designated = Person("sp", "MAE", "Lê Minh Hoan", v1::SPOKESPERSON_ROLE_SPOKESPERSON);
  EXPECT_EQ(FirstRefusal(designated), "");
  designated.clear_authorised_by();
  EXPECT_EQ(FirstRefusal(designated), "spokesperson.authorised_by");
  v1::Spokesperson authorised = Authorised("flood", "Kha Minh Tuấn");
  authorised.clear_authorised_by();
  EXPECT_EQ(FirstRefusal(authorised), "spokesperson.authorised_by");
}

TEST(SpokespersonRecord, TheDocumentIsStoredCanonicalAndMustBeADocumentNumber) {
  for (const char* typed : {"15/QD-BNNMT", "15/qđ-bnnmt", " 15 / QĐ – BNNMT ", "15/Q\u00d0-BNNMT"}) {
    v1::Spokesperson s = Person("sp", "MAE", "Lê Minh Hoan", v1::SPOKESPERSON_ROLE_SPOKESPERSON);
    s.set_authorised_by(typed);
    EXPECT_TRUE(Refused(&s).empty()) << typed;
    EXPECT_EQ(s.authorised_by(), "15/QĐ-BNNMT") << typed;
  }
  // Not a number, a kind and number without the issuer, two documents at once, a date.
  for (const char* bad : {"quyết định của Bộ trưởng", "Quyết định số 15", "15/QĐ-BNNMT và 16/QĐ-BNNMT", "30/3/2022"}) {
    v1::Spokesperson s = Person("sp", "MAE", "Lê Minh Hoan", v1::SPOKESPERSON_ROLE_SPOKESPERSON);
    s.set_authorised_by(bad);
    EXPECT_EQ(FirstRefusal(s), "spokesperson.authorised_by") << bad;
  }
  // The head may register the decision that appointed them; it is kept the same way.
  v1::Spokesperson head = Person("head", "MAE", "Đỗ Đức Duy", v1::SPOKESPERSON_ROLE_HEAD);
  head.set_authorised_by("1234/qd-ttg");
  EXPECT_TRUE(Refused(&head).empty());
  EXPECT_EQ(head.authorised_by(), "1234/QĐ-TTg");
}

TEST(SpokespersonRecord, AnAuthorisationNamesItsTopicsAndItsPeriod) {
  EXPECT_EQ(FirstRefusal(Authorised("flood", "Kha Minh Tuấn")), "");
  v1::Spokesperson no_topics = Authorised("flood", "Kha Minh Tuấn");
  no_topics.clear_matter_topics();
  EXPECT_EQ(FirstRefusal(no_topics), "spokesperson.matter_topics");
  v1::Spokesperson bad_topic = Authorised("flood", "Kha Minh Tuấn");
  bad_topic.add_matter_topics("Thiên tai");
  EXPECT_EQ(FirstRefusal(bad_topic), "spokesperson.matter_topics[2]");
  v1::Spokesperson no_end = Authorised("flood", "Kha Minh Tuấn");
  no_end.clear_valid_until();
  EXPECT_EQ(FirstRefusal(no_end), "spokesperson.valid_until");
  v1::Spokesperson no_start = Authorised("flood", "Kha Minh Tuấn");
  no_start.clear_valid_from();
  EXPECT_EQ(FirstRefusal(no_start), "spokesperson.valid_from");
  v1::Spokesperson no_matter = Authorised("flood", "Kha Minh Tuấn");
  no_matter.clear_matter();
  EXPECT_EQ(FirstRefusal(no_matter), "spokesperson.matter");
  // Topics say what an authorised person may publish on; the others speak on anything.
  v1::Spokesperson designated = Person("sp", "MAE", "Lê Minh Hoan", v1::SPOKESPERSON_ROLE_SPOKESPERSON);
  designated.add_matter_topics("disaster");
  EXPECT_EQ(FirstRefusal(designated), "spokesperson.matter_topics");
  // A topic typed twice is kept once.
  v1::Spokesperson twice = Authorised("flood", "Kha Minh Tuấn");
  twice.add_matter_topics("disaster");
  EXPECT_TRUE(Refused(&twice).empty());
  EXPECT_EQ(absl::StrJoin(twice.matter_topics(), ","), "disaster,weather");
}

// --- what each may publish ----------------------------------------------------------------

class MayPublish : public testing::Test {
 protected:
  void SetUp() override {
    Put(Kind::kAgency, Agency("MAE", "Bộ Nông nghiệp và Môi trường"));
    Put(Kind::kSpokesperson, Person("head", "MAE", "Đỗ Đức Duy", v1::SPOKESPERSON_ROLE_HEAD));
    Put(Kind::kSpokesperson, Authorised("flood", "Kha Minh Tuấn"));
  }
  template <typename Msg>
  void Put(Kind kind, const Msg& m) {
    std::string id;
    if constexpr (std::is_same_v<Msg, v1::Agency>) {
      id = m.code();
    } else {
      id = m.id();
    }
    view_.Put(kind, id, m.SerializeAsString());
  }
  absl::Status Check(const std::string& id, absl::Time at, const IssuedTopics& topics) {
    return view_.CheckSpeaker(id, "MAE", at, topics).status();
  }
  DirectoryView view_;
};

TEST_F(MayPublish, AnAuthorisedPersonPublishesOnItsMatterWithinItsPeriod) {
  EXPECT_TRUE(Check("flood", kNow, std::vector<std::string>{"disaster"}).ok());
  // One subject of the matter is enough.
  EXPECT_TRUE(Check("flood", kNow, std::vector<std::string>{"economy", "weather"}).ok());
  // The period's ends: from inclusive, until exclusive.
  EXPECT_TRUE(Check("flood", kNow - 15 * kOneDay, std::vector<std::string>{"disaster"}).ok());
  EXPECT_TRUE(Check("flood", kNow + 15 * kOneDay - absl::Seconds(1), std::vector<std::string>{"disaster"}).ok());
}

TEST_F(MayPublish, OutsideItsTopicsTheRefusalNamesTheMatterAndItsTopics) {
  const absl::Status off = Check("flood", kNow, std::vector<std::string>{"health", "economy"});
  EXPECT_EQ(off.code(), absl::StatusCode::kPermissionDenied) << off;
  EXPECT_EQ(off.message(),
            "Kha Minh Tuấn is authorised to speak for MAE only on \"Tình hình thiên tai, mưa lũ\" (topics: disaster, "
            "weather; 15/QĐ-BNNMT): the statement's subjects (health, economy) are none of them");
  const absl::Status none = Check("flood", kNow, std::vector<std::string>{});
  EXPECT_EQ(none.code(), absl::StatusCode::kPermissionDenied) << none;
  EXPECT_TRUE(absl::EndsWith(none.message(), "the statement has no subject")) << none;
}

TEST_F(MayPublish, OutsideItsPeriodTheRefusalNamesThePeriod) {
  const absl::Status early = Check("flood", kNow - 16 * kOneDay, std::vector<std::string>{"disaster"});
  EXPECT_EQ(early.code(), absl::StatusCode::kPermissionDenied) << early;
  EXPECT_TRUE(absl::StrContains(early.message(), "\"Tình hình thiên tai, mưa lũ\"")) << early;
  EXPECT_TRUE(absl::StrContains(early.message(), absl::StrCat("only from ", VietnamTime(kNow - 15 * kOneDay),
                                                              " until ", VietnamTime(kNow + 15 * kOneDay))))
      << early;
  EXPECT_TRUE(absl::EndsWith(early.message(), "the period has not begun")) << early;
  const absl::Status late = Check("flood", kNow + 15 * kOneDay, std::vector<std::string>{"disaster"});
  EXPECT_EQ(late.code(), absl::StatusCode::kPermissionDenied) << late;
  EXPECT_TRUE(absl::EndsWith(late.message(), "the period has ended")) << late;
  // Times are written in Vietnam's time.
  EXPECT_EQ(VietnamTime(absl::FromUnixSeconds(0)), "1970-01-01T07:00:00+07:00");
}

TEST_F(MayPublish, WithoutStatementTextOnlyThePeriodCounts) {
  EXPECT_TRUE(Check("flood", kNow, std::nullopt).ok());
  EXPECT_EQ(Check("flood", kNow + 20 * kOneDay, std::nullopt).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(MayPublish, TheHeadPublishesOnAnything) {
  EXPECT_TRUE(Check("head", kNow, std::vector<std::string>{"health"}).ok());
  EXPECT_TRUE(Check("head", kNow, std::vector<std::string>{}).ok());
  EXPECT_TRUE(Check("head", kNow, std::nullopt).ok());
}

TEST_F(MayPublish, AnAuthorisationKeptWithoutTopicsPublishesNothingUntilTheyAreRegistered) {
  v1::Spokesperson legacy = Authorised("old", "Trần Văn Cũ");
  legacy.clear_matter_topics();  // stored before matters had topics
  Put(Kind::kSpokesperson, legacy);
  const absl::Status refused = Check("old", kNow, std::vector<std::string>{"disaster"});
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(refused.message(), "names no subject codes (matter_topics)")) << refused;
}

// --- the public list ------------------------------------------------------------------------

class PublicList : public MayPublish {
 protected:
  void SetUp() override {
    MayPublish::SetUp();
    Put(Kind::kAgency, Agency("MOH", "Bộ Y tế"));
    // Byte order would put "Lê Văn" before "Lê Ánh", and "Giang" before "Đinh".
    Put(Kind::kSpokesperson, Person("sp-2", "MAE", "Lê Văn Bình", v1::SPOKESPERSON_ROLE_SPOKESPERSON));
    Put(Kind::kSpokesperson, Person("sp-1", "MAE", "Lê Ánh Dương", v1::SPOKESPERSON_ROLE_SPOKESPERSON));
    Put(Kind::kSpokesperson, Authorised("storm", "Giang Thu Hà"));
    Put(Kind::kSpokesperson, Authorised("drought", "Đinh Văn Hạn"));
    Put(Kind::kSpokesperson, Authorised("lapsed", "An Văn Cũ", kNow - 30 * kOneDay, kNow - kOneDay));
    Put(Kind::kSpokesperson, Authorised("future", "Bùi Văn Mới", kNow + kOneDay, kNow + 30 * kOneDay));
    Put(Kind::kSpokesperson, Person("moh-sp", "MOH", "Nguyễn Thị Liên Hương", v1::SPOKESPERSON_ROLE_SPOKESPERSON));
  }
  std::vector<std::string> Names(const std::string& agency) {
    auto list = view_.PublicSpokespeople(agency, kNow);
    EXPECT_TRUE(list.ok()) << list.status();
    std::vector<std::string> names;
    for (const auto& p : list.value_or(std::vector<v1::PublicSpokesperson>{})) names.push_back(p.full_name());
    return names;
  }
};

TEST_F(PublicList, HoldsThoseEntitledNowHeadFirstThenByNameInVietnameseOrder) {
  EXPECT_EQ(Names("MAE"), (std::vector<std::string>{"Đỗ Đức Duy", "Lê Ánh Dương", "Lê Văn Bình", "Đinh Văn Hạn",
                                                    "Giang Thu Hà", "Kha Minh Tuấn"}));
  EXPECT_EQ(Names("-"), (std::vector<std::string>{"Đỗ Đức Duy", "Lê Ánh Dương", "Lê Văn Bình", "Đinh Văn Hạn",
                                                  "Giang Thu Hà", "Kha Minh Tuấn", "Nguyễn Thị Liên Hương"}));
  EXPECT_EQ(view_.PublicSpokespeople("NOPE", kNow).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PublicList, AnEntryCarriesWhatTheAgencyPostsAndNothingPrivate) {
  auto list = view_.PublicSpokespeople("MAE", kNow);
  ASSERT_TRUE(list.ok());
  const v1::PublicSpokesperson& flood = list->back();
  EXPECT_EQ(flood.full_name(), "Kha Minh Tuấn");
  EXPECT_EQ(flood.agency_name(), "Bộ Nông nghiệp và Môi trường");
  EXPECT_EQ(flood.role(), v1::SPOKESPERSON_ROLE_AUTHORISED);
  EXPECT_EQ(flood.authorised_by(), "15/QĐ-BNNMT");
  EXPECT_EQ(flood.matter(), "Tình hình thiên tai, mưa lũ");
  EXPECT_EQ(absl::StrJoin(flood.matter_topics(), ","), "disaster,weather");
  EXPECT_EQ(FromProto(flood.valid_until()), kNow + 15 * kOneDay);
  EXPECT_EQ(flood.contact().email(), "thientai@mae.gov.vn");
  // The registry's ids appear nowhere in what is published.
  for (const auto& entry : *list) {
    const std::string bytes = entry.SerializeAsString();
    for (const char* id : {"flood", "storm", "drought", "sp-1", "sp-2", "head"}) {
      EXPECT_FALSE(absl::StrContains(bytes, id)) << id << " in " << entry.ShortDebugString();
    }
  }
  // A designated spokesperson's entry has no matter or period.
  const v1::PublicSpokesperson& designated = (*list)[1];
  EXPECT_EQ(designated.role(), v1::SPOKESPERSON_ROLE_SPOKESPERSON);
  EXPECT_FALSE(designated.has_valid_from());
  EXPECT_TRUE(designated.matter_topics().empty());
}

TEST_F(PublicList, TheCsvExportIsTheListInSpreadsheetForm) {
  v1::ListAgencySpokespeopleResponse response;
  auto list = view_.PublicSpokespeople("MAE", kNow);
  ASSERT_TRUE(list.ok()) << list.status();
  for (auto& p : *list) *response.add_spokespeople() = std::move(p);
  const std::string csv = cli::SpokespeopleCsv(response);
  ASSERT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF")) << "a UTF-8 byte order mark first";
  ASSERT_TRUE(absl::EndsWith(csv, "\r\n"));
  std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n", absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 7u) << csv;
  EXPECT_EQ(lines[0],
            "Cơ quan,Mã cơ quan,Họ và tên,Chức vụ,Tư cách phát ngôn,\"Văn bản giao, ủy quyền\",Vấn đề được ủy quyền,"
            "Mã chủ đề,Từ,Đến,Thư điện tử,Điện thoại");
  EXPECT_EQ(lines[1], "Bộ Nông nghiệp và Môi trường,MAE,Đỗ Đức Duy,Chức vụ của Đỗ Đức Duy,Người đứng đầu,,,,,,,");
  // A field holding a comma is quoted; the period in Vietnam's time.
  EXPECT_EQ(lines[6], absl::StrCat("Bộ Nông nghiệp và Môi trường,MAE,Kha Minh Tuấn,Chức vụ của Kha Minh Tuấn,"
                                   "Người được ủy quyền phát ngôn,15/QĐ-BNNMT,\"Tình hình thiên tai, mưa lũ\","
                                   "disaster; weather,",
                                   VietnamTime(kNow - 15 * kOneDay), ",", VietnamTime(kNow + 15 * kOneDay),
                                   ",thientai@mae.gov.vn,+84 24 3733 5703"));
  EXPECT_EQ(cli::CsvLine({"a \"quoted\" word", "line\nbreak", "plain"}), "\"a \"\"quoted\"\" word\",\"line\nbreak\",plain\r\n");
}

TEST(PublicRegistryEdge, EveryRpcHasAHandler) {
  Edge edge;
  Registry registry(nullptr);  // never called: only the handlers are registered
  PublicRegistryService service(&registry, &edge);
  EXPECT_EQ(absl::StrJoin(service.Unhandled(), ", "), "");
}

}  // namespace
}  // namespace pressrelay::registry
