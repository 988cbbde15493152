// The registry's configuration: every flag (and its PRESSRELAY_ environment variable) read
// and checked once, before any thread starts.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "services/common/rpc/flags.h"
#include "services/registry/registry.h"

namespace pressrelay::registry {

struct Config {
  CommonConfig common;
  std::vector<BootstrapToken> bootstrap_tokens;  // installed at start when not yet known
  int64_t audit_scan_limit = 0;
  int directory_workers = 4;
  SignInPolicy sign_in;  // sessions and failed sign-ins

  static absl::StatusOr<Config> FromFlags();
};

}  // namespace pressrelay::registry
