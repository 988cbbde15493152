#include "gateway/config.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

#ifndef PRESSRELAY_GATEWAY_WEB_DIR
#define PRESSRELAY_GATEWAY_WEB_DIR ""
#endif

ABSL_FLAG(std::string, registry, "127.0.0.1:7401", "registry service address (or several replicas' a.b.c.d:port, comma-separated)");
ABSL_FLAG(std::string, distribution, "127.0.0.1:7402",
          "distribution service address (or several replicas' a.b.c.d:port, comma-separated)");
ABSL_FLAG(std::string, gateway_token_file, "",
          "file holding the gateway's own token (a registry token of kind gateway): it signs people in and "
          "goes beside each person's session on their calls");
ABSL_FLAG(std::string, web_dir, PRESSRELAY_GATEWAY_WEB_DIR, "directory of the desk's pages (gateway/web)");
ABSL_FLAG(bool, trust_forwarded_for, false,
          "behind an ingress: take the client's address from X-Forwarded-For (for sign-in limits and audit)");
ABSL_FLAG(bool, secure_cookies, false,
          "mark the session cookie Secure and send HSTS although this listener is plain HTTP (TLS ends at an "
          "ingress in front); always on with --tls_cert");
PRESSRELAY_INT_FLAG(int64_t, max_body_bytes, 1048576, 1024, 67108864,
                    "largest request body accepted (413 beyond it)");
PRESSRELAY_INT_FLAG(int, http_threads, 32, 4, 1024,
                    "threads answering HTTP requests (each open delivery-report page holds one)");
PRESSRELAY_DURATION_FLAG(report_interval, absl::Seconds(1), "1s", "1m",
                         "how often an open delivery-report page's report is read and, when it changed, pushed");
PRESSRELAY_DURATION_FLAG(call_deadline, absl::Seconds(30), "1s", "5m", "deadline of each call to a service");

namespace pressrelay::gateway {

absl::StatusOr<Config> Config::FromFlags() {
  Config config;
  PR_ASSIGN_OR_RETURN(ServerOptions server, ServerOptionsFromFlags("gateway"));
  if (server.tls.require_client_cert || !server.tls.ca_file.empty()) {
    return FieldError("--tls_client_ca", "browsers do not present client certificates to the gateway");
  }
  config.http.listen = server.listen;
  config.http.port_file = server.port_file;
  config.metrics_listen = server.metrics_listen;
  config.http.tls_cert = server.tls.cert_file;
  config.http.tls_key = server.tls.key_file;
  config.registry = absl::GetFlag(FLAGS_registry);
  config.distribution = absl::GetFlag(FLAGS_distribution);
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.registry, "--registry"));
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.distribution, "--distribution"));
  config.peer_tls = PeerTlsFromFlags();
  const std::string token_file = absl::GetFlag(FLAGS_gateway_token_file);
  if (token_file.empty()) return FieldError("--gateway_token_file", "is required");
  auto token = ReadSecretFile(token_file);
  if (!token.ok()) return Annotate(token.status(), "--gateway_token_file");
  config.http.gateway_token = *token;
  config.http.web_dir = absl::GetFlag(FLAGS_web_dir);
  if (config.http.web_dir.empty() || !std::filesystem::is_regular_file(config.http.web_dir + "/index.html")) {
    return FieldError("--web_dir", "must be the directory of the desk's pages (with index.html)");
  }
  config.http.trust_forwarded_for = absl::GetFlag(FLAGS_trust_forwarded_for);
  config.http.secure_cookies = absl::GetFlag(FLAGS_secure_cookies) || !config.http.tls_cert.empty();
  config.http.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  config.http.threads = absl::GetFlag(FLAGS_http_threads);
  config.http.report_interval = absl::GetFlag(FLAGS_report_interval);
  config.http.call_deadline = absl::GetFlag(FLAGS_call_deadline);
  config.drain_grace = absl::GetFlag(FLAGS_drain_grace);
  config.startup_timeout = absl::GetFlag(FLAGS_startup_timeout);
  return config;
}

}  // namespace pressrelay::gateway
