#include "services/subscription/stream_opener.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/metrics.h"
#include "services/common/base/request_id.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/wire_check.h"

namespace pressrelay::subscription {
namespace {

constexpr absl::string_view kMethod = "Subscription.Subscribe";

absl::Status ShuttingDown() {
  return absl::UnavailableError("this replica is shutting down; reconnect and resume from your last cursor");
}

struct OpenerMetrics {
  metrics::Counter& batches = metrics::CounterOf(
      "pressrelay_stream_open_batches_total",
      "batches in which Subscribe streams were opened (one authentication and three Redis round trips each)");
  metrics::Counter& calls =
      metrics::CounterOf("pressrelay_stream_open_calls_total", "Subscribe calls opened in those batches");
};

OpenerMetrics& Metrics() {
  static OpenerMetrics& m = *new OpenerMetrics();
  return m;
}

// Made at start-up, so that the series exist (at 0) before the first stream.
[[maybe_unused]] OpenerMetrics& opener_metrics = Metrics();

}  // namespace

StreamOpener::StreamOpener(Edge* edge, BatchAuthenticator* auth, QueueAccess* access, StreamHost* host, int limit,
                           size_t max_batch)
    : edge_(edge),
      auth_(auth),
      access_(access),
      host_(host),
      limit_(static_cast<size_t>(std::max(1, limit))),
      max_batch_(std::max<size_t>(1, max_batch)),
      thread_([this] { Loop(); }) {}

StreamOpener::~StreamOpener() { Stop(); }

absl::Status StreamOpener::Open(Call call) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return ShuttingDown();
  if (waiting_.size() >= limit_) {
    return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat("this replica is starting ", limit_,
                                                                    " streams already; retry shortly")),
                          absl::Seconds(1));
  }
  call.stream->Ref();
  waiting_.push_back(std::move(call));
  return absl::OkStatus();
}

void StreamOpener::Stop() {
  std::deque<Call> left;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    left.swap(waiting_);
  }
  thread_.join();
  for (Call& call : left) {
    call.stream->Fail(ShuttingDown());
    call.stream->Unref();
  }
}

uint64_t StreamOpener::batches() const {
  absl::MutexLock lock(&mu_);
  return batches_;
}

size_t StreamOpener::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_.size();
}

uint64_t StreamOpener::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

void StreamOpener::Loop() {
  while (true) {
    std::vector<Call> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopped_ || !waiting_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopped_) return;
      while (!waiting_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
      ++batches_;
      calls_ += batch.size();
    }
    Metrics().batches.Add();
    Metrics().calls.Add(static_cast<double>(batch.size()));
    OpenBatch(std::move(batch));
  }
}

void StreamOpener::OpenBatch(std::vector<Call> batch) {
  // What each call has come to; a call that failed a step skips the rest.
  struct Opening {
    absl::Status status;
    Principal caller;
    v1::SubscribeRequest request;
    QueueAccess::Queue queue;
    Cursor start;
    StreamOwner owner;
  };
  std::vector<Opening> openings(batch.size());

  // 1. Authentication, every distinct token once.
  std::vector<std::string> tokens;
  absl::flat_hash_map<absl::string_view, size_t> token_index;
  std::vector<size_t> token_of(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto [it, added] = token_index.try_emplace(batch[i].token, tokens.size());
    if (added) tokens.push_back(batch[i].token);
    token_of[i] = it->second;
  }
  auto verdicts = auth_->AuthenticateBatch(tokens);

  // 2. The edge's other rules, the request and the queue; then the rate limit, counted for
  //    every admitted call in one round trip.
  std::vector<size_t> admitted;  // index into batch
  std::vector<const Principal*> callers;
  for (size_t i = 0; i < batch.size(); ++i) {
    ScopedRequestId scope(batch[i].request_id);
    Opening& o = openings[i];
    o.status = [&]() -> absl::Status {
      if (!verdicts.ok()) return verdicts.status();
      const absl::StatusOr<Principal>& verdict = (*verdicts)[token_of[i]];
      if (!verdict.ok()) return verdict.status();
      PR_ASSIGN_OR_RETURN(o.caller, AdmitAuthenticated(*edge_, *verdict, batch[i].gateway_token, kMethod));
      PR_RETURN_IF_ERROR(ParseRequest(batch[i].request, &o.request));
      PR_ASSIGN_OR_RETURN(o.queue, access_->QueueOf(o.caller));
      return absl::OkStatus();
    }();
    if (!o.status.ok()) continue;
    admitted.push_back(i);
    callers.push_back(&o.caller);
  }
  std::vector<absl::Status> limited(admitted.size());
  if (edge_->limits != nullptr) limited = edge_->limits->AdmitMany(callers);
  std::vector<QueueAccess::Start> starts;
  std::vector<size_t> start_of;  // index into batch
  for (size_t k = 0; k < admitted.size(); ++k) {
    Opening& o = openings[admitted[k]];
    if (!limited[k].ok()) {
      o.status = limited[k];
      continue;
    }
    starts.push_back({o.queue, &o.request});
    start_of.push_back(admitted[k]);
  }

  // 3. Where each stream starts: one pipeline.
  std::vector<StreamHost::Slot> slots;
  std::vector<size_t> slot_of;
  {
    auto resolved = access_->ResolveStarts(starts);
    for (size_t k = 0; k < start_of.size(); ++k) {
      Opening& o = openings[start_of[k]];
      if (!resolved[k].ok()) {
        o.status = resolved[k].status();
        continue;
      }
      o.start = *std::move(resolved[k]);
      o.owner = StreamOwner{o.caller.id(), o.caller.role(), o.caller.token_id(), batch[start_of[k]].token,
                            absl::InfiniteFuture()};
      if (o.caller.has_access_until()) o.owner.access_until = FromProto(o.caller.access_until());
      slot_of.push_back(start_of[k]);
    }
  }
  for (size_t i : slot_of) slots.push_back({&openings[i].owner, batch[i].stream->id()});

  // 4. The slots under the principals' caps: one more.
  auto reserved = host_->Reserve(slots);
  for (size_t k = 0; k < slot_of.size(); ++k) {
    if (k >= reserved.size()) {
      openings[slot_of[k]].status = absl::InternalError("stream slots: fewer verdicts than slots");
    } else if (!reserved[k].ok()) {
      openings[slot_of[k]].status = reserved[k];
    }
  }

  // 5. Begin or Fail.
  for (size_t i = 0; i < batch.size(); ++i) {
    Opening& o = openings[i];
    StreamMachine* stream = batch[i].stream;
    if (o.status.ok()) {
      stream->Begin(std::move(o.owner), o.queue.recipient_id, o.queue.shard, std::move(o.start));
    } else {
      stream->Fail(o.status);
    }
    stream->Unref();
  }
}

}  // namespace pressrelay::subscription
