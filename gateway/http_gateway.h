// The admin gateway's HTTP server: the spokespeople's and operators' desk in a browser and its
// JSON API, on cpp-httplib (Debian's libcpp-httplib-dev; why, in the README).
//
//   GET  /healthz, /readyz                  liveness; readiness (only while the services answer)
//   POST /api/session                       sign in (Directory.SignIn): sets the session cookie
//   GET  /api/session                       who is signed in, and the CSRF token
//   DELETE /api/session                     sign out (Directory.SignOut)
//   *    /api/v1/...                        the JSON API (transcoder.h), as the signed-in person
//   GET  /api/v1/statements/{id}/report:watch  the delivery report, pushed (server-sent events)
//   GET  /api/openapi.json                  the OpenAPI document of the JSON API
//   GET  /, /static/...                     the desk's pages and assets, from the repository
//
// Every call to a service carries the person's session ("authorization: Bearer <session>") and
// the gateway's own token (x-pressrelay-gateway): the services check the person as for any
// call of theirs, and accept a session only with the gateway's token beside it. The session
// lives in an HttpOnly, SameSite=Strict cookie (Secure under TLS); every request that changes
// state needs the X-CSRF-Token header, a hash of the session (CsrfTokenOf). Every response
// carries a Content-Security-Policy without inline script and denies framing.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/transcoder.h"
#include "services/common/rpc/server.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace pressrelay::gateway {

struct GatewayOptions {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  std::string web_dir;  // the desk's pages (gateway/web)
  std::string tls_cert, tls_key;  // HTTPS when both are set (Secure cookies)
  size_t max_body_bytes = 1 << 20;
  bool trust_forwarded_for = false;  // behind an ingress: the client is X-Forwarded-For's last hop
  bool secure_cookies = false;       // TLS ends before the gateway (an ingress): cookies Secure anyway
  int threads = 32;                  // HTTP workers (each report watch holds one)
  absl::Duration call_deadline = absl::Seconds(30);
  absl::Duration report_interval = absl::Seconds(1);  // how often a watched report is read, at most
  std::string gateway_token;  // the gateway's own credential
};

// The CSRF token of a session: a hash the page learns from GET /api/session (same origin
// only) and a forged cross-site request cannot know; nothing to store.
std::string CsrfTokenOf(const std::string& session_token);

class HttpGateway final : public Listener {
 public:
  // Listens (readiness NOT_SERVING until SetServing(true)). `transcoder` must outlive it;
  // `registry` is where people sign in (Directory.SignIn / SignOut).
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(GatewayOptions options, const Transcoder* transcoder,
                                                            std::shared_ptr<grpc::Channel> registry);
  ~HttpGateway() override;

  // Listener
  int port() const override { return port_; }
  void SetServing(bool serving) override {
    ready_.store(serving);
    ReadyGauge().Set(serving ? 1 : 0);
  }
  void SetLive(bool live) override { live_.store(live); }
  void AnnounceReady() override;
  void Shutdown(absl::Duration grace) override;

 private:
  HttpGateway(GatewayOptions options, const Transcoder* transcoder, std::shared_ptr<grpc::Channel> registry);
  void Routes();
  void SignIn(const httplib::Request& req, httplib::Response& res);
  void WhoAmI(const httplib::Request& req, httplib::Response& res);
  void SignOut(const httplib::Request& req, httplib::Response& res);
  void Api(const httplib::Request& req, httplib::Response& res);
  void WatchReport(const httplib::Request& req, httplib::Response& res, const std::string& statement_id);
  void Static(const httplib::Request& req, httplib::Response& res);
  // The session cookie's token, or "".
  static std::string SessionOf(const httplib::Request& req);
  std::string ClientAddress(const httplib::Request& req) const;
  bool SecureCookies() const { return options_.secure_cookies || !options_.tls_cert.empty(); }
  Metadata CallMetadata(const std::string& session) const;

  const GatewayOptions options_;
  const Transcoder* const transcoder_;
  const std::shared_ptr<grpc::Channel> registry_;
  const std::string openapi_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<bool> live_{true};
  std::atomic<bool> stopping_{false};
};

}  // namespace pressrelay::gateway
