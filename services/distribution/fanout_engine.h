// Runs fan-out jobs: queues one version for every recipient of the job, chunk by chunk,
// through the fan-out queue contract (services/common/redis/fanout_queue.h).
//
// A run is idempotent. Each chunk applies only if the job's progress in its shard is where
// the chunk starts, so a run that resumes after a crash, or two replicas running the same
// job, never queue a recipient twice. The JobRunner thread claims jobs that fall due
// (embargoes) or whose lease expired (a replica died mid-run), and runs them.
//
// A run that fails (a Redis error, replicas that did not confirm the writes in time) gives
// its lease back early (RetryLater): the job falls due again after a backoff that doubles
// with each failure, from `retry_first` to `retry_longest`, so a fan-out interrupted by a
// Redis failover resumes within a second of Redis coming back rather than when the lease
// would have lapsed, and is not counted as a takeover from a dead replica.
#pragma once

#include <map>

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/redis.h"
#include "services/common/base/worker_pool.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {

struct FanoutOptions {
  int shards = 16;
  int chunk_size = 1000;     // recipients per atomic script run
  int chunks_per_batch = 16; // script runs per round trip; the lease is renewed between batches
  fanout::Retention retention;
  absl::Duration lease = absl::Seconds(10);
  // The backoff of a job whose runs fail: the first retry after `retry_first`, each next one
  // after twice the last, at most `retry_longest` (and never later than the lease).
  absl::Duration retry_first = absl::Milliseconds(250);
  absl::Duration retry_longest = absl::Seconds(5);
  // Jobs waiting for the fan-out thread before new publishes are refused (RESOURCE_EXHAUSTED).
  size_t max_queued = 256;
};

// The shards a job's audience falls in, in the job's order.
std::vector<int> ShardsOf(const store::FanoutJob& job);

// The chunks of the next round trip, as (index into the job's shards, first recipient).
// Shard i has totals[i] recipients, queued up to progress[i]. Each chunk is one atomic
// script run of at most chunk_size recipients of one shard; a round trip carries up to
// chunks_per_batch of them, shard after shard, so an audience of 10,000 over 16 shards is
// queued in one round trip and 100,000 in seven. Empty when nothing is left.
std::vector<std::pair<int, int64_t>> NextBatch(absl::Span<const int64_t> totals, absl::Span<const int64_t> progress,
                                               int chunk_size, int chunks_per_batch);

class FanoutEngine {
 public:
  FanoutEngine(redis::Pool* pool, FanoutOptions options);

  // Queues the job's version for all its recipients and marks the job done. Returns how
  // many recipients have it queued. Takes one connection of the pool for the whole run.
  absl::StatusOr<int64_t> Run(const store::FanoutJob& job);
  // After a failed run of `job` (held by this replica): schedules it to run again after the
  // backoff (StatementStore::RetryLater), logs the failure and counts it. If Redis does not
  // answer either, the lease lapses as it would have and the job is taken over then.
  void RetryLater(const store::FanoutJob& job, const absl::Status& failure);
  // How many of the job's recipients have it queued so far.
  static absl::StatusOr<int64_t> Queued(redis::Client& redis, const store::FanoutJob& job);
  // Whether the fan-out thread can take more jobs now; RESOURCE_EXHAUSTED (with RetryInfo)
  // when max_queued jobs are waiting. Checked before a version is committed, so a publish
  // that is refused has written nothing.
  absl::Status Admit() const;
  // Runs a job on the fan-out thread, after every job submitted before it: one replica's
  // statements reach each queue in the order they were committed. `done` gets the result,
  // on the fan-out thread: it must not block.
  void Submit(std::shared_ptr<const store::FanoutJob> job, absl::AnyInvocable<void(absl::StatusOr<int64_t>) &&> done);

  const FanoutOptions& options() const { return options_; }
  // How long the oldest job this replica is running has been running (zero when none).
  absl::Duration OldestRunning(absl::Time now) const;
  // The fan-out thread's queue, for liveness.
  const WorkerPool& executor() const { return executor_; }

 private:
  redis::Pool* pool_;
  const FanoutOptions options_;
  mutable absl::Mutex running_mu_;
  std::map<std::string, absl::Time> running_ ABSL_GUARDED_BY(running_mu_);  // job id -> started
  WorkerPool executor_{"fanout", 1};  // one thread: the order of commits is kept
};

// Claims and runs jobs that are due or orphaned. Wakes at the next due time, when told of
// a new scheduled job, and at least every `max_wait` (to see other replicas' schedules).
class JobRunner {
 public:
  JobRunner(FanoutEngine* engine, redis::Pool* pool, absl::Duration max_wait);
  ~JobRunner();
  // Starts the thread (once Redis answers).
  void Start();
  void Wake();

 private:
  void Loop();

  // One step of the loop: claims and runs what is due; false if Redis failed.
  bool RunDue();

  FanoutEngine* const engine_;
  redis::Pool* const pool_;
  const absl::Duration max_wait_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pressrelay::distribution
