#include "services/common/rpc/grpc_util.h"

#include "services/common/base/request_id.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/base/configuration.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay {

std::string BearerToken(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(value, kBearer)) return "";
  return std::string(value.substr(kBearer.size()));
}

std::string RequestIdOf(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(std::string(kRequestIdHeader));
  if (it != md.end()) {
    absl::string_view id(it->second.data(), it->second.size());
    if (ValidRequestId(id)) return std::string(id);
  }
  return NewRequestId();
}

std::string GatewayToken(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(std::string(kGatewayHeader));
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what) {
  if (path.empty()) return std::string();
  auto pem = ReadSecretFile(path);
  if (!pem.ok()) return Annotate(pem.status(), what);
  return *pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const TlsFiles& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  auto cert = ReadPem(tls.cert_file, "tls certificate");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(tls.key_file, "tls key");
  if (!key.ok()) return key.status();
  auto ca = ReadPem(tls.ca_file, "tls client CA");
  if (!ca.ok()) return ca.status();
  if (cert->empty() || key->empty()) {
    return absl::InvalidArgumentError("tls: a listener needs both a certificate and a key");
  }
  grpc::SslServerCredentialsOptions options(
      tls.require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
      : ca->empty()           ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                              : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TlsFiles& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  auto ca = ReadPem(tls.ca_file, "tls CA");
  if (!ca.ok()) return ca.status();
  auto cert = ReadPem(tls.cert_file, "tls client certificate");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(tls.key_file, "tls client key");
  if (!key.ok()) return key.status();
  options.pem_root_certs = *ca;
  options.pem_cert_chain = *cert;
  options.pem_private_key = *key;
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target, const TlsFiles& tls) {
  auto creds = ChannelCredentialsFor(tls);
  if (!creds.ok()) return creds.status();
  grpc::ChannelArguments args;
  // Keep idle service-to-service connections alive through NAT and load balancers, within
  // what the servers permit (see server.cc).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 * 1024 * 1024);
  if (!tls.server_name_override.empty()) {
    args.SetSslTargetNameOverride(tls.server_name_override);
  }
  // Several replicas' addresses (configuration.h CheckPeerAddress): gRPC's static resolver,
  // trying them in turn and moving to the next when one fails.
  const std::string resolved = absl::StrContains(target, ',') ? absl::StrCat("ipv4:", target) : target;
  return grpc::CreateCustomChannel(resolved, *creds, args);
}

std::unique_ptr<grpc::ClientContext> CallContext(absl::string_view token, absl::Duration deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  // The request this call is made for travels on.
  if (const std::string& id = CurrentRequestId(); !id.empty()) ctx->AddMetadata(std::string(kRequestIdHeader), id);
  return ctx;
}

absl::Status CheckHealth(grpc::Channel& channel, const std::string& service, absl::Duration deadline) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  auto ctx = CallContext("", deadline);
  grpc::Status status = stub->Check(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "health");
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat(service.empty() ? "server" : service, " is not serving"));
  }
  return absl::OkStatus();
}

}  // namespace pressrelay
