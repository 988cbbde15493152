// The spokesperson regime of Decree 09/2017 against the real suite (Redis, the three services,
// the gateway, the CLI): the Ministry of Agriculture and Environment (MAE) has its head, a
// designated spokesperson, and three people authorised on floods and storms (subjects
// "disaster" and "weather"): one now, one whose authorisation ended yesterday and one whose
// authorisation begins tomorrow, so that nothing waits for a clock. The authorised person
// publishes on the matter within the period, and is refused off the matter, before and after
// it, whether publishing, revising or approving a draft; the head publishes on anything; the
// agency's public list is served over gRPC and the gateway's JSON API and exported as CSV.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/desk_client.h"
#include "tests/support/process.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr absl::Duration kDay = absl::Hours(24);
constexpr char kPassword[] = "mật khẩu đủ dài 2026";
constexpr char kMatter[] = "Tình hình thiên tai, mưa lũ";

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                              const std::string& token, const Request& request) {
  auto ctx = CallContext(token, kWait);
  Response response;
  absl::Status status = FromGrpcStatus((stub.*method)(ctx.get(), request, &response));
  if (!status.ok()) return status;
  return response;
}

reg::Spokesperson Person(const std::string& id, const std::string& name, const std::string& title,
                         reg::SpokespersonRole role, const std::string& document) {
  reg::Spokesperson s;
  s.set_id(id);
  s.set_agency_code("MAE");
  s.set_full_name(name);
  s.set_title(title);
  s.set_role(role);
  s.set_authorised_by(document);
  s.mutable_contact()->set_email(id + "@mae.gov.vn");
  s.mutable_contact()->set_phone("+84 24 3846 8161");
  return s;
}

// Authorised on floods and storms from `from` until `until`.
reg::Spokesperson Authorised(const std::string& id, const std::string& name, absl::Time from, absl::Time until) {
  reg::Spokesperson s = Person(id, name, "Cục trưởng Cục Quản lý đê điều và Phòng, chống thiên tai",
                               reg::SPOKESPERSON_ROLE_AUTHORISED, "15/QĐ-BNNMT");
  s.set_matter(kMatter);
  s.add_matter_topics("disaster");
  s.add_matter_topics("weather");
  *s.mutable_valid_from() = ToProto(from);
  *s.mutable_valid_until() = ToProto(until);
  return s;
}

class SpokespersonRegimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("MAE", "Bộ Nông nghiệp và Môi trường").ok());
    ASSERT_TRUE(suite_.PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("moh-sp", "MOH").ok());
    const absl::Time now = absl::Now();
    ASSERT_TRUE(Upsert(Person("mae-head", "Đỗ Đức Duy", "Bộ trưởng Bộ Nông nghiệp và Môi trường",
                              reg::SPOKESPERSON_ROLE_HEAD, ""))
                    .ok());
    // Typed as people type it; stored canonical.
    ASSERT_TRUE(Upsert(Person("mae-sp", "Lê Ánh Dương", "Chánh Văn phòng Bộ", reg::SPOKESPERSON_ROLE_SPOKESPERSON,
                              "3120/qd-bnnmt"))
                    .ok());
    ASSERT_TRUE(Upsert(Authorised("mae-flood", "Kha Minh Tuấn", now - absl::Hours(1), now + 30 * kDay)).ok());
    ASSERT_TRUE(Upsert(Authorised("mae-lapsed", "An Văn Cũ", now - 30 * kDay, now - kDay)).ok());
    ASSERT_TRUE(Upsert(Authorised("mae-future", "Bùi Văn Mới", now + kDay, now + 30 * kDay)).ok());
    for (const char* id : {"mae-head", "mae-sp", "mae-flood", "mae-lapsed", "mae-future"}) {
      auto token = suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, id);
      ASSERT_TRUE(token.ok()) << id << ": " << token.status();
      tokens_[id] = *token;
    }
  }

  absl::StatusOr<reg::Spokesperson> Upsert(const reg::Spokesperson& s) {
    reg::UpsertSpokespersonRequest request;
    *request.mutable_spokesperson() = s;
    auto admin = suite_.Admin();
    auto response = Call(*admin, &reg::RegistryAdmin::Stub::UpsertSpokesperson, suite_.operator_token(), request);
    if (!response.ok()) return response.status();
    return response->spokesperson();
  }

  absl::StatusOr<dist::PublishResponse> Publish(const std::string& who, const std::vector<std::string>& subjects,
                                                const std::string& headline) {
    return suite_.Publish(tokens_.at(who), MakeDraft("MAE", headline, subjects));
  }

  absl::StatusOr<reg::ListAgencySpokespeopleResponse> PublicList(const std::string& token, const std::string& agency) {
    auto stub = reg::PublicRegistry::NewStub(OpenChannel(suite_.registry_address()));
    reg::ListAgencySpokespeopleRequest request;
    request.set_agency_code(agency);
    return Call(*stub, &reg::PublicRegistry::Stub::ListAgencySpokespeople, token, request);
  }

  static std::vector<std::string> Names(const reg::ListAgencySpokespeopleResponse& list) {
    std::vector<std::string> names;
    for (const auto& p : list.spokespeople()) names.push_back(p.full_name());
    return names;
  }

  Suite suite_;
  std::map<std::string, std::string> tokens_;
};

void ExpectRefused(const absl::Status& status, const std::vector<std::string>& mentions, const std::string& what) {
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << what << ": " << status;
  for (const auto& m : mentions) EXPECT_TRUE(absl::StrContains(status.message(), m)) << what << ": " << status;
}

TEST_F(SpokespersonRegimeTest, AnAuthorisedPersonPublishesOnlyOnItsMatterWithinItsPeriod) {
  // On the matter, within the period.
  auto flood = Publish("mae-flood", {"disaster"}, "Cảnh báo lũ quét tại các tỉnh miền núi phía Bắc");
  ASSERT_TRUE(flood.ok()) << flood.status();
  EXPECT_EQ(flood->statement().issuer().spokesperson_id(), "mae-flood");
  auto either = Publish("mae-flood", {"economy", "weather"}, "Thiệt hại kinh tế do bão số 3");
  ASSERT_TRUE(either.ok()) << either.status();  // one subject of the matter is enough

  // Off the matter: the refusal names the matter and its topics.
  ExpectRefused(Publish("mae-flood", {"health"}, "Khuyến cáo phòng bệnh sau lũ").status(),
                {kMatter, "topics: disaster, weather", "15/QĐ-BNNMT", "(health)"}, "off the matter");
  ExpectRefused(Publish("mae-flood", {}, "Thông cáo không chủ đề").status(), {kMatter, "has no subject"},
                "no subject");
  // Outside the period: ended yesterday, begins tomorrow.
  ExpectRefused(Publish("mae-lapsed", {"disaster"}, "Cảnh báo lũ").status(), {kMatter, "the period has ended"},
                "after the period");
  ExpectRefused(Publish("mae-future", {"disaster"}, "Cảnh báo lũ").status(), {kMatter, "the period has not begun"},
                "before the period");

  // The head and the designated spokesperson speak on anything.
  ASSERT_TRUE(Publish("mae-head", {"health"}, "Bộ trưởng phát biểu về y tế cộng đồng").ok());
  ASSERT_TRUE(Publish("mae-head", {}, "Thông báo chung của Bộ").ok());
  ASSERT_TRUE(Publish("mae-sp", {"economy"}, "Họp báo thường kỳ quý III").ok());

  // What was refused left nothing behind: the agency's statements are exactly those published.
  auto stub = suite_.Distribution();
  dist::ListStatementsRequest list;
  list.set_agency_code("MAE");
  auto listed = Call(*stub, &dist::Distribution::Stub::ListStatements, tokens_.at("mae-head"), list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->statements_size(), 5) << listed->DebugString();
  for (const auto& s : listed->statements()) {
    EXPECT_NE(s.issuer().spokesperson_id(), "mae-lapsed");
    EXPECT_NE(s.issuer().spokesperson_id(), "mae-future");
  }

  // A revision is held to the same rule: new text off the matter is refused, on it accepted;
  // a kill issues no text and needs only the period.
  dist::ReviseRequest revise;
  revise.set_statement_id(flood->statement().id());
  revise.set_signal(common::v1::VERSION_SIGNAL_UPDATE);
  revise.set_reason("Cập nhật");
  *revise.mutable_draft() = MakeDraft("MAE", "Khuyến cáo phòng bệnh sau lũ", {"health"});
  ExpectRefused(suite_.Revise(tokens_.at("mae-flood"), revise).status(), {kMatter}, "revision off the matter");
  *revise.mutable_draft() = MakeDraft("MAE", "Cập nhật cảnh báo lũ quét", {"disaster"});
  auto updated = suite_.Revise(tokens_.at("mae-flood"), revise);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->statement().version(), 2);
  dist::ReviseRequest kill;
  kill.set_statement_id(flood->statement().id());
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Phát hành nhầm");
  EXPECT_TRUE(suite_.Revise(tokens_.at("mae-flood"), kill).ok());
}

TEST_F(SpokespersonRegimeTest, ApprovingADraftIsPublishingAndHeldToTheMatter) {
  ASSERT_TRUE(suite_.PutPressOfficer("mae-press", "MAE").ok());
  auto officer = suite_.IssueToken(reg::SUBJECT_KIND_PRESS_OFFICER, "mae-press");
  ASSERT_TRUE(officer.ok());
  auto stub = suite_.Distribution();
  auto draft_on = [&](const std::vector<std::string>& subjects) -> std::string {
    dist::CreateDraftRequest create;
    *create.mutable_draft()->mutable_content() = MakeDraft("MAE", "Dự thảo thông cáo", subjects);
    auto created = Call(*stub, &dist::Distribution::Stub::CreateDraft, *officer, create);
    EXPECT_TRUE(created.ok()) << created.status();
    dist::ReviewDraftRequest submit;
    submit.set_draft_id(created->id());
    submit.set_expected_revision(created->revision());
    auto submitted = Call(*stub, &dist::Distribution::Stub::SubmitDraft, *officer, submit);
    EXPECT_TRUE(submitted.ok()) << submitted.status();
    return created->id();
  };
  auto approve = [&](const std::string& who, const std::string& draft_id) {
    dist::ApproveDraftRequest request;
    request.set_draft_id(draft_id);
    request.set_expected_revision(2);
    return Call(*stub, &dist::Distribution::Stub::ApproveDraft, tokens_.at(who), request);
  };

  const std::string health = draft_on({"health"});
  ExpectRefused(approve("mae-flood", health).status(), {kMatter, "(health)"}, "approval off the matter");
  dist::GetDraftRequest get;
  get.set_draft_id(health);
  auto still = Call(*stub, &dist::Distribution::Stub::GetDraft, *officer, get);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->state(), dist::DRAFT_STATE_IN_REVIEW);  // nothing was issued
  EXPECT_TRUE(still->statement_id().empty());

  const std::string flood = draft_on({"disaster"});
  ExpectRefused(approve("mae-lapsed", flood).status(), {"the period has ended"}, "approval after the period");
  auto approved = approve("mae-flood", flood);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->published().statement().issuer().spokesperson_id(), "mae-flood");
  // The head approves the draft the authorised person could not.
  auto by_head = approve("mae-head", health);
  ASSERT_TRUE(by_head.ok()) << by_head.status();
}

TEST_F(SpokespersonRegimeTest, TheRecordCarriesTheDocumentTheTopicsAndThePeriod) {
  // As stored: the document canonical.
  auto moh = suite_.Admin();
  reg::ListSpokespeopleRequest request;
  request.set_agency_code("MAE");
  auto all = Call(*moh, &reg::RegistryAdmin::Stub::ListSpokespeople, suite_.operator_token(), request);
  ASSERT_TRUE(all.ok());
  std::map<std::string, std::string> documents;
  for (const auto& s : all->spokespeople()) documents[s.id()] = s.authorised_by();
  EXPECT_EQ(documents["mae-sp"], "3120/QĐ-BNNMT");
  EXPECT_EQ(documents["mae-head"], "");

  const absl::Time now = absl::Now();
  reg::Spokesperson no_topics = Authorised("mae-drought", "Đinh Văn Hạn", now, now + kDay);
  no_topics.clear_matter_topics();
  EXPECT_EQ(ErrorField(Upsert(no_topics).status()), "spokesperson.matter_topics");
  reg::Spokesperson open_ended = Authorised("mae-drought", "Đinh Văn Hạn", now, now + kDay);
  open_ended.clear_valid_until();
  EXPECT_EQ(ErrorField(Upsert(open_ended).status()), "spokesperson.valid_until");
  reg::Spokesperson undocumented =
      Person("mae-sp-2", "Giang Thu Hà", "Phó Chánh Văn phòng", reg::SPOKESPERSON_ROLE_SPOKESPERSON, "");
  EXPECT_EQ(ErrorField(Upsert(undocumented).status()), "spokesperson.authorised_by");
  undocumented.set_authorised_by("theo quyết định của Bộ trưởng");
  const absl::Status not_a_number = Upsert(undocumented).status();
  EXPECT_EQ(ErrorField(not_a_number), "spokesperson.authorised_by");
  EXPECT_TRUE(absl::IsInvalidArgument(not_a_number)) << not_a_number;
}

TEST_F(SpokespersonRegimeTest, ThePublicListIsServedOverGrpcAndTheJsonApiAndExportedAsCsv) {
  // Anyone with a token may read it: here a newsroom's ingest client.
  ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  ASSERT_TRUE(suite_.PutClient("tuoitre-cms", "tuoitre").ok());
  auto newsroom = suite_.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tuoitre-cms");
  ASSERT_TRUE(newsroom.ok());
  const absl::Time before = absl::Now();
  auto list = PublicList(*newsroom, "MAE");
  ASSERT_TRUE(list.ok()) << list.status();
  const absl::Time after = absl::Now();
  // Those entitled now, head first; not the lapsed nor the future authorisation.
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Đỗ Đức Duy", "Lê Ánh Dương", "Kha Minh Tuấn"}));
  EXPECT_GE(FromProto(list->as_of()), before - absl::Seconds(1));
  EXPECT_LE(FromProto(list->as_of()), after + absl::Seconds(1));
  ASSERT_EQ(list->spokespeople_size(), 3);
  const reg::PublicSpokesperson& flood = list->spokespeople(2);
  EXPECT_EQ(flood.role(), reg::SPOKESPERSON_ROLE_AUTHORISED);
  EXPECT_EQ(flood.agency_name(), "Bộ Nông nghiệp và Môi trường");
  EXPECT_EQ(flood.authorised_by(), "15/QĐ-BNNMT");
  EXPECT_EQ(flood.matter(), kMatter);
  EXPECT_EQ(std::vector<std::string>(flood.matter_topics().begin(), flood.matter_topics().end()),
            (std::vector<std::string>{"disaster", "weather"}));
  EXPECT_TRUE(flood.has_valid_from() && flood.has_valid_until());
  EXPECT_EQ(flood.contact().email(), "mae-flood@mae.gov.vn");
  EXPECT_EQ(list->spokespeople(1).authorised_by(), "3120/QĐ-BNNMT");
  EXPECT_FALSE(list->spokespeople(1).has_valid_from());  // a period only for authorised people
  // Every agency at once, by agency code; an unknown agency; no agency.
  auto every = PublicList(*newsroom, "-");
  ASSERT_TRUE(every.ok()) << every.status();
  ASSERT_EQ(every->spokespeople_size(), 4);
  EXPECT_EQ(every->spokespeople(3).agency_code(), "MOH");
  EXPECT_EQ(PublicList(*newsroom, "NOPE").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorField(PublicList(*newsroom, "").status()), "agency_code");

  // The gateway's JSON API, for a press officer of another agency signed in at the desk.
  ASSERT_TRUE(suite_.PutPressOfficer("moh-press", "MOH").ok());
  ASSERT_TRUE(suite_.PutAccount("press@moh.gov.vn", reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press", kPassword).ok());
  ASSERT_TRUE(suite_.PutAccount("flood@mae.gov.vn", reg::SUBJECT_KIND_SPOKESPERSON, "mae-flood", kPassword).ok());
  ASSERT_TRUE(suite_.StartGateway().ok());
  DeskClient desk(suite_.gateway_address());
  ASSERT_EQ(desk.SignIn("press@moh.gov.vn", kPassword).status, 200);
  HttpReply reply = desk.Get("/api/v1/agencies/MAE/spokespeople");
  ASSERT_EQ(reply.status, 200) << reply.body;
  reg::ListAgencySpokespeopleResponse over_http;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &over_http).ok()) << reply.body;
  EXPECT_EQ(Names(over_http), Names(*list));
  EXPECT_TRUE(absl::StrContains(reply.body, R"("authorisedBy":"15/QĐ-BNNMT")")) << reply.body;
  EXPECT_TRUE(absl::StrContains(reply.body, R"("matterTopics":["disaster","weather"])")) << reply.body;
  EXPECT_EQ(desk.Get("/api/v1/agencies/NOPE/spokespeople").status, 404);
  // Publishing through the desk meets the same rule as over gRPC.
  DeskClient flood_desk(suite_.gateway_address());
  ASSERT_EQ(flood_desk.SignIn("flood@mae.gov.vn", kPassword).status, 200);
  dist::PublishRequest off_matter;
  *off_matter.mutable_draft() = MakeDraft("MAE", "Khuyến cáo phòng bệnh sau lũ", {"health"});
  std::string body;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(off_matter, &body).ok());
  HttpReply refused = flood_desk.Send("POST", "/api/v1/statements", body);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(absl::StrContains(refused.Field("message"), kMatter)) << refused.body;

  // The export: the CSV file the agency posts, written whole by the CLI for any token holder.
  const std::string path = absl::StrCat(suite_.dir(), "/mae-spokespeople.csv");
  const std::map<std::string, std::string> env = {{"PRESSRELAY_REGISTRY", suite_.registry_address()},
                                                  {"PRESSRELAY_TOKEN", *newsroom}};
  auto [rc, out] = RunProgram({BinaryPath("pressrelay"), "spokesperson", "public", "--agency", "MAE", "--csv",
                               "--out", path},
                              absl::StrCat(suite_.dir(), "/cli-export.log"), env);
  ASSERT_EQ(rc, 0) << ReadFile(absl::StrCat(suite_.dir(), "/cli-export.log"));
  const std::string csv = ReadFile(path);
  ASSERT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF")) << csv;
  std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n", absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << csv;
  EXPECT_TRUE(absl::StartsWith(lines[0], "Cơ quan,Mã cơ quan,Họ và tên,Chức vụ,Tư cách phát ngôn,")) << lines[0];
  EXPECT_TRUE(absl::StartsWith(lines[1], "Bộ Nông nghiệp và Môi trường,MAE,Đỗ Đức Duy,")) << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[2], ",Người phát ngôn,3120/QĐ-BNNMT,")) << lines[2];
  EXPECT_TRUE(absl::StrContains(lines[3], ",Người được ủy quyền phát ngôn,15/QĐ-BNNMT,\"Tình hình thiên tai, mưa lũ\","
                                          "disaster; weather,"))
      << lines[3];
  EXPECT_TRUE(absl::EndsWith(lines[3], ",mae-flood@mae.gov.vn,+84 24 3846 8161")) << lines[3];
  // Without --csv: the same list as JSON.
  auto [json_rc, json] = RunProgram({BinaryPath("pressrelay"), "spokesperson", "public", "--agency", "MAE"},
                                    absl::StrCat(suite_.dir(), "/cli-json.log"), env);
  ASSERT_EQ(json_rc, 0);
  reg::ListAgencySpokespeopleResponse from_cli;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &from_cli).ok()) << json;
  EXPECT_EQ(Names(from_cli), Names(*list));
}

}  // namespace
}  // namespace pressrelay::testing
