// Keeps a registry replica's in-memory view in step with writes made by any replica, by
// following the change feed with blocking reads.
#pragma once

#include <thread>

#include "absl/synchronization/notification.h"
#include "services/common/redis/redis.h"
#include "services/registry/registry.h"
#include "services/registry/registry_store.h"

namespace pressrelay::registry {

class ChangeFollower {
 public:
  // Starts following from the newest change at the time of the call.
  ChangeFollower(Registry* registry, RegistryStore* store, redis::Options options);
  ~ChangeFollower();

 private:
  void Loop();

  Registry* const registry_;
  RegistryStore* const store_;
  redis::Client redis_;  // used only by the follower thread (and Interrupt at shutdown)
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pressrelay::registry
