// The admin gateway over HTTP, as a browser meets it, against the real suite (Redis, the
// three services, the gateway binary): signing in (wrong password, wrong TOTP code, the
// lockout), sessions (idle expiry, sign-out, a revoked person), CSRF, what each person may
// do through it (another agency, a press officer publishing), bad bodies (too large,
// malformed: a clear 4xx and nothing written), the static route (no way out of the web
// directory), the security headers on every answer, readiness, and the live delivery report.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/domain/totp.h"
#include "services/common/rpc/grpc_util.h"
#include "tests/support/desk_client.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr char kPassword[] = "mật khẩu đủ dài 2026";
constexpr char kMohSpeaker[] = "sp@moh.gov.vn";
constexpr char kHanSpeaker[] = "sp@hanoi.gov.vn";
constexpr char kMohOfficer[] = "press@moh.gov.vn";
constexpr char kOperator[] = "ops@gov.vn";

std::string ToJsonBody(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

// A CreateDraft body: {"draft": {"content": <StatementDraft>}}.
std::string DraftBody(const std::string& agency, const std::string& headline) {
  dist::CreateDraftRequest request;
  *request.mutable_draft()->mutable_content() = MakeDraft(agency, headline, {"health"});
  return ToJsonBody(request);
}

std::string PublishBody(const std::string& agency, const std::string& headline) {
  dist::PublishRequest request;
  *request.mutable_draft() = MakeDraft(agency, headline, {"health"});
  return ToJsonBody(request);
}

std::string CodeFor(const std::string& secret, int steps_ahead = 0) {
  auto key = totp::Base32Decode(secret);
  EXPECT_TRUE(key.has_value()) << secret;
  return totp::CodeAt(key.value_or(""), totp::StepAt(absl::Now()) + steps_ahead);
}

// Every answer carries these, whatever it is.
void ExpectSecurityHeaders(const HttpReply& reply, const std::string& what) {
  const std::string csp = reply.Header("Content-Security-Policy");
  EXPECT_TRUE(absl::StrContains(csp, "script-src 'self'")) << what << ": " << csp;
  EXPECT_FALSE(absl::StrContains(csp, "unsafe-inline")) << what << ": " << csp;
  EXPECT_TRUE(absl::StrContains(csp, "frame-ancestors 'none'")) << what << ": " << csp;
  EXPECT_EQ(reply.Header("X-Frame-Options"), "DENY") << what;
  EXPECT_EQ(reply.Header("X-Content-Type-Options"), "nosniff") << what;
}

class GatewayHttpTest : public ::testing::Test {
 protected:
  void StartSuite(std::vector<std::string> registry_flags = {}, std::vector<std::string> gateway_flags = {}) {
    SuiteOptions options;
    options.registry_flags = std::move(registry_flags);
    suite_ = std::make_unique<Suite>(std::move(options));
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutAgency("HAN", "UBND thành phố Hà Nội", reg::AGENCY_KIND_PROVINCIAL_COMMITTEE).ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("han-sp", "HAN").ok());
    ASSERT_TRUE(suite_->PutPressOfficer("moh-press-1", "MOH").ok());
    ASSERT_TRUE(suite_->PutAccount(kMohSpeaker, reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount(kHanSpeaker, reg::SUBJECT_KIND_SPOKESPERSON, "han-sp", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount(kMohOfficer, reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount(kOperator, reg::SUBJECT_KIND_OPERATOR, "ops-1", kPassword).ok());
    auto started = suite_->StartGateway(gateway_flags);
    ASSERT_TRUE(started.ok()) << started;
  }

  // A browser signed in as `username` (which must succeed).
  std::unique_ptr<DeskClient> SignedIn(const std::string& username, const std::string& code = "") {
    auto desk = std::make_unique<DeskClient>(suite_->gateway_address());
    HttpReply reply = desk->SignIn(username, kPassword, code);
    EXPECT_EQ(reply.status, 200) << username << ": " << reply.body;
    EXPECT_FALSE(desk->csrf().empty());
    return desk;
  }

  // The operator, second factor enrolled through the desk's own pages; returns the secret
  // and leaves `desk` signed in with a code.
  std::string EnrolOperator(DeskClient& desk) {
    HttpReply pending = desk.SignIn(kOperator, kPassword);
    EXPECT_EQ(pending.status, 200) << pending.body;
    EXPECT_EQ(pending.Field("totpEnrollmentRequired"), "true") << pending.body;
    // Until enrolled, an operator's session opens nothing else.
    EXPECT_EQ(desk.Get("/api/v1/agencies").status, 403);
    HttpReply enrolment = desk.Send("POST", "/api/v1/me/account:enrollTotp", "{}");
    EXPECT_EQ(enrolment.status, 200) << enrolment.body;
    const std::string secret = enrolment.Field("secret");
    EXPECT_TRUE(absl::StartsWith(enrolment.Field("otpauthUri"), "otpauth://totp/")) << enrolment.body;
    HttpReply confirmed =
        desk.Send("POST", "/api/v1/me/account:confirmTotp", absl::StrCat(R"({"code":")", CodeFor(secret), R"("})"));
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(confirmed.Field("totpEnabled"), "true") << confirmed.body;
    EXPECT_EQ(desk.SignOut().status, 200);
    return secret;
  }

  // How many drafts the agency's desk holds, as its spokesperson sees them.
  int DraftCount(DeskClient& desk, const std::string& agency) {
    HttpReply reply = desk.Get(absl::StrCat("/api/v1/drafts?agencyCode=", agency));
    EXPECT_EQ(reply.status, 200) << reply.body;
    google::protobuf::Value v = reply.Json();
    if (!v.struct_value().fields().contains("drafts")) return 0;
    return v.struct_value().fields().at("drafts").list_value().values_size();
  }

  std::unique_ptr<Suite> suite_;
};

TEST_F(GatewayHttpTest, AWrongPasswordOrTotpCodeIsRefusedAndOpensNoSession) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  DeskClient desk(suite_->gateway_address());
  for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
           {kMohSpeaker, "not the password at all"}, {"nobody@moh.gov.vn", kPassword}}) {
    HttpReply reply = desk.SignIn(user, password);
    EXPECT_EQ(reply.status, 401) << reply.body;
    EXPECT_EQ(reply.Field("message"), "wrong username or password");
    EXPECT_EQ(reply.Header("Set-Cookie"), "");
    EXPECT_TRUE(desk.session().empty());
    ExpectSecurityHeaders(reply, "failed sign-in");
  }
  // Not JSON, or JSON of another shape: 400 naming what is wrong.
  HttpReply form = desk.Raw("POST", "/api/session", "username=a&password=b", "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 400) << form.body;
  EXPECT_EQ(form.FieldViolations(), std::vector<std::string>{"Content-Type"});
  HttpReply garbage = desk.Raw("POST", "/api/session", "{\"username\": ", "application/json");
  EXPECT_EQ(garbage.status, 400) << garbage.body;
  EXPECT_EQ(garbage.FieldViolations(), std::vector<std::string>{"body"});

  // An operator with a second factor: no code, a wrong code and a used code are refused.
  const std::string secret = EnrolOperator(desk);
  HttpReply no_code = desk.SignIn(kOperator, kPassword);
  EXPECT_EQ(no_code.status, 401) << no_code.body;
  const std::string right = CodeFor(secret);
  const std::string wrong = right == "000000" ? "111111" : "000000";
  HttpReply wrong_code = desk.SignIn(kOperator, kPassword, wrong);
  EXPECT_EQ(wrong_code.status, 401) << wrong_code.body;
  EXPECT_TRUE(desk.session().empty());
  // The right code from the next step (the confirmation used this one).
  HttpReply ok = desk.SignIn(kOperator, kPassword, CodeFor(secret, 1));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Field("principal.role"), "ROLE_OPERATOR");
  EXPECT_EQ(desk.Get("/api/v1/agencies").status, 200);
  // The same code again, from another browser: used once only.
  DeskClient other(suite_->gateway_address());
  EXPECT_EQ(other.SignIn(kOperator, kPassword, CodeFor(secret, 1)).status, 401);
}

TEST_F(GatewayHttpTest, RepeatedFailuresLockTheAccountAndTheAnswerSaysWhenToRetry) {
  ASSERT_NO_FATAL_FAILURE(StartSuite({"--signin_account_failures", "3", "--signin_lockout", "10m"}));
  DeskClient desk(suite_->gateway_address());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(desk.SignIn(kMohSpeaker, "wrong password " + std::to_string(i)).status, 401);
  HttpReply locked = desk.SignIn(kMohSpeaker, kPassword);  // the right password, too late
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_TRUE(desk.session().empty());
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(locked.Header("Retry-After"), &retry_after)) << locked.Header("Retry-After");
  EXPECT_GT(retry_after, 60);
  EXPECT_LE(retry_after, 600);
  // Another person is not locked out with them.
  EXPECT_EQ(desk.SignIn(kHanSpeaker, kPassword).status, 200);
}

TEST_F(GatewayHttpTest, AnIdleSessionExpiresAndSignOutEndsOne) {
  ASSERT_NO_FATAL_FAILURE(StartSuite({"--session_idle_timeout", "2s"}));
  auto desk = SignedIn(kMohSpeaker);
  HttpReply me = desk->Get("/api/session");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Field("username"), kMohSpeaker);
  EXPECT_EQ(me.Field("agencyCode"), "MOH");
  EXPECT_EQ(me.Field("csrfToken"), desk->csrf());
  // The cookie: HttpOnly, SameSite=Strict (Secure only under TLS, not here).
  HttpReply again = desk->SignIn(kMohSpeaker, kPassword);
  const std::string cookie = again.Header("Set-Cookie");
  EXPECT_TRUE(absl::StrContains(cookie, "HttpOnly")) << cookie;
  EXPECT_TRUE(absl::StrContains(cookie, "SameSite=Strict")) << cookie;
  // Unused past the idle timeout: the session is over.
  absl::SleepFor(absl::Seconds(3));
  HttpReply expired = desk->Get("/api/v1/statements?agencyCode=MOH");
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_EQ(desk->Get("/api/session").status, 401);

  // Sign-out ends the session at the registry: the old cookie is worth nothing after it.
  auto second = SignedIn(kMohSpeaker);
  const std::string kept = second->session();
  EXPECT_EQ(second->Get("/api/session").status, 200);
  HttpReply out = second->SignOut();
  EXPECT_EQ(out.status, 200);
  EXPECT_TRUE(absl::StrContains(out.Header("Set-Cookie"), "Max-Age=0"));
  DeskClient replay(suite_->gateway_address());
  replay.set_session(kept);
  EXPECT_EQ(replay.Get("/api/session").status, 401);
}

TEST_F(GatewayHttpTest, EveryStateChangingRequestNeedsTheSessionsCsrfToken) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  auto desk = SignedIn(kMohSpeaker);
  const std::string body = DraftBody("MOH", "Thông cáo báo chí về tiêm chủng mở rộng");
  for (const std::optional<std::string>& csrf : std::vector<std::optional<std::string>>{"", "0123456789abcdef"}) {
    HttpReply refused = desk->Send("POST", "/api/v1/drafts", body, csrf);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_TRUE(absl::StrContains(refused.Field("message"), "X-CSRF-Token")) << refused.body;
    EXPECT_EQ(desk->Send("POST", "/api/v1/statements", PublishBody("MOH", "Không được gửi"), csrf).status, 403);
  }
  // Another session's token is no good either.
  auto other = SignedIn(kMohOfficer);
  EXPECT_EQ(desk->Send("POST", "/api/v1/drafts", body, other->csrf()).status, 403);
  EXPECT_EQ(DraftCount(*desk, "MOH"), 0);
  auto listed = desk->Get("/api/v1/statements?agencyCode=MOH");
  EXPECT_EQ(listed.status, 200);
  EXPECT_FALSE(absl::StrContains(listed.body, "Không được gửi"));
  // Sign-out needs it too (a forged cross-site sign-out is refused).
  EXPECT_EQ(desk->Send("DELETE", "/api/session", "", "").status, 403);
  EXPECT_EQ(desk->Get("/api/session").status, 200);
  // With it, the draft is written.
  HttpReply created = desk->Send("POST", "/api/v1/drafts", body);
  EXPECT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(DraftCount(*desk, "MOH"), 1);
}

TEST_F(GatewayHttpTest, ASpokespersonCannotActForAnotherAgencyThroughTheGateway) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  auto moh = SignedIn(kMohSpeaker);
  auto han = SignedIn(kHanSpeaker);
  // Publishing in Hà Nội's name.
  HttpReply publish = moh->Send("POST", "/api/v1/statements", PublishBody("HAN", "Thông báo giả mạo"));
  EXPECT_EQ(publish.status, 403) << publish.body;
  // Hà Nội's draft: neither seen, listed nor approved by the ministry's spokesperson.
  HttpReply created = han->Send("POST", "/api/v1/drafts", DraftBody("HAN", "Thông báo của Hà Nội"));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.Field("id");
  EXPECT_EQ(han->Send("POST", absl::StrCat("/api/v1/drafts/", id, ":submit"), R"({"expectedRevision":1})").status,
            200);
  EXPECT_EQ(moh->Get(absl::StrCat("/api/v1/drafts/", id)).status / 100, 4);
  EXPECT_EQ(moh->Get("/api/v1/drafts?agencyCode=HAN").status, 403);
  HttpReply approve = moh->Send("POST", absl::StrCat("/api/v1/drafts/", id, ":approve"), R"({"expectedRevision":2})");
  EXPECT_EQ(approve.status / 100, 4) << approve.body;
  EXPECT_NE(approve.status, 200);
  // A statement of Hà Nội's, published by its own spokesperson, cannot be killed by the ministry's.
  HttpReply own = han->Send("POST", "/api/v1/statements", PublishBody("HAN", "Thông báo thật của Hà Nội"));
  ASSERT_EQ(own.status, 200) << own.body;
  const std::string statement = own.Field("statement.id");
  HttpReply kill = moh->Send("POST", absl::StrCat("/api/v1/statements/", statement, ":revise"),
                             R"({"signal":"VERSION_SIGNAL_KILL","reason":"giả mạo"})");
  EXPECT_EQ(kill.status, 403) << kill.body;
  // Nor see its delivery report.
  EXPECT_EQ(moh->Get(absl::StrCat("/api/v1/statements/", statement, "/report")).status, 403);
  // The registry pages are the operators'.
  EXPECT_EQ(moh->Get("/api/v1/tokens").status, 403);
  EXPECT_EQ(moh->Send("PUT", "/api/v1/outlets/tuoitre", R"({"id":"tuoitre","name":"Tuổi Trẻ"})").status, 403);
}

TEST_F(GatewayHttpTest, APressOfficerWritesAndSubmitsButCannotPublish) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  auto officer = SignedIn(kMohOfficer);
  EXPECT_EQ(officer->Get("/api/session").Field("agencyCode"), "MOH");
  HttpReply publish = officer->Send("POST", "/api/v1/statements", PublishBody("MOH", "Cán bộ tự phát hành"));
  EXPECT_EQ(publish.status, 403) << publish.body;
  HttpReply created = officer->Send("POST", "/api/v1/drafts", DraftBody("MOH", "Dự thảo thông cáo về dịch sốt xuất huyết"));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.Field("state"), "DRAFT_STATE_WRITING");
  EXPECT_EQ(created.Field("writtenBy"), "moh-press-1");
  const std::string id = created.Field("id");
  EXPECT_EQ(officer->Send("POST", absl::StrCat("/api/v1/drafts/", id, ":submit"), R"({"expectedRevision":1})").status,
            200);
  HttpReply approve = officer->Send("POST", absl::StrCat("/api/v1/drafts/", id, ":approve"), R"({"expectedRevision":2})");
  EXPECT_EQ(approve.status, 403) << approve.body;
  // The spokesperson approves it; the audit trail names them and the gateway.
  auto speaker = SignedIn(kMohSpeaker);
  HttpReply approved = speaker->Send("POST", absl::StrCat("/api/v1/drafts/", id, ":approve"), R"({"expectedRevision":2})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Field("draft.state"), "DRAFT_STATE_PUBLISHED");
  auto admin = suite_->Admin();
  auto ctx = CallContext(suite_->operator_token(), absl::Seconds(10));
  reg::QueryAuditRequest query;
  query.set_principal_id("moh-sp");
  reg::QueryAuditResponse audit;
  ASSERT_TRUE(admin->QueryAudit(ctx.get(), query, &audit).ok());
  bool found = false;
  for (const auto& e : audit.entries()) {
    if (absl::StrContains(e.method(), "ApproveDraft")) {
      found = true;
      EXPECT_EQ(e.via_gateway(), "admin-gateway") << e.DebugString();
    }
  }
  EXPECT_TRUE(found) << audit.DebugString();
}

TEST_F(GatewayHttpTest, ARevokedPersonsOpenSessionIsRefusedAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  auto speaker = SignedIn(kMohSpeaker);
  EXPECT_EQ(speaker->Send("POST", "/api/v1/drafts", DraftBody("MOH", "Trước khi bị thu hồi")).status, 200);
  // The spokesperson's term ends now: the next request through the open session is refused.
  ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH", absl::InfinitePast(), absl::Now()).ok());
  HttpReply after = speaker->Send("POST", "/api/v1/statements", PublishBody("MOH", "Sau khi hết nhiệm kỳ"));
  EXPECT_TRUE(after.status == 401 || after.status == 403) << after.status << " " << after.body;
  // A press officer whose account is disabled: their session ends.
  auto officer = SignedIn(kMohOfficer);
  ASSERT_TRUE(suite_->PutAccount(kMohOfficer, reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1", "", true).ok());
  EXPECT_EQ(officer->Get("/api/v1/drafts?agencyCode=MOH").status, 401);
  EXPECT_EQ(officer->Get("/api/session").status, 401);
}

TEST_F(GatewayHttpTest, OversizedOrMalformedBodiesGetAClear4xxAndWriteNothing) {
  ASSERT_NO_FATAL_FAILURE(StartSuite({}, {"--max_body_bytes", "4096"}));
  auto desk = SignedIn(kMohSpeaker);
  dist::CreateDraftRequest big;
  *big.mutable_draft()->mutable_content() = MakeDraft("MOH", "Quá dài");
  big.mutable_draft()->mutable_content()->set_body(std::string(8000, 'x'));
  HttpReply too_large = desk->Send("POST", "/api/v1/drafts", ToJsonBody(big));
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  ExpectSecurityHeaders(too_large, "413");
  for (const std::string& body : {std::string("{\"draft\": {\"content\": "), std::string("[1,2,3]"),
                                  std::string("{\"draft\": {\"noSuchField\": 1}}"),
                                  std::string("{\"draft\": {\"content\": {\"urgency\": \"very\"}}}")}) {
    HttpReply reply = desk->Send("POST", "/api/v1/drafts", body);
    EXPECT_EQ(reply.status, 400) << body << " -> " << reply.body;
    EXPECT_FALSE(reply.FieldViolations().empty()) << reply.body;
  }
  // A body the rules refuse names the field, as protobuf's JSON mapping spells it or as the
  // proto does: the form shows it beside the field. (A draft may be saved unfinished; a
  // statement published straight away may not.)
  HttpReply refused = desk->Send("POST", "/api/v1/statements", PublishBody("MOH", ""));
  EXPECT_EQ(refused.status, 400) << refused.body;
  ASSERT_FALSE(refused.FieldViolations().empty()) << refused.body;
  EXPECT_TRUE(absl::StrContains(refused.FieldViolations()[0], "headline")) << refused.body;
  EXPECT_EQ(DraftCount(*desk, "MOH"), 0);
  // An unknown API path is 404, an unknown page too.
  EXPECT_EQ(desk->Get("/api/v1/nothing-here").status, 404);
}

TEST_F(GatewayHttpTest, TheStaticRouteNeverLeavesTheWebDirectory) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  DeskClient browser(suite_->gateway_address());
  HttpReply index = browser.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_TRUE(absl::StartsWith(index.Header("Content-Type"), "text/html"));
  ExpectSecurityHeaders(index, "/");
  // No inline script in the page itself.
  EXPECT_FALSE(absl::StrContains(index.body, "<script>")) << "inline script in index.html";
  for (const char* path :
       {"/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc%2fpasswd",
        "/static/.hidden", "/static//etc/passwd", "/static/js/../../../CMakeLists.txt", "/../CMakeLists.txt",
        "/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/static/js/app.js%00.html"}) {
    HttpReply reply = browser.Get(path);
    EXPECT_NE(reply.status, 200) << path;
    EXPECT_FALSE(absl::StrContains(reply.body, "root:")) << path;
    EXPECT_FALSE(absl::StrContains(reply.body, "cmake_minimum_required")) << path;
  }
  HttpReply script = browser.Get("/static/js/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_TRUE(absl::StartsWith(script.Header("Content-Type"), "text/javascript"));
  ExpectSecurityHeaders(script, "app.js");
  ExpectSecurityHeaders(browser.Get("/api/v1/drafts"), "401");
  ExpectSecurityHeaders(browser.Get("/nowhere"), "404");
}

TEST_F(GatewayHttpTest, TheGatewaysOwnTokenAloneCannotPublishForAnyone) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  const std::string gateway = suite_->gateway_token();
  // Straight to the distribution service with the stolen gateway token.
  auto stub = suite_->Distribution();
  dist::PublishRequest request;
  *request.mutable_draft() = MakeDraft("MOH", "Bằng thẻ của cổng");
  dist::PublishResponse response;
  auto ctx = CallContext(gateway, absl::Seconds(10));
  EXPECT_EQ(stub->Publish(ctx.get(), request, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The gateway token as "the gateway" beside a token that is not a session: refused.
  auto speaker_token = suite_->IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  ASSERT_TRUE(speaker_token.ok());
  auto ctx2 = CallContext(*speaker_token, absl::Seconds(10));
  ctx2->AddMetadata(std::string(kGatewayHeader), gateway);
  EXPECT_EQ(stub->Publish(ctx2.get(), request, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Over HTTP without a session: 401.
  DeskClient anonymous(suite_->gateway_address());
  EXPECT_EQ(anonymous.Send("POST", "/api/v1/statements", PublishBody("MOH", "Ẩn danh"), "x").status, 401);
}

TEST_F(GatewayHttpTest, ReadyOnlyWhileTheServicesItNeedsAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  DeskClient probe(suite_->gateway_address());
  EXPECT_EQ(probe.Get("/healthz").status, 200);
  EXPECT_EQ(probe.Get("/readyz").status, 200);
  suite_->distribution().Kill();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  int status = 200;
  while (absl::Now() < deadline && (status = probe.Get("/readyz").status) == 200) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(status, 503);
  EXPECT_EQ(probe.Get("/healthz").status, 200);  // alive: nothing to restart
  ASSERT_TRUE(suite_->RestartDistribution().ok());
  const absl::Time back = absl::Now() + absl::Seconds(20);
  while (absl::Now() < back && (status = probe.Get("/readyz").status) != 200) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(status, 200);
}

TEST_F(GatewayHttpTest, TheDeliveryReportIsPushedWhenANewsroomAcknowledges) {
  ASSERT_NO_FATAL_FAILURE(StartSuite());
  ASSERT_TRUE(suite_->PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  auto client = suite_->PutClient("tuoitre-cms", "tuoitre");
  ASSERT_TRUE(client.ok());
  reg::Subscription all;
  all.set_recipient_id(*client);
  all.add_agency_codes("MOH");
  ASSERT_TRUE(suite_->SetSubscription(all).ok());
  auto token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tuoitre-cms");
  ASSERT_TRUE(token.ok());
  TestSubscriber newsroom(suite_->subscription_address(), *token);
  newsroom.Start();
  ASSERT_TRUE(newsroom.WaitCaughtUp(absl::Seconds(20)));

  auto desk = SignedIn(kMohSpeaker);
  HttpReply published = desk->Send("POST", "/api/v1/statements", PublishBody("MOH", "Thông cáo: báo cáo trực tiếp"));
  ASSERT_EQ(published.status, 200) << published.body;
  const std::string id = published.Field("statement.id");
  ASSERT_TRUE(newsroom.WaitForCount(1, absl::Seconds(20)));

  EventStream report(suite_->gateway_address(), absl::StrCat("/api/v1/statements/", id, "/report:watch"),
                     desk->session());
  auto first = report.Next("report", absl::Seconds(10));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(report.status(), 200);
  EXPECT_FALSE(absl::StrContains(*first, "\"acknowledged\":1")) << *first;
  const absl::Time acked_at = absl::Now();
  ASSERT_TRUE(newsroom.AckLast().ok());
  // Pushed, within 2 s, without asking again.
  std::optional<std::string> next;
  while (absl::Now() < acked_at + absl::Seconds(2)) {
    next = report.Next("report", acked_at + absl::Seconds(2) - absl::Now());
    if (next && absl::StrContains(*next, "\"acknowledged\":1")) break;
  }
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(absl::StrContains(*next, "\"acknowledged\":1")) << *next;
  EXPECT_LT(absl::Now() - acked_at, absl::Seconds(2));
  // Another agency's spokesperson gets no stream.
  auto han = SignedIn(kHanSpeaker);
  EventStream refused(suite_->gateway_address(), absl::StrCat("/api/v1/statements/", id, "/report:watch"),
                      han->session());
  EXPECT_FALSE(refused.Next("report", absl::Seconds(3)).has_value());
  EXPECT_EQ(refused.status(), 403);
}

}  // namespace
}  // namespace pressrelay::testing
