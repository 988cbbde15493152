// One newsroom's Subscribe stream, in two halves:
//   - StreamMachine: every decision (what to write and when, where to read from, when to
//     end), with no gRPC call in it. It writes raw, pre-serialised SubscribeResponse messages
//     (delivery_frame.h), one write in flight at a time, from a bounded outbox, through three
//     transport hooks (TransportWrite, TransportFinish, TransportCancel) and is told of their
//     completion (WriteDone, Cancelled, Done). Unit tests drive it through a fake transport.
//   - CqSubscribeStream (stream_loop.h): the transport over gRPC's completion-queue API, on
//     the loop thread that owns the call.
//
// States of the machine (all changes under mu_):
//   1. kStarting    The call arrived; the opener (stream_opener.h) authenticates the
//                   caller, checks the cursor (epoch, retention), reserves a slot under the
//                   principal's cap and calls Begin() or Fail(), for many streams at once.
//   2. kCatchingUp  The hub reads the recipient's queues after `enqueued_` in pages that
//                   fit the outbox (NextRead / DeliverRead). Events seen meanwhile are only
//                   noted (`seen_`). When a read reaches both queues' tails and no newer
//                   event was seen, the stream turns live and sends `caught_up` once.
//   3. kLive        The hub's event dispatcher offers each new entry (OfferLive); entries
//                   at or below `enqueued_` are duplicates and dropped. If the outbox is
//                   full the reader is slow: back to kCatchingUp, reading at its own pace
//                   from Redis, so memory stays bounded. A reader that stays more than
//                   max_lag behind is ended with RESOURCE_EXHAUSTED; one whose write makes
//                   no progress for stall_timeout is cancelled.
//   4. kFinished    The transport was told to finish (client gone, drain, error); nothing
//                   more is written. Done() unregisters from the hub and drops the
//                   transport's reference.
//
// Lifetime: reference counted. The transport holds one reference until Done; the start task
// and every hub call hold their own, so a stream is deleted only when nobody can call it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "absl/time/time.h"
#include "services/common/domain/cursor.h"
#include "services/common/redis/fanout_queue.h"
#include "services/subscription/delivery_frame.h"
#include "services/subscription/outbox_lane.h"
#include "services/subscription/sent_recorder.h"

namespace pressrelay::subscription {

class StreamMachine;

// What a reader that stopped taking its deliveries is told (after --max_lag behind, or
// --stall_timeout without write progress).
inline constexpr absl::string_view kTooSlow =
    "reading too slowly: more than the allowed lag behind the wire, or no progress writing to you; "
    "reconnect and resume from the last cursor you processed";

struct StreamOptions {
  int outbox_limit = 64;                 // deliveries buffered per stream
  int message_max_deliveries = 32;       // deliveries per SubscribeResponse
  size_t message_max_bytes = 512 * 1024; // soft limit per SubscribeResponse
  absl::Duration stall_timeout = absl::Seconds(30);
  absl::Duration max_lag = absl::Seconds(120);
  // Writes to one stream start at least this far apart, so that under a burst each write
  // carries every delivery that arrived meanwhile (fewer, larger messages for the stream and
  // the newsroom alike). Sparse traffic is not delayed: a delivery after a quiet spell is
  // written at once.
  absl::Duration coalesce_window = absl::ZeroDuration();
};

// Who opened a stream, kept so that a revocation, the end of the token's life or the
// per-principal stream cap can reach it. The token is kept (in memory only) so the stream
// can be re-checked with the registry when the revocation feed was interrupted too long.
struct StreamOwner {
  std::string principal_id;
  pressrelay::common::v1::Role role = pressrelay::common::v1::ROLE_UNSPECIFIED;
  std::string token_id;
  std::string token;
  absl::Time access_until = absl::InfiniteFuture();
};

// Where a stream wants to be driven: the thread that owns its call. The hub's threads post
// work for many streams at once (one wake-up per batch), so that a stream's writes are started
// and completed on one thread.
class StreamExecutor {
 public:
  using Task = absl::AnyInvocable<void()>;
  virtual ~StreamExecutor() = default;
  // Runs the tasks on the executor's thread, in order. After shutdown they are dropped
  // (unrun): the process is ending.
  virtual void Post(std::vector<Task> tasks) = 0;
};

// What a stream needs of the hub.
class StreamHost {
 public:
  virtual ~StreamHost() = default;
  // Reserves one of each owner's stream slots across replicas (the per-principal cap) for
  // streams starting together: a verdict per slot, RESOURCE_EXHAUSTED at the cap. Blocks for
  // one Redis round trip: called by the opener (stream_opener.h), before Begin.
  struct Slot {
    const StreamOwner* owner = nullptr;
    uint64_t stream_id = 0;
  };
  virtual std::vector<absl::Status> Reserve(absl::Span<const Slot> slots) = 0;
  // Gives back a reservation whose stream never registered. Never blocks.
  virtual void Unreserve(uint64_t stream_id) = 0;
  // Makes the stream reachable by the dispatcher; Unregister also gives its slot back.
  virtual absl::Status Register(StreamMachine* stream) = 0;
  virtual void Unregister(StreamMachine* stream) = 0;
  virtual void WantCatchUp(uint64_t stream_id) = 0;
  // Calls stream->Flush() at `when` (the stream is referenced until then).
  virtual void ScheduleFlush(StreamMachine* stream, absl::Time when) = 0;
};

class StreamMachine {
 public:
  StreamMachine(StreamHost* host, SentRecorder* ledger, StreamOptions options);
  virtual ~StreamMachine() = default;
  StreamMachine(const StreamMachine&) = delete;
  StreamMachine& operator=(const StreamMachine&) = delete;

  uint64_t id() const { return id_; }
  // The thread the hub should drive this stream on, or nullptr: call it from any thread.
  virtual StreamExecutor* home() const { return nullptr; }
  // Valid after Begin().
  const std::string& recipient_id() const { return recipient_id_; }
  int shard() const { return shard_; }
  const StreamOwner& owner() const { return owner_; }

  void Ref();
  void Unref();

  // From the opener: start streaming after `start` (positions per lane). The owner's slot
  // for this stream is reserved already (StreamHost::Reserve); Begin gives it back if the
  // client went away meanwhile.
  void Begin(StreamOwner owner, std::string recipient_id, int shard, Cursor start);
  void Fail(const absl::Status& status);

  // From the hub: entries an event announced, in queue order. Offering a burst at once
  // lets one write carry all of it.
  void OfferLive(absl::Span<const PendingDelivery> deliveries);
  std::optional<fanout::QueueRead> NextRead();
  void DeliverRead(std::vector<PendingDelivery> entries, bool at_tail);
  // A read failed (Redis or the catalog unavailable); the sweeper's Kick retries.
  void ReadFailed();
  // Re-read the queues from the last enqueued position (the dispatcher lost its place).
  void Rewind();
  // Asks for a read if one is due and none is pending (periodic, from the sweeper).
  void Kick();
  // Stall, lag and access checks (a stream ends when its token does); returns true if the
  // stream should be cancelled (the caller calls Cancel() outside its locks).
  bool Overdue(absl::Time now);
  // Ends a stream whose write makes no progress: its status goes out ahead of the message
  // stuck behind the client's full flow-control window (a plain Finish would wait behind
  // it), so the newsroom reads why as soon as it reads again.
  void Cancel(const absl::Status& status);
  void End(const absl::Status& status);
  // Writes what is waiting (the coalescing window has passed).
  void Flush();

  // From the transport: the write started by TransportWrite completed (ok false: the call
  // is over); the client cancelled or the call broke; the call is over and nothing will be
  // called on the transport again.
  void WriteDone(bool ok);
  void Cancelled();
  void Done();

 protected:
  // The transport's half. TransportWrite starts writing `message` (which stays alive and
  // unchanged until WriteDone); at most one write is in flight. TransportFinish ends the call
  // with `status` (once). TransportCancel ends it with `status` ahead of a write stuck behind
  // the client's flow control. None of them is called with mu_ held, except Finish.
  virtual void TransportWrite(const grpc::ByteBuffer* message) = 0;
  virtual void TransportFinish(const absl::Status& status) = 0;
  virtual void TransportCancel(const absl::Status& status) = 0;

 private:
  enum class State { kStarting, kCatchingUp, kLive, kFinished };

  // Builds the next message if nothing is in flight and the coalescing window allows.
  // Returns true if a write should be started (outside mu_).
  bool PrepareWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the hub should be asked for a read (outside mu_).
  bool WantReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AfterUnlock(bool write, bool read);
  void FinishLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t OutboxSizeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StreamHost* const host_;
  SentRecorder* const ledger_;
  const StreamOptions options_;
  const uint64_t id_;
  std::atomic<int> refs_{1};  // the transport's, released in Done
  // Set by Begin, before the stream is registered, and never changed after.
  StreamOwner owner_;
  std::string recipient_id_;
  std::shared_ptr<const std::string> recipient_ref_;  // the same, shared with the ledger's marks
  int shard_ = 0;

  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kStarting;
  bool registered_ ABSL_GUARDED_BY(mu_) = false;
  std::string epoch_ ABSL_GUARDED_BY(mu_);
  fanout::Positions sent_ ABSL_GUARDED_BY(mu_){};      // positions of what was written
  fanout::Positions enqueued_ ABSL_GUARDED_BY(mu_){};  // highest seq taken into the outbox
  fanout::Positions seen_ ABSL_GUARDED_BY(mu_){};      // highest seq events announced
  std::array<OutboxLane<PendingDelivery>, keys::kLanes> outbox_ ABSL_GUARDED_BY(mu_);
  bool read_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool was_live_ ABSL_GUARDED_BY(mu_) = false;
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool caught_up_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time write_started_ ABSL_GUARDED_BY(mu_);
  bool flush_scheduled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ByteBuffer message_;  // the write in flight; touched only by the writer
};

}  // namespace pressrelay::subscription
