// The gateway's configuration: every flag (and its PRESSRELAY_ environment variable) read and
// checked once, before any thread starts.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "gateway/http_gateway.h"
#include "services/common/rpc/process_flags.h"

namespace pressrelay::gateway {

struct Config {
  GatewayOptions http;
  std::string registry;      // address
  std::string distribution;  // address
  TlsFiles peer_tls;
  absl::Duration drain_grace;
  absl::Duration startup_timeout;
  std::string metrics_listen;  // the Prometheus endpoint; empty: none

  static absl::StatusOr<Config> FromFlags();
};

}  // namespace pressrelay::gateway
