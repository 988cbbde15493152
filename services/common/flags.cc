#include "services/common/flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"

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
ABSL_FLAG(int, workers, 8, "threads for blocking work (Redis, calls to other services)");
ABSL_FLAG(absl::Duration, drain_grace, absl::Seconds(20), "how long SIGTERM waits for calls to finish");
ABSL_FLAG(std::string, rate_limits,
          "operator=1200,spokesperson=600,gateway=6000,newsroom_client=6000,journalist=600",
          "calls a minute per principal, by role, counted across replicas; an unlisted role (and "
          "service) is not limited; empty turns limits off");
ABSL_FLAG(int64_t, audit_max_entries, 10'000'000, "length at which the audit stream starts dropping its oldest entries");

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

bool ConfigurationOk(std::initializer_list<absl::Status> results) {
  bool ok = true;
  for (const absl::Status& s : results) {
    if (s.ok()) continue;
    spdlog::critical("bad configuration: {}", s.ToString());
    ok = false;
  }
  return ok;
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
