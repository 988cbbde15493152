// pressrelay-registry: agencies, spokespeople, press officers, outlets, journalists,
// newsroom clients, subscriptions, tokens and sign-in accounts. Wiring only: the logic is in registry.h, the life of the process
// in service_main.h, the configuration in config.h.
#include <memory>
#include <optional>

#include "absl/flags/flag.h"
#include "services/common/base/configuration.h"
#include "services/common/rpc/edge.h"
#include "services/common/rpc/flags.h"
#include "services/common/base/log.h"
#include "services/common/rpc/service_main.h"
#include "services/registry/change_follower.h"
#include "services/registry/config.h"
#include "services/registry/registry.h"
#include "services/registry/registry_service.h"
#include "services/registry/registry_store.h"
#include "services/registry/revocation_feed.h"

namespace pressrelay::registry {
namespace {

int Run(const Config& config) {
  const CommonConfig& common = config.common;
  // Every thread that may hold a Redis connection has one: both edges' workers and the
  // health monitor (the change follower and revocation feed have their own).
  redis::Pool pool(common.redis, common.workers + config.directory_workers + 1, common.redis_acquire_timeout);
  RegistryStore store(&pool);
  Registry registry(&store, config.sign_in);
  std::optional<ChangeFollower> follower;

  StartupGate gate;
  RegistryAuthenticator auth(&registry, absl::Seconds(2));
  RateLimiter limiter(&pool, "registry", common.rate_limits);
  AuditLog audit(&pool, "registry", common.audit_max_entries, config.audit_scan_limit);
  WorkerPool work("registry-work", common.workers, common.queue_limit);
  WorkerPool directory_work("registry-dir", config.directory_workers, common.queue_limit);
  Edge edge{&work, &auth, &limiter, &audit, &gate};
  Edge directory_edge{&directory_work, &auth, &limiter, &audit, &gate};
  RegistryAdminService admin(&registry, &edge);
  RevocationFeed revocations(&store, common.redis);
  DirectoryService directory(&registry, &revocations, &directory_edge);
  KeysService keys(&registry, &edge);
  PublicRegistryService public_registry(&registry, &edge);

  ServiceRun run;
  run.server = common.server;
  run.services = {&admin, &directory, &keys, &public_registry};
  run.gate = &gate;
  run.start = [&]() -> absl::Status {
    // A Redis of the other kind than --redis_cluster says is FAILED_PRECONDITION: fatal.
    if (absl::Status s = redis::Client(common.redis).CheckKind(); !s.ok()) return s;
    if (absl::Status s = registry.ReloadAll(); !s.ok()) return s;
    if (!config.bootstrap_tokens.empty()) {
      if (absl::Status s = registry.InstallBootstrapTokens(config.bootstrap_tokens, absl::Now()); !s.ok()) {
        // A token file that clashes with what is stored will not get better by waiting.
        return absl::IsUnavailable(s) ? s : absl::FailedPreconditionError(absl::StrCat("bootstrap tokens: ", s.message()));
      }
    }
    follower.emplace(&registry, &store, common.redis);
    return absl::OkStatus();
  };
  run.ready = [&] { return PingRedis(pool); };
  run.liveness = {QueueStall(work, common.liveness_stall), QueueStall(directory_work, common.liveness_stall),
                  RedisStall(pool, common.liveness_stall)};
  run.startup_timeout = common.startup_timeout;
  run.drain_grace = common.drain_grace;
  return RunService(std::move(run));
}

}  // namespace
}  // namespace pressrelay::registry

int main(int argc, char** argv) {
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-registry: the registry service");
  pressrelay::InitLogging("registry", absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
  auto config = pressrelay::registry::Config::FromFlags();
  if (const int code = pressrelay::ConfigVerdict(config.status()); code >= 0) return code;
  return pressrelay::registry::Run(*config);
}
