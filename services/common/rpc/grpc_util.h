// Small pieces of the gRPC edge shared by every service: reading the caller's token,
// finishing a unary call from a worker thread, and making channels and call contexts for
// service-to-service calls. Logic code never includes this header.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/base/status.h"
#include "services/common/base/worker_pool.h"

namespace pressrelay {

// The bearer token of an incoming call ("authorization: Bearer <token>"), or "".
std::string BearerToken(const grpc::ServerContextBase& ctx);

// The metadata in which the admin gateway presents its own token beside a signed-in
// person's session ("authorization: Bearer <session>"): a session is accepted only with it.
inline constexpr absl::string_view kGatewayHeader = "x-pressrelay-gateway";
// The request id (request_id.h), from the CLI or the gateway through every service.
inline constexpr absl::string_view kRequestIdHeader = "x-request-id";
// The caller's request id if it is a valid one (ValidRequestId), else a new one.
std::string RequestIdOf(const grpc::ServerContextBase& ctx);
std::string GatewayToken(const grpc::ServerContextBase& ctx);

// Transport security of a channel or listener. Empty files mean plaintext.
struct TlsFiles {
  std::string cert_file;       // our certificate chain (PEM)
  std::string key_file;        // our private key (PEM)
  std::string ca_file;         // CA that signs the peer's certificate (PEM)
  bool require_client_cert = false;  // listeners: mutual TLS
  std::string server_name_override;  // channels: name to verify instead of the target host
  bool enabled() const { return !cert_file.empty() || !ca_file.empty(); }
};

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const TlsFiles& tls);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(const TlsFiles& tls);

// A channel to another service, with the suite's keepalive settings.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target, const TlsFiles& tls);

// A client context with a deadline and the bearer token attached.
std::unique_ptr<grpc::ClientContext> CallContext(absl::string_view token, absl::Duration deadline);

// Asks a server's grpc.health.v1 service; OK only when it answers SERVING.
absl::Status CheckHealth(grpc::Channel& channel, const std::string& service, absl::Duration deadline);

}  // namespace pressrelay
