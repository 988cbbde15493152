#include "services/subscription/config.h"

#include <algorithm>
#include <thread>

#include "absl/flags/flag.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7401", "registry service address (or several replicas' a.b.c.d:port, comma-separated)");
ABSL_FLAG(std::string, distribution, "127.0.0.1:7402",
          "distribution service address (or several replicas' a.b.c.d:port, comma-separated)");
PRESSRELAY_INT_FLAG(int, shards, 16, 1, 1024, "queue shards; must match the distribution service's");
PRESSRELAY_INT_FLAG(int, outbox_limit, 64, 2, 100000,
                    "deliveries buffered per stream before it reads at its own pace");
PRESSRELAY_DURATION_FLAG(stall_timeout, absl::Seconds(30), "1s", "1h",
                         "a stream whose write makes no progress this long is ended (RESOURCE_EXHAUSTED)");
PRESSRELAY_DURATION_FLAG(max_lag, absl::Seconds(120), "1s", "24h",
                         "a reader leaving queued items unwritten this long is told to reconnect later");
PRESSRELAY_DURATION_FLAG(coalesce_window, absl::Milliseconds(0), "0s", "10s",
                         "writes to one stream start at least this far apart, so bursts leave in fewer, larger "
                         "messages");
PRESSRELAY_INT_FLAG(int64_t, statement_cache_bytes, 268435456, 1048576, 68719476736,
                    "memory for serialised statements");
PRESSRELAY_INT_FLAG(int, max_streams_per_principal, 16, 0, 100000,
                    "Subscribe streams one newsroom client or journalist may hold open, across all replicas "
                    "(0: no cap)");
PRESSRELAY_DURATION_FLAG(stream_lease, absl::Seconds(30), "3s", "1h",
                         "how long an open stream's slot under the cap outlives its replica if that replica dies "
                         "(renewed every third of it)");
PRESSRELAY_DURATION_FLAG(ledger_retention, absl::Hours(24 * 30), "1h", "87600h",
                         "how long delivery states are kept");
PRESSRELAY_INT_FLAG(int, stream_start_limit, 20000, 1, 1000000,
                    "Subscribe streams being started at once (caller checked, cursor resolved); beyond it a new "
                    "stream is refused with RESOURCE_EXHAUSTED and a retry delay");
PRESSRELAY_INT_FLAG(int, stream_threads, 1, 0, 256,
                    "threads that own the Subscribe streams and write to them, each with its own completion "
                    "queue; 0: one per core. One is the default: a loop that falls behind puts several "
                    "deliveries in each stream message, which halves the CPU per delivery (bench/README, "
                    "item 14); add loops only when one core's worth of writes is not enough");
PRESSRELAY_INT_FLAG(int, stream_queues, 16, 1, 256,
                    "completion queues per stream loop that its streams' operations complete on, dealt round "
                    "them: a completion costs a scan of its queue's open streams in Debian 12's libgrpc, so "
                    "each should hold at most a few thousand; each is also looked at every 20 ms "
                    "(bench/README, item 24)");
PRESSRELAY_INT_FLAG(int, ledger_workers, 2, 1, 64,
                    "threads for the distribution service's delivery-state reads (apart from newsrooms')");

namespace pressrelay::subscription {

absl::StatusOr<Config> Config::FromFlags() {
  Config config;
  PR_ASSIGN_OR_RETURN(config.common, CommonConfigFromFlags("subscription"));
  config.registry = absl::GetFlag(FLAGS_registry);
  config.distribution = absl::GetFlag(FLAGS_distribution);
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.registry, "--registry"));
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.distribution, "--distribution"));
  config.peer_tls = PeerTlsFromFlags();
  PR_ASSIGN_OR_RETURN(config.service_token, ServiceTokenFromFlags());
  config.shards = absl::GetFlag(FLAGS_shards);
  config.stream.outbox_limit = absl::GetFlag(FLAGS_outbox_limit);
  config.stream.stall_timeout = absl::GetFlag(FLAGS_stall_timeout);
  config.stream.max_lag = absl::GetFlag(FLAGS_max_lag);
  config.stream.coalesce_window = absl::GetFlag(FLAGS_coalesce_window);
  config.statement_cache_bytes = absl::GetFlag(FLAGS_statement_cache_bytes);
  config.max_streams_per_principal = absl::GetFlag(FLAGS_max_streams_per_principal);
  config.stream_lease = absl::GetFlag(FLAGS_stream_lease);
  config.ledger_retention = absl::GetFlag(FLAGS_ledger_retention);
  config.ledger_workers = absl::GetFlag(FLAGS_ledger_workers);
  config.stream_start_limit = absl::GetFlag(FLAGS_stream_start_limit);
  config.stream_threads = absl::GetFlag(FLAGS_stream_threads);
  config.stream_queues = absl::GetFlag(FLAGS_stream_queues);
  if (config.stream_threads == 0) config.stream_threads = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

}  // namespace pressrelay::subscription
