// Enforces the age half of the queue retention policy: every interval, one replica (the one
// that takes the sweep lease in Redis) walks every shard's queues and drops entries older
// than the maximum age, recording the trimmed positions so resuming readers are told.
#pragma once

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/redis.h"

namespace pressrelay::distribution {

class RetentionSweeper {
 public:
  RetentionSweeper(redis::Options redis, absl::Duration max_age, absl::Duration interval);
  ~RetentionSweeper();
  // One full sweep now (tests; the thread calls it every interval). Returns entries dropped.
  absl::StatusOr<int64_t> SweepOnce();

 private:
  void Loop();
  redis::Client redis_;
  const absl::Duration max_age_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pressrelay::distribution
