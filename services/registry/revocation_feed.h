// Serves the revocation feed (reg:revocations, written by Registry) to the other services'
// Directory.WatchRevocations streams.
//
// One thread follows the feed with blocking reads and hands each new revocation to every
// watcher. A watcher joining with a cursor is first given what it missed; if its cursor has
// been trimmed away (or belongs to another Redis data set) it gets one `reset` entry, which
// tells it to check everything it holds again. Joining, catching up and live delivery all
// happen on the feed thread, so a watcher never misses an entry between its backlog and the
// live feed.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/redis/redis.h"
#include "services/registry/registry_store.h"

namespace pressrelay::registry {

class RevocationFeed {
 public:
  // Receives revocations, in feed order, on the feed thread. Must not block.
  class Watcher {
   public:
    virtual ~Watcher() = default;
    virtual void Deliver(const std::vector<v1::Revocation>& revocations) = 0;
  };

  // `poll` bounds how long a joining watcher waits for the feed thread.
  RevocationFeed(RegistryStore* store, redis::Options redis, absl::Duration poll = absl::Milliseconds(100));
  ~RevocationFeed();

  // The watcher starts after `after` (empty: with the next revocation, and it is first
  // given the cursor it starts from).
  void Add(Watcher* watcher, std::string after);
  // After Remove returns, the watcher is never called again. Idempotent.
  void Remove(Watcher* watcher);

 private:
  void Loop();
  struct Joining {
    Watcher* watcher = nullptr;
    std::string after;   // the cursor it starts after ("" if the feed had not started)
    bool fresh = false;  // it named no cursor: tell it where it starts
  };
  // Sends a joining watcher what it missed up to `last` (the newest revocation the live
  // feed has handed out), then makes it live.
  void CatchUp(const Joining& joining, const std::string& last);

  RegistryStore* const store_;
  redis::Client redis_;  // the feed thread's only
  const absl::Duration poll_;

  absl::Mutex mu_;
  std::vector<Joining> joining_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<Watcher*> live_ ABSL_GUARDED_BY(mu_);
  Watcher* catching_up_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string last_ ABSL_GUARDED_BY(mu_);  // newest revocation handed out ("" before the start)

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pressrelay::registry
