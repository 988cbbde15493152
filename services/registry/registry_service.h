// The registry's gRPC edge: RegistryAdmin for operators, Directory for the other services and
// Keys for anyone verifying statements. Each is an EdgeService (edge.h); the handlers
// registered in the constructors only call the logic in Registry. Directory has its own edge
// and worker pool, so the other services' token checks and audience matching never queue
// behind an operator's bulk import.
#pragma once

#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/edge.h"
#include "services/registry/registry.h"
#include "services/registry/revocation_feed.h"

namespace pressrelay::registry {

class RegistryAdminService final : public EdgeService<v1::RegistryAdmin> {
 public:
  RegistryAdminService(Registry* registry, Edge* edge);
};

class DirectoryService final
    : public EdgeService<v1::Directory, v1::Directory::WithRawCallbackMethod_WatchRevocations<
                                            v1::Directory::CallbackService>> {
 public:
  DirectoryService(Registry* registry, RevocationFeed* revocations, Edge* edge);
  // A RevocationWatch (revocation_watch.h).
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchRevocations(grpc::CallbackServerContext* ctx,
                                                               const grpc::ByteBuffer* request) override;

 private:
  RevocationFeed* const revocations_;
};

class KeysService final : public EdgeService<v1::Keys> {
 public:
  KeysService(Registry* registry, Edge* edge);
};

// The registry answering token questions about its own callers, without a network hop.
class LocalAuthenticator final : public Authenticator {
 public:
  explicit LocalAuthenticator(Registry* registry) : registry_(registry) {}
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override {
    return registry_->Authenticate(token, absl::Now());
  }

 private:
  Registry* const registry_;
};

}  // namespace pressrelay::registry
