// Per-principal rate limits, kept in Redis so every replica counts the same calls: a fixed
// one-minute window per (service, principal). A caller over its role's limit gets
// RESOURCE_EXHAUSTED saying when to retry, with a google.rpc.RetryInfo.
#pragma once

#include <map>
#include <vector>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/common/rpc/auth.h"
#include "services/common/redis/redis.h"

namespace pressrelay {

class RateLimiter {
 public:
  // `per_minute`: calls per minute for each role; a role not listed (or 0) is not limited.
  RateLimiter(redis::Pool* pool, std::string service, std::map<Role, int64_t> per_minute)
      : pool_(pool), service_(std::move(service)), per_minute_(std::move(per_minute)) {}

  // Parses "operator=600,spokesperson=120,newsroom_client=3000,..." (role names as in
  // Role without the ROLE_ prefix, lower case).
  static absl::StatusOr<std::map<Role, int64_t>> ParseLimits(absl::string_view text);

  // Counts one call; RESOURCE_EXHAUSTED if the principal is over its limit.
  absl::Status Admit(const Principal& principal);
  // The same for many calls in one round trip (a reconnect storm's streams): a verdict each,
  // in order.
  std::vector<absl::Status> AdmitMany(absl::Span<const Principal* const> principals);

 private:
  redis::Pool* const pool_;
  const std::string service_;
  const std::map<Role, int64_t> per_minute_;
};

}  // namespace pressrelay
