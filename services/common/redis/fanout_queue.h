// The fan-out queues: the contract between the distribution service, which writes them,
// and the subscription service, which reads them. Keys are in keys.h.
//
// Each recipient has two sorted sets, a priority lane and a routine lane. An entry's member
// is "<statement id>:<version>" and its score a sequence number: (ms since epoch * 1000 + n),
// issued by the shard, strictly increasing, so it is also the entry's queue time. A member
// can be in a queue once: queuing the same version twice is structurally impossible.
//
// The writer queues one chunk (up to a few thousand recipients of one shard) per atomic
// script run. The run also appends one event to the shard's event stream naming the
// recipients, the version and the sequence number: readers learn of new entries from the
// events without polling the queues. The run is idempotent per chunk: it applies only if
// the job's progress in the shard equals the chunk's start, so a crashed and resumed or
// doubly claimed fan-out never queues a chunk twice.
//
// Retention: a queue keeps at most Retention::max_entries entries per lane (the oldest
// trimmed as new ones are written) and entries no older than Retention::max_age (trimmed by a
// periodic sweep, TrimQueuesByAge, which the distribution service runs).
// The highest trimmed sequence number is recorded per queue so a reader can tell a resume
// position that fell off the queue from one that is simply up to date.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/common/redis/keys.h"
#include "services/common/redis/redis.h"

namespace pressrelay::fanout {

struct Retention {
  int64_t max_entries = 10000;
  absl::Duration max_age = absl::Hours(24 * 7);
  // Events are only a doorbell; a reader that falls further behind re-reads the queues.
  int64_t events_max_len = 100000;
};

// Sequence numbers <-> time.
int64_t SeqMillis(int64_t seq);
absl::Time SeqTime(int64_t seq);
int64_t SeqFloor(absl::Time t);  // the smallest sequence number issued at or after t

// Positions in the two lanes (domain/lanes.h).
using ::pressrelay::Positions;

struct Chunk {
  std::string job_id;  // the fan-out job: "<statement id>:<version>:<phase>"
  int shard = 0;
  std::string statement_id;
  int version = 0;
  keys::Lane lane = keys::Lane::kRoutine;
  int64_t start = 0;  // index of the first recipient in the job's audience for the shard
  std::vector<std::string> recipients;
};

struct ChunkResult {
  bool applied = false;  // false: progress was elsewhere (already queued, or out of turn)
  int64_t progress = 0;  // the job's progress in the shard after the call
  int64_t seq = 0;       // sequence number of the entries (when applied)
};

absl::StatusOr<ChunkResult> EnqueueChunk(redis::Client& redis, const Chunk& chunk,
                                         const Retention& retention);
// Many chunks in one round trip. Redis runs them in order, so consecutive chunks of one
// job and shard apply one after the other.
absl::StatusOr<std::vector<ChunkResult>> EnqueueChunks(redis::Client& redis, absl::Span<const Chunk> chunks,
                                                       const Retention& retention);

// One step of the age sweep: scans a page of every shard's queues from `cursor` ("0" to
// start; one pass over the keyspace for all shards) and drops entries older than `cutoff`,
// one script run per shard on the page. The returned cursor is "0" when the sweep is done.
struct QueueScan {
  std::string cursor;
  int64_t trimmed = 0;
};
absl::StatusOr<QueueScan> TrimQueuesByAge(redis::Client& redis, const std::string& cursor, absl::Time cutoff);

// How far a job has got in each of `shards`, in one round trip.
absl::StatusOr<std::vector<int64_t>> Progress(redis::Client& redis, const std::string& job_id,
                                              absl::Span<const int> shards);

struct Entry {
  int64_t seq = 0;
  keys::Lane lane = keys::Lane::kRoutine;
  std::string statement_id;
  int version = 0;
};

struct QueueRead {
  int shard = 0;
  std::string recipient_id;
  Positions after{};
  int limit = 100;  // per lane
};

// Entries after the positions, for many recipients in one round trip. Each result is
// priority entries first, then routine, each in queue order.
absl::StatusOr<std::vector<std::vector<Entry>>> ReadQueues(redis::Client& redis,
                                                           absl::Span<const QueueRead> reads);

// The highest sequence numbers trimmed from a recipient's lanes (0 if none: TrimmedRead, one
// command) and the newest entry in each lane (0 if empty: TailReads, one per lane), with
// their parsers, for callers that pipeline them (many queues in one round trip).
redis::Args TrimmedRead(int shard, const std::string& recipient_id);
absl::StatusOr<Positions> ParseTrimmed(const redis::ReplyView& reply);
std::vector<redis::Args> TailReads(int shard, const std::string& recipient_id);
absl::StatusOr<Positions> ParseTails(absl::Span<const redis::Reply> replies);

// When a version entered each recipient's queue: its sequence number there, or 0 if it is
// not (or no longer) in the queue. One round trip.
struct MemberRef {
  int shard = 0;
  std::string recipient_id;
  keys::Lane lane = keys::Lane::kRoutine;
};
absl::StatusOr<std::vector<int64_t>> QueuedSeqs(redis::Client& redis, absl::Span<const MemberRef> refs,
                                                const std::string& statement_id, int version);

// One event: a chunk was queued.
struct Event {
  std::string stream_id;
  int shard = 0;
  int64_t seq = 0;
  keys::Lane lane = keys::Lane::kRoutine;
  std::string statement_id;
  int version = 0;
  // The chunk's recipient ids as the event carries them, comma-separated: one string for the
  // chunk rather than one per recipient (up to a few thousand per event, read on the
  // subscription service's hot path). Recipients() walks them without allocating.
  std::string recipient_list;

  auto Recipients() const { return absl::StrSplit(recipient_list, ',', absl::SkipEmpty()); }
};

// Blocks up to `block` (not at all when zero) for events after `last_ids` (one stream id per
// shard, "$" for new only), and returns what arrived. Against a Redis Cluster the shards'
// streams are polled (every kClusterEventPoll) instead: XREAD cannot block on streams of
// different slots.
inline constexpr absl::Duration kClusterEventPoll = absl::Milliseconds(10);
absl::StatusOr<std::vector<Event>> ReadEvents(redis::Client& redis,
                                              const std::vector<std::string>& last_ids,
                                              absl::Duration block, int count);

// The newest event id of each shard ("0-0" if none).
absl::StatusOr<std::vector<std::string>> LatestEventIds(redis::Client& redis, int shards);

// Identity of the Redis data set: created once, so a Redis that lost its data gets a new
// epoch and old cursors are detected instead of silently resuming against empty queues.
absl::StatusOr<std::string> EnsureEpoch(redis::Client& redis);

// Records the shard count the first time; FAILED_PRECONDITION if a different one was used.
absl::Status EnsureShards(redis::Client& redis, int shards);

}  // namespace pressrelay::fanout
