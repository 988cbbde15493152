#include "services/common/server.h"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <limits>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/impl/server_builder_option.h>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"
#include "services/common/status.h"
#include "services/common/tcp_keepalive.h"

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
  if (customize) customize(builder);

  host->server_ = builder.BuildAndStart();
  if (!host->server_ || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  host->SetServing(false);
  // Liveness is a separate name that says only "this process is up and answering": a
  // dependency outage must make pods unready, not restart them all.
  host->server_->GetHealthCheckService()->SetServingStatus(std::string(kLivenessService), true);

  if (!options.port_file.empty()) {
    const std::string tmp = options.port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << host->port_ << "\n";
    }
    std::rename(tmp.c_str(), options.port_file.c_str());
  }
  std::printf("READY %s port=%d\n", options.service_name.c_str(), host->port_);
  std::fflush(stdout);
  spdlog::info("listening on {} (port {})", options.listen, host->port_);
  return host;
}

void ServiceHost::SetServing(bool serving) {
  auto* health = server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus("", serving);
}

void ServiceHost::Shutdown(absl::Duration grace) {
  SetServing(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
}

HealthMonitor::HealthMonitor(ServiceHost* host, std::function<absl::Status()> probe,
                             absl::Duration interval)
    : host_(host), probe_(std::move(probe)), interval_(interval), thread_([this] { Loop(); }) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  host_->SetServing(false);
}

void HealthMonitor::Loop() {
  bool serving = false;
  bool first = true;
  do {
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

void InitProcess() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
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
