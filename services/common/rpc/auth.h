// Who is calling and what they may do: bearer tokens resolved through the registry, with
// a short cache so a burst of calls costs one lookup, and deny-by-default role checks.
#pragma once

#include <functional>
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

// Caches successful answers of another Authenticator for `ttl` (never past the identity's
// access_until), keyed by the token's hash. A revocation announced by the registry
// (revocation_watcher.h) removes the matching answers at once; without one, a revoked
// token stops working within `ttl`.
class CachingAuthenticator : public Authenticator {
 public:
  CachingAuthenticator(Authenticator* upstream, absl::Duration ttl);
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  // Forgets every cached answer / those whose principal matches. An answer that was being
  // fetched while Forget ran is not cached.
  void Clear();
  void Forget(const std::function<bool(const Principal&)>& match);

 private:
  struct Entry {
    Principal principal;
    absl::Time valid_until;
  };
  Authenticator* const upstream_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // counts Forget/Clear calls
};

absl::string_view RoleName(Role role);

}  // namespace pressrelay
