// pressrelay-distribution: spokespeople issue statements; the wire stores each version once
// and fans it out into the recipients' queues. Wiring only.
#include <memory>

#include "absl/flags/flag.h"
#include "services/common/config.h"
#include "services/common/directory_client.h"
#include "services/common/fanout_queue.h"
#include "services/common/edge.h"
#include "services/common/revocation_watcher.h"
#include "services/common/flags.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/distribution/catalog.h"
#include "services/distribution/delivery_reporter.h"
#include "services/distribution/distribution_service.h"
#include "services/distribution/fanout_engine.h"
#include "services/distribution/publisher.h"
#include "services/distribution/retention_sweeper.h"
#include "services/distribution/statement_store.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7401", "registry service address");
ABSL_FLAG(std::string, subscription, "127.0.0.1:7403",
          "subscription service address (its ledger feeds delivery reports; not needed to publish)");
ABSL_FLAG(std::string, signing_keys_dir, "",
          "directory of the agencies' private signing keys (*.key files; a mounted Secret in Kubernetes)");
ABSL_FLAG(int, shards, 16, "queue shards; fixed for the life of a Redis data set");
ABSL_FLAG(int, chunk_size, 1000, "recipients queued per atomic script run");
ABSL_FLAG(int64_t, queue_max_entries, 10000, "retention: entries kept per recipient lane");
ABSL_FLAG(absl::Duration, queue_max_age, absl::Hours(24 * 7), "retention: age of entries kept");
ABSL_FLAG(absl::Duration, retention_sweep_interval, absl::Minutes(10),
          "how often queues are swept for entries older than --queue_max_age");
ABSL_FLAG(absl::Duration, job_lease, absl::Seconds(10),
          "how long a claimed fan-out job stays with a replica without progress before another may take it");

namespace pressrelay::distribution {
namespace {

int Run() {
  auto server_options = ServerOptionsFromFlags("distribution");
  auto redis_options = RedisOptionsFromFlags("distribution");
  auto service_token = ServiceTokenFromFlags();
  auto rate_limits = RateLimitsFromFlags();
  if (!ConfigurationOk(
          {server_options.status(), redis_options.status(), service_token.status(), rate_limits.status()})) {
    return 2;
  }
  const int shards = absl::GetFlag(FLAGS_shards);
  if (shards < 1 || shards > 1024) {
    spdlog::critical("--shards must be 1-1024");
    return 2;
  }
  auto channel = MakeChannel(absl::GetFlag(FLAGS_registry), PeerTlsFromFlags());
  if (!channel.ok()) {
    spdlog::critical("{}", channel.status().ToString());
    return 2;
  }
  GrpcDirectoryClient directory(*channel, *service_token);
  auto signer = signing::Signer::FromDirectory(absl::GetFlag(FLAGS_signing_keys_dir));
  if (absl::GetFlag(FLAGS_signing_keys_dir).empty() || !signer.ok()) {
    spdlog::critical("--signing_keys_dir: {}", signer.ok() ? "is required" : signer.status().ToString());
    return 2;
  }
  auto subscription_channel = MakeChannel(absl::GetFlag(FLAGS_subscription), PeerTlsFromFlags());
  if (!subscription_channel.ok()) {
    spdlog::critical("{}", subscription_channel.status().ToString());
    return 2;
  }
  GrpcLedgerSource ledger(*subscription_channel, *service_token);
  CachingAuthenticator auth(&directory, absl::Seconds(2));

  const int workers = absl::GetFlag(FLAGS_workers);
  redis::Pool pool(*redis_options, workers + 2);
  {
    // Wait for Redis at start, then check the queue layout matches ours.
    redis::Client redis(*redis_options);
    for (int attempt = 0;; ++attempt) {
      absl::Status s = fanout::EnsureShards(redis, shards);
      if (s.ok()) break;
      if (absl::IsFailedPrecondition(s)) {
        spdlog::critical("{}", s.ToString());
        return 2;
      }
      if (attempt == 0) spdlog::warn("waiting for Redis: {}", s.ToString());
      absl::SleepFor(absl::Milliseconds(500));
    }
  }
  StatementStore store(&pool);
  FanoutOptions fanout_options;
  fanout_options.shards = shards;
  fanout_options.chunk_size = absl::GetFlag(FLAGS_chunk_size);
  fanout_options.retention.max_entries = absl::GetFlag(FLAGS_queue_max_entries);
  fanout_options.retention.max_age = absl::GetFlag(FLAGS_queue_max_age);
  fanout_options.lease = absl::GetFlag(FLAGS_job_lease);
  FanoutEngine engine(&pool, &store, fanout_options);
  JobRunner runner(&engine, &store, absl::Seconds(1));
  RetentionSweeper sweeper(*redis_options, fanout_options.retention.max_age,
                           absl::GetFlag(FLAGS_retention_sweep_interval));
  Publisher publisher(&directory, &store, &engine, &runner, signer->get());
  Catalog catalog(&store, &directory);
  DeliveryReporter reporter(&store, &pool, &directory, &ledger);

  WorkerPool work("dist-work", workers);
  RateLimiter limiter(&pool, "distribution", *rate_limits);
  AuditLog audit(&pool, "distribution", absl::GetFlag(FLAGS_audit_max_entries));
  Edge edge{&work, &auth, &limiter, &audit};
  DistributionService distribution(&publisher, &catalog, &reporter, &edge);
  CatalogService catalog_service(&catalog, &edge);
  // A revoked token or identity stops publishing at once, not when its cached answer ages.
  RevocationWatcher revocations(*channel, *service_token,
                                [&auth](const registry_v1::Revocation& r) { ForgetRevoked(r, auth); });
  auto host = ServiceHost::Start(*server_options, {&distribution, &catalog_service});
  if (!host.ok()) {
    spdlog::critical("{}", host.status().ToString());
    return 1;
  }
  HealthMonitor health(
      host->get(),
      [&]() -> absl::Status {
        if (auto s = store.Ping(); !s.ok()) return s;
        return CheckHealth(directory.channel(), "", absl::Seconds(1));
      },
      absl::Seconds(1));

  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining", sig);
  health.Stop();
  (*host)->Shutdown(absl::GetFlag(FLAGS_drain_grace));
  return 0;
}

}  // namespace
}  // namespace pressrelay::distribution

int main(int argc, char** argv) {
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-distribution: the distribution service");
  pressrelay::InitLogging("distribution", absl::GetFlag(FLAGS_log_level));
  return pressrelay::distribution::Run();
}
