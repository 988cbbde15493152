#include "services/subscription/stream_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/rpc/auth.h"
#include "services/common/base/log.h"

namespace pressrelay::subscription {
namespace {

// Events one gathered pass takes at most (each names a statement and up to a chunk of
// recipients): beyond that the pass is offered and the rest waits for the next.
constexpr size_t kMaxGathered = 4096;

// The (statement, version) each event names, in order: what the statement cache is asked for.
std::vector<std::pair<std::string, int>> StatementRefs(const std::vector<fanout::Event>& events) {
  std::vector<std::pair<std::string, int>> refs;
  refs.reserve(events.size());
  for (const auto& ev : events) refs.emplace_back(ev.statement_id, ev.version);
  return refs;
}

void UnrefAll(const std::vector<StreamMachine*>& streams) {
  for (auto* s : streams) s->Unref();
}

// Work for many streams, each run on its stream's home thread (the loop that owns its call):
// one post, so one wake-up, per home and batch. A stream without a home runs it here.
class HomeBatch {
 public:
  HomeBatch() = default;
  HomeBatch(const HomeBatch&) = delete;
  HomeBatch& operator=(const HomeBatch&) = delete;
  ~HomeBatch() {
    for (auto& [home, tasks] : tasks_) home->Post(std::move(tasks));
  }

  void Add(StreamMachine* stream, StreamExecutor::Task task) {
    if (StreamExecutor* home = stream->home()) {
      tasks_[home].push_back(std::move(task));
    } else {
      task();
    }
  }

 private:
  absl::flat_hash_map<StreamExecutor*, std::vector<StreamExecutor::Task>> tasks_;
};

}  // namespace

StreamHub::StreamHub(redis::Options redis, StatementCache* cache, StreamLeases* leases, HubOptions options)
    : redis_options_(redis),
      cache_(cache),
      leases_(leases),
      options_(options),
      events_redis_(redis),
      catch_up_redis_(redis),
      sweep_redis_(redis) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Stop() {
  if (stop_.HasBeenNotified()) return;
  stop_.Notify();
  events_redis_.Interrupt();
  {
    absl::MutexLock lock(&catch_up_mu_);  // wakes the catch-up thread
  }
  {
    absl::MutexLock lock(&flush_mu_);  // wakes the flush thread
  }
  {
    absl::MutexLock lock(&pass_tasks_mu_);  // wakes the dispatcher if it waits for the loops
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  absl::MutexLock lock(&flush_mu_);
  for (auto& [when, stream] : flushes_) stream->Unref();
  flushes_.clear();
}

absl::Status StreamHub::Start() {
  auto epoch = fanout::EnsureEpoch(events_redis_);
  if (!epoch.ok()) return epoch.status();
  auto ids = fanout::LatestEventIds(events_redis_, options_.shards);
  if (!ids.ok()) return ids.status();
  {
    absl::MutexLock lock(&mu_);
    epoch_ = *epoch;
  }
  last_event_ids_ = *ids;
  threads_.emplace_back([this] { DispatchLoop(); });
  threads_.emplace_back([this] { CatchUpLoop(); });
  threads_.emplace_back([this] { SweepLoop(); });
  threads_.emplace_back([this] { FlushLoop(); });
  return absl::OkStatus();
}

std::string StreamHub::epoch() const {
  absl::MutexLock lock(&mu_);
  return epoch_;
}

size_t StreamHub::stream_count() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

namespace {

std::string PrincipalKey(const StreamOwner& owner) {
  return absl::StrCat(static_cast<int>(owner.role), "/", owner.principal_id);
}

}  // namespace

std::vector<absl::Status> StreamHub::Reserve(absl::Span<const Slot> slots) {
  std::vector<StreamLeases::Request> requests;
  requests.reserve(slots.size());
  for (const Slot& slot : slots) {
    requests.push_back({PrincipalKey(*slot.owner), std::string(RoleName(slot.owner->role)), slot.stream_id});
  }
  return leases_->TakeMany(requests);
}

void StreamHub::Unreserve(uint64_t stream_id) { leases_->GiveBack(stream_id); }

absl::Status StreamHub::Register(StreamMachine* stream) {
  absl::MutexLock lock(&mu_);
  streams_[stream->id()] = stream;
  by_recipient_[stream->recipient_id()].streams.push_back(stream);
  return absl::OkStatus();
}

void StreamHub::Unregister(StreamMachine* stream) {
  leases_->GiveBack(stream->id());
  absl::MutexLock lock(&mu_);
  streams_.erase(stream->id());
  auto it = by_recipient_.find(stream->recipient_id());
  if (it == by_recipient_.end()) return;
  auto& list = it->second.streams;
  list.erase(std::remove(list.begin(), list.end(), stream), list.end());
  if (list.empty()) by_recipient_.erase(it);
}

void StreamHub::WantCatchUp(uint64_t stream_id) {
  absl::MutexLock lock(&catch_up_mu_);
  catch_up_.insert(stream_id);
}

std::vector<StreamMachine*> StreamHub::StreamsById(const std::vector<uint64_t>& ids) {
  std::vector<StreamMachine*> out;
  absl::ReaderMutexLock lock(&mu_);
  for (uint64_t id : ids) {
    auto it = streams_.find(id);
    if (it == streams_.end()) continue;
    it->second->Ref();
    out.push_back(it->second);
  }
  return out;
}

std::vector<StreamMachine*> StreamHub::AllStreams() {
  std::vector<StreamMachine*> out;
  absl::ReaderMutexLock lock(&mu_);
  for (auto& [id, s] : streams_) {
    s->Ref();
    out.push_back(s);
  }
  return out;
}

void StreamHub::EndAll(const absl::Status& status) {
  auto streams = AllStreams();
  for (auto* s : streams) s->End(status);
  UnrefAll(streams);
}

void StreamHub::RewindAll() {
  auto streams = AllStreams();
  for (auto* s : streams) s->Rewind();
  UnrefAll(streams);
}

// Offers each stream its events of the batch in one call, and drops the dispatcher's reference.
void StreamHub::OfferBatch(const std::vector<PendingDelivery>& batch, absl::Span<const Offer> offers) {
  std::vector<PendingDelivery> deliveries;
  for (const Offer& offer : offers) {
    deliveries.clear();
    for (uint32_t i : offer.events) deliveries.push_back(batch[i]);
    offer.stream->OfferLive(deliveries);
    offer.stream->Unref();
  }
}

// Counted from its construction on the dispatcher thread to its destruction, whether the task
// ran or the loop dropped it at shutdown.
class StreamHub::PassTask {
 public:
  explicit PassTask(StreamHub* hub) : hub_(hub) {
    absl::MutexLock lock(&hub_->pass_tasks_mu_);
    ++hub_->pass_tasks_;
  }
  PassTask(PassTask&& other) noexcept : hub_(std::exchange(other.hub_, nullptr)) {}
  PassTask(const PassTask&) = delete;
  PassTask& operator=(const PassTask&) = delete;
  PassTask& operator=(PassTask&&) = delete;
  ~PassTask() {
    if (hub_ != nullptr) hub_->PassTaskDone();
  }

 private:
  StreamHub* hub_;
};

void StreamHub::PassTaskDone() {
  absl::MutexLock lock(&pass_tasks_mu_);
  --pass_tasks_;
}

void StreamHub::DispatchLoop() {
  bool lost_place = false;
  while (!stop_.HasBeenNotified()) {
    auto events = fanout::ReadEvents(events_redis_, last_event_ids_, options_.event_block, 256);
    if (!events.ok()) {
      if (stop_.HasBeenNotified()) return;
      spdlog::warn("events: {}", events.status().ToString());
      lost_place = true;
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
      continue;
    }
    if (lost_place) {
      // Back after a Redis outage. If Redis lost its data the epoch changed: every cursor
      // is void and streams must start over. Otherwise resume where we were.
      auto epoch = fanout::EnsureEpoch(events_redis_);
      if (!epoch.ok()) continue;
      bool changed;
      {
        absl::MutexLock lock(&mu_);
        changed = *epoch != epoch_;
        epoch_ = *epoch;
      }
      if (changed) {
        spdlog::error("Redis data set changed (epoch {}): ending every stream", *epoch);
        auto ids = fanout::LatestEventIds(events_redis_, options_.shards);
        if (ids.ok()) last_event_ids_ = *ids;
        EndAll(absl::FailedPreconditionError(
            "the wire's store was reset; back-fill through History and subscribe again"));
      } else {
        // Events may have been trimmed while we were away: have every stream re-read.
        RewindAll();
      }
      lost_place = false;
    }
    if (events->empty()) continue;
    const absl::Status prefetched = GatherWhileLoopsBusy(*events);

    // One fetch for all statements the events name (not tried again when the early fetch
    // failed); then each stream is offered everything the batch holds for it at once, so a
    // burst leaves in one write.
    auto frames = prefetched.ok() ? cache_->Get(StatementRefs(*events)) : prefetched;
    if (!frames.ok()) {
      // Cannot send without the statement; streams will get these entries by reading their
      // queues instead.
      spdlog::warn("events: statements unavailable: {}", frames.status().ToString());
    }
    // Every stream the batch reaches, with the events it gets (indices into `batch`, in event
    // order), in the order first reached. A recipient's first_offer finds its streams' offers
    // in this pass without a map; an offer allocates nothing unless a stream gets more than
    // four of the batch's events.
    auto batch = std::make_shared<std::vector<PendingDelivery>>();
    batch->reserve(events->size());
    std::vector<Offer> offers;
    {
      absl::ReaderMutexLock lock(&mu_);
      offers.reserve(streams_.size());
      const uint64_t pass = ++pass_;
      for (size_t i = 0; i < events->size(); ++i) {
        const auto& ev = (*events)[i];
        batch->push_back(PendingDelivery{ev.seq, ev.lane, frames.ok() ? (*frames)[i] : nullptr});
        for (absl::string_view rid : ev.Recipients()) {
          auto it = by_recipient_.find(rid);
          if (it == by_recipient_.end()) continue;
          RecipientStreams& recipient = it->second;
          if (recipient.pass != pass) {
            recipient.pass = pass;
            recipient.first_offer = offers.size();
            for (StreamMachine* s : recipient.streams) {
              s->Ref();
              offers.push_back(Offer{s, {}});
            }
          }
          for (size_t k = 0; k < recipient.streams.size(); ++k) {
            offers[recipient.first_offer + k].events.push_back(static_cast<uint32_t>(i));
          }
        }
      }
    }
    // One task per home for all its streams (not one per stream: at 10,000 streams per
    // event batch, a task each was an allocation and a call each).
    absl::flat_hash_map<StreamExecutor*, std::vector<Offer>> by_home;
    StreamExecutor* last_home = nullptr;
    std::vector<Offer>* last_work = nullptr;
    for (Offer& offer : offers) {
      StreamExecutor* home = offer.stream->home();
      if (home == nullptr) {
        OfferBatch(*batch, {&offer, 1});
        continue;
      }
      if (home != last_home) {
        last_home = home;
        last_work = &by_home[home];
      }
      last_work->push_back(std::move(offer));
    }
    for (auto& [home, work] : by_home) {
      std::vector<StreamExecutor::Task> tasks;
      tasks.emplace_back([batch, work = std::move(work), done = PassTask(this)] { OfferBatch(*batch, work); });
      home->Post(std::move(tasks));
    }
  }
}

absl::Status StreamHub::GatherWhileLoopsBusy(std::vector<fanout::Event>& events) {
  for (const auto& ev : events) last_event_ids_[ev.shard] = ev.stream_id;
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_tasks_mu_) {
    return pass_tasks_ == 0 || stop_.HasBeenNotified();
  };
  {
    absl::MutexLock lock(&pass_tasks_mu_);
    if (idle()) return absl::OkStatus();
  }
  // The loops are busy: fetch these events' statements meanwhile (the pass finds them cached).
  absl::Status fetched = cache_->Get(StatementRefs(events)).status();
  {
    absl::MutexLock lock(&pass_tasks_mu_);
    pass_tasks_mu_.AwaitWithTimeout(absl::Condition(&idle), options_.gather_limit);
  }
  // Everything that came meanwhile, without blocking.
  while (events.size() < kMaxGathered && !stop_.HasBeenNotified()) {
    auto more = fanout::ReadEvents(events_redis_, last_event_ids_, absl::ZeroDuration(), 256);
    if (!more.ok() || more->empty()) break;
    for (auto& ev : *more) {
      last_event_ids_[ev.shard] = ev.stream_id;
      events.push_back(std::move(ev));
    }
  }
  return fetched;
}

void StreamHub::CatchUpLoop() {
  while (!stop_.HasBeenNotified()) {
    std::vector<uint64_t> ids;
    {
      absl::MutexLock lock(&catch_up_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(catch_up_mu_) {
        return !catch_up_.empty() || stop_.HasBeenNotified();
      };
      catch_up_mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(200));
      for (auto it = catch_up_.begin(); it != catch_up_.end() && ids.size() < static_cast<size_t>(options_.catch_up_batch);) {
        ids.push_back(*it);
        catch_up_.erase(it++);
      }
    }
    if (ids.empty()) continue;
    auto streams = StreamsById(ids);
    std::vector<fanout::QueueRead> reads;
    std::vector<StreamMachine*> readers;
    for (auto* s : streams) {
      if (auto read = s->NextRead()) {
        reads.push_back(std::move(*read));
        readers.push_back(s);
      }
    }
    if (!reads.empty()) {
      auto entries = fanout::ReadQueues(catch_up_redis_, reads);
      std::vector<std::pair<std::string, int>> refs;
      if (entries.ok()) {
        for (const auto& list : *entries) {
          for (const auto& e : list) refs.emplace_back(e.statement_id, e.version);
        }
      }
      auto frames = entries.ok() ? cache_->Get(refs) : entries.status();
      if (!frames.ok()) {
        spdlog::warn("catch-up: {}", frames.status().ToString());
        for (auto* s : readers) s->ReadFailed();
      } else {
        HomeBatch batch;
        size_t k = 0;
        for (size_t i = 0; i < readers.size(); ++i) {
          std::vector<PendingDelivery> deliveries;
          int lane_counts[keys::kLanes] = {0, 0};
          for (const auto& e : (*entries)[i]) {
            auto frame = (*frames)[k++];
            ++lane_counts[static_cast<int>(e.lane)];
            if (!frame) continue;  // the statement is gone (cannot happen while retained)
            deliveries.push_back(PendingDelivery{e.seq, e.lane, std::move(frame)});
          }
          const bool at_tail = lane_counts[0] < reads[i].limit && lane_counts[1] < reads[i].limit;
          StreamMachine* reader = readers[i];
          reader->Ref();
          batch.Add(reader, [reader, deliveries = std::move(deliveries), at_tail]() mutable {
            reader->DeliverRead(std::move(deliveries), at_tail);
            reader->Unref();
          });
        }
      }
    }
    UnrefAll(streams);
  }
}

void StreamHub::ScheduleFlush(StreamMachine* stream, absl::Time when) {
  absl::MutexLock lock(&flush_mu_);
  flushes_.emplace(when, stream);
}

void StreamHub::FlushLoop() {
  while (!stop_.HasBeenNotified()) {
    std::vector<StreamMachine*> due;
    {
      absl::MutexLock lock(&flush_mu_);
      // Idle (always, without a coalescing window) until something is scheduled; then wake at
      // the earliest due time, or sooner if an earlier one is scheduled meanwhile. Stopping
      // takes flush_mu_, which re-evaluates the condition.
      const absl::Time wake = flushes_.empty() ? absl::InfiniteFuture() : flushes_.begin()->first;
      auto ready = [this, wake]() ABSL_SHARED_LOCKS_REQUIRED(flush_mu_) {
        return stop_.HasBeenNotified() || (!flushes_.empty() && flushes_.begin()->first < wake);
      };
      flush_mu_.AwaitWithDeadline(absl::Condition(&ready), wake);
      const absl::Time now = absl::Now();
      while (!flushes_.empty() && flushes_.begin()->first <= now) {
        due.push_back(flushes_.begin()->second);
        flushes_.erase(flushes_.begin());
      }
    }
    HomeBatch batch;
    for (auto* s : due) {
      batch.Add(s, [s] {
        s->Flush();
        s->Unref();
      });
    }
  }
}

size_t StreamHub::EndStreamsIf(
    const std::function<std::optional<absl::Status>(const StreamOwner&)>& verdict) {
  size_t ended = 0;
  auto streams = AllStreams();
  for (auto* s : streams) {
    if (auto status = verdict(s->owner())) {
      s->End(*status);
      ++ended;
    }
  }
  UnrefAll(streams);
  return ended;
}

void StreamHub::SweepLoop() {
  while (!stop_.WaitForNotificationWithTimeout(options_.sweep_interval)) {
    const absl::Time now = absl::Now();
    auto streams = AllStreams();
    for (auto* s : streams) {
      if (s->Overdue(now)) {
        s->Cancel(absl::ResourceExhaustedError(kTooSlow));
      } else {
        s->Kick();
      }
    }
    UnrefAll(streams);
  }
}

}  // namespace pressrelay::subscription
