// The subscription service's configuration: every flag (and its PRESSRELAY_ environment
// variable) read and checked once, before any thread starts.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/common/rpc/flags.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {

struct Config {
  CommonConfig common;
  std::string registry;      // address
  std::string distribution;  // address
  TlsFiles peer_tls;
  std::string service_token;
  int shards = 16;
  StreamOptions stream;
  int64_t statement_cache_bytes = 0;
  int max_streams_per_principal = 16;
  absl::Duration stream_lease;
  absl::Duration ledger_retention;
  int ledger_workers = 2;
  int stream_start_limit = 20000;
  int stream_threads = 1;  // stream loops (stream_loop.h)
  int stream_queues = 16;  // stream queues per loop (stream_loop.h)

  static absl::StatusOr<Config> FromFlags();
};

}  // namespace pressrelay::subscription
