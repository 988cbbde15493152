// The distribution service's configuration: every flag (and its PRESSRELAY_ environment
// variable) read and checked once, before any thread starts.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/rpc/flags.h"
#include "services/common/domain/signing.h"
#include "services/distribution/fanout_engine.h"

namespace pressrelay::distribution {

struct Config {
  CommonConfig common;
  std::string registry;      // address
  std::string subscription;  // address (its ledger feeds delivery reports)
  TlsFiles peer_tls;
  std::string service_token;
  std::shared_ptr<signing::Signer> signer;  // the agencies' private keys, read at start
  FanoutOptions fanout;
  absl::Duration retention_sweep_interval;
  // How long before an obligation's deadline the agency's desk is reminded of it.
  absl::Duration obligation_reminder;
  // How long after an urgent statement its agency undertakes to follow it up, unless the
  // agency sets its own period.
  absl::Duration urgent_follow_up = absl::Hours(24);
  int catalog_workers = 4;

  static absl::StatusOr<Config> FromFlags();
};

}  // namespace pressrelay::distribution
