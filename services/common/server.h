// Hosting a pressrelay service: the listener, health, reflection, keepalive policy,
// readiness announcement and the SIGTERM drain. Each service's main.cc wires its
// services into a ServiceHost and nothing more.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/grpc_util.h"

namespace pressrelay {

struct ServerOptions {
  std::string service_name;  // for the readiness line and logs, e.g. "registry"
  std::string listen = "127.0.0.1:0";
  // When set, the chosen port is written here once the server is ready (atomically).
  std::string port_file;
  TlsFiles tls;
  int max_receive_bytes = 4 * 1024 * 1024;
};

// Health names: "" (readiness) is SERVING only while the service's dependencies answer;
// kLivenessService is SERVING while the process runs, for liveness probes.
inline constexpr absl::string_view kLivenessService = "pressrelay.liveness";

class ServiceHost {
 public:
  // Builds and starts the server. Prints "READY <name> port=<port>" on stdout when it
  // listens; health starts NOT_SERVING until a HealthMonitor says otherwise.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      std::function<void(grpc::ServerBuilder&)> customize = nullptr);

  int port() const { return port_; }
  grpc::Server& server() { return *server_; }
  // Sets the readiness status (health name "").
  void SetServing(bool serving);
  // Stops accepting calls, waits for running ones until the deadline, then cancels them.
  void Shutdown(absl::Duration grace);

 private:
  ServiceHost() = default;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Probes what the service needs (Redis, other services) every `interval` and keeps the
// health status true to the answer: SERVING only while the probe passes.
class HealthMonitor {
 public:
  HealthMonitor(ServiceHost* host, std::function<absl::Status()> probe, absl::Duration interval);
  ~HealthMonitor();
  // Stops probing and holds NOT_SERVING (used first thing when draining).
  void Stop();

 private:
  void Loop();
  ServiceHost* host_;
  std::function<absl::Status()> probe_;
  absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

// Call first in main, before any thread starts: SIGTERM, SIGINT and SIGHUP are then
// delivered only to WaitForTerminationSignal, SIGPIPE is ignored, and absl::Mutex does not
// keep its deadlock-detection graph (a per-mutex cost in time and memory that a service with
// one mutex per stream cannot afford; the thread-safety annotations check lock use at
// compile time instead).
void InitProcess();
// Blocks until SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();

}  // namespace pressrelay
