#include "services/common/rpc/metrics_http.h"

#include <httplib.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/common/base/configuration.h"
#include "services/common/base/log.h"
#include "services/common/base/metrics.h"

namespace pressrelay {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen,
                                                                    const std::string& name) {
  auto hp = ParseHostPort(listen, "--metrics_listen");
  if (!hp.ok()) return hp.status();
  std::unique_ptr<MetricsServer> m(new MetricsServer());
  m->server_ = std::make_unique<httplib::Server>();
  m->server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  m->server_->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::Registry::Default().Expose(), "text/plain; version=0.0.4; charset=utf-8");
  });
  m->port_ = hp->port == 0 ? m->server_->bind_to_any_port(hp->host)
                           : (m->server_->bind_to_port(hp->host, hp->port) ? hp->port : -1);
  if (m->port_ <= 0) return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen));
  m->thread_ = std::thread([server = m->server_.get()] { server->listen_after_bind(); });
  std::printf("METRICS %s port=%d\n", name.c_str(), m->port_);
  std::fflush(stdout);
  spdlog::info("metrics on {} (port {})", listen, m->port_);
  return m;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pressrelay
