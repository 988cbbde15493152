// Signing in to the admin gateway, through the real suite: the gateway calls Directory.SignIn
// with its own token, and the session it gets works only beside that token. Passwords,
// unknown names answered alike, the second factor (enrolment, codes, replays), the limits
// on failures per account and per address, disabled accounts, sign-out, the idle timeout,
// press officers, and the audit trail of every attempt.
#include <gtest/gtest.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/totp.h"
#include "services/common/redis/keys.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

using pressrelay::common::v1::AuditEntry;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr char kPassword[] = "mật khẩu đủ dài 2026";
constexpr char kSpokesperson[] = "sp@moh.gov.vn";
constexpr char kOperator[] = "ops@gov.vn";
constexpr char kPressOfficer[] = "press@moh.gov.vn";

// The google.rpc.RetryInfo a refusal carries, if any.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload("type.googleapis.com/google.rpc.RetryInfo");
  google::rpc::RetryInfo retry;
  if (!payload.has_value() || !retry.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(retry.retry_delay().seconds()) + absl::Nanoseconds(retry.retry_delay().nanos());
}

// The code an authenticator app shows for `secret` (base32) `steps_ahead` steps from now.
std::string CodeFor(const std::string& secret, int steps_ahead = 0) {
  auto key = totp::Base32Decode(secret);
  EXPECT_TRUE(key.has_value()) << secret;
  return totp::CodeAt(key.value_or(""), totp::StepAt(absl::Now()) + steps_ahead);
}

class SignInTest : public ::testing::Test {
 protected:
  void StartSuite(std::vector<std::string> registry_flags = {}) {
    SuiteOptions options;
    options.registry_flags = std::move(registry_flags);
    suite_ = std::make_unique<Suite>(std::move(options));
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_->PutSpokesperson("moh-sp", "MOH").ok());
    ASSERT_TRUE(suite_->PutPressOfficer("moh-press-1", "MOH").ok());
    auto gateway = suite_->IssueToken(reg::SUBJECT_KIND_GATEWAY, "admin-gateway");
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *gateway;
    ASSERT_TRUE(suite_->PutAccount(kSpokesperson, reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount(kOperator, reg::SUBJECT_KIND_OPERATOR, "ops-1", kPassword).ok());
    ASSERT_TRUE(suite_->PutAccount(kPressOfficer, reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1", kPassword).ok());
  }

  absl::StatusOr<reg::SignInResponse> SignIn(const std::string& username, const std::string& password,
                                             const std::string& code = "", const std::string& address = "203.0.113.7") {
    return suite_->SignIn(gateway_, username, password, code, address);
  }

  // A call as `token`, with the gateway's token beside it when `gateway` is not empty.
  std::unique_ptr<grpc::ClientContext> Context(const std::string& token, const std::string& gateway) {
    auto ctx = CallContext(token, kWait);
    if (!gateway.empty()) ctx->AddMetadata(std::string(kGatewayHeader), gateway);
    return ctx;
  }

  absl::StatusOr<reg::Account> MyAccount(const std::string& session, const std::string& gateway) {
    auto admin = suite_->Admin();
    auto ctx = Context(session, gateway);
    reg::Account account;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->GetMyAccount(ctx.get(), reg::GetMyAccountRequest(), &account)));
    return account;
  }
  absl::Status ListStatements(const std::string& session, const std::string& gateway) {
    auto stub = suite_->Distribution();
    auto ctx = Context(session, gateway);
    dist::ListStatementsResponse response;
    return FromGrpcStatus(stub->ListStatements(ctx.get(), dist::ListStatementsRequest(), &response));
  }
  absl::Status ListAgencies(const std::string& session) {
    auto admin = suite_->Admin();
    auto ctx = Context(session, gateway_);
    reg::ListAgenciesResponse response;
    return FromGrpcStatus(admin->ListAgencies(ctx.get(), reg::ListAgenciesRequest(), &response));
  }
  absl::StatusOr<reg::TotpEnrollment> Enroll(const std::string& session) {
    auto admin = suite_->Admin();
    auto ctx = Context(session, gateway_);
    reg::TotpEnrollment enrollment;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->EnrollTotp(ctx.get(), reg::GetMyAccountRequest(), &enrollment)));
    return enrollment;
  }
  absl::StatusOr<reg::Account> Confirm(const std::string& session, const std::string& code) {
    auto admin = suite_->Admin();
    auto ctx = Context(session, gateway_);
    reg::ConfirmTotpRequest request;
    request.set_code(code);
    reg::Account account;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->ConfirmTotp(ctx.get(), request, &account)));
    return account;
  }
  absl::Status SignOut(const std::string& session) {
    auto directory = reg::Directory::NewStub(OpenChannel(suite_->registry_address()));
    auto ctx = CallContext(gateway_, kWait);
    reg::SignOutRequest request;
    request.set_session_token(session);
    reg::Empty response;
    return FromGrpcStatus(directory->SignOut(ctx.get(), request, &response));
  }
  absl::StatusOr<std::vector<reg::Account>> ListAccounts() {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::ListAccountsResponse response;
    PR_RETURN_IF_ERROR(FromGrpcStatus(admin->ListAccounts(ctx.get(), reg::ListAccountsRequest(), &response)));
    return std::vector<reg::Account>(response.accounts().begin(), response.accounts().end());
  }
  // Who a token is, as another service asks the registry.
  absl::StatusOr<common::v1::Principal> Authenticate(const std::string& token) {
    auto directory = reg::Directory::NewStub(OpenChannel(suite_->registry_address()));
    auto ctx = CallContext(ReadFile(suite_->service_token_file()), kWait);
    reg::AuthenticateRequest request;
    request.set_token(token);
    reg::AuthenticateResponse response;
    PR_RETURN_IF_ERROR(FromGrpcStatus(directory->Authenticate(ctx.get(), request, &response)));
    return response.principal();
  }
  // The audit entries of the gateway's sign-ins, newest first.
  std::vector<AuditEntry> SignInAudit() {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::QueryAuditRequest request;
    request.set_principal_id("admin-gateway");
    request.set_method("Directory.SignIn");
    reg::QueryAuditResponse response;
    EXPECT_TRUE(admin->QueryAudit(ctx.get(), request, &response).ok());
    return std::vector<AuditEntry>(response.entries().begin(), response.entries().end());
  }
  // An operator who signed in and enrolled a second factor; returns its secret (base32).
  std::string EnrolledOperator() {
    auto pending = SignIn(kOperator, kPassword);
    EXPECT_TRUE(pending.ok()) << pending.status();
    if (!pending.ok()) return "";
    auto enrollment = Enroll(pending->session_token());
    EXPECT_TRUE(enrollment.ok()) << enrollment.status();
    if (!enrollment.ok()) return "";
    EXPECT_TRUE(Confirm(pending->session_token(), CodeFor(enrollment->secret())).ok());
    return enrollment->secret();
  }

  std::unique_ptr<Suite> suite_;
  std::string gateway_;
};

TEST_F(SignInTest, ASessionWorksOnlyBesideTheGatewaysOwnToken) {
  StartSuite();
  const absl::Time before = absl::Now();
  auto signed_in = SignIn("SP@moh.gov.vn", kPassword);  // names are not case-sensitive
  ASSERT_TRUE(signed_in.ok()) << signed_in.status();
  const std::string session = signed_in->session_token();
  EXPECT_TRUE(absl::StartsWith(session, "prs_")) << session;
  EXPECT_EQ(signed_in->username(), kSpokesperson);
  EXPECT_EQ(signed_in->principal().id(), "moh-sp");
  EXPECT_EQ(signed_in->principal().role(), common::v1::ROLE_SPOKESPERSON);
  EXPECT_EQ(signed_in->principal().agency_code(), "MOH");
  EXPECT_TRUE(signed_in->principal().session());
  EXPECT_FALSE(signed_in->principal().second_factor_pending());
  EXPECT_FALSE(signed_in->totp_enrollment_required());
  EXPECT_EQ(signed_in->principal().via_gateway(), "admin-gateway");
  EXPECT_EQ(signed_in->idle_timeout_seconds(), 30 * 60);
  EXPECT_LE(FromProto(signed_in->expires_at()), before + absl::Hours(12) + absl::Seconds(5));
  EXPECT_GE(FromProto(signed_in->expires_at()), before + absl::Hours(12) - absl::Seconds(5));

  // Alone, the session is nothing: not at the registry, not at the distribution service.
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(session, "").status()));
  EXPECT_TRUE(absl::IsUnauthenticated(ListStatements(session, "")));
  // Nor beside a token that is not the gateway's.
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(session, suite_->operator_token()).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(session, "prt_not-a-token-of-anyone").status()));
  // Beside it, it is the person.
  auto mine = MyAccount(session, gateway_);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->username(), kSpokesperson);
  EXPECT_EQ(mine->subject_id(), "moh-sp");
  EXPECT_GE(FromProto(mine->last_sign_in()), before - absl::Seconds(1));
  EXPECT_TRUE(ListStatements(session, gateway_).ok()) << ListStatements(session, gateway_);
  // The gateway's own token has no power of its own.
  EXPECT_TRUE(absl::IsPermissionDenied(MyAccount(gateway_, "").status()));
  // An API token is not a session: it has no account here.
  EXPECT_TRUE(absl::IsFailedPrecondition(MyAccount(suite_->operator_token(), "").status()));
  // The registry keeps the session as a token record, never the token.
  auto admin = suite_->Admin();
  auto ctx = CallContext(suite_->operator_token(), kWait);
  reg::ListTokensRequest list;
  list.set_subject_id("moh-sp");
  reg::ListTokensResponse tokens;
  ASSERT_TRUE(admin->ListTokens(ctx.get(), list, &tokens).ok());
  ASSERT_EQ(tokens.tokens_size(), 1);
  EXPECT_TRUE(tokens.tokens(0).session());
  EXPECT_EQ(tokens.tokens(0).username(), kSpokesperson);
  EXPECT_FALSE(absl::StrContains(tokens.DebugString(), session));
}

TEST_F(SignInTest, PasswordsAreKeptOnlyAsArgon2idHashesAndNeverShown) {
  StartSuite();
  auto redis = suite_->redis().Client();
  auto stored = redis.Run({"HGET", keys::kAccounts, kSpokesperson});
  ASSERT_TRUE(stored.ok() && stored->is_string());
  EXPECT_TRUE(absl::StrContains(stored->str(), "$argon2id$"));
  EXPECT_FALSE(absl::StrContains(stored->str(), kPassword));
  const std::string secret = EnrolledOperator();
  auto accounts = ListAccounts();
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  ASSERT_EQ(accounts->size(), 3u);
  std::string shown;
  for (const auto& a : *accounts) shown += a.DebugString();
  EXPECT_FALSE(absl::StrContains(shown, "argon2"));
  EXPECT_FALSE(absl::StrContains(shown, kPassword));
  EXPECT_FALSE(absl::StrContains(shown, secret));
  EXPECT_EQ((*accounts)[0].username(), kOperator);  // by username
  EXPECT_TRUE((*accounts)[0].totp_enabled());
  // The rules name the field.
  EXPECT_EQ(ErrorField(suite_->PutAccount("new@gov.vn", reg::SUBJECT_KIND_OPERATOR, "ops-2", "").status()),
            "password");
  EXPECT_EQ(ErrorField(suite_->PutAccount("new@gov.vn", reg::SUBJECT_KIND_OPERATOR, "ops-2", "too short").status()),
            "password");
  EXPECT_EQ(ErrorField(suite_->PutAccount("new@gov.vn", reg::SUBJECT_KIND_SPOKESPERSON, "nobody", kPassword).status()),
            "account.subject_id");
  EXPECT_EQ(ErrorField(suite_->PutAccount("x", reg::SUBJECT_KIND_OPERATOR, "ops-2", kPassword).status()),
            "account.username");
}

TEST_F(SignInTest, AWrongPasswordAndAnUnknownNameGetTheSameAnswer) {
  StartSuite();
  auto wrong = SignIn(kSpokesperson, "not the password at all");
  auto unknown = SignIn("nobody@moh.gov.vn", kPassword);
  auto malformed = SignIn("Not A Name!", kPassword);
  for (const auto* answer : {&wrong, &unknown, &malformed}) {
    EXPECT_TRUE(absl::IsUnauthenticated(answer->status())) << answer->status();
    EXPECT_EQ(answer->status().message(), "wrong username or password");
  }
  // The gateway must say where the browser is.
  EXPECT_EQ(ErrorField(SignIn(kSpokesperson, kPassword, "", "").status()), "client_address");
  // Only the gateway signs people in.
  auto directory = reg::Directory::NewStub(OpenChannel(suite_->registry_address()));
  auto ctx = CallContext(suite_->operator_token(), kWait);
  reg::SignInRequest request;
  request.set_username(kSpokesperson);
  request.set_password(kPassword);
  request.set_client_address("203.0.113.7");
  reg::SignInResponse response;
  EXPECT_EQ(directory->SignIn(ctx.get(), request, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SignInTest, AnOperatorWithoutASecondFactorMayOnlyEnrolOneThenSignsInWithCodesUsedOnce) {
  StartSuite();
  auto pending = SignIn(kOperator, kPassword);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_TRUE(pending->totp_enrollment_required());
  EXPECT_TRUE(pending->principal().second_factor_pending());
  EXPECT_EQ(pending->principal().role(), common::v1::ROLE_OPERATOR);
  const std::string session = pending->session_token();
  // Nothing but enrolment.
  EXPECT_TRUE(absl::IsPermissionDenied(ListAgencies(session))) << ListAgencies(session);
  ASSERT_TRUE(MyAccount(session, gateway_).ok());
  auto enrollment = Enroll(session);
  ASSERT_TRUE(enrollment.ok()) << enrollment.status();
  EXPECT_EQ(enrollment->otpauth_uri(), absl::StrCat("otpauth://totp/pressrelay:ops%40gov.vn?secret=",
                                                    enrollment->secret(), "&issuer=pressrelay"));
  ASSERT_EQ(totp::Base32Decode(enrollment->secret())->size(), totp::kSecretBytes);
  EXPECT_EQ(ErrorField(Confirm(session, "000000").status()), "code");
  const std::string confirming = CodeFor(enrollment->secret());
  auto confirmed = Confirm(session, confirming);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_TRUE(confirmed->totp_enabled());
  // The same session may now do what operators do.
  EXPECT_TRUE(ListAgencies(session).ok()) << ListAgencies(session);
  EXPECT_TRUE(absl::IsFailedPrecondition(Enroll(session).status()));  // enrolled: an operator resets it first

  // Signing in now asks for a code.
  auto missing = SignIn(kOperator, kPassword);
  EXPECT_TRUE(absl::IsUnauthenticated(missing.status()));
  EXPECT_EQ(missing.status().message(), "wrong or missing second-factor code");
  auto wrong = SignIn(kOperator, kPassword, "123456");
  EXPECT_EQ(wrong.status().message(), "wrong or missing second-factor code");
  // The confirming code was used: it does not sign in. The next step's does, once.
  EXPECT_EQ(SignIn(kOperator, kPassword, confirming).status().message(), "wrong or missing second-factor code");
  const std::string next = CodeFor(enrollment->secret(), 1);
  auto with_code = SignIn(kOperator, kPassword, next);
  ASSERT_TRUE(with_code.ok()) << with_code.status();
  EXPECT_FALSE(with_code->totp_enrollment_required());
  EXPECT_FALSE(with_code->principal().second_factor_pending());
  auto replay = SignIn(kOperator, kPassword, next);
  EXPECT_TRUE(absl::IsUnauthenticated(replay.status()));
  EXPECT_EQ(replay.status().message(), "wrong or missing second-factor code");

  // A lost phone: the operator turns the factor off; the person's sessions end and they enrol again.
  auto admin = suite_->Admin();
  auto ctx = CallContext(suite_->operator_token(), kWait);
  reg::AccountRequest reset;
  reset.set_username(kOperator);
  reg::Account after;
  ASSERT_TRUE(admin->ResetTotp(ctx.get(), reset, &after).ok());
  EXPECT_FALSE(after.totp_enabled());
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(with_code->session_token(), gateway_).status()));
  auto again = SignIn(kOperator, kPassword);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->totp_enrollment_required());
}

TEST_F(SignInTest, FiveFailuresLockTheAccountEvenForTheRightPassword) {
  StartSuite();
  for (int i = 0; i < 5; ++i) {
    auto r = SignIn(kSpokesperson, absl::StrCat("wrong password ", i));
    ASSERT_TRUE(absl::IsUnauthenticated(r.status())) << i << ": " << r.status();
  }
  auto locked = SignIn(kSpokesperson, kPassword);
  ASSERT_TRUE(absl::IsResourceExhausted(locked.status())) << locked.status();
  auto delay = RetryDelayOf(locked.status());
  ASSERT_TRUE(delay.has_value()) << locked.status();
  EXPECT_GT(*delay, absl::Minutes(14));
  EXPECT_LE(*delay, absl::Minutes(15));
  // From another address too: it is the account that is locked.
  EXPECT_TRUE(absl::IsResourceExhausted(SignIn(kSpokesperson, kPassword, "", "198.51.100.1").status()));
  auto accounts = ListAccounts();
  ASSERT_TRUE(accounts.ok());
  for (const auto& a : *accounts) {
    EXPECT_EQ(IsSet(a.locked_until()), a.username() == kSpokesperson) << a.DebugString();
  }
  // A name nobody has locks alike: a lock tells nothing of which names exist.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(absl::IsUnauthenticated(SignIn("nobody@moh.gov.vn", "guess").status()));
  EXPECT_TRUE(absl::IsResourceExhausted(SignIn("nobody@moh.gov.vn", "guess").status()));
  // Others sign in as ever.
  EXPECT_TRUE(SignIn(kPressOfficer, kPassword).ok());
}

TEST_F(SignInTest, MoreThanTwentyFailuresFromOneAddressRefuseIt) {
  StartSuite();
  // Each a different name, so that no account is locked; ports differ as a browser's do.
  for (int i = 0; i < 20; ++i) {
    auto r = SignIn(absl::StrCat("guess", i, "@moh.gov.vn"), "guess", "", absl::StrCat("198.51.100.9:", 40000 + i));
    ASSERT_TRUE(absl::IsUnauthenticated(r.status())) << i << ": " << r.status();
  }
  auto refused = SignIn(kSpokesperson, kPassword, "", "198.51.100.9:50000");
  ASSERT_TRUE(absl::IsResourceExhausted(refused.status())) << refused.status();
  auto delay = RetryDelayOf(refused.status());
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, absl::Minutes(14));
  EXPECT_LE(*delay, absl::Minutes(15));
  // Another address is another matter.
  EXPECT_TRUE(SignIn(kSpokesperson, kPassword, "", "198.51.100.10").ok());
}

TEST_F(SignInTest, ADisabledAccountsOpenSessionIsRefusedAtOnce) {
  StartSuite();
  auto signed_in = SignIn(kSpokesperson, kPassword);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status();
  const std::string session = signed_in->session_token();
  ASSERT_TRUE(MyAccount(session, gateway_).ok());
  ASSERT_TRUE(ListStatements(session, gateway_).ok());  // the distribution service caches it now
  ASSERT_TRUE(suite_->PutAccount(kSpokesperson, reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp", "", /*disabled=*/true).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(session, gateway_).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(Authenticate(session).status()));
  // The revocation reaches the other services' caches (the feed, not a timeout).
  absl::Status at_distribution = ListStatements(session, gateway_);
  for (const absl::Time deadline = absl::Now() + absl::Seconds(1); at_distribution.ok() && absl::Now() < deadline;) {
    at_distribution = ListStatements(session, gateway_);
  }
  EXPECT_TRUE(absl::IsUnauthenticated(at_distribution)) << at_distribution;
  // Nor can the person sign in again, with the right password.
  auto again = SignIn(kSpokesperson, kPassword);
  EXPECT_TRUE(absl::IsUnauthenticated(again.status()));
  EXPECT_EQ(again.status().message(), "account disabled");
}

TEST_F(SignInTest, SignOutEndsTheSessionAndChangingThePasswordTheOthers) {
  StartSuite();
  auto first = SignIn(kSpokesperson, kPassword);
  auto second = SignIn(kSpokesperson, kPassword, "", "198.51.100.20");
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(SignOut(first->session_token()).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(first->session_token(), gateway_).status()));
  EXPECT_TRUE(SignOut(first->session_token()).ok());  // twice is no error
  EXPECT_TRUE(MyAccount(second->session_token(), gateway_).ok());
  // Sign-out ends sessions only, not API tokens.
  EXPECT_EQ(ErrorField(SignOut(suite_->operator_token())), "session_token");

  // Changing the password: the current one is asked for, and the other sessions end.
  auto third = SignIn(kSpokesperson, kPassword, "", "198.51.100.21");
  ASSERT_TRUE(third.ok());
  auto change = [&](const std::string& current, const std::string& next) {
    auto admin = suite_->Admin();
    auto ctx = Context(second->session_token(), gateway_);
    reg::ChangePasswordRequest request;
    request.set_current_password(current);
    request.set_new_password(next);
    reg::Empty response;
    return FromGrpcStatus(admin->ChangePassword(ctx.get(), request, &response));
  };
  EXPECT_EQ(ErrorField(change("not the password", "a new password 2027")), "current_password");
  EXPECT_EQ(ErrorField(change(kPassword, "short")), "new_password");
  ASSERT_TRUE(change(kPassword, "a new password 2027").ok());
  EXPECT_TRUE(MyAccount(second->session_token(), gateway_).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(third->session_token(), gateway_).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(SignIn(kSpokesperson, kPassword).status()));
  EXPECT_TRUE(SignIn(kSpokesperson, "a new password 2027").ok());
}

TEST_F(SignInTest, ASessionEndsAfterTheIdleTimeoutWithoutUse) {
  StartSuite({"--session_idle_timeout=2s"});
  auto signed_in = SignIn(kSpokesperson, kPassword);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status();
  EXPECT_EQ(signed_in->idle_timeout_seconds(), 2);
  const std::string session = signed_in->session_token();
  // Used within the timeout, it stays: waits for known times, not for something to happen.
  absl::Time used = absl::Now();
  for (int i = 0; i < 3; ++i) {
    absl::SleepFor(used + absl::Milliseconds(1200) - absl::Now());
    ASSERT_TRUE(MyAccount(session, gateway_).ok()) << i;
    used = absl::Now();
  }
  // Left alone past it, it ends.
  absl::SleepFor(used + absl::Milliseconds(2300) - absl::Now());
  auto ended = MyAccount(session, gateway_);
  EXPECT_TRUE(absl::IsUnauthenticated(ended.status())) << ended.status();
  EXPECT_TRUE(absl::StrContains(ended.status().message(), "session ended")) << ended.status();
}

TEST_F(SignInTest, PressOfficersAreThePressOfficeOfTheirAgency) {
  StartSuite();
  auto token = suite_->IssueToken(reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1");
  ASSERT_TRUE(token.ok()) << token.status();
  auto principal = Authenticate(*token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->role(), common::v1::ROLE_PRESS_OFFICER);
  EXPECT_EQ(principal->agency_code(), "MOH");
  EXPECT_EQ(principal->id(), "moh-press-1");
  auto signed_in = SignIn(kPressOfficer, kPassword);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status();
  EXPECT_EQ(signed_in->principal().role(), common::v1::ROLE_PRESS_OFFICER);
  EXPECT_EQ(signed_in->principal().agency_code(), "MOH");
  EXPECT_EQ(ErrorField(suite_->PutPressOfficer("moh-press-2", "NOPE")), "press_officer.agency_code");
  {
    auto admin = suite_->Admin();
    auto ctx = CallContext(suite_->operator_token(), kWait);
    reg::ListPressOfficersRequest request;
    request.set_agency_code("MOH");
    reg::ListPressOfficersResponse response;
    ASSERT_TRUE(admin->ListPressOfficers(ctx.get(), request, &response).ok());
    ASSERT_EQ(response.press_officers_size(), 1);
    EXPECT_EQ(response.press_officers(0).full_name(), "Cán bộ báo chí moh-press-1");
  }
  // Disabled: their token and their session stop, and the other services are told.
  ASSERT_TRUE(suite_->PutPressOfficer("moh-press-1", "MOH", /*disabled=*/true).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(Authenticate(*token).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(MyAccount(signed_in->session_token(), gateway_).status()));
  auto redis = suite_->redis().Client();
  auto last = redis.Run({"XREVRANGE", keys::kRevocations, "+", "-", "COUNT", "1"});
  ASSERT_TRUE(last.ok() && last->size() == 1);
  const std::string entry = absl::StrCat((*last)[0][1][3].str(), " ", (*last)[0][1][5].str(), " ",
                                         (*last)[0][1][7].str());
  EXPECT_EQ(entry, absl::StrCat("moh-press-1 ", static_cast<int>(common::v1::ROLE_PRESS_OFFICER),
                                " press officer disabled"));
}

TEST_F(SignInTest, EverySignInAttemptIsAuditedWithItsOutcome) {
  StartSuite();
  ASSERT_TRUE(SignIn(kSpokesperson, kPassword).ok());
  ASSERT_FALSE(SignIn(kSpokesperson, "wrong password").ok());
  ASSERT_FALSE(SignIn("nobody@moh.gov.vn", kPassword).ok());
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(SignIn(kPressOfficer, "wrong password").ok());
  ASSERT_TRUE(absl::IsResourceExhausted(SignIn(kPressOfficer, kPassword).status()));
  const auto entries = SignInAudit();
  ASSERT_EQ(entries.size(), 9u);
  EXPECT_EQ(entries[0].outcome(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(entries[1].outcome(), "UNAUTHENTICATED");
  EXPECT_EQ(entries[1].outcome_message(), "wrong username or password");
  EXPECT_EQ(entries[8].outcome(), "OK");
  for (const auto& e : entries) {
    EXPECT_EQ(e.principal_id(), "admin-gateway");
    EXPECT_EQ(e.role(), common::v1::ROLE_GATEWAY);
    EXPECT_FALSE(absl::StrContains(e.DebugString(), kPassword));
  }
}

// Needs services/common/rpc/edge.cc's AuditTarget to look at `username` fields (it takes
// the first id-like field of the response, else of the request).
TEST_F(SignInTest, SignInAuditEntriesNameTheUsername) {
  StartSuite();
  ASSERT_TRUE(SignIn(kSpokesperson, kPassword).ok());
  ASSERT_FALSE(SignIn(kSpokesperson, "wrong password").ok());
  const auto entries = SignInAudit();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].target(), kSpokesperson);
  EXPECT_EQ(entries[1].target(), kSpokesperson);
}

}  // namespace
}  // namespace pressrelay::testing
