#include "services/distribution/config.h"

#include "absl/flags/flag.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7401", "registry service address (or several replicas' a.b.c.d:port, comma-separated)");
ABSL_FLAG(std::string, subscription, "127.0.0.1:7403",
          "subscription service address (its ledger feeds delivery reports; not needed to publish)");
ABSL_FLAG(std::string, signing_keys_dir, "",
          "directory of the agencies' private signing keys (*.key files; a mounted Secret in Kubernetes)");
PRESSRELAY_INT_FLAG(int, shards, 16, 1, 1024, "queue shards; fixed for the life of a Redis data set");
PRESSRELAY_INT_FLAG(int, chunk_size, 1000, 1, 100000, "recipients queued per atomic script run");
PRESSRELAY_INT_FLAG(int, fanout_queue_limit, 256, 1, 100000,
                    "statements waiting for the fan-out thread before new publishes are refused with "
                    "RESOURCE_EXHAUSTED");
PRESSRELAY_INT_FLAG(int, catalog_workers, 4, 1, 256,
                    "threads for the subscription service's catalog reads (apart from publishing's)");
PRESSRELAY_INT_FLAG(int64_t, queue_max_entries, 10000, 1, 10000000, "retention: entries kept per recipient lane");
PRESSRELAY_DURATION_FLAG(queue_max_age, absl::Hours(24 * 7), "1s", "8760h", "retention: age of entries kept");
PRESSRELAY_DURATION_FLAG(retention_sweep_interval, absl::Minutes(10), "100ms", "24h",
                         "how often queues are swept for entries older than --queue_max_age");
PRESSRELAY_DURATION_FLAG(obligation_reminder, absl::Hours(24 * 7), "1h", "2160h",
                         "how long before a press obligation's deadline (monthly information, quarterly press "
                         "conference) the agency's desk is reminded");
PRESSRELAY_DURATION_FLAG(urgent_follow_up, absl::Hours(24), "1m", "720h",
                         "how long after an urgent statement (urgency 1-2) its agency undertakes to follow it "
                         "up, for agencies that set no period of their own (Agency.urgent_follow_up)");
PRESSRELAY_DURATION_FLAG(job_lease, absl::Seconds(10), "1s", "1h",
                         "how long a claimed fan-out job stays with a replica without progress before another "
                         "may take it");

namespace pressrelay::distribution {

absl::StatusOr<Config> Config::FromFlags() {
  Config config;
  PR_ASSIGN_OR_RETURN(config.common, CommonConfigFromFlags("distribution"));
  config.registry = absl::GetFlag(FLAGS_registry);
  config.subscription = absl::GetFlag(FLAGS_subscription);
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.registry, "--registry"));
  PR_RETURN_IF_ERROR(CheckPeerAddress(config.subscription, "--subscription"));
  config.peer_tls = PeerTlsFromFlags();
  PR_ASSIGN_OR_RETURN(config.service_token, ServiceTokenFromFlags());
  const std::string keys_dir = absl::GetFlag(FLAGS_signing_keys_dir);
  if (keys_dir.empty()) return FieldError("--signing_keys_dir", "is required");
  auto signer = signing::Signer::FromDirectory(keys_dir);
  if (!signer.ok()) return Annotate(signer.status(), "--signing_keys_dir");
  config.signer = std::move(*signer);
  config.fanout.shards = absl::GetFlag(FLAGS_shards);
  config.fanout.chunk_size = absl::GetFlag(FLAGS_chunk_size);
  config.fanout.max_queued = static_cast<size_t>(absl::GetFlag(FLAGS_fanout_queue_limit));
  config.fanout.retention.max_entries = absl::GetFlag(FLAGS_queue_max_entries);
  config.fanout.retention.max_age = absl::GetFlag(FLAGS_queue_max_age);
  config.fanout.lease = absl::GetFlag(FLAGS_job_lease);
  config.retention_sweep_interval = absl::GetFlag(FLAGS_retention_sweep_interval);
  config.obligation_reminder = absl::GetFlag(FLAGS_obligation_reminder);
  config.urgent_follow_up = absl::GetFlag(FLAGS_urgent_follow_up);
  config.catalog_workers = absl::GetFlag(FLAGS_catalog_workers);
  return config;
}

}  // namespace pressrelay::distribution
