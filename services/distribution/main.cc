// pressrelay-distribution: spokespeople issue statements (their own, or their press office's
// drafts once reviewed); the wire stores each version once and fans it out into the
// recipients' queues. Wiring only: the life of the process is service_main.h's, the
// configuration config.h's.
#include <algorithm>
#include <limits>
#include <memory>

#include "absl/flags/flag.h"

#include "services/common/base/configuration.h"
#include "services/common/rpc/directory_client.h"
#include "services/common/rpc/edge.h"
#include "services/common/base/metrics.h"
#include "services/distribution/statement_store.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/rpc/flags.h"
#include "services/common/base/log.h"
#include "services/common/rpc/revocation_watcher.h"
#include "services/common/rpc/service_main.h"
#include "services/distribution/catalog.h"
#include "services/distribution/obligation_desk.h"
#include "services/distribution/statement_search.h"
#include "services/distribution/config.h"
#include "services/distribution/delivery_reporter.h"
#include "services/distribution/distribution_service.h"
#include "services/distribution/draft_desk.h"
#include "services/distribution/fanout_engine.h"
#include "services/distribution/publisher.h"
#include "services/distribution/question_desk.h"
#include "services/distribution/question_store.h"
#include "services/distribution/retention_sweeper.h"

namespace pressrelay::distribution {
namespace {

int Run(const Config& config) {
  const CommonConfig& common = config.common;
  auto registry_channel = MakeChannel(config.registry, config.peer_tls);
  auto subscription_channel = MakeChannel(config.subscription, config.peer_tls);
  if (!registry_channel.ok() || !subscription_channel.ok()) {
    spdlog::critical("peers: {}", FirstError({registry_channel.status(), subscription_channel.status()}).ToString());
    return 2;
  }
  GrpcDirectoryClient directory(*registry_channel, config.service_token);
  GrpcLedgerSource ledger(*subscription_channel, config.service_token);
  CachingAuthenticator auth(&directory, absl::Seconds(2));

  // Every thread that may hold a Redis connection has one: the two edges' workers, the
  // fan-out thread, the job runner and the health monitor. None holds two (redis.h).
  redis::Pool pool(common.redis, common.workers + config.catalog_workers + 3, common.redis_acquire_timeout);
  FanoutEngine engine(&pool, config.fanout);
  JobRunner runner(&engine, &pool, absl::Seconds(1));
  RetentionSweeper sweeper(common.redis, config.fanout.retention.max_age, config.retention_sweep_interval);
  Publisher publisher(&directory, &pool, &engine, &runner, config.signer.get(), config.urgent_follow_up);
  Catalog catalog(&pool, &directory);
  StatementSearch search(common.redis, &pool, &directory, {});
  DeliveryReporter reporter(&pool, &directory, &ledger);
  DraftDesk desk(&pool, &directory, &publisher);
  ObligationDesk obligations(&pool, &directory, config.obligation_reminder);
  // Questions go to agencies the wire signs for: any other could never answer.
  QuestionDesk questions(&pool, &directory, &publisher, [signer = config.signer.get()](const std::string& agency) {
    return signer->HasKeyFor(agency);
  });

  StartupGate gate;
  RateLimiter limiter(&pool, "distribution", common.rate_limits);
  AuditLog audit(&pool, "distribution", common.audit_max_entries);
  WorkerPool work("dist-work", common.workers, common.queue_limit);
  WorkerPool catalog_work("dist-catalog", config.catalog_workers, common.queue_limit);
  Edge edge{&work, &auth, &limiter, &audit, &gate};
  Edge catalog_edge{&catalog_work, &auth, &limiter, &audit, &gate};
  DistributionService distribution(&publisher, &catalog, &reporter, &desk, &obligations, &edge);
  CatalogService catalog_service(&catalog, &search, &catalog_edge);
  QuestionsService questions_service(&questions, &edge);
  // A revoked token or identity stops publishing at once, not when its cached answer ages.
  RevocationWatcher revocations(*registry_channel, config.service_token,
                                [&auth](const registry_v1::Revocation& r) { ForgetRevoked(r, auth); });

  // pressrelay_fanout_oldest_pending_seconds, read at scrape time (on the metrics thread, with
  // its own connection): the oldest job this replica is running, or any job overdue in Redis
  // (due and unclaimed, or claimed by a replica whose lease lapsed).
  redis::Client metrics_redis(common.redis);
  metrics::Registry::Default().GaugeCallback(
      "pressrelay_fanout_oldest_pending_seconds",
      "age of the oldest fan-out not yet queued for its whole audience: running here, or overdue in the store",
      [&engine, &metrics_redis]() {
        const absl::Time now = absl::Now();
        absl::Duration oldest = engine.OldestRunning(now);
        if (auto overdue = StatementStore::OldestOverdue(metrics_redis, now); overdue.ok()) {
          oldest = std::max(oldest, *overdue);
        }
        return absl::ToDoubleSeconds(oldest);
      });
  // pressrelay_questions_overdue, read likewise: journalists' questions open past the date
  // their askers requested (NaN, unknown, when Redis does not answer).
  metrics::Registry::Default().GaugeCallback(
      "pressrelay_questions_overdue", "journalists' questions still open after the date their askers requested",
      [&metrics_redis]() {
        auto overdue = QuestionStore::CountOverdue(metrics_redis, absl::Now());
        return overdue.ok() ? static_cast<double>(*overdue) : std::numeric_limits<double>::quiet_NaN();
      });

  ServiceRun run;
  run.server = common.server;
  run.services = {&distribution, &catalog_service, &questions_service};
  run.gate = &gate;
  run.start = [&]() -> absl::Status {
    // Redis must be of the kind --redis_cluster says, and the queue layout must match the
    // data set's (FAILED_PRECONDITION otherwise: fatal).
    auto redis = pool.Acquire();
    if (!redis.ok()) return redis.status();
    if (absl::Status s = (*redis)->CheckKind(); !s.ok()) return s;
    if (absl::Status s = fanout::EnsureShards(**redis, config.fanout.shards); !s.ok()) return s;
    runner.Start();
    return absl::OkStatus();
  };
  run.ready = [&]() -> absl::Status {
    if (absl::Status s = PingRedis(pool); !s.ok()) return s;
    return CheckHealth(directory.channel(), "", absl::Seconds(1));
  };
  run.liveness = {QueueStall(work, common.liveness_stall), QueueStall(catalog_work, common.liveness_stall),
                  QueueStall(engine.executor(), common.liveness_stall), RedisStall(pool, common.liveness_stall)};
  run.startup_timeout = common.startup_timeout;
  run.drain_grace = common.drain_grace;
  return RunService(std::move(run));
}

}  // namespace
}  // namespace pressrelay::distribution

int main(int argc, char** argv) {
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-distribution: the distribution service");
  pressrelay::InitLogging("distribution", absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
  auto config = pressrelay::distribution::Config::FromFlags();
  if (const int code = pressrelay::ConfigVerdict(config.status()); code >= 0) return code;
  return pressrelay::distribution::Run(*config);
}
