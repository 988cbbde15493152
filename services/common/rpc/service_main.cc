#include "services/common/rpc/service_main.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/metrics.h"
#include "services/common/rpc/metrics_http.h"
#include "services/common/base/status_macros.h"

namespace pressrelay {

int RunService(ServiceRun run) {
  auto& registry = metrics::Registry::Default();
  registry.SetConstLabel("service", run.server.service_name);
  registry.GaugeFamily("pressrelay_build_info", "the running build: always 1, its version as a label", {"version"})
      .GaugeWith({PRESSRELAY_VERSION})
      .Set(1);
  std::unique_ptr<MetricsServer> metrics_server;
  if (!run.server.metrics_listen.empty()) {
    auto started = MetricsServer::Start(run.server.metrics_listen, run.server.service_name);
    if (!started.ok()) {
      spdlog::critical("{}", started.status().ToString());
      return 1;
    }
    metrics_server = std::move(*started);
  }
  absl::StatusOr<std::unique_ptr<Listener>> host;
  if (run.listen) {
    host = run.listen();
  } else {
    host = ServiceHost::Start(run.server, run.services, run.customize);
  }
  if (!host.ok()) {
    spdlog::critical("{}", host.status().ToString());
    return 1;
  }
  if (run.built) run.built();
  // However this function returns, the server is shut down by then.
  struct AfterShutdown {
    std::function<void()>& stopped;
    Listener* host;
    ~AfterShutdown() {
      if (!stopped) return;
      host->Shutdown(absl::ZeroDuration());  // idempotent: a no-op after a drained shutdown
      stopped();
    }
  } after_shutdown{run.stopped, host->get()};
  const absl::Time deadline = absl::Now() + run.startup_timeout;
  std::string last_error;
  for (;;) {
    absl::Status started = run.start();
    if (started.ok()) break;
    if (absl::IsFailedPrecondition(started)) {
      spdlog::critical("cannot start: {}", started.ToString());
      return 2;
    }
    if (absl::Now() > deadline) {
      spdlog::critical("gave up after --startup_timeout={}: {}", absl::FormatDuration(run.startup_timeout),
                       started.ToString());
      return 1;
    }
    // One line per kind of failure, not one per attempt.
    if (started.ToString() != last_error) {
      last_error = started.ToString();
      spdlog::warn("waiting for {} (readiness stays NOT_SERVING): {}", run.waiting_for, last_error);
    }
    if (const int sig = WaitForTerminationSignalFor(absl::Milliseconds(500)); sig != 0) {
      spdlog::info("signal {} while starting: stopping", sig);
      (*host)->Shutdown(absl::ZeroDuration());
      return 0;
    }
  }
  if (!last_error.empty()) spdlog::info("{} answers; starting", run.waiting_for);
  if (run.gate != nullptr) run.gate->Open();
  // start() has just seen what readiness needs answer: serving from the moment READY is said,
  // not from the health monitor's first probe.
  (*host)->SetServing(true);
  (*host)->AnnounceReady();
  HealthMonitor health(host->get(), run.ready, absl::Seconds(1), std::move(run.liveness));

  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {}: draining", sig);
  health.Stop();
  if (run.drain) run.drain();
  (*host)->Shutdown(run.drain_grace);
  return 0;
}

StallCheck QueueStall(const WorkerPool& pool, absl::Duration bound) {
  return {absl::StrCat(pool.name(), " queue"), [&pool](absl::Time now) { return pool.OldestWait(now); }, bound};
}

StallCheck RedisStall(const redis::Pool& pool, absl::Duration bound) {
  return {"redis connections", [&pool](absl::Time now) { return pool.StalledFor(now); }, bound};
}

absl::Status PingRedis(redis::Pool& pool) {
  PR_ASSIGN_OR_RETURN(auto redis, pool.Acquire());
  return redis->Run({"PING"}).status();
}

}  // namespace pressrelay
