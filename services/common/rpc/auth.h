// Who is calling and what they may do: bearer tokens resolved through the registry, with
// a short cache so a burst of calls costs one lookup, and deny-by-default role checks.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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

// Resolves many tokens in one call (Directory.AuthenticateBatch): one verdict per token, in
// order; an error of the call itself (registry down) is every token's.
class BatchAuthenticator {
 public:
  virtual ~BatchAuthenticator() = default;
  virtual absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens) = 0;
};

// Coalesces concurrent Authenticate calls into batches, so that a reconnect storm (thousands
// of streams opening at once after a restart) costs one registry round trip per batch, not
// one per stream. It has no thread of its own:
//   - a caller that finds no batch in flight leads: it takes everything waiting (at most
//     `max_batch`), resolves it with one AuthenticateBatch outside the lock, hands each waiter
//     its verdict, and repeats while callers are waiting; then it returns its own verdict;
//   - a caller that finds a batch in flight queues its token and sleeps until a leader has
//     resolved it.
// A lone call is one batch of one (no added wait); under load the batch grows to whatever
// arrived during the previous round trip.
class CoalescingAuthenticator : public Authenticator {
 public:
  CoalescingAuthenticator(BatchAuthenticator* upstream, size_t max_batch = 500);
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  // Round trips made so far, and tokens they carried (for tests and metrics).
  uint64_t batches() const;
  uint64_t tokens() const;
  // Callers waiting for a batch to take them.
  size_t queued() const;

 private:
  struct Waiter {
    std::string token;
    std::optional<absl::StatusOr<Principal>> verdict;
  };
  BatchAuthenticator* const upstream_;
  const size_t max_batch_;
  mutable absl::Mutex mu_;
  std::deque<Waiter*> queue_ ABSL_GUARDED_BY(mu_);
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t tokens_ ABSL_GUARDED_BY(mu_) = 0;
};

// Caches successful answers of another Authenticator for `ttl` (never past the identity's
// access_until), keyed by the token's hash. A revocation announced by the registry
// (revocation_watcher.h) removes the matching answers at once; without one, a revoked
// token stops working within `ttl`.
//
// As a BatchAuthenticator it answers many tokens at once (the opener of Subscribe streams,
// stream_opener.h): cached answers from the cache, the rest in one call of `batch_upstream`
// (given: the registry's AuthenticateBatch; otherwise one upstream call per token).
class CachingAuthenticator : public Authenticator, public BatchAuthenticator {
 public:
  CachingAuthenticator(Authenticator* upstream, absl::Duration ttl, BatchAuthenticator* batch_upstream = nullptr);
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens) override;
  // Forgets every cached answer / those whose principal matches. An answer that was being
  // fetched while Forget ran is not cached.
  void Clear();
  void Forget(const std::function<bool(const Principal&)>& match);

 private:
  struct Entry {
    Principal principal;
    absl::Time valid_until;
  };
  // The cached answer for the token's hash, if any and still valid; and the generation the
  // caller must hand Remember (a Forget in between voids the answer it fetches).
  std::optional<Principal> Cached(const std::string& key, absl::Time now, uint64_t* generation);
  void Remember(const std::string& key, const Principal& principal, absl::Time now, uint64_t generation);

  Authenticator* const upstream_;
  BatchAuthenticator* const batch_upstream_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // counts Forget/Clear calls
};

absl::string_view RoleName(Role role);

}  // namespace pressrelay
