// pressrelay-subscription: newsroom systems and journalists stream their queues. Wiring
// only: the life of the process is service_main.h's, the configuration config.h's.
#include <cstdlib>
#include <memory>

#include "absl/flags/flag.h"
#include "services/common/base/metrics.h"
#include "services/common/base/configuration.h"
#include "services/common/rpc/directory_client.h"
#include "services/common/rpc/edge.h"
#include "services/common/rpc/queued_health.h"
#include "services/common/rpc/revocation_watcher.h"
#include "services/subscription/access_revoker.h"
#include "services/common/rpc/flags.h"
#include "services/common/base/log.h"
#include "services/common/rpc/service_main.h"
#include "services/subscription/config.h"
#include "services/subscription/catalog_client.h"
#include "services/subscription/ledger.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/statement_cache.h"
#include "services/subscription/stream_hub.h"
#include "services/subscription/stream_loop.h"
#include "services/subscription/subscription_service.h"

namespace pressrelay::subscription {
namespace {

constexpr int kSubscriberReadChunkBytes = 512;
// Subscribe calls each stream loop keeps requested: arrivals are matched at once, and a loop
// re-requests as each one arrives.
constexpr int kRequestsPerLoop = 64;

// gRPC 1.51 reads every connection into slices of at least 8 KiB under its default-on
// "tcp_read_chunks" experiment, whatever GRPC_ARG_TCP_READ_CHUNK_SIZE says, and an idle
// connection keeps the unused tail of its last one: 8 KiB of the ~35 KiB an idle subscriber
// costs. Without the experiment (the read path of gRPC up to 1.50) the size is honoured.
// Runs before gRPC starts; an operator's own GRPC_EXPERIMENTS wins.
void HonourReadChunkSize() { setenv("GRPC_EXPERIMENTS", "-tcp_read_chunks", /*overwrite=*/0); }

int Run(const Config& config) {
  const CommonConfig& common = config.common;
  auto registry_channel = MakeChannel(config.registry, config.peer_tls);
  auto distribution_channel = MakeChannel(config.distribution, config.peer_tls);
  if (!registry_channel.ok() || !distribution_channel.ok()) {
    spdlog::critical("peers: {}", FirstError({registry_channel.status(), distribution_channel.status()}).ToString());
    return 2;
  }
  GrpcDirectoryClient directory(*registry_channel, config.service_token);
  // Streams that open together (a reconnect storm) are authenticated in batches: one
  // registry round trip per batch, not per stream.
  CoalescingAuthenticator batched(&directory);
  // The opener's batches go to the registry as they are (one AuthenticateBatch each).
  CachingAuthenticator auth(&batched, absl::Seconds(2), &directory);
  GrpcStatementSource statements(*distribution_channel, config.service_token);
  StatementCache cache(&statements, static_cast<size_t>(config.statement_cache_bytes));

  // Every thread that may hold a Redis connection has one: both edges' workers, the
  // ledger's flusher and the health monitor (the hub's threads have their own).
  redis::Pool pool(common.redis, common.workers + config.ledger_workers + 2, common.redis_acquire_timeout);
  DeliveryLedger ledger(&pool, absl::Milliseconds(100), config.ledger_retention);
  StreamLeases leases(&pool, common.redis, config.max_streams_per_principal, config.stream_lease);
  HubOptions hub_options;
  hub_options.shards = config.shards;
  StreamHub hub(common.redis, &cache, &leases, hub_options);
  QueueAccess access(&pool, &hub, &ledger, &directory, &statements, config.shards);

  StartupGate gate;
  RateLimiter limiter(&pool, "subscription", common.rate_limits);
  AuditLog audit(&pool, "subscription", common.audit_max_entries);
  WorkerPool work("sub-work", common.workers, common.queue_limit);
  WorkerPool ledger_work("sub-ledger", config.ledger_workers, common.queue_limit);
  Edge edge{&work, &auth, &limiter, &audit, &gate};
  Edge ledger_edge{&ledger_work, &auth, &limiter, &audit, &gate};
  // Subscribe calls are opened many at once (stream_opener.h): a reconnect storm costs a
  // registry round trip and three Redis round trips per batch, not per stream.
  StreamOpener opener(&edge, &auth, &access, &hub, config.stream_start_limit);
  SubscriptionService subscription(&hub, &access, &opener, &edge);
  metrics::Registry::Default().GaugeCallback(
      "pressrelay_stream_open_waiting", "Subscribe calls waiting for the opener's next batch (a reconnect storm)",
      [&opener] { return static_cast<double>(opener.waiting()); });
  LedgerService ledger_service(&ledger, &ledger_edge);
  // Revoked tokens and disabled identities end their streams at once. The watch's operations
  // complete on a stream loop's queue (revocation_watcher.h, Polling, says why).
  RevocationWatcher revocations(*registry_channel, config.service_token, AccessRevoker(&auth, &hub),
                                RevocationWatcher::Polling::kProcessLoop);

  metrics::Registry::Default().GaugeCallback("pressrelay_open_streams", "Subscribe streams open on this replica",
                                              [&hub] { return static_cast<double>(hub.stream_count()); });
  // Subscribe's calls live on these loops' completion queues (stream_loop.h says why).
  StreamLoops loops(config.stream_threads, kRequestsPerLoop, config.stream_queues);

  ServiceRun run;
  run.server = common.server;
  run.services = {&subscription, &ledger_service};
  // Health on the loops' queues too: gRPC's default health service would be a callback
  // service (queued_call.h says why this process has none).
  QueuedHealth health;
  run.customize = [&loops, &health](grpc::ServerBuilder& builder) {
    // Subscribers send little (a request, acks, flow-control frames): start each connection's
    // reads small, so that an idle one holds a small read buffer rather than 8 KiB. (gRPC
    // grows a connection's reads again when they fill up.)
    builder.AddChannelArgument(GRPC_ARG_TCP_READ_CHUNK_SIZE, kSubscriberReadChunkBytes);
    builder.SetOption(health.BuilderOption());
    builder.RegisterService(&health);
    loops.AddQueues(builder);
  };
  run.built = [&] {
    loops.Start(&subscription, &hub, &ledger, config.stream,
                {&subscription, &ledger_service, &health, &revocations});
  };
  run.stopped = [&] {
    // Nothing may post to the loops once they are gone, and the watch completes on one.
    revocations.Stop();
    opener.Stop();
    hub.Stop();
    loops.Stop();
  };
  run.gate = &gate;
  run.start = [&]() -> absl::Status {
    redis::Client redis(common.redis);
    // Redis must be of the kind --redis_cluster says, and the queue layout must match the
    // data set's (FAILED_PRECONDITION otherwise: fatal).
    if (absl::Status s = redis.CheckKind(); !s.ok()) return s;
    if (absl::Status s = fanout::EnsureShards(redis, config.shards); !s.ok()) return s;
    return hub.Start();
  };
  run.ready = [&]() -> absl::Status {
    if (absl::Status s = PingRedis(pool); !s.ok()) return s;
    if (absl::Status s = CheckHealth(directory.channel(), "", absl::Seconds(1)); !s.ok()) return s;
    return CheckHealth(statements.channel(), "", absl::Seconds(1));
  };
  run.liveness = {QueueStall(work, common.liveness_stall), QueueStall(ledger_work, common.liveness_stall),
                  RedisStall(pool, common.liveness_stall)};
  run.drain = [&] {
    spdlog::info("draining {} streams", hub.stream_count());
    subscription.Drain();
  };
  run.startup_timeout = common.startup_timeout;
  run.drain_grace = common.drain_grace;
  return RunService(std::move(run));
}

}  // namespace
}  // namespace pressrelay::subscription

int main(int argc, char** argv) {
  pressrelay::subscription::HonourReadChunkSize();
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-subscription: the subscription service");
  pressrelay::InitLogging("subscription", absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
  auto config = pressrelay::subscription::Config::FromFlags();
  if (const int code = pressrelay::ConfigVerdict(config.status()); code >= 0) return code;
  return pressrelay::subscription::Run(*config);
}
