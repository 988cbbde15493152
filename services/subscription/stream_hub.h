// The hub keeps every open Subscribe stream of this replica and feeds them:
//   - the dispatcher thread follows the shards' event streams with blocking reads and
//     offers each new queue entry to the streams of its recipient (push, no polling). A
//     pass over the streams is posted to their loops as one task per loop; while the loops
//     still work through the previous pass, the dispatcher waits for them and takes all that
//     arrived meanwhile into the next pass, so that a burst reaches each stream as one offer
//     (one message) instead of one per event read (bench/README item 22). With several
//     loops (--stream_threads) a pass waits for the slowest of them;
//   - the catch-up thread reads queues from Redis for streams that are starting or were
//     too slow to take live entries, many streams per round trip;
//   - the sweeper thread ends streams whose writes stall or who fall too far behind.
// Live entries, read pages and coalescing flushes are handed to each stream's home thread
// (StreamMachine::home(), the loop that owns its call), batched per home.
// Statements come from the StatementCache, serialised once for all streams.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/redis.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/statement_cache.h"
#include "services/subscription/stream_leases.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {

struct HubOptions {
  int shards = 16;
  int catch_up_batch = 256;  // streams read per Redis round trip
  absl::Duration event_block = absl::Seconds(2);
  absl::Duration sweep_interval = absl::Seconds(1);
  // How long the dispatcher waits, at most, for the stream loops to finish its previous pass
  // before it offers what came meanwhile (see GatherWhileLoopsBusy).
  absl::Duration gather_limit = absl::Milliseconds(500);
};

class StreamHub final : public StreamHost, public EpochSource {
 public:
  // `leases` keeps the per-principal cap on open streams (across replicas).
  StreamHub(redis::Options redis, StatementCache* cache, StreamLeases* leases, HubOptions options);
  ~StreamHub() override;

  // Reads the epoch and where the event streams are, then starts the threads.
  absl::Status Start();
  // Stops the threads (idempotent; before the stream loops go away).
  void Stop();
  // The current epoch of the Redis data set (cursors must carry it).
  std::string epoch() const override;
  // Ends every stream (drain): clients reconnect, to another replica, and resume.
  void EndAll(const absl::Status& status);
  // Ends the streams for which `verdict` (called outside the hub's locks, possibly slow)
  // returns a status; returns how many.
  size_t EndStreamsIf(const std::function<std::optional<absl::Status>(const StreamOwner&)>& verdict);
  size_t stream_count() const;

  // StreamHost
  std::vector<absl::Status> Reserve(absl::Span<const Slot> slots) override;
  void Unreserve(uint64_t stream_id) override;
  absl::Status Register(StreamMachine* stream) override;
  void Unregister(StreamMachine* stream) override;
  void WantCatchUp(uint64_t stream_id) override;
  void ScheduleFlush(StreamMachine* stream, absl::Time when) override;

 private:
  // A stream an event batch reaches, and which of the batch's events it gets (in order).
  struct Offer {
    StreamMachine* stream;  // referenced until offered
    absl::InlinedVector<uint32_t, 4> events;
  };
  static void OfferBatch(const std::vector<PendingDelivery>& batch, absl::Span<const Offer> offers);
  void DispatchLoop();
  // While the stream loops still work through the previous pass, waits for them and takes
  // every event that arrived meanwhile into `events`, so each stream gets one offer for all
  // of it. With the loops idle it returns at once. Returns how the early fetch of the first
  // events' statements (made while waiting) went: the pass does not fetch again after a failure.
  absl::Status GatherWhileLoopsBusy(std::vector<fanout::Event>& events);
  // Counts a pass's task posted to a stream loop until it has run (or was dropped).
  class PassTask;
  void PassTaskDone();
  void CatchUpLoop();
  void SweepLoop();
  void FlushLoop();
  // References to the streams of the ids (caller Unrefs).
  std::vector<StreamMachine*> StreamsById(const std::vector<uint64_t>& ids);
  std::vector<StreamMachine*> AllStreams();
  // After the dispatcher lost its place (Redis restart, trimmed events): every stream
  // re-reads its queues, which is always safe.
  void RewindAll();

  const redis::Options redis_options_;
  StatementCache* const cache_;
  StreamLeases* const leases_;
  const HubOptions options_;
  redis::Client events_redis_;   // the dispatcher's own connection (blocking reads)
  redis::Client catch_up_redis_; // the catch-up thread's
  redis::Client sweep_redis_;    // the sweeper's (epoch checks)

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, StreamMachine*> streams_ ABSL_GUARDED_BY(mu_);
  // A recipient's open streams (usually one), and the dispatcher's note of where this pass's
  // offers to them begin (`pass`, `first_offer`: written by the dispatcher thread alone,
  // under the shared lock, and read by no one else), so a pass needs no map of its own.
  struct RecipientStreams {
    absl::InlinedVector<StreamMachine*, 1> streams;
    uint64_t pass = 0;
    size_t first_offer = 0;
  };
  absl::flat_hash_map<std::string, RecipientStreams> by_recipient_ ABSL_GUARDED_BY(mu_);
  std::string epoch_ ABSL_GUARDED_BY(mu_);

  absl::Mutex catch_up_mu_;
  absl::flat_hash_set<uint64_t> catch_up_ ABSL_GUARDED_BY(catch_up_mu_);

  // Streams waiting for their coalescing window to pass, earliest first.
  absl::Mutex flush_mu_;
  std::multimap<absl::Time, StreamMachine*> flushes_ ABSL_GUARDED_BY(flush_mu_);

  // Tasks of the dispatcher's passes posted to stream loops and not yet run.
  absl::Mutex pass_tasks_mu_;
  int pass_tasks_ ABSL_GUARDED_BY(pass_tasks_mu_) = 0;

  std::vector<std::string> last_event_ids_;  // dispatcher thread only
  uint64_t pass_ = 0;                        // dispatcher thread only: event batches offered
  absl::Notification stop_;
  std::vector<std::thread> threads_;
};

}  // namespace pressrelay::subscription
