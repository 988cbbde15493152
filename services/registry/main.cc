// pressrelay-registry: agencies, spokespeople, outlets, journalists, newsroom clients,
// subscriptions and tokens. Wiring only; the logic is in registry.h.
#include <memory>

#include "absl/flags/flag.h"
#include "services/common/config.h"
#include "services/common/edge.h"
#include "services/common/flags.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/registry/change_follower.h"
#include "services/registry/registry.h"
#include "services/registry/registry_service.h"
#include "services/registry/registry_store.h"

ABSL_FLAG(std::string, bootstrap_tokens_file, "",
          "file of \"operator|service|gateway <name> <token>\" lines to install at start-up");
ABSL_FLAG(int64_t, audit_scan_limit, pressrelay::AuditLog::kDefaultScanLimit,
          "audit entries one QueryAudit call looks at before it answers with what it found and "
          "where to go on (its next_page_token)");

namespace pressrelay::registry {
namespace {

int Run() {
  auto server_options = ServerOptionsFromFlags("registry");
  auto redis_options = RedisOptionsFromFlags("registry");
  auto rate_limits = RateLimitsFromFlags();
  if (!ConfigurationOk({server_options.status(), redis_options.status(), rate_limits.status()})) {
    return 2;
  }
  server_options->max_receive_bytes = 64 << 20;  // bulk imports of press-card registries
  if (absl::GetFlag(FLAGS_audit_scan_limit) < 1) {
    spdlog::critical("--audit_scan_limit: at least 1");
    return 2;
  }
  const int workers = absl::GetFlag(FLAGS_workers);
  redis::Pool pool(*redis_options, workers);
  RegistryStore store(&pool);

  // Wait for Redis at start: in Kubernetes it may come up after us.
  std::unique_ptr<Registry> registry;
  for (int attempt = 0;; ++attempt) {
    auto created = Registry::Create(&store);
    if (created.ok()) {
      registry = std::move(*created);
      break;
    }
    if (attempt == 0) spdlog::warn("waiting for Redis: {}", created.status().ToString());
    absl::SleepFor(absl::Milliseconds(500));
  }
  if (const std::string file = absl::GetFlag(FLAGS_bootstrap_tokens_file); !file.empty()) {
    auto text = ReadSecretFile(file);
    auto tokens = text.ok() ? ParseBootstrapTokens(*text) : text.status();
    absl::Status installed = tokens.ok() ? registry->InstallBootstrapTokens(*tokens, absl::Now()) : tokens.status();
    if (!installed.ok()) {
      spdlog::critical("bootstrap tokens: {}", installed.ToString());
      return 2;
    }
  }
  ChangeFollower follower(registry.get(), &store, *redis_options);

  WorkerPool work("registry-work", workers);
  LocalAuthenticator local_auth(registry.get());
  CachingAuthenticator auth(&local_auth, absl::Seconds(2));
  RateLimiter limiter(&pool, "registry", *rate_limits);
  AuditLog audit(&pool, "registry", absl::GetFlag(FLAGS_audit_max_entries), absl::GetFlag(FLAGS_audit_scan_limit));
  Edge edge{&work, &auth, &limiter, &audit};
  RegistryAdminService admin(registry.get(), &edge);
  RevocationFeed revocations(&store, *redis_options);
  DirectoryService directory(registry.get(), &revocations, &edge);
  KeysService keys(registry.get(), &edge);

  auto host = ServiceHost::Start(*server_options, {&admin, &directory, &keys});
  if (!host.ok()) {
    spdlog::critical("{}", host.status().ToString());
    return 1;
  }
  HealthMonitor health(host->get(), [&] { return store.Ping(); }, absl::Seconds(1));

  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining", sig);
  health.Stop();
  (*host)->Shutdown(absl::GetFlag(FLAGS_drain_grace));
  return 0;
}

}  // namespace
}  // namespace pressrelay::registry

int main(int argc, char** argv) {
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-registry: the registry service");
  pressrelay::InitLogging("registry", absl::GetFlag(FLAGS_log_level));
  return pressrelay::registry::Run();
}
