#include "gateway/http_gateway.h"

#include "services/common/base/request_id.h"

#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gateway/openapi.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/base/configuration.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/domain/ids.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::gateway {
namespace {

namespace reg = pressrelay::registry::v1;
namespace dist = pressrelay::distribution::v1;

constexpr absl::string_view kSessionCookie = "pr_session";

// No inline script or style, nothing from elsewhere, never framed.
constexpr absl::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void Json(httplib::Response& res, const HttpAnswer& answer) {
  res.status = answer.status;
  if (answer.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(answer.retry_after_seconds));
  res.set_content(answer.body, "application/json; charset=utf-8");
}

void Error(httplib::Response& res, const absl::Status& status) { Json(res, ErrorAnswer(status)); }

const std::map<std::string, std::string>& ContentTypes() {
  static const auto* types = new std::map<std::string, std::string>{
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
  };
  return *types;
}

}  // namespace

std::string CsrfTokenOf(const std::string& session_token) {
  return ids::Sha256Hex(absl::StrCat("pressrelay-csrf:", session_token)).substr(0, 32);
}

HttpGateway::HttpGateway(GatewayOptions options, const Transcoder* transcoder,
                         std::shared_ptr<grpc::Channel> registry)
    : options_(std::move(options)),
      transcoder_(transcoder),
      registry_(std::move(registry)),
      openapi_(OpenApiDocument(*transcoder, "pressrelay admin API", "v1")) {}

HttpGateway::~HttpGateway() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(GatewayOptions options, const Transcoder* transcoder,
                                                                std::shared_ptr<grpc::Channel> registry) {
  auto hp = ParseHostPort(options.listen, "--listen");
  if (!hp.ok()) return hp.status();
  std::unique_ptr<HttpGateway> g(new HttpGateway(std::move(options), transcoder, std::move(registry)));
  if (!g->options_.tls_cert.empty()) {
    g->server_ = std::make_unique<httplib::SSLServer>(g->options_.tls_cert.c_str(), g->options_.tls_key.c_str());
    if (!static_cast<httplib::SSLServer*>(g->server_.get())->is_valid()) {
      return absl::InvalidArgumentError("--tls_cert / --tls_key: cannot start TLS with them");
    }
  } else {
    g->server_ = std::make_unique<httplib::Server>();
  }
  const int threads = g->options_.threads;
  g->server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  g->server_->set_payload_max_length(g->options_.max_body_bytes);
  g->Routes();
  g->port_ = hp->port == 0 ? g->server_->bind_to_any_port(hp->host) : (g->server_->bind_to_port(hp->host, hp->port) ? hp->port : -1);
  if (g->port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", g->options_.listen));
  g->thread_ = std::thread([server = g->server_.get()] { server->listen_after_bind(); });
  std::printf("LISTENING gateway port=%d\n", g->port_);
  std::fflush(stdout);
  spdlog::info("listening on {} (port {}, {})", g->options_.listen, g->port_,
               g->options_.tls_cert.empty() ? "http" : "https");
  return g;
}

void HttpGateway::AnnounceReady() {
  if (!options_.port_file.empty()) {
    const std::string tmp = options_.port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << port_ << "\n";
    }
    std::rename(tmp.c_str(), options_.port_file.c_str());
  }
  std::printf("READY gateway port=%d\n", port_);
  std::fflush(stdout);
}

void HttpGateway::Shutdown(absl::Duration grace) {
  if (stopping_.exchange(true)) return;
  ready_.store(false);
  // Report watches notice stopping_ within their interval; then the server stops.
  absl::SleepFor(std::min(grace, options_.report_interval));
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpGateway::SessionOf(const httplib::Request& req) {
  const std::string cookies = req.get_header_value("Cookie");
  for (absl::string_view part : absl::StrSplit(cookies, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, kSessionCookie) && absl::ConsumePrefix(&part, "=")) return std::string(part);
  }
  return "";
}

std::string HttpGateway::ClientAddress(const httplib::Request& req) const {
  if (options_.trust_forwarded_for && req.has_header("X-Forwarded-For")) {
    // The last hop is the one the ingress itself appended; earlier ones are whatever the
    // client wrote, and trusting them would let anyone dodge the sign-in limits.
    std::vector<std::string> hops = absl::StrSplit(req.get_header_value("X-Forwarded-For"), ',');
    return std::string(absl::StripAsciiWhitespace(hops.back()));
  }
  return req.remote_addr;
}

Metadata HttpGateway::CallMetadata(const std::string& session) const {
  return {{"authorization", absl::StrCat("Bearer ", session)},
          {std::string(kGatewayHeader), options_.gateway_token},
          {std::string(kRequestIdHeader), CurrentRequestId()}};
}

void HttpGateway::Routes() {
  httplib::Server& s = *server_;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // One request id per HTTP request (the browser's or proxy's X-Request-Id if valid): the
    // services' log lines and audit entries of every call it makes carry it, and so does
    // the answer. The thread serves this request until it answers.
    const std::string asked = req.get_header_value("X-Request-Id");
    SetCurrentRequestId(ValidRequestId(asked) ? asked : NewRequestId());
    res.set_header("X-Request-Id", CurrentRequestId());
    res.set_header("Content-Security-Policy", std::string(kContentSecurityPolicy));
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    if (SecureCookies()) res.set_header("Strict-Transport-Security", "max-age=31536000");
    if (absl::StartsWith(req.path, "/api/")) res.set_header("Cache-Control", "no-store");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Error(res, absl::InternalError("the gateway failed to answer"));
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      Error(res, absl::InvalidArgumentError("the request body is larger than this gateway accepts"));
      res.status = 413;
    } else if (res.status == 404 && absl::StartsWith(req.path, "/api/")) {
      Error(res, absl::NotFoundError(absl::StrCat("no API at ", req.method, " ", req.path)));
    }
  });
  s.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    res.status = live_.load() ? 200 : 503;
    res.set_content(live_.load() ? "ok\n" : "stalled\n", "text/plain");
  });
  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    res.status = ready_.load() ? 200 : 503;
    res.set_content(ready_.load() ? "ready\n" : "not ready\n", "text/plain");
  });
  s.Get("/api/openapi.json", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(openapi_, "application/json; charset=utf-8");
  });
  s.Post("/api/session", [this](const httplib::Request& req, httplib::Response& res) { SignIn(req, res); });
  s.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) { WhoAmI(req, res); });
  s.Delete("/api/session", [this](const httplib::Request& req, httplib::Response& res) { SignOut(req, res); });
  auto api = [this](const httplib::Request& req, httplib::Response& res) { Api(req, res); };
  s.Get(R"(/api/v1/.*)", api);
  s.Post(R"(/api/v1/.*)", api);
  s.Put(R"(/api/v1/.*)", api);
  s.Patch(R"(/api/v1/.*)", api);
  s.Delete(R"(/api/v1/.*)", api);
  s.Get(R"(/(|index\.html|static/.*))", [this](const httplib::Request& req, httplib::Response& res) { Static(req, res); });
}

namespace {

// The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
// sends it), Secure under TLS, no expiry of its own (the registry ends the session).
std::string SessionCookie(const std::string& token, bool secure) {
  return absl::StrCat(kSessionCookie, "=", token, "; Path=/; HttpOnly; SameSite=Strict", secure ? "; Secure" : "");
}

std::string ClearedCookie(bool secure) {
  return absl::StrCat(kSessionCookie, "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", secure ? "; Secure" : "");
}

// What the page learns at sign-in and on reload: who, and the CSRF token to send back.
std::string SessionJson(const std::string& username, const pressrelay::common::v1::Principal& principal,
                        const std::string& csrf, bool second_factor_pending, int idle_timeout_seconds) {
  reg::SignInResponse shown;  // the response without its token: the cookie carries that
  shown.set_username(username);
  *shown.mutable_principal() = principal;
  shown.set_totp_enrollment_required(second_factor_pending);
  shown.set_idle_timeout_seconds(idle_timeout_seconds);
  std::string json = ToJson(shown);
  // Add the CSRF token beside the message's own fields.
  json.insert(json.size() - 1, absl::StrCat(json.size() > 2 ? "," : "", "\"csrfToken\":\"", csrf, "\""));
  return json;
}

}  // namespace

void HttpGateway::SignIn(const httplib::Request& req, httplib::Response& res) {
  if (!ready_.load()) return Error(res, absl::UnavailableError("the gateway is starting; retry shortly"));
  if (!absl::StartsWith(req.get_header_value("Content-Type"), "application/json")) {
    // A cross-site form cannot send JSON: sign-in is as safe from CSRF as the rest.
    return Error(res, FieldError("Content-Type", "must be application/json"));
  }
  reg::SignInRequest request;
  if (!google::protobuf::util::JsonStringToMessage(req.body, &request, google::protobuf::util::JsonParseOptions())
           .ok()) {
    return Error(res, FieldError("body", "must be {\"username\": ..., \"password\": ..., \"totpCode\": ...}"));
  }
  request.set_client_address(ClientAddress(req));
  auto stub = reg::Directory::NewStub(registry_);
  auto ctx = CallContext(options_.gateway_token, options_.call_deadline);
  reg::SignInResponse response;
  grpc::Status status = stub->SignIn(ctx.get(), request, &response);
  if (!status.ok()) return Error(res, FromGrpcStatus(status));
  res.set_header("Set-Cookie", SessionCookie(response.session_token(), SecureCookies()));
  res.set_content(SessionJson(response.username(), response.principal(), CsrfTokenOf(response.session_token()),
                              response.totp_enrollment_required(), response.idle_timeout_seconds()),
                  "application/json; charset=utf-8");
}

void HttpGateway::WhoAmI(const httplib::Request& req, httplib::Response& res) {
  const std::string session = SessionOf(req);
  if (session.empty()) return Error(res, absl::UnauthenticatedError("not signed in"));
  // The registry says who the session is (and refuses it if it ended).
  reg::GetMyAccountRequest request;
  auto route = std::find_if(transcoder_->routes().begin(), transcoder_->routes().end(), [](const Route& r) {
    return r.method->full_name() == "pressrelay.registry.v1.RegistryAdmin.GetMyAccount";
  });
  if (route == transcoder_->routes().end()) return Error(res, absl::InternalError("no account route"));
  auto account = transcoder_->Call(*route, request, CallMetadata(session), options_.call_deadline);
  if (!account.ok()) return Error(res, account.status());
  std::string json = ToJson(**account);
  json.insert(json.size() - 1, absl::StrCat(json.size() > 2 ? "," : "", "\"csrfToken\":\"", CsrfTokenOf(session), "\""));
  res.set_content(json, "application/json; charset=utf-8");
}

void HttpGateway::SignOut(const httplib::Request& req, httplib::Response& res) {
  const std::string session = SessionOf(req);
  if (session.empty()) {
    res.set_header("Set-Cookie", ClearedCookie(SecureCookies()));
    return Json(res, {200, "{}"});
  }
  // A forged cross-site sign-out changes nothing, not even the cookie.
  if (req.get_header_value("X-CSRF-Token") != CsrfTokenOf(session)) {
    return Error(res, absl::PermissionDeniedError("missing or wrong X-CSRF-Token"));
  }
  res.set_header("Set-Cookie", ClearedCookie(SecureCookies()));
  auto stub = reg::Directory::NewStub(registry_);
  auto ctx = CallContext(options_.gateway_token, options_.call_deadline);
  reg::SignOutRequest request;
  request.set_session_token(session);
  reg::Empty response;
  grpc::Status status = stub->SignOut(ctx.get(), request, &response);
  if (!status.ok() && status.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
    return Error(res, FromGrpcStatus(status));
  }
  Json(res, {200, "{}"});
}

void HttpGateway::Api(const httplib::Request& req, httplib::Response& res) {
  const std::string session = SessionOf(req);
  if (session.empty()) return Error(res, absl::UnauthenticatedError("not signed in"));
  if (req.method != "GET" && req.get_header_value("X-CSRF-Token") != CsrfTokenOf(session)) {
    return Error(res, absl::PermissionDeniedError("missing or wrong X-CSRF-Token"));
  }
  const std::string path = req.path.substr(4);  // without "/api"
  // The delivery report, pushed while a page watches it.
  if (req.method == "GET" && absl::StartsWith(path, "/v1/statements/") && absl::EndsWith(path, "/report:watch")) {
    const std::string id = path.substr(15, path.size() - 15 - 13);
    if (!id.empty() && id.find('/') == std::string::npos) return WatchReport(req, res, id);
  }
  auto match = transcoder_->Find(req.method, path);
  if (!match) return Error(res, absl::NotFoundError(absl::StrCat("no API at ", req.method, " ", req.path)));
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  Json(res, transcoder_->Handle(*match, query, req.body, CallMetadata(session), options_.call_deadline));
}

void HttpGateway::WatchReport(const httplib::Request& req, httplib::Response& res, const std::string& statement_id) {
  auto match = transcoder_->Find("GET", absl::StrCat("/v1/statements/", statement_id, "/report"));
  if (!match) return Error(res, absl::InternalError("no report route"));
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  const Metadata metadata = CallMetadata(SessionOf(req));
  // The first answer decides: an error (not signed in, another agency's statement) is an
  // ordinary JSON error, not a stream.
  HttpAnswer first = transcoder_->Handle(*match, query, "", metadata, options_.call_deadline);
  if (first.status != 200) return Json(res, first);
  res.set_header("X-Accel-Buffering", "no");
  auto last = std::make_shared<std::string>();
  auto pending = std::make_shared<std::string>(std::move(first.body));
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, match = *match, query, metadata, last, pending](size_t, httplib::DataSink& sink) {
        if (stopping_.load()) return false;
        if (pending->empty()) {
          // Read the report at most once an interval; push it only when it changed.
          absl::SleepFor(options_.report_interval);
          if (stopping_.load() || !sink.is_writable()) return false;
          HttpAnswer next = transcoder_->Handle(match, query, "", metadata, options_.call_deadline);
          if (next.status != 200) {
            const std::string event = absl::StrCat("event: failed\ndata: ", next.body, "\n\n");
            sink.write(event.data(), event.size());
            return false;
          }
          *pending = std::move(next.body);
        }
        if (*pending != *last) {
          const std::string event = absl::StrCat("event: report\ndata: ", *pending, "\n\n");
          if (!sink.write(event.data(), event.size())) return false;
          *last = *pending;
        } else {
          static constexpr absl::string_view kKeepalive = ": still here\n\n";
          if (!sink.write(kKeepalive.data(), kKeepalive.size())) return false;
        }
        pending->clear();
        return true;
      });
}

void HttpGateway::Static(const httplib::Request& req, httplib::Response& res) {
  std::string name = req.path == "/" ? "index.html" : req.path.substr(1);
  // Only plain names under the web directory: no "..", no hidden files, no absolute paths, no
  // control characters (a decoded %00 would cut the name the file system sees).
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Error(res, absl::NotFoundError("no such page"));
  }
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == "." || part == ".." || part[0] == '.' || part.find('\\') != absl::string_view::npos) {
      return Error(res, absl::NotFoundError("no such page"));
    }
  }
  const std::filesystem::path root = std::filesystem::weakly_canonical(options_.web_dir);
  const std::filesystem::path file = std::filesystem::weakly_canonical(root / name);
  const std::string ext = file.extension().string();
  if (!absl::StartsWith(file.string(), root.string() + "/") || !ContentTypes().contains(ext) ||
      !std::filesystem::is_regular_file(file)) {
    return Error(res, absl::NotFoundError("no such page"));
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  res.set_header("Cache-Control", ext == ".html" ? "no-cache" : "max-age=300");
  res.set_content(content.str(), ContentTypes().at(ext));
}

}  // namespace pressrelay::gateway
