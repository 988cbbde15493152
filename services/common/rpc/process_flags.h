// Flags every pressrelay process has (the three services and the gateway): where it listens
// (and with which certificate), how it reaches its peers, its log level, how long it waits at
// start and drains at the end, and the checks of its own configuration. Each flag also reads
// PRESSRELAY_<NAME> from the environment (base/configuration.h).
#pragma once

#include <initializer_list>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/server.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, port_file);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, log_format);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_client_ca);
ABSL_DECLARE_FLAG(bool, tls_require_client_cert);
ABSL_DECLARE_FLAG(std::string, peer_tls_ca);
ABSL_DECLARE_FLAG(std::string, peer_tls_cert);
ABSL_DECLARE_FLAG(std::string, peer_tls_key);
ABSL_DECLARE_FLAG(std::string, peer_tls_server_name);
ABSL_DECLARE_FLAG(absl::Duration, drain_grace);
ABSL_DECLARE_FLAG(absl::Duration, startup_timeout);
ABSL_DECLARE_FLAG(absl::Duration, liveness_stall);
ABSL_DECLARE_FLAG(bool, mutex_deadlock_detection);
ABSL_DECLARE_FLAG(bool, check_config);

namespace pressrelay {

// --listen, --port_file and the listener's TLS files.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& service_name);
// How this process reaches the others: TLS files.
TlsFiles PeerTlsFromFlags();

// The step between reading the configuration and running: a bad configuration is logged
// and gives exit code 2; --check_config prints that it is good and gives 0; otherwise
// --mutex_deadlock_detection is applied and the answer is -1 (go on).
int ConfigVerdict(const absl::Status& config);

// The first error among the results of reading the configuration.
absl::Status FirstError(std::initializer_list<absl::Status> results);

}  // namespace pressrelay
