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
#include "services/common/base/metrics.h"
#include "services/common/rpc/grpc_util.h"

namespace pressrelay {

struct ServerOptions {
  std::string service_name;  // for the readiness line and logs, e.g. "registry"
  std::string listen = "127.0.0.1:0";
  // When set, the chosen port is written here once the service is ready (atomically).
  std::string port_file;
  // The Prometheus endpoint (metrics_http.h); empty: none.
  std::string metrics_listen;
  TlsFiles tls;
  int max_receive_bytes = 4 * 1024 * 1024;
};

// Health names: "" (readiness) is SERVING only while the service's dependencies answer;
// kLivenessService is SERVING while the process can still do its work (no StallCheck past its
// bound), for liveness probes.
inline constexpr absl::string_view kLivenessService = "pressrelay.liveness";

// What the start-up skeleton (service_main.h) and the health monitor need of a listener:
// the services' gRPC server (ServiceHost) or the gateway's HTTP server.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual int port() const = 0;
  // Readiness and liveness, as the listener reports them to its probes.
  virtual void SetServing(bool serving) = 0;
  virtual void SetLive(bool live) = 0;
  // Prints "READY <name> port=<port>" on stdout and writes the port file.
  virtual void AnnounceReady() = 0;
  // Stops accepting, waits for running calls until the deadline, then ends them.
  virtual void Shutdown(absl::Duration grace) = 0;
};

// pressrelay_ready: 1 while this replica's readiness is SERVING (every Listener sets it).
metrics::Gauge& ReadyGauge();

class ServiceHost final : public Listener {
 public:
  // Builds and starts the server. Prints "LISTENING <name> port=<port>" on stdout when it
  // listens; health starts NOT_SERVING until a HealthMonitor says otherwise.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      std::function<void(grpc::ServerBuilder&)> customize = nullptr);

  int port() const override { return port_; }
  // The service has started and takes calls.
  void AnnounceReady() override;
  grpc::Server& server() { return *server_; }
  // Sets the readiness status (health name "").
  void SetServing(bool serving) override;
  // Sets the liveness status (kLivenessService).
  void SetLive(bool live) override;
  void Shutdown(absl::Duration grace) override;

 private:
  ServiceHost() = default;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string name_;
  std::string port_file_;
};

// One thing liveness watches: how long some work has been stuck (waiting for a worker, for a
// Redis connection, for the fan-out thread). Past `bound`, the replica can no longer do its
// work and liveness fails, so that it is restarted.
struct StallCheck {
  std::string what;  // for the log line, e.g. "dist-work queue"
  std::function<absl::Duration(absl::Time now)> stalled_for;
  absl::Duration bound;
};

// Keeps both health names true every `interval`:
//   - liveness (kLivenessService): SERVING unless a StallCheck is past its bound (cheap: no
//     I/O, evaluated first so a slow readiness probe cannot hide a stall for long);
//   - readiness (""): SERVING only while the probe of what the service needs (Redis, other
//     services) passes.
class HealthMonitor {
 public:
  HealthMonitor(Listener* host, std::function<absl::Status()> probe, absl::Duration interval,
                std::vector<StallCheck> liveness = {});
  ~HealthMonitor();
  // Stops probing and holds NOT_SERVING (used first thing when draining).
  void Stop();

 private:
  void Loop();
  Listener* host_;
  std::function<absl::Status()> probe_;
  absl::Duration interval_;
  std::vector<StallCheck> liveness_;
  absl::Notification stop_;
  std::thread thread_;
};

// Call first in main, before any thread starts: SIGTERM, SIGINT and SIGHUP are then
// delivered only to WaitForTerminationSignal, and SIGPIPE is ignored.
void InitProcess();
// absl::Mutex's deadlock detection (--mutex_deadlock_detection): on, any two mutexes ever
// taken in opposite orders abort the process with both stacks, the moment the second order
// is seen (no actual deadlock needed). Debug builds and the tests run with it; release builds
// turn it off by default for its per-mutex cost in time and memory (a service with one mutex
// per stream cannot afford it; the thread-safety annotations check lock use at compile time).
void SetDeadlockDetection(bool on);
// Blocks until SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();
// The same for at most `timeout`; 0 if none came.
int WaitForTerminationSignalFor(absl::Duration timeout);

}  // namespace pressrelay
