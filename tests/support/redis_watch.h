// Redis's own view of what the services did, for tests that check what reached Redis:
// MONITOR (every command executed, in order) and keyspace notifications.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/redis/redis.h"

namespace pressrelay::testing {

// Every command Redis executes, one line each (`+<time> [<db> <client>] "<CMD>" "<arg>" ...`),
// in execution order; a transaction's commands appear between its MULTI and EXEC.
class RedisMonitor {
 public:
  explicit RedisMonitor(int port) : port_(port) {}
  ~RedisMonitor();
  RedisMonitor(const RedisMonitor&) = delete;
  RedisMonitor& operator=(const RedisMonitor&) = delete;

  // Connects and starts collecting; false if Redis cannot be reached.
  bool Start();
  // Has `other` ECHO `marker` and returns the lines executed before it that no earlier call
  // returned (empty if the marker does not show within `timeout`). The monitor keeps running.
  std::vector<std::string> LinesBefore(redis::Client& other, const std::string& marker,
                                       absl::Duration timeout = absl::Seconds(20));

 private:
  const int port_;
  redisContext* ctx_ = nullptr;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

// The keyspace events of one key: switches notifications on for `classes` (as Redis's
// notify-keyspace-events spells them, e.g. "Kx" for expiry) and subscribes.
class KeyspaceEvents {
 public:
  static std::unique_ptr<KeyspaceEvents> Watch(int port, const std::string& key, const std::string& classes);
  ~KeyspaceEvents();

  // Blocks until `event` ("expired", "zadd", ...) happens to the key; false on timeout.
  bool WaitFor(const std::string& event, absl::Duration timeout);

 private:
  explicit KeyspaceEvents(redisContext* ctx) : ctx_(ctx) {}
  redisContext* ctx_;
};

}  // namespace pressrelay::testing
