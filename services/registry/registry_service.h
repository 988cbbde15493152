// The registry's gRPC edge: RegistryAdmin for operators, Directory for the other services,
// Keys for anyone verifying statements and PublicRegistry for anyone reading the agencies'
// public lists of spokespeople. Each is an EdgeService (edge.h); the handlers
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

// What every agency must make public (Decree 09/2017 Art. 2): its list of spokespeople.
class PublicRegistryService final : public EdgeService<v1::PublicRegistry> {
 public:
  PublicRegistryService(Registry* registry, Edge* edge);
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

// The registry's own callers: tokens through a short cache, sessions never, since what a
// session may do changes with its account at once (disabled, a second factor enrolled), and
// its idle time is counted here. People's calls are few.
class RegistryAuthenticator final : public Authenticator {
 public:
  RegistryAuthenticator(Registry* registry, absl::Duration cache_ttl) : local_(registry), cache_(&local_, cache_ttl) {}
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override {
    return IsSessionToken(token) ? local_.Authenticate(token) : cache_.Authenticate(token);
  }

 private:
  LocalAuthenticator local_;
  CachingAuthenticator cache_;  // reads local_
};

}  // namespace pressrelay::registry
