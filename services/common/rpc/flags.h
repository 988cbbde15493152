// Flags every service shares (not the gateway, which has no Redis): Redis, workers and
// queues, rate limits, the audit trail, the service's own token, and their reading into one
// CommonConfig. Each flag also reads PRESSRELAY_<NAME> from the environment.
#pragma once

#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/process_flags.h"
#include "services/common/rpc/rate_limit.h"

ABSL_DECLARE_FLAG(std::string, redis);
ABSL_DECLARE_FLAG(bool, redis_cluster);
ABSL_DECLARE_FLAG(int, redis_wait_replicas);
ABSL_DECLARE_FLAG(absl::Duration, redis_wait_timeout);
ABSL_DECLARE_FLAG(std::string, redis_password_file);
ABSL_DECLARE_FLAG(std::string, service_token_file);
ABSL_DECLARE_FLAG(int, workers);
ABSL_DECLARE_FLAG(int, queue_limit);
ABSL_DECLARE_FLAG(absl::Duration, redis_acquire_timeout);
ABSL_DECLARE_FLAG(int64_t, audit_max_entries);

namespace pressrelay {

// --redis (one address, or a cluster's seeds with --redis_cluster) and --redis_password_file; connections are named "pressrelay-<service_name>".
absl::StatusOr<redis::Options> RedisOptionsFromFlags(const std::string& service_name);
// This service's own bearer token for calls to the others.
absl::StatusOr<std::string> ServiceTokenFromFlags();
// --rate_limits, parsed.
absl::StatusOr<std::map<Role, int64_t>> RateLimitsFromFlags();
// What every service reads from the shared flags, checked.
struct CommonConfig {
  ServerOptions server;
  redis::Options redis;
  std::map<Role, int64_t> rate_limits;
  int workers = 8;
  size_t queue_limit = 1000;
  absl::Duration drain_grace;
  absl::Duration startup_timeout;
  absl::Duration redis_acquire_timeout;
  absl::Duration liveness_stall;
  int64_t audit_max_entries = 0;
};
absl::StatusOr<CommonConfig> CommonConfigFromFlags(const std::string& service_name);

}  // namespace pressrelay
