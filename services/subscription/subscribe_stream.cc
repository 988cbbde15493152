#include "services/subscription/subscribe_stream.h"

#include <algorithm>

#include "services/common/base/log.h"
#include "services/common/base/metrics.h"
#include "services/common/rpc/edge.h"
#include "services/common/base/status.h"

namespace pressrelay::subscription {
namespace {

std::atomic<uint64_t> next_stream_id{1};

struct StreamMetrics {
  metrics::Counter& sent =
      metrics::CounterOf("pressrelay_deliveries_sent_total", "deliveries written to newsroom streams");
  metrics::Histogram& lag = metrics::HistogramOf(
      "pressrelay_delivery_lag_seconds", "time from a delivery's queueing to its write on a newsroom's stream",
      metrics::LatencyBuckets());
  metrics::Counter& slow = metrics::CounterOf(
      "pressrelay_slow_readers_cut_total",
      "streams ended because the reader fell more than --max_lag behind or made no progress for --stall_timeout");
};

// Made at start-up, so that every series is exposed (at 0) before its first event.
StreamMetrics& stream_metrics = *new StreamMetrics();
StreamMetrics& Metrics() { return stream_metrics; }

}  // namespace

StreamMachine::StreamMachine(StreamHost* host, SentRecorder* ledger, StreamOptions options)
    : host_(host), ledger_(ledger), options_(options), id_(next_stream_id.fetch_add(1)) {}

void StreamMachine::Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }

void StreamMachine::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void StreamMachine::Begin(StreamOwner owner, std::string recipient_id, int shard, Cursor start) {
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kFinished) {  // the client went away while we checked
      host_->Unreserve(id_);
      return;
    }
    owner_ = std::move(owner);
    recipient_id_ = std::move(recipient_id);
    recipient_ref_ = std::make_shared<const std::string>(recipient_id_);
    shard_ = shard;
    epoch_ = start.epoch;
    sent_ = start.positions;
    enqueued_ = start.positions;
    seen_ = start.positions;
    state_ = State::kCatchingUp;
    read_pending_ = true;
    // Registered before the first read: an event that arrives during the read is noted
    // in seen_ and makes the stream read again before it turns live. (Lock order: a
    // stream's mu_ may be held while calling the hub, never the other way round.)
    if (absl::Status s = host_->Register(this); !s.ok()) {
      host_->Unreserve(id_);
      FinishLocked(s);
      return;
    }
    registered_ = true;
  }
  host_->WantCatchUp(id_);
}

void StreamMachine::Fail(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  FinishLocked(status);
}

void StreamMachine::End(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  FinishLocked(status);
}

void StreamMachine::FinishLocked(const absl::Status& status) {
  if (state_ == State::kFinished) return;
  state_ = State::kFinished;
  RecordStreamEnd("Subscription.Subscribe", status.code());
  for (auto& lane : outbox_) lane.clear();
  TransportFinish(status);
}

size_t StreamMachine::OutboxSizeLocked() const { return outbox_[0].size() + outbox_[1].size(); }

void StreamMachine::OfferLive(absl::Span<const PendingDelivery> deliveries) {
  bool write = false, read = false;
  {
    absl::MutexLock lock(&mu_);
    for (const PendingDelivery& delivery : deliveries) {
      const int lane = static_cast<int>(delivery.lane);
      seen_[lane] = std::max(seen_[lane], delivery.seq);
      if (state_ != State::kLive || delivery.seq <= enqueued_[lane]) continue;
      // The reader is slower than the wire (or the statement is not at hand): stop taking
      // live entries, read the queue from Redis at its pace.
      if (static_cast<int>(OutboxSizeLocked()) >= options_.outbox_limit || delivery.frame == nullptr) {
        state_ = State::kCatchingUp;
        continue;
      }
      outbox_[lane].push_back(delivery);
      enqueued_[lane] = delivery.seq;
    }
    write = PrepareWriteLocked();
    read = WantReadLocked();
  }
  AfterUnlock(write, read);
}

std::optional<fanout::QueueRead> StreamMachine::NextRead() {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kCatchingUp) {
    read_pending_ = false;
    return std::nullopt;
  }
  const int room = options_.outbox_limit - static_cast<int>(OutboxSizeLocked());
  if (room <= 0) {
    read_pending_ = false;  // asked again when the outbox drains
    return std::nullopt;
  }
  fanout::QueueRead read;
  read.shard = shard_;
  read.recipient_id = recipient_id_;
  read.after = enqueued_;
  read.limit = std::max(1, room / keys::kLanes);
  return read;
}

void StreamMachine::DeliverRead(std::vector<PendingDelivery> entries, bool at_tail) {
  bool write = false, read = false;
  {
    absl::MutexLock lock(&mu_);
    read_pending_ = false;
    if (state_ != State::kCatchingUp) return;
    for (auto& entry : entries) {
      const int lane = static_cast<int>(entry.lane);
      if (entry.seq <= enqueued_[lane]) continue;
      enqueued_[lane] = entry.seq;
      outbox_[lane].push_back(std::move(entry));
    }
    if (at_tail && seen_[0] <= enqueued_[0] && seen_[1] <= enqueued_[1]) {
      state_ = State::kLive;
      was_live_ = true;
      if (!caught_up_sent_) caught_up_pending_ = true;
    }
    write = PrepareWriteLocked();
    read = WantReadLocked();
  }
  AfterUnlock(write, read);
}

void StreamMachine::ReadFailed() {
  absl::MutexLock lock(&mu_);
  read_pending_ = false;
}

void StreamMachine::Rewind() {
  bool read = false;
  {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kLive) state_ = State::kCatchingUp;
    read = WantReadLocked();
  }
  AfterUnlock(false, read);
}

void StreamMachine::Kick() {
  bool read = false;
  {
    absl::MutexLock lock(&mu_);
    read = WantReadLocked();
  }
  AfterUnlock(false, read);
}

bool StreamMachine::WantReadLocked() {
  if (state_ != State::kCatchingUp || read_pending_) return false;
  // Read when half the outbox is free, so reads are batched rather than one per write.
  if (static_cast<int>(OutboxSizeLocked()) > options_.outbox_limit / 2) return false;
  read_pending_ = true;
  return true;
}

bool StreamMachine::PrepareWriteLocked() {
  if (write_in_flight_ || flush_scheduled_ || state_ == State::kFinished || state_ == State::kStarting) return false;
  if (outbox_[0].empty() && outbox_[1].empty() && !caught_up_pending_) return false;
  if (options_.coalesce_window > absl::ZeroDuration() &&
      static_cast<int>(OutboxSizeLocked()) < options_.message_max_deliveries) {
    const absl::Time earliest = write_started_ + options_.coalesce_window;
    if (absl::Now() < earliest) {
      // Busy stream: let the burst gather, then write it in one message.
      flush_scheduled_ = true;
      Ref();
      host_->ScheduleFlush(this, earliest);
      return false;
    }
  }
  ResponseBuilder builder;
  std::vector<std::shared_ptr<const StatementFrame>> sent_frames;
  const absl::Time now = absl::Now();
  while (builder.deliveries() < static_cast<size_t>(options_.message_max_deliveries) &&
         builder.bytes() < options_.message_max_bytes) {
    // Priority first: a kill overtakes routine items already waiting.
    auto& lane = !outbox_[0].empty() ? outbox_[0] : outbox_[1];
    if (lane.empty()) break;
    PendingDelivery delivery = std::move(lane.front());
    lane.pop_front();
    sent_[static_cast<int>(delivery.lane)] = delivery.seq;
    // Live deliveries only: a reconnecting newsroom's backlog is old by nature, not late.
    if (state_ == State::kLive) {
      Metrics().lag.Observe(std::max(0.0, absl::ToDoubleSeconds(now - fanout::SeqTime(delivery.seq))));
    }
    builder.Add(delivery, EncodeCursor(Cursor{epoch_, sent_}));
    sent_frames.push_back(std::move(delivery.frame));
  }
  if (!sent_frames.empty()) {
    ledger_->RecordSent(recipient_ref_, sent_frames, absl::ToUnixMillis(now));
    Metrics().sent.Add(static_cast<double>(sent_frames.size()));
  }
  if (caught_up_pending_ && outbox_[0].empty() && outbox_[1].empty()) {
    builder.SetCaughtUp();
    caught_up_pending_ = false;
    caught_up_sent_ = true;
  }
  if (builder.empty()) return false;
  message_ = builder.Build();
  write_in_flight_ = true;
  write_started_ = now;
  return true;
}

void StreamMachine::AfterUnlock(bool write, bool read) {
  if (write) TransportWrite(&message_);
  if (read) host_->WantCatchUp(id_);
}

void StreamMachine::WriteDone(bool ok) {
  // Written: let go of the message (and the statement frames it points at) now rather than
  // at the next write, which for an idle subscriber may be hours away. No other write can
  // start until write_in_flight_ is cleared below.
  message_.Clear();
  bool write = false, read = false;
  {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) return;  // the call is over; OnCancel / OnDone follow
    write = PrepareWriteLocked();
    read = WantReadLocked();
  }
  AfterUnlock(write, read);
}

bool StreamMachine::Overdue(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (state_ == State::kFinished || state_ == State::kStarting) return false;
  if (now >= owner_.access_until) {
    FinishLocked(absl::UnauthenticatedError("token expired (or the press card did); reconnect with a valid token"));
    return false;
  }
  if (write_in_flight_ && now - write_started_ > options_.stall_timeout) {
    spdlog::warn("stream {} of {}: no write progress for {}; cancelling it", id_, recipient_id_,
                 absl::FormatDuration(now - write_started_));
    Metrics().slow.Add();
    return true;
  }
  // A reader that was live and now leaves queued items unwritten for longer than max_lag
  // is too far behind: end the stream so it resumes from its cursor when it can keep up.
  if (was_live_) {
    int64_t oldest = 0;
    for (const auto& lane : outbox_) {
      if (!lane.empty() && (oldest == 0 || lane.front().seq < oldest)) oldest = lane.front().seq;
    }
    if (oldest != 0 && now - fanout::SeqTime(oldest) > options_.max_lag) {
      spdlog::warn("stream {} of {}: {} behind; ending it", id_, recipient_id_,
                   absl::FormatDuration(now - fanout::SeqTime(oldest)));
      Metrics().slow.Add();
      FinishLocked(absl::ResourceExhaustedError(kTooSlow));
    }
  }
  return false;
}

void StreamMachine::Flush() {
  bool write = false, read = false;
  {
    absl::MutexLock lock(&mu_);
    flush_scheduled_ = false;
    write = PrepareWriteLocked();
    read = WantReadLocked();
  }
  AfterUnlock(write, read);
}

void StreamMachine::Cancel(const absl::Status& status) { TransportCancel(status); }

void StreamMachine::Cancelled() {
  absl::MutexLock lock(&mu_);
  FinishLocked(absl::CancelledError());
}

void StreamMachine::Done() {
  {
    absl::MutexLock lock(&mu_);
    if (registered_) host_->Unregister(this);
    registered_ = false;
  }
  Unref();
}

}  // namespace pressrelay::subscription
