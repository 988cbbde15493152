// Flags every service shares, and their reading into option structs. Each flag also reads
// PRESSRELAY_<NAME> from the environment (config.h).
#pragma once

#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "services/common/grpc_util.h"
#include "services/common/rate_limit.h"
#include "services/common/redis.h"
#include "services/common/server.h"

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
ABSL_DECLARE_FLAG(absl::Duration, drain_grace);
ABSL_DECLARE_FLAG(int64_t, audit_max_entries);

namespace pressrelay {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& service_name);
// --redis and --redis_password_file; connections are named "pressrelay-<service_name>".
absl::StatusOr<redis::Options> RedisOptionsFromFlags(const std::string& service_name);
// How this service reaches the others: TLS files and its own bearer token.
TlsFiles PeerTlsFromFlags();
absl::StatusOr<std::string> ServiceTokenFromFlags();
// --rate_limits, parsed.
absl::StatusOr<std::map<Role, int64_t>> RateLimitsFromFlags();
// Logs each error among the results of reading the configuration; true if there was none.
bool ConfigurationOk(std::initializer_list<absl::Status> results);

}  // namespace pressrelay
