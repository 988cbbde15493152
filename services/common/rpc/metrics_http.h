// The Prometheus endpoint of a service (GET /metrics on --metrics_listen), on its own port
// and thread, apart from the gRPC listener: scraping never competes with newsroom calls for
// the server's threads, and a NetworkPolicy can open it to the monitoring namespace alone.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace pressrelay {

class MetricsServer {
 public:
  // Listens on `listen` (host:port; port 0 picks one) and prints "METRICS <name> port=<p>".
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen, const std::string& name);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace pressrelay
