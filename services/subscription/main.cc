// pressrelay-subscription: newsroom systems and journalists stream their queues. Wiring
// only.
#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "services/common/config.h"
#include "services/common/directory_client.h"
#include "services/common/edge.h"
#include "services/common/revocation_watcher.h"
#include "services/subscription/access_revoker.h"
#include "services/common/flags.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/subscription/catalog_client.h"
#include "services/subscription/ledger.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/statement_cache.h"
#include "services/subscription/stream_hub.h"
#include "services/subscription/subscription_service.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:7401", "registry service address");
ABSL_FLAG(std::string, distribution, "127.0.0.1:7402", "distribution service address");
ABSL_FLAG(int, shards, 16, "queue shards; must match the distribution service's");
ABSL_FLAG(int, outbox_limit, 64, "deliveries buffered per stream before it reads at its own pace");
ABSL_FLAG(absl::Duration, stall_timeout, absl::Seconds(30),
          "a stream whose write makes no progress this long is cancelled");
ABSL_FLAG(absl::Duration, max_lag, absl::Seconds(120),
          "a reader leaving queued items unwritten this long is told to reconnect later");
ABSL_FLAG(absl::Duration, coalesce_window, absl::Milliseconds(0),
          "writes to one stream start at least this far apart, so bursts leave in fewer, larger messages");
ABSL_FLAG(int64_t, statement_cache_bytes, 256 << 20, "memory for serialised statements");
ABSL_FLAG(int, max_streams_per_principal, 16,
          "Subscribe streams one newsroom client or journalist may hold open, across all replicas (0: no cap)");
ABSL_FLAG(absl::Duration, stream_lease, absl::Seconds(30),
          "how long an open stream's slot under the cap outlives its replica if that replica dies "
          "(renewed every third of it)");
ABSL_FLAG(absl::Duration, ledger_retention, absl::Hours(24 * 30), "how long delivery states are kept");

namespace pressrelay::subscription {
namespace {

constexpr int kSubscriberReadChunkBytes = 512;

// gRPC 1.51 reads every connection into slices of at least 8 KiB under its default-on
// "tcp_read_chunks" experiment, whatever GRPC_ARG_TCP_READ_CHUNK_SIZE says, and an idle
// connection keeps the unused tail of its last one: 8 KiB of the ~35 KiB an idle subscriber
// costs. Without the experiment (the read path of gRPC up to 1.50) the size is honoured.
// Runs before gRPC starts; an operator's own GRPC_EXPERIMENTS wins.
void HonourReadChunkSize() { setenv("GRPC_EXPERIMENTS", "-tcp_read_chunks", /*overwrite=*/0); }

int Run() {
  auto server_options = ServerOptionsFromFlags("subscription");
  auto redis_options = RedisOptionsFromFlags("subscription");
  auto service_token = ServiceTokenFromFlags();
  auto rate_limits = RateLimitsFromFlags();
  if (!ConfigurationOk(
          {server_options.status(), redis_options.status(), service_token.status(), rate_limits.status()})) {
    return 2;
  }
  const int shards = absl::GetFlag(FLAGS_shards);
  const TlsFiles peer_tls = PeerTlsFromFlags();
  auto registry_channel = MakeChannel(absl::GetFlag(FLAGS_registry), peer_tls);
  auto distribution_channel = MakeChannel(absl::GetFlag(FLAGS_distribution), peer_tls);
  if (!registry_channel.ok() || !distribution_channel.ok()) {
    spdlog::critical("bad peer configuration");
    return 2;
  }
  GrpcDirectoryClient directory(*registry_channel, *service_token);
  CachingAuthenticator auth(&directory, absl::Seconds(2));
  GrpcStatementSource statements(*distribution_channel, *service_token);
  StatementCache cache(&statements, static_cast<size_t>(absl::GetFlag(FLAGS_statement_cache_bytes)));

  const int workers = absl::GetFlag(FLAGS_workers);
  redis::Pool pool(*redis_options, workers + 2);
  DeliveryLedger ledger(&pool, absl::Milliseconds(100), absl::GetFlag(FLAGS_ledger_retention));
  if (absl::GetFlag(FLAGS_stream_lease) < absl::Seconds(3)) {
    spdlog::critical("--stream_lease: at least 3s (it is renewed every third of it)");
    return 2;
  }
  StreamLeases leases(&pool, *redis_options, absl::GetFlag(FLAGS_max_streams_per_principal),
                      absl::GetFlag(FLAGS_stream_lease));
  HubOptions hub_options;
  hub_options.shards = shards;
  StreamHub hub(*redis_options, &cache, &leases, hub_options);
  for (int attempt = 0;; ++attempt) {
    redis::Client redis(*redis_options);
    absl::Status s = fanout::EnsureShards(redis, shards);
    if (s.ok()) s = hub.Start();
    if (s.ok()) break;
    if (absl::IsFailedPrecondition(s)) {
      spdlog::critical("{}", s.ToString());
      return 2;
    }
    if (attempt == 0) spdlog::warn("waiting for Redis: {}", s.ToString());
    absl::SleepFor(absl::Milliseconds(500));
  }
  QueueAccess access(&pool, &hub, &ledger, &directory, &statements, shards);

  StreamOptions stream_options;
  stream_options.outbox_limit = absl::GetFlag(FLAGS_outbox_limit);
  stream_options.stall_timeout = absl::GetFlag(FLAGS_stall_timeout);
  stream_options.max_lag = absl::GetFlag(FLAGS_max_lag);
  stream_options.coalesce_window = absl::GetFlag(FLAGS_coalesce_window);
  WorkerPool work("sub-work", workers);
  RateLimiter limiter(&pool, "subscription", *rate_limits);
  AuditLog audit(&pool, "subscription", absl::GetFlag(FLAGS_audit_max_entries));
  Edge edge{&work, &auth, &limiter, &audit};
  SubscriptionService subscription(&hub, &access, &ledger, &edge, stream_options);
  LedgerService ledger_service(&ledger, &edge);
  // Revoked tokens and disabled identities end their streams at once.
  RevocationWatcher revocations(*registry_channel, *service_token, AccessRevoker(&auth, &hub));
  auto host = ServiceHost::Start(*server_options, {&subscription, &ledger_service}, [](grpc::ServerBuilder& builder) {
    // Subscribers send little (a request, acks, flow-control frames): start each connection's
    // reads small, so that an idle one holds a small read buffer rather than 8 KiB. (gRPC
    // grows a connection's reads again when they fill up.)
    builder.AddChannelArgument(GRPC_ARG_TCP_READ_CHUNK_SIZE, kSubscriberReadChunkBytes);
  });
  if (!host.ok()) {
    spdlog::critical("{}", host.status().ToString());
    return 1;
  }
  HealthMonitor health(
      host->get(),
      [&]() -> absl::Status {
        auto redis = pool.Acquire();
        if (auto s = redis->Run({"PING"}).status(); !s.ok()) return s;
        if (auto s = CheckHealth(directory.channel(), "", absl::Seconds(1)); !s.ok()) return s;
        return CheckHealth(statements.channel(), "", absl::Seconds(1));
      },
      absl::Seconds(1));

  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining {} streams", sig, hub.stream_count());
  health.Stop();
  subscription.Drain();
  (*host)->Shutdown(absl::GetFlag(FLAGS_drain_grace));
  return 0;
}

}  // namespace
}  // namespace pressrelay::subscription

int main(int argc, char** argv) {
  pressrelay::subscription::HonourReadChunkSize();
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-subscription: the subscription service");
  pressrelay::InitLogging("subscription", absl::GetFlag(FLAGS_log_level));
  return pressrelay::subscription::Run();
}
