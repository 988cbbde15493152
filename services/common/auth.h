// Who is calling and what they may do: bearer tokens resolved through the registry, with
// a short cache so a burst of calls costs one lookup, and deny-by-default role checks.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"

namespace pressrelay {

using pressrelay::common::v1::Principal;
using pressrelay::common::v1::Role;

// Resolves a bearer token to the identity behind it.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // UNAUTHENTICATED when the token is missing, unknown, expired or revoked.
  virtual absl::StatusOr<Principal> Authenticate(absl::string_view token) = 0;
};

// Caches successful answers of another Authenticator for `ttl` (never past the token's
// expiry), keyed by the token's hash. A revoked token stops working within `ttl`.
class CachingAuthenticator : public Authenticator {
 public:
  CachingAuthenticator(Authenticator* upstream, absl::Duration ttl);
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  // Forgets every cached answer (e.g. when a revocation is announced).
  void Clear();

 private:
  struct Entry {
    Principal principal;
    absl::Time valid_until;
  };
  Authenticator* const upstream_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

absl::string_view RoleName(Role role);

}  // namespace pressrelay
