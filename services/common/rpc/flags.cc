#include "services/common/rpc/flags.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/log.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to serve gRPC on; port 0 picks a free port");
ABSL_FLAG(std::string, port_file, "", "write the chosen port to this file once serving");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379", "Redis host:port");
ABSL_FLAG(std::string, redis_password_file, "", "file holding the Redis password, if any");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding this service's bearer token for calls to the other services");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of this listener; enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of this listener");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA that signs client certificates");
ABSL_FLAG(bool, tls_require_client_cert, false, "mutual TLS: refuse clients without a certificate");
ABSL_FLAG(std::string, peer_tls_ca, "", "PEM CA that signs the other services' certificates; enables TLS to them");
ABSL_FLAG(std::string, peer_tls_cert, "", "PEM client certificate for mutual TLS to the other services");
ABSL_FLAG(std::string, peer_tls_key, "", "PEM client key for mutual TLS to the other services");
ABSL_FLAG(std::string, peer_tls_server_name, "", "name to verify in the other services' certificates");
PRESSRELAY_INT_FLAG(int, workers, 8, 1, 256, "threads for blocking work (Redis, calls to other services)");
PRESSRELAY_INT_FLAG(int, queue_limit, 1000, 1, 1000000,
                    "calls waiting for a worker before new ones are refused with RESOURCE_EXHAUSTED");
PRESSRELAY_DURATION_FLAG(drain_grace, absl::Seconds(20), "0s", "10m", "how long SIGTERM waits for calls to finish");
PRESSRELAY_DURATION_FLAG(startup_timeout, absl::Minutes(5), "1s", "24h",
                         "how long to wait at start for Redis to answer before giving up (exit 1)");
PRESSRELAY_DURATION_FLAG(redis_acquire_timeout, absl::Seconds(2), "10ms", "1m",
                         "how long a call waits for a free Redis connection before it answers UNAVAILABLE");
PRESSRELAY_DURATION_FLAG(liveness_stall, absl::Seconds(30), "1s", "1h",
                         "liveness fails when work has waited this long for a worker or a Redis connection");
ABSL_FLAG(std::string, rate_limits,
          "operator=1200,spokesperson=600,gateway=6000,newsroom_client=6000,journalist=600",
          "calls a minute per principal, by role, counted across replicas; an unlisted role (and "
          "service) is not limited; empty turns limits off");
PRESSRELAY_INT_FLAG(int64_t, audit_max_entries, 10000000, 1000, 1000000000,
                    "length at which the audit stream starts dropping its oldest entries");
#ifdef NDEBUG
constexpr bool kDeadlockDetectionDefault = false;
#else
constexpr bool kDeadlockDetectionDefault = true;
#endif
ABSL_FLAG(bool, mutex_deadlock_detection, kDeadlockDetectionDefault,
          "abort when two mutexes are ever taken in opposite orders (absl's lock graph; on in debug "
          "builds, off in release builds for its per-mutex cost)");
ABSL_FLAG(bool, check_config, false, "read and check the configuration, say so, and exit (0 if it is good)");

namespace pressrelay {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& service_name) {
  ServerOptions options;
  options.service_name = service_name;
  options.listen = absl::GetFlag(FLAGS_listen);
  PR_RETURN_IF_ERROR(ParseHostPort(options.listen, "--listen").status());
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls.ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.tls.require_client_cert = absl::GetFlag(FLAGS_tls_require_client_cert);
  if (options.tls.require_client_cert && options.tls.ca_file.empty()) {
    return absl::InvalidArgumentError("--tls_require_client_cert needs --tls_client_ca");
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (!options.tls.ca_file.empty() && options.tls.cert_file.empty()) {
    return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
  }
  return options;
}

int ConfigVerdict(const absl::Status& config) {
  if (!config.ok()) {
    spdlog::critical("bad configuration: {}", std::string(config.message()));
    return 2;
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    std::printf("configuration is good\n");
    return 0;
  }
  SetDeadlockDetection(absl::GetFlag(FLAGS_mutex_deadlock_detection));
  return -1;
}

absl::Status FirstError(std::initializer_list<absl::Status> results) {
  for (const absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<CommonConfig> CommonConfigFromFlags(const std::string& service_name) {
  CommonConfig config;
  PR_ASSIGN_OR_RETURN(config.server, ServerOptionsFromFlags(service_name));
  PR_ASSIGN_OR_RETURN(config.redis, RedisOptionsFromFlags(service_name));
  PR_ASSIGN_OR_RETURN(config.rate_limits, RateLimitsFromFlags());
  config.workers = absl::GetFlag(FLAGS_workers);
  config.queue_limit = static_cast<size_t>(absl::GetFlag(FLAGS_queue_limit));
  config.drain_grace = absl::GetFlag(FLAGS_drain_grace);
  config.startup_timeout = absl::GetFlag(FLAGS_startup_timeout);
  config.redis_acquire_timeout = absl::GetFlag(FLAGS_redis_acquire_timeout);
  config.liveness_stall = absl::GetFlag(FLAGS_liveness_stall);
  config.audit_max_entries = absl::GetFlag(FLAGS_audit_max_entries);
  return config;
}

absl::StatusOr<std::map<Role, int64_t>> RateLimitsFromFlags() {
  return RateLimiter::ParseLimits(absl::GetFlag(FLAGS_rate_limits));
}

absl::StatusOr<redis::Options> RedisOptionsFromFlags(const std::string& service_name) {
  PR_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(absl::GetFlag(FLAGS_redis), "--redis"));
  redis::Options options;
  options.client_name = absl::StrCat("pressrelay-", service_name);
  options.host = hp.host;
  options.port = hp.port;
  if (const std::string file = absl::GetFlag(FLAGS_redis_password_file); !file.empty()) {
    PR_ASSIGN_OR_RETURN(options.password, ReadSecretFile(file));
  }
  return options;
}

TlsFiles PeerTlsFromFlags() {
  TlsFiles tls;
  tls.ca_file = absl::GetFlag(FLAGS_peer_tls_ca);
  tls.cert_file = absl::GetFlag(FLAGS_peer_tls_cert);
  tls.key_file = absl::GetFlag(FLAGS_peer_tls_key);
  tls.server_name_override = absl::GetFlag(FLAGS_peer_tls_server_name);
  return tls;
}

absl::StatusOr<std::string> ServiceTokenFromFlags() {
  const std::string file = absl::GetFlag(FLAGS_service_token_file);
  if (file.empty()) return absl::InvalidArgumentError("--service_token_file is required");
  return ReadSecretFile(file);
}

}  // namespace pressrelay
