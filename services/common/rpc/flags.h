// Flags every service shares, and their reading into option structs. Each flag also reads
// PRESSRELAY_<NAME> from the environment (config.h).
#pragma once

#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/rate_limit.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/server.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, port_file);
ABSL_DECLARE_FLAG(std::string, redis);
ABSL_DECLARE_FLAG(std::string, redis_password_file);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, service_token_file);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_client_ca);
ABSL_DECLARE_FLAG(bool, tls_require_client_cert);
ABSL_DECLARE_FLAG(std::string, peer_tls_ca);
ABSL_DECLARE_FLAG(std::string, peer_tls_cert);
ABSL_DECLARE_FLAG(std::string, peer_tls_key);
ABSL_DECLARE_FLAG(std::string, peer_tls_server_name);
ABSL_DECLARE_FLAG(int, workers);
ABSL_DECLARE_FLAG(int, queue_limit);
ABSL_DECLARE_FLAG(absl::Duration, drain_grace);
ABSL_DECLARE_FLAG(absl::Duration, startup_timeout);
ABSL_DECLARE_FLAG(absl::Duration, redis_acquire_timeout);
ABSL_DECLARE_FLAG(absl::Duration, liveness_stall);
ABSL_DECLARE_FLAG(int64_t, audit_max_entries);
ABSL_DECLARE_FLAG(bool, mutex_deadlock_detection);
ABSL_DECLARE_FLAG(bool, check_config);

namespace pressrelay {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& service_name);
// --redis and --redis_password_file; connections are named "pressrelay-<service_name>".
absl::StatusOr<redis::Options> RedisOptionsFromFlags(const std::string& service_name);
// How this service reaches the others: TLS files and its own bearer token.
TlsFiles PeerTlsFromFlags();
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

// The step between reading the configuration and running: a bad configuration is logged
// and gives exit code 2; --check_config prints that it is good and gives 0; otherwise
// --mutex_deadlock_detection is applied and the answer is -1 (go on).
int ConfigVerdict(const absl::Status& config);

// The first error among the results of reading the configuration, naming every one.
absl::Status FirstError(std::initializer_list<absl::Status> results);

}  // namespace pressrelay
