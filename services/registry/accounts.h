// Sign-in accounts of the people who use the admin gateway (operators, spokespeople, press
// officers), and signing in: password, second factor (TOTP), the limits on failures, and
// the session a sign-in opens (tokens.h issues and checks it). Knows nothing of gRPC.
//
// Accounts live in Redis only (reg:account), never in the in-memory view: they hold
// secrets, and every replica must see a lock, a used TOTP code or a disabled account at
// once. Every change is a read, then a write that succeeds only if the record is still the
// one read (RegistryStore::SwapAccount), so a sign-in that records its time never undoes an
// operator's change made meanwhile, and a TOTP code raced on two replicas is taken once.
//
// Sign-in answers the same for an unknown username as for a wrong password, after the same
// work (an Argon2id check against a hash of nothing). Failures are counted per name and per
// client address in Redis (RegistryStore::RecordSignInFailure): after
// max_account_failures within the window the name is locked for `lockout`, and an address
// with max_address_failures within the window is refused until they leave it. Names are
// counted whether or not an account has them, so a lock tells nothing either.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/registry/directory_view.h"
#include "services/registry/registry_store.h"
#include "services/registry/tokens.h"

namespace pressrelay::registry {

using pressrelay::common::v1::Principal;

struct SignInPolicy {
  SessionPolicy sessions;
  FailureLimits failures;
  // Argon2id checks (64 MiB each) running at once; more are answered RESOURCE_EXHAUSTED
  // with a retry hint, so a flood of sign-ins never takes every Directory worker.
  int password_checks = 2;
};

class Accounts {
 public:
  // All must outlive this.
  Accounts(RegistryStore* store, const DirectoryView* view, Tokens* tokens, SignInPolicy policy)
      : store_(store), view_(view), tokens_(tokens), policy_(policy) {}

  // Administration (operators). Upsert reads username, subject_kind, subject_id,
  // display_name and disabled; `password` empty keeps the current one (a new account needs
  // one). Disabling the account, changing whom it stands for or its password ends its
  // sessions (announced on the revocation feed).
  absl::StatusOr<v1::Account> Upsert(v1::Account account, const std::string& password, absl::Time now);
  // Sorted by username; an empty subject lists all. Never a secret.
  absl::StatusOr<std::vector<v1::Account>> List(const std::string& subject_id);
  // Turns the second factor off and ends the account's sessions (a lost phone).
  absl::StatusOr<v1::Account> ResetTotp(const std::string& username, absl::Time now);

  // A signed-in person's own account (the caller's session names it).
  absl::StatusOr<v1::Account> Mine(const Principal& caller);
  // Checks the current password (failures count as sign-in failures of the account), sets
  // the new one and ends the account's other sessions.
  absl::Status ChangePassword(const Principal& caller, const std::string& current, const std::string& next,
                              absl::Time now);
  // A new secret, shown this once, kept pending until ConfirmTotp. FAILED_PRECONDITION while
  // a second factor is enrolled (an operator resets it first).
  absl::StatusOr<v1::TotpEnrollment> EnrollTotp(const Principal& caller);
  absl::StatusOr<v1::Account> ConfirmTotp(const Principal& caller, const std::string& code, absl::Time now);

  // The admin gateway (`gateway`) signs a person in.
  absl::StatusOr<v1::SignInResponse> SignIn(const v1::SignInRequest& request, const Principal& gateway,
                                            absl::Time now);
  absl::Status SignOut(const std::string& session_token, absl::Time now) { return tokens_->SignOut(session_token, now); }

 private:
  // Applies `change` to the stored account and writes it, from a fresh read again if another
  // write came first. NOT_FOUND without an account; an error from `change` is the answer.
  absl::StatusOr<store::AccountRecord> Update(const std::string& username,
                                              const std::function<absl::Status(store::AccountRecord&)>& change);
  // The account of the caller's session.
  absl::StatusOr<std::string> UsernameOf(const Principal& caller);
  // The account as shown: with the agency its person belongs to (kept in the directory, not
  // in the account, so it follows the person's record).
  v1::Account Shown(v1::Account account) const;

  RegistryStore* const store_;
  const DirectoryView* const view_;
  Tokens* const tokens_;
  const SignInPolicy policy_;
  std::atomic<int> password_checks_{0};
};

}  // namespace pressrelay::registry
