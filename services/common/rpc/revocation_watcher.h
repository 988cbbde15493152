// Follows the registry's revocation feed (Directory.WatchRevocations) on its own thread, so
// a revoked token or a disabled identity stops working in this service at once: the
// handler forgets cached answers and ends open streams. The watch reconnects after any
// failure and resumes from the last cursor, so no revocation is missed; if the registry no
// longer has that cursor the handler receives a `reset` revocation and must re-check
// everything it holds.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/auth.h"

namespace pressrelay {

// Whether the revocation takes away this identity (token id, principal id and role).
bool RevocationCovers(const pressrelay::registry::v1::Revocation& revocation, absl::string_view token_id,
                      absl::string_view principal_id, Role role);
bool RevocationCovers(const pressrelay::registry::v1::Revocation& revocation, const Principal& principal);
// Drops the cached answers the revocation takes away; a reset (the feed lost its place)
// drops them all.
void ForgetRevoked(const pressrelay::registry::v1::Revocation& revocation, CachingAuthenticator& auth);

class RevocationWatcher {
 public:
  // Called on the watcher's thread, in feed order. May block (briefly).
  using Handler = std::function<void(const pressrelay::registry::v1::Revocation&)>;

  RevocationWatcher(std::shared_ptr<grpc::Channel> registry, std::string service_token, Handler handler);
  ~RevocationWatcher();

 private:
  void Loop();

  std::unique_ptr<pressrelay::registry::v1::Directory::Stub> stub_;
  const std::string service_token_;
  const Handler handler_;
  absl::Notification stop_;
  absl::Mutex mu_;
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;  // the open watch, for cancelling
  std::thread thread_;
};

}  // namespace pressrelay
