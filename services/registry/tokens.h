// Bearer tokens: issuing, revoking, listing, installing the start-up ones, and telling who
// a token is (Authenticate). Tokens live in the store only, as hashes, and are read on
// each Authenticate (the callers cache); who their subject is now comes from the
// directory view. Nothing here writes the view.
//
// Sessions are tokens too: issued at sign-in to the admin gateway ("prs_" + 256 random
// bits), marked session with the username in their record, listed under their account so
// they can all be ended at once, ending at their expiry or after the idle timeout without
// use, and given up by the account's current state at each Authenticate (a disabled account's
// sessions stop at once; an operator without a second factor may only enrol one).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/registry/directory_view.h"
#include "services/registry/registry_store.h"

namespace pressrelay::registry {

inline constexpr absl::Duration kDefaultTokenTtl = absl::Hours(24 * 90);
inline constexpr absl::Duration kMaxTokenTtl = absl::Hours(24 * 366);

// The start of every session token, so that the registry's edge can tell one without a
// lookup (sessions are never cached there: their idle time and account are read at each call).
inline constexpr absl::string_view kSessionTokenPrefix = "prs_";
inline bool IsSessionToken(absl::string_view token) { return absl::StartsWith(token, kSessionTokenPrefix); }

struct SessionPolicy {
  absl::Duration idle_timeout = absl::Minutes(30);  // ends after this long unused
  absl::Duration lifetime = absl::Hours(12);        // ends this long after sign-in
};

// A token given to the registry at start-up (from a file or secret) rather than issued
// through the API: the first operator, and the services' own identities.
struct BootstrapToken {
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  std::string subject_id;
  std::string token;
};

// Parses "operator <name> <token>" / "service <name> <token>" / "gateway <name> <token>"
// lines; '#' starts a comment.
absl::StatusOr<std::vector<BootstrapToken>> ParseBootstrapTokens(absl::string_view text);

class Tokens {
 public:
  // Both must outlive this.
  Tokens(RegistryStore* store, const DirectoryView* view, SessionPolicy sessions = {})
      : store_(store), view_(view), sessions_(sessions) {}

  // The subject must exist (or, for operators, services and gateways, be a well-formed name).
  absl::StatusOr<v1::IssueTokenResponse> Issue(const v1::IssueTokenRequest& request, absl::Time now);
  // Revokes the token and announces it on the revocation feed (Directory.WatchRevocations),
  // saying why (the reason open streams end with).
  absl::StatusOr<v1::TokenInfo> Revoke(const std::string& token_id, absl::Time now,
                                       absl::string_view reason = "token revoked");
  // Sorted by token id; an empty subject lists all.
  absl::StatusOr<std::vector<v1::TokenInfo>> List(const std::string& subject_id) const;
  // Installs start-up tokens that are not yet known. Idempotent.
  absl::Status InstallBootstrap(const std::vector<BootstrapToken>& tokens, absl::Time now);

  // Who the token is, with access until the token or (for a journalist) the press card
  // expires, whichever is first; for a session, or until it would end unused.
  absl::StatusOr<pressrelay::common::v1::Principal> Authenticate(absl::string_view token, absl::Time now) const;
  // The same for many tokens at once (one read of the store for all): one verdict per token,
  // in order. An error of the store itself is the whole call's.
  absl::StatusOr<std::vector<absl::StatusOr<pressrelay::common::v1::Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens, absl::Time now) const;

  // The verdict on a token whose record is `info` (nullopt: unknown).
  absl::StatusOr<pressrelay::common::v1::Principal> Verdict(const std::optional<v1::TokenInfo>& info,
                                                            absl::Time now) const;

  // Sessions. A new one for a person who just signed in to `account`.
  absl::StatusOr<v1::IssueTokenResponse> IssueSession(const v1::Account& account, const std::string& description,
                                                      absl::Time now);
  // Who a session of `account` is, with `idle_left` before it ends unused.
  absl::StatusOr<pressrelay::common::v1::Principal> SessionPrincipal(const v1::TokenInfo& info,
                                                                     const v1::Account& account, absl::Time now,
                                                                     absl::Duration idle_left) const;
  // The record of the session the caller came with; FAILED_PRECONDITION for any other token.
  absl::StatusOr<v1::TokenInfo> SessionOf(const pressrelay::common::v1::Principal& caller) const;
  // Sign-out: revokes the session (announced). A token that is unknown or already ended is
  // no error; one that is not a session is.
  absl::Status SignOut(absl::string_view session_token, absl::Time now);
  // Revokes the account's open sessions but `keep`, announcing each with `reason`.
  absl::Status EndSessions(const std::string& username, absl::string_view reason, absl::Time now,
                           const std::string& keep = "");
  // Forgets the account's sessions that ended more than a day ago (they are listed until then).
  absl::Status PruneSessions(const std::string& username, absl::Time now);
  const SessionPolicy& sessions() const { return sessions_; }

 private:
  // Goes through the account's sessions: forgets those ended more than a day ago and, with
  // a reason, revokes the open ones but `keep`.
  absl::Status SweepSessions(const std::string& username, absl::Time now, absl::string_view end_reason,
                             const std::string& keep);

  RegistryStore* const store_;
  const DirectoryView* const view_;
  const SessionPolicy sessions_;
};

}  // namespace pressrelay::registry
