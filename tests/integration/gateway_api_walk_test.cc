// Walks every RPC that carries a google.api.http annotation through the admin gateway's
// transcoder, against the real services: each is called over HTTP as the person it is for,
// and must answer the expected HTTP status (Google's google.rpc.Code table); each answer
// must be the RPC's response message exactly as protobuf's JSON mapping prints it (parsed
// strictly, with lowerCamelCase names, and printed back the same). The list of annotated
// RPCs comes from the descriptors, so an annotation added without a row here fails the test.
// Error answers are walked too: a google.rpc.Status with the BadRequest field violations.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/api/annotations.pb.h"
#include "google/rpc/status.pb.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/totp.h"
#include "services/common/rpc/grpc_util.h"
#include "tests/support/desk_client.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

using google::protobuf::MethodDescriptor;

constexpr char kPassword[] = "mật khẩu đủ dài 2026";

std::string CodeFor(const std::string& secret, int steps_ahead = 0) {
  auto key = totp::Base32Decode(secret);
  return totp::CodeAt(key.value_or(""), totp::StepAt(absl::Now()) + steps_ahead);
}

// Every method with a google.api.http rule in the services the gateway serves.
std::set<std::string> AnnotatedMethods() {
  std::set<std::string> out;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  // Every service of every public API file: an annotation anywhere is a route to walk. (Naming
  // a message of each file links its descriptors into the test.)
  (void)pressrelay::distribution::v1::PublishRequest::descriptor();
  (void)pressrelay::registry::v1::Agency::descriptor();
  (void)pressrelay::subscription::v1::SubscribeRequest::descriptor();
  for (const char* name : {"pressrelay/distribution/v1/distribution.proto", "pressrelay/registry/v1/registry.proto",
                           "pressrelay/subscription/v1/subscription.proto"}) {
    const auto* file = pool->FindFileByName(name);
    EXPECT_NE(file, nullptr) << name;
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        if (service->method(i)->options().HasExtension(google::api::http)) out.insert(service->method(i)->full_name());
      }
    }
  }
  return out;
}

// `body` must be `type` as protobuf's JSON mapping prints it: parsed strictly (an unknown or
// snake_case name fails) and printed back to the same JSON value.
void ExpectProtoJson(const std::string& body, const google::protobuf::Descriptor* type, const std::string& what) {
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> message(factory.GetPrototype(type)->New());
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(body, message.get(), strict);
  ASSERT_TRUE(parsed.ok()) << what << ": not a " << type->full_name() << ": " << parsed << "\n" << body;
  std::string printed;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*message, &printed).ok());
  google::protobuf::Value a, b;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &a).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(printed, &b).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
      << what << ": the answer is not as protobuf prints a " << type->full_name() << "\n  got:  " << body
      << "\n  want: " << printed;
  // Names are lowerCamelCase: no underscore in any key.
  std::function<void(const google::protobuf::Value&)> walk = [&](const google::protobuf::Value& v) {
    if (v.has_struct_value()) {
      for (const auto& [key, inner] : v.struct_value().fields()) {
        if (key != "@type") {
          EXPECT_FALSE(absl::StrContains(key, "_")) << what << ": key " << key;
        }
        walk(inner);
      }
    } else if (v.has_list_value()) {
      for (const auto& inner : v.list_value().values()) walk(inner);
    }
  };
  walk(a);
}

// One call through the gateway.
struct Row {
  std::string method;  // the RPC's full name
  std::string who;     // "speaker", "officer" or "operator"
  std::string http_method;
  std::function<std::string()> path;
  std::function<std::string()> body;
  int status;
  // Run with the answer (e.g. to keep an id for later rows).
  std::function<void(const HttpReply&)> then = nullptr;
};

class GatewayApiWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suite_ = std::make_unique<Suite>();
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutPressOfficer("moh-press-1", "MOH").ok());
    ASSERT_TRUE(suite_->PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    auto client = suite_->PutClient("tuoitre-cms", "tuoitre");
    ASSERT_TRUE(client.ok());
    reg::Subscription all;
    all.set_recipient_id(*client);
    all.add_agency_codes("MOH");
    ASSERT_TRUE(suite_->SetSubscription(all).ok());
    ASSERT_TRUE(suite_->PutAccount("sp@moh.gov.vn", reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount("press@moh.gov.vn", reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount("ops@gov.vn", reg::SUBJECT_KIND_OPERATOR, "ops-1", kPassword).ok());
    ASSERT_TRUE(suite_->StartGateway().ok());
    for (const auto& [who, user] : std::vector<std::pair<std::string, std::string>>{
             {"speaker", "sp@moh.gov.vn"}, {"officer", "press@moh.gov.vn"}, {"operator", "ops@gov.vn"}}) {
      auto desk = std::make_unique<DeskClient>(suite_->gateway_address());
      ASSERT_EQ(desk->SignIn(user, kPassword).status, 200) << user;
      desks_[who] = std::move(desk);
    }
    // The operator enrols a second factor and signs in with it.
    DeskClient& ops = *desks_["operator"];
    HttpReply enrolment = ops.Send("POST", "/api/v1/me/account:enrollTotp", "{}");
    ASSERT_EQ(enrolment.status, 200) << enrolment.body;
    const std::string secret = enrolment.Field("secret");
    ASSERT_EQ(ops.Send("POST", "/api/v1/me/account:confirmTotp", absl::StrCat(R"({"code":")", CodeFor(secret), "\"}"))
                  .status,
              200);
    ASSERT_EQ(ops.SignIn("ops@gov.vn", kPassword, CodeFor(secret, 1)).status, 200);
  }

  std::string Draft(const std::string& headline) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(MakeDraft("MOH", headline, {"health"}), &json);
    return json;
  }

  std::unique_ptr<Suite> suite_;
  std::map<std::string, std::unique_ptr<DeskClient>> desks_;
  std::map<std::string, std::string> ids_;  // kept from earlier answers
};

TEST_F(GatewayApiWalkTest, EveryAnnotatedRpcAnswersThroughTheGatewayInProtobufsJsonMapping) {
  auto keep = [this](const std::string& name, const std::string& field) {
    return [this, name, field](const HttpReply& r) { ids_[name] = r.Field(field); };
  };
  auto fixed = [](std::string s) { return [s] { return s; }; };
  // Two questions a journalist asked MOH (over gRPC: journalists do not sign in to the desk),
  // for the desk to read, answer and decline.
  ASSERT_TRUE(suite_->PutJournalist("TT-0001", "tuoitre").ok());
  auto journalist = suite_->IssueToken(reg::SUBJECT_KIND_JOURNALIST, "TT-0001");
  ASSERT_TRUE(journalist.ok()) << journalist.status();
  auto questions = dist::Questions::NewStub(OpenChannel(suite_->distribution_address()));
  for (const std::string name : {"question", "question-2"}) {
    dist::AskQuestionRequest ask;
    ask.set_agency_code("MOH");
    ask.set_text("Bộ Y tế cho biết số ca sốt xuất huyết tháng này?");
    *ask.mutable_answer_requested_by() = ToProto(absl::Now() + absl::Hours(48));
    dist::Question asked;
    auto ctx = CallContext(*journalist, absl::Seconds(20));
    const grpc::Status status = questions->AskQuestion(ctx.get(), ask, &asked);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ids_[name] = asked.id();
  }
  auto answer = [this] {
    dist::StatementDraft draft = MakeDraft("MOH", "Trả lời câu hỏi về sốt xuất huyết", {"health"});
    draft.set_kind(common::v1::STATEMENT_KIND_ANSWER);
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(draft, &json);
    return absl::StrCat(R"({"draft":)", json, R"(,"publishToAll":false})");
  };
  const std::vector<Row> rows = {
      // --- the desk: drafts, review, statements -------------------------------------------
      {"pressrelay.distribution.v1.Distribution.PreviewDraft", "officer", "POST", fixed("/api/v1/drafts:preview"),
       [this] { return absl::StrCat(R"({"content":)", Draft("Xem trước thông cáo"), "}"); }, 200},
      {"pressrelay.distribution.v1.Distribution.CreateDraft", "officer", "POST", fixed("/api/v1/drafts"),
       [this] { return absl::StrCat(R"({"draft":{"content":)", Draft("Dự thảo một"), "}}"); }, 200,
       keep("draft", "id")},
      {"pressrelay.distribution.v1.Distribution.UpdateDraft", "officer", "PUT",
       [this] { return "/api/v1/drafts/" + ids_["draft"]; },
       [this] { return absl::StrCat(R"({"draft":{"content":)", Draft("Dự thảo một, sửa lần một"), R"(},"expectedRevision":1})"); },
       200},
      {"pressrelay.distribution.v1.Distribution.GetDraft", "officer", "GET",
       [this] { return "/api/v1/drafts/" + ids_["draft"]; }, fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.ListDrafts", "speaker", "GET",
       fixed("/api/v1/drafts?agencyCode=MOH&state=DRAFT_STATE_WRITING&pageSize=10"), fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.SubmitDraft", "officer", "POST",
       [this] { return "/api/v1/drafts/" + ids_["draft"] + ":submit"; }, fixed(R"({"expectedRevision":2})"), 200},
      {"pressrelay.distribution.v1.Distribution.ReturnDraft", "speaker", "POST",
       [this] { return "/api/v1/drafts/" + ids_["draft"] + ":return"; },
       fixed(R"({"expectedRevision":3,"comment":"Bổ sung số liệu tháng 11"})"), 200},
      {"pressrelay.distribution.v1.Distribution.SubmitDraft", "officer", "POST",
       [this] { return "/api/v1/drafts/" + ids_["draft"] + ":submit"; }, fixed(R"({"expectedRevision":4})"), 200},
      {"pressrelay.distribution.v1.Distribution.ApproveDraft", "speaker", "POST",
       [this] { return "/api/v1/drafts/" + ids_["draft"] + ":approve"; }, fixed(R"({"expectedRevision":5})"), 200,
       keep("statement", "draft.statementId")},
      {"pressrelay.distribution.v1.Distribution.Publish", "speaker", "POST", fixed("/api/v1/statements"),
       [this] { return absl::StrCat(R"({"draft":)", Draft("Thông cáo phát hành trực tiếp"), R"(,"idempotencyKey":"walk-1"})"); },
       200, keep("direct", "statement.id")},
      {"pressrelay.distribution.v1.Distribution.Revise", "speaker", "POST",
       [this] { return "/api/v1/statements/" + ids_["direct"] + ":revise"; },
       fixed(R"({"signal":"VERSION_SIGNAL_KILL","reason":"Phát hành nhầm","expectedVersion":1})"), 200},
      {"pressrelay.distribution.v1.Distribution.GetStatement", "speaker", "GET",
       [this] { return "/api/v1/statements/" + ids_["statement"]; }, fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.ListStatements", "speaker", "GET",
       fixed("/api/v1/statements?agencyCode=MOH"), fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.GetDeliveryReport", "speaker", "GET",
       [this] { return "/api/v1/statements/" + ids_["statement"] + "/report"; }, fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.GetStatementHistory", "speaker", "GET",
       [this] { return "/api/v1/statements/" + ids_["statement"] + "/history"; }, fixed(""), 200},
      {"pressrelay.distribution.v1.Distribution.GetObligationsReport", "officer", "GET",
       fixed("/api/v1/obligations?agencyCode=MOH"), fixed(""), 200},
      // --- journalists' questions ----------------------------------------------------------
      {"pressrelay.distribution.v1.Questions.ListQuestions", "officer", "GET",
       fixed("/api/v1/questions?agencyCode=MOH&state=QUESTION_STATE_OPEN"), fixed(""), 200},
      {"pressrelay.distribution.v1.Questions.GetQuestion", "operator", "GET",
       [this] { return "/api/v1/questions/" + ids_["question"]; }, fixed(""), 200},
      {"pressrelay.distribution.v1.Questions.AnswerQuestion", "speaker", "POST",
       [this] { return "/api/v1/questions/" + ids_["question"] + ":answer"; }, answer, 200},
      {"pressrelay.distribution.v1.Questions.DeclineQuestion", "speaker", "POST",
       [this] { return "/api/v1/questions/" + ids_["question-2"] + ":decline"; },
       fixed(R"({"ground":"DECLINE_GROUND_NOT_CONCLUDED","note":"Vụ việc đang được thanh tra, chưa có kết luận."})"),
       200},
      // --- the operator's registry pages ---------------------------------------------------
      {"pressrelay.registry.v1.RegistryAdmin.UpsertAgency", "operator", "PUT", fixed("/api/v1/agencies/DNG"),
       fixed(R"({"nameVi":"UBND thành phố Đà Nẵng","kind":"AGENCY_KIND_PROVINCIAL_COMMITTEE","regionCode":"VN-DN"})"), 200},
      {"pressrelay.registry.v1.RegistryAdmin.GetAgency", "operator", "GET", fixed("/api/v1/agencies/DNG"), fixed(""),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ListAgencies", "operator", "GET", fixed("/api/v1/agencies"), fixed(""),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ChangeAgency", "operator", "POST", fixed("/api/v1/agencies/DNG:change"),
       fixed(R"({"kind":"AGENCY_CHANGE_KIND_RENAME","nameVi":"UBND thành phố Đà Nẵng","nameEn":"Da Nang People's Committee","decidedBy":"202/2025/QH15"})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertSpokesperson", "operator", "PUT",
       fixed("/api/v1/spokespeople/dng-sp"),
       fixed(R"({"agencyCode":"DNG","fullName":"Nguyễn Văn Đà","title":"Chánh Văn phòng UBND","role":"SPOKESPERSON_ROLE_SPOKESPERSON","authorisedBy":"2345/QĐ-UBND","validFrom":"2026-01-01T00:00:00Z"})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ListSpokespeople", "operator", "GET",
       fixed("/api/v1/spokespeople?agencyCode=DNG"), fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertPressOfficer", "operator", "PUT",
       fixed("/api/v1/press-officers/dng-press-1"),
       fixed(R"({"agencyCode":"DNG","fullName":"Trần Thị Báo","title":"Chuyên viên"})"), 200},
      {"pressrelay.registry.v1.RegistryAdmin.ListPressOfficers", "operator", "GET", fixed("/api/v1/press-officers"),
       fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertOutlet", "operator", "PUT", fixed("/api/v1/outlets/vnexpress"),
       fixed(R"({"name":"VnExpress","licenceNumber":"548/GP-BTTTT","kind":"OUTLET_KIND_ONLINE"})"), 200},
      {"pressrelay.registry.v1.RegistryAdmin.ListOutlets", "operator", "GET", fixed("/api/v1/outlets"), fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertJournalist", "operator", "PUT",
       fixed("/api/v1/journalists/VNE-0001"),
       fixed(R"({"fullName":"Lê Phóng Viên","outletId":"vnexpress","cardExpires":"2030-12-31T00:00:00Z"})"), 200},
      {"pressrelay.registry.v1.RegistryAdmin.ListJournalists", "operator", "GET",
       fixed("/api/v1/journalists?outletId=vnexpress"), fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertNewsroomClient", "operator", "PUT",
       fixed("/api/v1/clients/vnexpress-cms"), fixed(R"({"outletId":"vnexpress","description":"CMS của VnExpress"})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ListNewsroomClients", "operator", "GET", fixed("/api/v1/clients"),
       fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.SetSubscription", "operator", "PUT",
       fixed("/api/v1/subscriptions/client:vnexpress-cms"), fixed(R"({"agencyCodes":["MOH","DNG"],"topics":["health"]})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.GetSubscription", "operator", "GET",
       fixed("/api/v1/subscriptions/client:vnexpress-cms"), fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.ImportRecipients", "operator", "POST", fixed("/api/v1/recipients:import"),
       fixed(R"({"outlets":[{"id":"thanhnien","name":"Báo Thanh Niên","licenceNumber":"400/GP-BTTTT","kind":"OUTLET_KIND_NEWSPAPER"}],)"
             R"("journalists":[{"cardNumber":"TN-0001","fullName":"Phạm Nhà Báo","outletId":"thanhnien","cardExpires":"2030-01-01T00:00:00Z"}]})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.IssueToken", "operator", "POST", fixed("/api/v1/tokens"),
       fixed(R"({"subjectKind":"SUBJECT_KIND_NEWSROOM_CLIENT","subjectId":"vnexpress-cms","description":"walk"})"), 200,
       keep("token", "info.tokenId")},
      {"pressrelay.registry.v1.RegistryAdmin.ListTokens", "operator", "GET", fixed("/api/v1/tokens?subjectId=vnexpress-cms"),
       fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.RevokeToken", "operator", "POST",
       [this] { return "/api/v1/tokens/" + ids_["token"] + ":revoke"; }, fixed("{}"), 200},
      {"pressrelay.registry.v1.RegistryAdmin.QueryAudit", "operator", "GET",
       fixed("/api/v1/audit?principalId=moh-sp&limit=5"), fixed(""), 200},
      {"pressrelay.registry.v1.RegistryAdmin.UpsertAccount", "operator", "PUT",
       fixed("/api/v1/accounts/press@dng.gov.vn"),
       fixed(R"({"account":{"subjectKind":"SUBJECT_KIND_PRESS_OFFICER","subjectId":"dng-press-1","displayName":"Trần Thị Báo"},"password":"một mật khẩu mới dài"})"),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ListAccounts", "operator", "GET", fixed("/api/v1/accounts"), fixed(""),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.ResetTotp", "operator", "POST",
       fixed("/api/v1/accounts/press@dng.gov.vn:resetTotp"), fixed("{}"), 200},
      // --- everyone's own account ------------------------------------------------------------
      {"pressrelay.registry.v1.RegistryAdmin.GetMyAccount", "speaker", "GET", fixed("/api/v1/me/account"), fixed(""),
       200},
      {"pressrelay.registry.v1.RegistryAdmin.EnrollTotp", "officer", "POST", fixed("/api/v1/me/account:enrollTotp"),
       fixed("{}"), 200, keep("officer-secret", "secret")},
      {"pressrelay.registry.v1.RegistryAdmin.ConfirmTotp", "officer", "POST", fixed("/api/v1/me/account:confirmTotp"),
       [this] { return absl::StrCat(R"({"code":")", CodeFor(ids_["officer-secret"]), "\"}"); }, 200},
      {"pressrelay.registry.v1.RegistryAdmin.ChangePassword", "speaker", "POST",
       fixed("/api/v1/me/account:changePassword"),
       fixed(R"({"currentPassword":"mật khẩu đủ dài 2026","newPassword":"mật khẩu mới cũng đủ dài"})"), 200},
      {"pressrelay.registry.v1.Keys.ListAgencyKeys", "officer", "GET", fixed("/api/v1/keys?agencyCode=MOH"),
       fixed(""), 200},
      {"pressrelay.registry.v1.PublicRegistry.ListAgencySpokespeople", "officer", "GET",
       fixed("/api/v1/agencies/DNG/spokespeople"), fixed(""), 200},
  };

  std::set<std::string> walked;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const Row& row : rows) {
    const MethodDescriptor* method = pool->FindMethodByName(row.method);
    ASSERT_NE(method, nullptr) << row.method;
    const std::string path = row.path();
    const std::string what = absl::StrCat(row.method, " ", row.http_method, " ", path);
    DeskClient& desk = *desks_.at(row.who);
    HttpReply reply = row.http_method == "GET" ? desk.Get(path) : desk.Send(row.http_method, path, row.body());
    ASSERT_EQ(reply.status, row.status) << what << "\n" << reply.body;
    EXPECT_TRUE(absl::StartsWith(reply.Header("Content-Type"), "application/json")) << what;
    ExpectProtoJson(reply.body, row.status == 200 ? method->output_type() : google::rpc::Status::descriptor(), what);
    if (row.then) row.then(reply);
    walked.insert(row.method);
  }
  // Every annotated RPC was walked; adding an annotation means adding a row.
  for (const std::string& name : AnnotatedMethods()) EXPECT_TRUE(walked.contains(name)) << "not walked: " << name;
  EXPECT_EQ(walked, AnnotatedMethods());
}

// Errors come back as google.rpc.Status JSON with the status Google's table gives the code,
// and the field-level BadRequest details a form shows beside each field.
TEST_F(GatewayApiWalkTest, ErrorsAreGoogleRpcStatusWithTheMappedHttpStatusAndFieldViolations) {
  struct Case {
    std::string who, http_method, path, body;
    int status;
    int grpc_code;
    std::string field;  // a field violation expected, or ""
  };
  const std::vector<Case> cases = {
      {"speaker", "GET", "/api/v1/statements/st_doesnotexist0000000", "", 404, 5, ""},
      {"operator", "PUT", "/api/v1/agencies/moh!", R"({"nameVi":"Sai mã"})", 400, 3, "agency.code"},
      {"officer", "GET", "/api/v1/tokens", "", 403, 7, ""},
      {"speaker", "POST", "/api/v1/statements", R"({"draft":{"agencyCode":"MOH","urgency":12}})", 400, 3,
       "draft.urgency"},
      {"speaker", "PUT", "/api/v1/drafts/d_doesnotexist00000000",
       absl::StrCat(R"({"draft":{"content":)", Draft("x"), R"(},"expectedRevision":1})"), 404, 5, ""},
      {"speaker", "GET", "/api/v1/statements?pageSize=abc", "", 400, 3, "pageSize"},
  };
  for (const Case& c : cases) {
    DeskClient& desk = *desks_.at(c.who);
    HttpReply reply = c.http_method == "GET" ? desk.Get(c.path) : desk.Send(c.http_method, c.path, c.body);
    const std::string what = absl::StrCat(c.http_method, " ", c.path);
    EXPECT_EQ(reply.status, c.status) << what << "\n" << reply.body;
    ExpectProtoJson(reply.body, google::rpc::Status::descriptor(), what);
    EXPECT_EQ(reply.Field("code"), std::to_string(c.grpc_code)) << what << "\n" << reply.body;
    EXPECT_FALSE(reply.Field("message").empty()) << what;
    if (!c.field.empty()) {
      const auto fields = reply.FieldViolations();
      EXPECT_TRUE(std::find(fields.begin(), fields.end(), c.field) != fields.end())
          << what << ": no violation of " << c.field << "\n" << reply.body;
    }
  }
  // The OpenAPI document names every route.
  HttpReply openapi = desks_.at("speaker")->Get("/api/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  for (const char* path : {"/v1/drafts/{draft_id}:approve", "/v1/statements/{statement_id}/report", "/v1/keys"}) {
    EXPECT_TRUE(absl::StrContains(openapi.body, path)) << path;
  }
}

}  // namespace
}  // namespace pressrelay::testing
