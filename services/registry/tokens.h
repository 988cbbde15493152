// Bearer tokens: issuing, revoking, listing, installing the start-up ones, and telling who
// a token is (Authenticate). Tokens live in the store only, as hashes, and are read on
// each Authenticate (the callers cache); who their subject is now comes from the
// directory view. Nothing here writes the view.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/registry/directory_view.h"
#include "services/registry/registry_store.h"

namespace pressrelay::registry {

inline constexpr absl::Duration kDefaultTokenTtl = absl::Hours(24 * 90);
inline constexpr absl::Duration kMaxTokenTtl = absl::Hours(24 * 366);

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
  Tokens(RegistryStore* store, const DirectoryView* view) : store_(store), view_(view) {}

  // The subject must exist (or, for operators, services and gateways, be a well-formed name).
  absl::StatusOr<v1::IssueTokenResponse> Issue(const v1::IssueTokenRequest& request, absl::Time now);
  // Revokes the token and announces it on the revocation feed (Directory.WatchRevocations).
  absl::StatusOr<v1::TokenInfo> Revoke(const std::string& token_id, absl::Time now);
  // Sorted by token id; an empty subject lists all.
  absl::StatusOr<std::vector<v1::TokenInfo>> List(const std::string& subject_id) const;
  // Installs start-up tokens that are not yet known. Idempotent.
  absl::Status InstallBootstrap(const std::vector<BootstrapToken>& tokens, absl::Time now);

  // Who the token is, with access until the token or (for a journalist) the press card
  // expires, whichever is first.
  absl::StatusOr<pressrelay::common::v1::Principal> Authenticate(absl::string_view token, absl::Time now) const;

 private:
  RegistryStore* const store_;
  const DirectoryView* const view_;
};

}  // namespace pressrelay::registry
