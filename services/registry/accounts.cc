#include "services/registry/accounts.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/totp.h"
#include "services/registry/entity_rules.h"
#include "services/registry/listing.h"
#include "services/registry/password.h"

namespace pressrelay::registry {
namespace {

constexpr absl::string_view kIssuer = "pressrelay";
constexpr absl::string_view kWrongPassword = "wrong username or password";
constexpr absl::string_view kWrongCode = "wrong or missing second-factor code";
constexpr int kSwapAttempts = 10;

// One of the policy's concurrent Argon2id checks, held for a scope.
class PasswordCheck {
 public:
  PasswordCheck(std::atomic<int>* running, int max) : running_(running) {
    taken_ = running_->fetch_add(1) < max;
    if (!taken_) running_->fetch_sub(1);
  }
  ~PasswordCheck() {
    if (taken_) running_->fetch_sub(1);
  }
  // RESOURCE_EXHAUSTED with a retry hint unless taken.
  absl::Status status() const {
    if (taken_) return absl::OkStatus();
    return WithRetryDelay(absl::ResourceExhaustedError("too many sign-ins at once; retry in a second"),
                          absl::Seconds(1));
  }

 private:
  std::atomic<int>* const running_;
  bool taken_ = false;
};

// The client address as a key part: "ipv4:10.1.2.3:51234" and "10.1.2.3:51234" count as
// "10.1.2.3", "[2001:db8::1]:443" as "2001:db8::1": a browser's new connection is the same
// address. At most 64 printable characters.
absl::StatusOr<std::string> ClientAddress(absl::string_view address) {
  absl::ConsumePrefix(&address, "ipv4:");
  absl::ConsumePrefix(&address, "ipv6:");
  if (absl::StartsWith(address, "[") && address.find(']') != absl::string_view::npos) {
    address = address.substr(1, address.find(']') - 1);
  } else if (const size_t colon = address.find(':');
             colon != absl::string_view::npos && address.rfind(':') == colon) {
    address = address.substr(0, colon);  // IPv4 (or a name) with a port
  }
  if (address.empty() || address.size() > 64) {
    return FieldError("client_address", "is required: the browser's address as the gateway saw it (at most 64 characters)");
  }
  for (char c : address) {
    if (c <= ' ' || c > '~') return FieldError("client_address", "must be printable ASCII");
  }
  return std::string(address);
}

absl::Status Locked(const SignInBar& bar) {
  const std::string why = bar.kind == SignInBar::kAddress
                              ? "too many failed sign-ins from this address"
                              : "too many failed sign-ins: the account is locked";
  return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(why, "; retry in ",
                                                                  absl::FormatDuration(absl::Ceil(bar.retry_after, absl::Seconds(1))))),
                        bar.retry_after);
}

}  // namespace

absl::StatusOr<store::AccountRecord> Accounts::Update(
    const std::string& username, const std::function<absl::Status(store::AccountRecord&)>& change) {
  for (int attempt = 0; attempt < kSwapAttempts; ++attempt) {
    PR_ASSIGN_OR_RETURN(auto stored, store_->GetAccount(username));
    if (!stored) return absl::NotFoundError(absl::StrCat("no account \"", username, "\""));
    store::AccountRecord next = stored->record;
    PR_RETURN_IF_ERROR(change(next));
    PR_ASSIGN_OR_RETURN(bool written, store_->SwapAccount(username, stored->bytes, next));
    if (written) return next;
  }
  return absl::AbortedError("the account kept changing meanwhile; retry");
}

absl::StatusOr<std::string> Accounts::UsernameOf(const Principal& caller) {
  PR_ASSIGN_OR_RETURN(v1::TokenInfo session, tokens_->SessionOf(caller));
  return session.username();
}

v1::Account Accounts::Shown(v1::Account account) const {
  account.set_agency_code(view_->AgencyOfPerson(account.subject_kind(), account.subject_id()));
  return account;
}

// --- administration ---------------------------------------------------------------------

absl::StatusOr<v1::Account> Accounts::Upsert(v1::Account account, const std::string& password, absl::Time now) {
  FieldViolations v;
  CheckAccount(
      &account, "account", [this](const std::string& id) { return view_->Has(Kind::kSpokesperson, id); },
      [this](const std::string& id) { return view_->Has(Kind::kPressOfficer, id); }, &v);
  if (!password.empty()) CheckPassword(password, "password", &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  const std::string& username = account.username();
  std::string hash;
  if (!password.empty()) {
    PasswordCheck check(&password_checks_, policy_.password_checks);
    PR_RETURN_IF_ERROR(check.status());
    PR_ASSIGN_OR_RETURN(hash, HashPassword(password));
  }
  for (int attempt = 0; attempt < kSwapAttempts; ++attempt) {
    PR_ASSIGN_OR_RETURN(auto stored, store_->GetAccount(username));
    if (!stored && hash.empty()) return FieldError("password", "is required for a new account");
    store::AccountRecord record = stored ? stored->record : store::AccountRecord();
    const v1::Account before = record.account();
    v1::Account* a = record.mutable_account();
    if (!stored) *a->mutable_created_at() = ToProto(now);
    a->set_username(username);
    a->set_subject_kind(account.subject_kind());
    a->set_subject_id(account.subject_id());
    a->set_display_name(account.display_name());
    a->set_disabled(account.disabled());
    if (!hash.empty()) record.set_password_hash(hash);
    PR_ASSIGN_OR_RETURN(bool written, store_->SwapAccount(username, stored ? stored->bytes : "", record));
    if (!written) continue;
    // Whoever held a session of the account as it was must sign in again as it is now.
    std::string reason;
    if (a->disabled() && !before.disabled()) {
      reason = "account disabled";
    } else if (stored && (a->subject_kind() != before.subject_kind() || a->subject_id() != before.subject_id())) {
      reason = "account changed";
    } else if (stored && !hash.empty()) {
      reason = "password changed";
    }
    if (!reason.empty()) PR_RETURN_IF_ERROR(tokens_->EndSessions(username, reason, now));
    return Shown(record.account());
  }
  return absl::AbortedError("the account kept changing meanwhile; retry");
}

absl::StatusOr<std::vector<v1::Account>> Accounts::List(const std::string& subject_id) {
  PR_ASSIGN_OR_RETURN(auto records, store_->ListAccounts());
  std::vector<v1::Account> accounts;
  accounts.reserve(records.size());
  for (auto& r : records) accounts.push_back(Shown(std::move(*r.mutable_account())));
  return Listing(std::move(accounts), subject_id, &v1::Account::subject_id, &v1::Account::username);
}

absl::StatusOr<v1::Account> Accounts::ResetTotp(const std::string& username, absl::Time now) {
  PR_ASSIGN_OR_RETURN(store::AccountRecord record, Update(username, [](store::AccountRecord& r) {
                        r.mutable_account()->set_totp_enabled(false);
                        r.clear_totp_secret();
                        r.clear_pending_totp_secret();
                        return absl::OkStatus();
                      }));
  // The lost phone may have held a session too.
  PR_RETURN_IF_ERROR(tokens_->EndSessions(username, "second factor reset", now));
  return Shown(record.account());
}

// --- the signed-in person's own account --------------------------------------------------

absl::StatusOr<v1::Account> Accounts::Mine(const Principal& caller) {
  PR_ASSIGN_OR_RETURN(std::string username, UsernameOf(caller));
  PR_ASSIGN_OR_RETURN(auto stored, store_->GetAccount(username));
  if (!stored) return absl::NotFoundError(absl::StrCat("no account \"", username, "\""));
  return Shown(stored->record.account());
}

absl::Status Accounts::ChangePassword(const Principal& caller, const std::string& current, const std::string& next,
                                      absl::Time now) {
  PR_ASSIGN_OR_RETURN(v1::TokenInfo session, tokens_->SessionOf(caller));
  const std::string& username = session.username();
  FieldViolations v;
  CheckPassword(next, "new_password", &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  // A stolen session must not become a way to guess the password: the account's limit holds.
  PR_ASSIGN_OR_RETURN(SignInBar bar, store_->SignInBarFor(username, "", policy_.failures));
  if (bar.kind != SignInBar::kNone) return Locked(bar);
  PasswordCheck check(&password_checks_, policy_.password_checks);
  PR_RETURN_IF_ERROR(check.status());
  PR_ASSIGN_OR_RETURN(auto stored, store_->GetAccount(username));
  if (!stored) return absl::NotFoundError(absl::StrCat("no account \"", username, "\""));
  const std::string old_hash = stored->record.password_hash();
  if (!VerifyPassword(old_hash, current)) {
    PR_RETURN_IF_ERROR(store_->RecordSignInFailure(username, "", policy_.failures));
    return FieldError("current_password", "is not the account's password");
  }
  PR_ASSIGN_OR_RETURN(const std::string hash, HashPassword(next));
  PR_RETURN_IF_ERROR(Update(username, [&](store::AccountRecord& r) {
                       if (r.password_hash() != old_hash) {
                         return absl::AbortedError("the password was changed meanwhile; sign in again");
                       }
                       r.set_password_hash(hash);
                       return absl::OkStatus();
                     }).status());
  return tokens_->EndSessions(username, "password changed", now, /*keep=*/session.token_id());
}

absl::StatusOr<v1::TotpEnrollment> Accounts::EnrollTotp(const Principal& caller) {
  PR_ASSIGN_OR_RETURN(std::string username, UsernameOf(caller));
  const std::string secret = totp::NewSecret();
  PR_RETURN_IF_ERROR(Update(username, [&](store::AccountRecord& r) {
                       if (r.account().totp_enabled()) {
                         return absl::FailedPreconditionError(
                             "a second factor is enrolled already; an operator can reset it (ResetTotp)");
                       }
                       r.set_pending_totp_secret(secret);
                       return absl::OkStatus();
                     }).status());
  v1::TotpEnrollment enrollment;
  enrollment.set_secret(totp::Base32Encode(secret));
  enrollment.set_otpauth_uri(totp::OtpauthUri(kIssuer, username, enrollment.secret()));
  return enrollment;
}

absl::StatusOr<v1::Account> Accounts::ConfirmTotp(const Principal& caller, const std::string& code, absl::Time now) {
  PR_ASSIGN_OR_RETURN(std::string username, UsernameOf(caller));
  PR_ASSIGN_OR_RETURN(store::AccountRecord record, Update(username, [&](store::AccountRecord& r) {
                        if (r.pending_totp_secret().empty()) {
                          return absl::FailedPreconditionError("no second factor is being enrolled: EnrollTotp first");
                        }
                        auto step = totp::MatchingStep(r.pending_totp_secret(), code, now, r.last_totp_step());
                        if (!step) return FieldError("code", "is not the authenticator's current code");
                        *r.mutable_totp_secret() = r.pending_totp_secret();
                        r.clear_pending_totp_secret();
                        r.set_last_totp_step(*step);  // the confirming code does not sign in too
                        r.mutable_account()->set_totp_enabled(true);
                        return absl::OkStatus();
                      }));
  return Shown(record.account());
}

// --- signing in -------------------------------------------------------------------------

absl::StatusOr<v1::SignInResponse> Accounts::SignIn(const v1::SignInRequest& request, const Principal& gateway,
                                                    absl::Time now) {
  PR_ASSIGN_OR_RETURN(const std::string address, ClientAddress(request.client_address()));
  if (request.password().size() > kPasswordMaxBytes) {
    return FieldError("password", absl::StrCat("must be at most ", kPasswordMaxBytes, " bytes"));
  }
  // Names are stored in lower case; one typed otherwise is the same person. A name no
  // account can have is counted against the address only.
  std::string username = absl::AsciiStrToLower(request.username());
  if (!IsUsername(username)) username.clear();
  PR_ASSIGN_OR_RETURN(SignInBar bar, store_->SignInBarFor(username, address, policy_.failures));
  if (bar.kind != SignInBar::kNone) return Locked(bar);
  auto fail = [&](absl::string_view message) -> absl::Status {
    PR_RETURN_IF_ERROR(store_->RecordSignInFailure(username, address, policy_.failures));
    return absl::UnauthenticatedError(message);
  };

  std::optional<StoredAccount> stored;
  {
    PasswordCheck check(&password_checks_, policy_.password_checks);
    PR_RETURN_IF_ERROR(check.status());
    if (!username.empty()) {
      PR_ASSIGN_OR_RETURN(stored, store_->GetAccount(username));
    }
    if (!stored) {
      VerifyNoPassword(request.password());
      return fail(kWrongPassword);
    }
    if (!VerifyPassword(stored->record.password_hash(), request.password())) return fail(kWrongPassword);
  }
  const store::AccountRecord& record = stored->record;
  // The right password: from here the answers may say more.
  if (record.account().disabled()) return absl::UnauthenticatedError("account disabled");
  std::optional<int64_t> step;
  if (record.account().totp_enabled()) {
    // A missing code is the first half of a two-step form, not a guess: not counted.
    if (request.totp_code().empty()) return absl::UnauthenticatedError(kWrongCode);
    step = totp::MatchingStep(record.totp_secret(), request.totp_code(), now, record.last_totp_step());
    if (!step) return fail(kWrongCode);
  }
  // Records the sign-in and takes the code's step, so that the code is refused from now on:
  // a replay racing this one on another replica finds the step taken, or loses the swap.
  PR_ASSIGN_OR_RETURN(store::AccountRecord signed_in, Update(username, [&](store::AccountRecord& r) {
                        if (r.password_hash() != record.password_hash()) {
                          return absl::UnauthenticatedError(kWrongPassword);
                        }
                        if (r.account().disabled()) return absl::UnauthenticatedError("account disabled");
                        if (step) {
                          if (r.last_totp_step() >= *step) return absl::UnauthenticatedError(kWrongCode);
                          r.set_last_totp_step(*step);
                        }
                        *r.mutable_account()->mutable_last_sign_in() = ToProto(now);
                        return absl::OkStatus();
                      }));
  PR_RETURN_IF_ERROR(store_->ClearSignInFailures(username));
  if (absl::Status s = tokens_->PruneSessions(username, now); !s.ok()) {
    spdlog::warn("sign-in of {}: old sessions not pruned: {}", username, s.ToString());
  }
  PR_ASSIGN_OR_RETURN(
      v1::IssueTokenResponse session,
      tokens_->IssueSession(signed_in.account(), absl::StrCat("signed in from ", address, " through ", gateway.id()),
                            now));
  v1::SignInResponse response;
  PR_ASSIGN_OR_RETURN(*response.mutable_principal(),
                      tokens_->SessionPrincipal(session.info(), signed_in.account(), now,
                                                tokens_->sessions().idle_timeout));
  response.mutable_principal()->set_via_gateway(gateway.id());
  response.set_session_token(session.token());
  response.set_idle_timeout_seconds(static_cast<int32_t>(absl::ToInt64Seconds(tokens_->sessions().idle_timeout)));
  *response.mutable_expires_at() = session.info().expires_at();
  response.set_totp_enrollment_required(response.principal().second_factor_pending());
  response.set_username(username);
  return response;
}

}  // namespace pressrelay::registry
