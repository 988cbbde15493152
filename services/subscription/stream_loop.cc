#include "services/subscription/stream_loop.h"

#include <grpc/grpc.h>
#include <grpc/support/time.h>

#include <algorithm>

#include "absl/synchronization/notification.h"

#include "services/common/base/log.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::subscription {
namespace {

thread_local const StreamLoop* current_loop = nullptr;

// The loop's own tag (its wake-up alarm); stream tags are stream addresses with the Op in
// their low two bits, QueuedCall tags addresses with QueuedCall::kMark (the third bit): the
// objects are at least 8-aligned. (wake_tag is compared by address before either is read.)
char wake_tag;

const gpr_timespec kInFlightSpan =
    gpr_time_from_micros(absl::ToInt64Microseconds(StreamLoop::kInFlightPoll), GPR_TIMESPAN);
const gpr_timespec kSweepSpan = gpr_time_from_micros(absl::ToInt64Microseconds(StreamLoop::kSweep), GPR_TIMESPAN);
static_assert(CqSubscribeStream::kDone < QueuedCall::kMark && QueuedCall::kMark < 8);
static_assert(alignof(CqSubscribeStream) >= 8 && alignof(QueuedCall) >= 8);

}  // namespace

// --- CqSubscribeStream -------------------------------------------------------------------

CqSubscribeStream::CqSubscribeStream(StreamLoop* loop, StreamQueue* queue, StreamHost* host, SentRecorder* ledger,
                                     StreamOptions options)
    : StreamMachine(host, ledger, options), loop_(loop), queue_(queue) {
  queue_->streams.fetch_add(1, std::memory_order_relaxed);
}

StreamExecutor* CqSubscribeStream::home() const { return loop_; }

void CqSubscribeStream::Request(StreamAcceptor* acceptor, grpc::ServerCompletionQueue* home) {
  ctx_.AsyncNotifyWhenDone(Tag(this, kDone));
  acceptor->RequestCall(&ctx_, &request_, &writer_, queue_->cq.get(), home, Tag(this, kArrived));
}

void CqSubscribeStream::OnEvent(Op op, bool ok, StreamAcceptor* acceptor) {
  switch (op) {
    case kArrived:
      if (!ok) {  // the server is shutting down; this call never started (and kDone never comes)
        queue_->streams.fetch_sub(1, std::memory_order_relaxed);
        Unref();
        return;
      }
      acceptor->Open(this, ctx_, request_);
      request_.Clear();
      return;
    case kWritten:
      --queue_->in_flight;
      writing_ = false;
      if (pending_finish_) {
        StartFinish(*std::move(pending_finish_));
        pending_finish_.reset();
      }
      WriteDone(ok);  // may start the next write, on this thread
      MaybeOver();
      return;
    case kFinished:
      --queue_->in_flight;
      finishing_ = false;
      MaybeOver();
      return;
    case kDone:
      done_ = true;
      if (ctx_.IsCancelled()) Cancelled();
      MaybeOver();
      return;
  }
}

void CqSubscribeStream::MaybeOver() {
  if (over_ || !done_ || writing_ || finishing_) return;
  over_ = true;
  queue_->streams.fetch_sub(1, std::memory_order_relaxed);
  Done();  // drops the transport's reference: `this` may be gone
}

void CqSubscribeStream::TransportWrite(const grpc::ByteBuffer* message) {
  if (loop_->OnLoopThread()) {
    StartWrite(message);
    return;
  }
  // From a hub thread (rare: the hub posts its work to the loop). The machine keeps `message`
  // unchanged until WriteDone, and the stream alive while this task holds a reference.
  Ref();
  std::vector<StreamExecutor::Task> tasks;
  tasks.emplace_back([this, message] {
    StartWrite(message);
    Unref();
  });
  loop_->Post(std::move(tasks));
}

void CqSubscribeStream::StartWrite(const grpc::ByteBuffer* message) {
  if (done_ || finish_started_) {
    // The call is over or ending: the write would never be sent.
    WriteDone(false);
    return;
  }
  writing_ = true;
  ++queue_->in_flight;
  writer_.Write(*message, Tag(this, kWritten));
}

void CqSubscribeStream::TransportFinish(const absl::Status& status) {
  // Called with the machine's lock held: only gRPC calls, or a post, from here.
  if (loop_->OnLoopThread()) {
    StartFinish(ToGrpcStatus(status));
    return;
  }
  Ref();
  std::vector<StreamExecutor::Task> tasks;
  tasks.emplace_back([this, s = ToGrpcStatus(status)]() mutable {
    StartFinish(std::move(s));
    MaybeOver();
    Unref();
  });
  loop_->Post(std::move(tasks));
}

void CqSubscribeStream::StartFinish(grpc::Status status) {
  if (finish_started_) return;
  if (writing_) {  // one operation of a kind at a time: the status follows the write
    pending_finish_ = std::move(status);
    return;
  }
  finish_started_ = true;
  if (done_) return;  // cancelled: nobody to tell
  finishing_ = true;
  ++queue_->in_flight;
  writer_.Finish(status, Tag(this, kFinished));
}

void CqSubscribeStream::TransportCancel(const absl::Status& status) {
  // The client's window is full and a message is stuck in flight: grpc_call_cancel_with_status
  // (thread-safe) sends the status as trailers at once (they are not flow-controlled) and
  // resets the stream, where Finish would queue them behind the stuck message. The write then
  // completes not ok, and kDone follows.
  const std::string message(status.message());
  grpc_call_cancel_with_status(ctx_.c_call(), static_cast<grpc_status_code>(status.code()), message.c_str(),
                               nullptr);
}

// --- StreamLoop --------------------------------------------------------------------------

StreamLoop::StreamLoop(std::unique_ptr<grpc::ServerCompletionQueue> cq, int stream_queues) : cq_(std::move(cq)) {
  for (int i = 0; i < std::max(1, stream_queues); ++i) queues_.push_back(std::make_unique<StreamQueue>());
}

StreamLoop::~StreamLoop() { Stop(); }

bool StreamLoop::OnLoopThread() const { return current_loop == this; }

void StreamLoop::Post(std::vector<Task> tasks) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  for (auto& t : tasks) inbox_.push_back(std::move(t));
  if (!wake_set_) {
    wake_set_ = true;
    // Set under the lock: Stop shuts the queue down only after taking it.
    wake_.Set(cq_.get(), gpr_time_0(GPR_CLOCK_MONOTONIC), &wake_tag);
  }
}

void StreamLoop::Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
                       int outstanding_requests, std::vector<QueuedServer*> servers) {
  acceptor_ = acceptor;
  host_ = host;
  ledger_ = ledger;
  options_ = options;
  thread_ = std::thread([this, outstanding_requests, servers = std::move(servers)] {
    current_loop = this;
    for (QueuedServer* server : servers) server->RequestCalls(cq_.get());
    for (int i = 0; i < outstanding_requests; ++i) RequestOne();
    Run();
    current_loop = nullptr;
  });
}

void StreamLoop::RequestOne() {
  // Dealt round the stream queues, so that each holds about 1/K of the loop's streams.
  StreamQueue* queue = queues_[next_queue_].get();
  next_queue_ = (next_queue_ + 1) % queues_.size();
  auto* stream = new CqSubscribeStream(this, queue, host_, ledger_, options_);
  stream->Request(acceptor_, cq_.get());
}

void StreamLoop::Run() {
  void* tag;
  bool ok;
  gpr_timespec next_sweep = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), kSweepSpan);
  // How long to wait while an operation is in flight: kInFlightPoll after any progress,
  // doubling while none comes (a client that stopped reading), at most kSweep.
  gpr_timespec in_flight_wait = kInFlightSpan;
  for (;;) {
    gpr_timespec now = gpr_now(GPR_CLOCK_MONOTONIC);
    const bool sweep = gpr_time_cmp(now, next_sweep) >= 0;
    if (DrainStreamQueues(sweep)) in_flight_wait = kInFlightSpan;
    if (sweep) {
      now = gpr_now(GPR_CLOCK_MONOTONIC);
      next_sweep = gpr_time_add(now, kSweepSpan);
    }
    const bool in_flight = AnyInFlight();
    const gpr_timespec deadline = in_flight ? gpr_time_add(now, in_flight_wait) : next_sweep;
    const auto got = cq_->AsyncNext(&tag, &ok, deadline);
    if (got == grpc::CompletionQueue::SHUTDOWN) break;
    if (got == grpc::CompletionQueue::GOT_EVENT) {
      Handle(tag, ok);
    } else if (in_flight) {
      in_flight_wait = gpr_time_min(gpr_time_add(in_flight_wait, in_flight_wait), kSweepSpan);
    }
  }
  // The server has shut down (every call is cancelled) and so has the home queue: what is
  // left on the stream queues completes now. A stream starts nothing once its call is over,
  // and until then its kDone keeps its queue from finishing the shutdown.
  for (auto& queue : queues_) queue->cq->Shutdown();
  for (auto& queue : queues_) {
    while (queue->cq->Next(&tag, &ok)) Handle(tag, ok);
  }
}

bool StreamLoop::DrainStreamQueues(bool all) {
  void* tag;
  bool ok;
  bool handled = false;
  for (bool again = true; again; all = false) {
    again = false;
    for (auto& queue : queues_) {
      if (!all && queue->in_flight == 0) continue;
      while (queue->cq->AsyncNext(&tag, &ok, gpr_time_0(GPR_CLOCK_MONOTONIC)) == grpc::CompletionQueue::GOT_EVENT) {
        Handle(tag, ok);
        again = handled = true;
      }
    }
  }
  return handled;
}

bool StreamLoop::AnyInFlight() const {
  return std::any_of(queues_.begin(), queues_.end(), [](const auto& queue) { return queue->in_flight > 0; });
}

void StreamLoop::Handle(void* tag, bool ok) {
  if (tag == &wake_tag) {
    RunPosted();
    return;
  }
  if (QueuedCall* call = QueuedCall::FromTag(tag)) {  // a unary or health call (queued_call.h)
    call->Proceed(ok, requesting_);
    return;
  }
  const auto bits = reinterpret_cast<uintptr_t>(tag);
  auto* stream = reinterpret_cast<CqSubscribeStream*>(bits & ~uintptr_t{3});
  const auto op = static_cast<CqSubscribeStream::Op>(bits & 3);
  if (op == CqSubscribeStream::kArrived) {
    if (!ok) requesting_ = false;  // the server is shutting down
    if (requesting_) RequestOne();  // keep the same number of requests outstanding
  }
  stream->OnEvent(op, ok, acceptor_);
}

std::vector<int> StreamLoop::StreamsPerQueue() const {
  std::vector<int> out;
  for (const auto& queue : queues_) out.push_back(queue->streams.load(std::memory_order_relaxed));
  return out;
}

void StreamLoop::RunPosted() {
  std::vector<Task> tasks;
  {
    absl::MutexLock lock(&mu_);
    wake_set_ = false;
    tasks.swap(inbox_);
  }
  for (auto& t : tasks) t();
}

void StreamLoop::Stop() {
  if (thread_.joinable()) {
    // No new requests from here on: the queue refuses operations once it is shut down. Told
    // on the loop's own thread, so that none is under way either.
    absl::Notification quiet;
    std::vector<Task> tasks;
    tasks.emplace_back([this, &quiet] {
      requesting_ = false;
      quiet.Notify();
    });
    Post(std::move(tasks));
    quiet.WaitForNotification();
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    inbox_.clear();
  }
  cq_->Shutdown();
  if (thread_.joinable()) {
    thread_.join();
  } else {
    // Never started: drain what the server returned.
    void* tag;
    bool ok;
    while (cq_->Next(&tag, &ok)) {
    }
    for (auto& queue : queues_) {
      queue->cq->Shutdown();
      while (queue->cq->Next(&tag, &ok)) {
      }
    }
  }
}

// --- StreamLoops -------------------------------------------------------------------------

StreamLoops::StreamLoops(int threads, int outstanding_requests, int stream_queues)
    : threads_(threads), outstanding_requests_(outstanding_requests), stream_queues_(stream_queues) {}

StreamLoops::~StreamLoops() { Stop(); }

void StreamLoops::AddQueues(grpc::ServerBuilder& builder) {
  for (int i = 0; i < threads_; ++i) {
    loops_.push_back(std::make_unique<StreamLoop>(builder.AddCompletionQueue(), stream_queues_));
  }
}

void StreamLoops::Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
                        const std::vector<QueuedServer*>& servers) {
  for (auto& loop : loops_) loop->Start(acceptor, host, ledger, options, outstanding_requests_, servers);
}

void StreamLoops::Stop() {
  for (auto& loop : loops_) loop->Stop();
}

std::vector<int> StreamLoops::StreamsPerQueue() const {
  std::vector<int> out;
  for (const auto& loop : loops_) {
    for (int n : loop->StreamsPerQueue()) out.push_back(n);
  }
  return out;
}

}  // namespace pressrelay::subscription
