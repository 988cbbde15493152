#include "services/common/rpc/process_flags.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/log.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to listen on (gRPC; HTTP for the gateway); port 0 picks a free port");
ABSL_FLAG(std::string, port_file, "", "write the chosen port to this file once serving");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus endpoint (GET /metrics); empty: none; port 0 picks a free port");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");
ABSL_FLAG(std::string, log_format, "auto",
          "json (one object a line, with the request id), text (for a terminal), or auto: text on a terminal, "
          "JSON otherwise");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of this listener; enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of this listener");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA that signs client certificates");
ABSL_FLAG(bool, tls_require_client_cert, false, "mutual TLS: refuse clients without a certificate");
ABSL_FLAG(std::string, peer_tls_ca, "", "PEM CA that signs the other services' certificates; enables TLS to them");
ABSL_FLAG(std::string, peer_tls_cert, "", "PEM client certificate for mutual TLS to the other services");
ABSL_FLAG(std::string, peer_tls_key, "", "PEM client key for mutual TLS to the other services");
ABSL_FLAG(std::string, peer_tls_server_name, "", "name to verify in the other services' certificates");
PRESSRELAY_DURATION_FLAG(drain_grace, absl::Seconds(20), "0s", "10m", "how long SIGTERM waits for calls to finish");
PRESSRELAY_DURATION_FLAG(startup_timeout, absl::Minutes(5), "1s", "24h",
                         "how long to wait at start for Redis to answer before giving up (exit 1)");
PRESSRELAY_DURATION_FLAG(liveness_stall, absl::Seconds(30), "1s", "1h",
                         "liveness fails when work has waited this long for a worker or a Redis connection");
ABSL_FLAG(bool, check_config, false, "read and check the configuration, say so, and exit (0 if it is good)");
#ifdef NDEBUG
constexpr bool kDeadlockDetectionDefault = false;
#else
constexpr bool kDeadlockDetectionDefault = true;
#endif
ABSL_FLAG(bool, mutex_deadlock_detection, kDeadlockDetectionDefault,
          "abort when two mutexes are ever taken in opposite orders (absl's lock graph; on in debug "
          "builds, off in release builds for its per-mutex cost)");

namespace pressrelay {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& service_name) {
  ServerOptions options;
  options.service_name = service_name;
  options.listen = absl::GetFlag(FLAGS_listen);
  PR_RETURN_IF_ERROR(ParseHostPort(options.listen, "--listen").status());
  options.port_file = absl::GetFlag(FLAGS_port_file);
  if (const std::string f = absl::GetFlag(FLAGS_log_format); f != "json" && f != "text" && f != "auto") {
    return absl::InvalidArgumentError(absl::StrCat("--log_format: must be json, text or auto, not \"", f, "\""));
  }
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!options.metrics_listen.empty()) {
    PR_RETURN_IF_ERROR(ParseHostPort(options.metrics_listen, "--metrics_listen").status());
  }
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

TlsFiles PeerTlsFromFlags() {
  TlsFiles tls;
  tls.ca_file = absl::GetFlag(FLAGS_peer_tls_ca);
  tls.cert_file = absl::GetFlag(FLAGS_peer_tls_cert);
  tls.key_file = absl::GetFlag(FLAGS_peer_tls_key);
  tls.server_name_override = absl::GetFlag(FLAGS_peer_tls_server_name);
  return tls;
}

}  // namespace pressrelay
