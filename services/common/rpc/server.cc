#include "services/common/rpc/server.h"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <limits>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/impl/server_builder_option.h>

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/rpc/tcp_keepalive.h"

namespace pressrelay {
namespace {

// Puts the TCP keepalive socket mutator into the server's channel arguments.
class TcpKeepaliveOption : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* args) override {
    args->SetSocketMutator(NewTcpKeepaliveMutator(TcpKeepalive{}));
  }
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*) override {}
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    std::function<void(grpc::ServerBuilder&)> customize) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto creds = ServerCredentialsFor(options.tls);
  if (!creds.ok()) return creds.status();

  std::unique_ptr<ServiceHost> host(new ServiceHost());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *creds, &host->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(options.max_receive_bytes);
  // Keepalive policy (docs: README "Keepalive"): dead newsroom connections are found by the
  // kernel's TCP keepalive (probes after 30 s idle, every 10 s, dropped after 3 unanswered;
  // unacknowledged data given up after 40 s), not by HTTP/2 PINGs, whose timer gRPC re-arms
  // on every read (tcp_keepalive.h says why that matters). Clients may ping every 10 s at
  // most, also without calls.
  builder.SetOption(std::make_unique<TcpKeepaliveOption>());
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, std::numeric_limits<int>::max());
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 3);
  // No channelz: it records every message sent on every socket, a per-delivery cost and
  // per-connection memory the wire does not need (health and reflection are the probes).
  builder.AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);
  // No SO_REUSEPORT (gRPC sets it by default on Linux): a second process given a port that
  // is taken must fail to start, not share it, or the kernel would hand each new connection
  // to either process, and half the calls would reach a stranger (once, two tests' services
  // did: Publish answered UNIMPLEMENTED by another test's subscription service).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (customize) customize(builder);

  host->server_ = builder.BuildAndStart();
  if (!host->server_ || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  host->SetServing(false);
  // Liveness is a separate name that says "this process can still do its work": a dependency
  // outage makes pods unready, not restarted; work stuck inside the process (HealthMonitor's
  // StallChecks) makes them restarted.
  host->server_->GetHealthCheckService()->SetServingStatus(std::string(kLivenessService), true);

  host->name_ = options.service_name;
  host->port_file_ = options.port_file;
  // The port is known now, for whoever probes health while the service starts; READY (and the
  // port file) follow once it serves (AnnounceReady).
  std::printf("LISTENING %s port=%d\n", options.service_name.c_str(), host->port_);
  std::fflush(stdout);
  spdlog::info("listening on {} (port {})", options.listen, host->port_);
  return host;
}

metrics::Gauge& ReadyGauge() {
  static metrics::Gauge& ready =
      metrics::GaugeOf("pressrelay_ready", "1 while this replica's readiness is SERVING (it takes calls), else 0");
  return ready;
}

void ServiceHost::AnnounceReady() {
  if (!port_file_.empty()) {
    const std::string tmp = port_file_ + ".tmp";
    {
      std::ofstream out(tmp);
      out << port_ << "\n";
    }
    std::rename(tmp.c_str(), port_file_.c_str());
  }
  std::printf("READY %s port=%d\n", name_.c_str(), port_);
  std::fflush(stdout);
}

void ServiceHost::SetServing(bool serving) {
  ReadyGauge().Set(serving ? 1 : 0);
  auto* health = server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus("", serving);
}

void ServiceHost::SetLive(bool live) {
  auto* health = server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus(std::string(kLivenessService), live);
}

void ServiceHost::Shutdown(absl::Duration grace) {
  SetServing(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

HealthMonitor::HealthMonitor(Listener* host, std::function<absl::Status()> probe, absl::Duration interval,
                             std::vector<StallCheck> liveness)
    : host_(host),
      probe_(std::move(probe)),
      interval_(interval),
      liveness_(std::move(liveness)),
      thread_([this] { Loop(); }) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  host_->SetServing(false);
}

void HealthMonitor::Loop() {
  bool serving = false;
  bool live = true;
  bool first = true;
  do {
    std::string stalled;
    const absl::Time now = absl::Now();
    for (const StallCheck& check : liveness_) {
      const absl::Duration d = check.stalled_for(now);
      if (d > check.bound) {
        stalled = absl::StrCat(check.what, " stalled for ", absl::FormatDuration(d));
        break;
      }
    }
    if (stalled.empty() != live) {
      live = stalled.empty();
      if (live) {
        spdlog::info("liveness: SERVING again");
      } else {
        spdlog::error("liveness: NOT_SERVING: {}; this replica can no longer do its work", stalled);
      }
      host_->SetLive(live);
    }
    const absl::Status status = probe_();
    const bool now_serving = status.ok();
    if (first || now_serving != serving) {
      if (now_serving) {
        spdlog::info("health: SERVING");
      } else {
        spdlog::warn("health: NOT_SERVING: {}", status.ToString());
      }
      host_->SetServing(now_serving);
      serving = now_serving;
      first = false;
    }
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

void SetDeadlockDetection(bool on) {
  absl::SetMutexDeadlockDetectionMode(on ? absl::OnDeadlockCycle::kAbort : absl::OnDeadlockCycle::kIgnore);
}

void InitProcess() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTerminationSignalFor(absl::Duration timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  const timespec ts = absl::ToTimespec(timeout);
  const int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) == 0) return sig;
  }
}

}  // namespace pressrelay
