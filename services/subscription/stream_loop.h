// Subscribe's transport over the asynchronous completion-queue API: the hot path of the wire.
//
// Why not the callback API (STYLE.md 11): with it every call of the process shares one
// completion queue, and each write's completion runs on one of gRPC's callback threads, not
// the thread that wrote; at 10,000 streams the hand-offs and wake-ups cost more than the
// writes (bench/README "Where the time goes"). Here, as in gRPC's own benchmark server
// (test/cpp/qps/server_async.cc):
//   - StreamLoops runs --stream_threads threads (one by default: see its help and
//     bench/README item 14), each polling its own ServerCompletionQueue (the loop's home
//     queue: new calls, posted work, the process's other RPCs);
//   - a Subscribe call is requested on one loop and belongs to that loop for life: its
//     operations complete on one of the loop's --stream_queues stream queues, which only
//     that loop's thread polls, so its writes are started by the loop's thread and complete
//     on the same thread, usually without it ever sleeping in between;
//   - no queue holds every stream's outstanding operation: each stream keeps one operation
//     outstanding for life (the call's completion, kDone), and Debian 12's libgrpc (built
//     without NDEBUG) looks every completion up in a linear scan of its queue's outstanding
//     operations, so with one queue per loop each write cost a scan of all the loop's
//     streams (bench/README item 24). The streams are dealt round the stream queues;
//   - the loop waits on its home queue only: a completion on a stream queue does not wake
//     it. So after every event it drains the stream queues that have a write or a finish
//     in flight (most complete inline, on loopback and whenever the socket takes the bytes
//     at once), waits at most kInFlightPoll while one is still in flight (the socket was
//     full: it completes when the client reads; twice as long after each wait that saw
//     nothing, up to kSweep, so a client that stopped reading costs few wake-ups), and
//     sweeps every stream queue each kSweep for what else completes there (a client that
//     went away: kDone);
//   - the hub's threads (events, catch-up reads, coalescing flushes) do not drive a stream
//     themselves: they post a batch of work to each stream's loop (StreamExecutor), one
//     wake-up per loop per batch, not one per stream;
//   - the process's other calls (Ack, History, Search, the Ledger, health) arrive on the
//     loops' queues too (QueuedCall tags, queued_call.h), so that the process uses no
//     callback API and gRPC starts no threads of its own that poll the streams' sockets.
//
// A call's transport (CqSubscribeStream) as a state machine. Every event below runs on its
// loop's thread; the StreamMachine half (subscribe_stream.h) decides what to write.
//   1. Requested   AsyncNotifyWhenDone, then RequestSubscribe with tag kArrived (on the
//                  home queue; the call's operations on its stream queue). At shutdown
//                  the request comes back not ok: the stream is deleted unstarted.
//   2. Arrived     The loop requests the next call and hands this one to the acceptor,
//                  which authenticates it on a worker and calls Begin (or Fail).
//   3. Streaming   TransportWrite -> Write (kWritten); one write in flight. A write asked
//                  for from another thread is posted to the loop first.
//   4. Finishing   TransportFinish -> Finish (kFinished) once no write is in flight; while
//                  one is, the status waits for it. TransportCancel cancels the call from
//                  any thread (it is thread-safe in gRPC's core), which ends a stuck write.
//   5. Over        kDone (the call is complete, or the client cancelled: the machine is
//                  told Cancelled). When kDone has come and no operation is outstanding the
//                  machine is told Done, which drops the transport's reference.
#pragma once

#include <grpcpp/alarm.h>
#include <grpcpp/support/async_stream.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/rpc/queued_call.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {

// Who decides whether an arrived call may stream (the service's edge).
class StreamAcceptor {
 public:
  virtual ~StreamAcceptor() = default;
  // Asks gRPC for the next Subscribe call: `tag` comes back on `notification_cq` when one
  // arrives, and the call's operations complete on `call_cq`.
  virtual void RequestCall(grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                           grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::CompletionQueue* call_cq,
                           grpc::ServerCompletionQueue* notification_cq, void* tag) = 0;
  // A call arrived: authenticate it and Begin or Fail `stream`, never blocking the loop.
  virtual void Open(StreamMachine* stream, const grpc::ServerContext& ctx, const grpc::ByteBuffer& request) = 0;
};

class StreamLoop;

// One of a loop's stream queues, and what its thread knows of it (loop thread only, but for
// `streams`, which tests and the loop's statistics read from anywhere).
struct StreamQueue {
  std::unique_ptr<grpc::CompletionQueue> cq = std::make_unique<grpc::CompletionQueue>();
  int in_flight = 0;              // writes and finishes started here, not yet seen complete
  std::atomic<int> streams{0};    // calls requested on it and not yet over
};

class CqSubscribeStream final : public StreamMachine {
 public:
  enum Op : uintptr_t { kArrived = 0, kWritten = 1, kFinished = 2, kDone = 3 };

  CqSubscribeStream(StreamLoop* loop, StreamQueue* queue, StreamHost* host, SentRecorder* ledger,
                    StreamOptions options);

  // State 1 (loop thread).
  void Request(StreamAcceptor* acceptor, grpc::ServerCompletionQueue* home);
  // A completion for this call (loop thread).
  void OnEvent(Op op, bool ok, StreamAcceptor* acceptor);
  StreamExecutor* home() const override;

  static void* Tag(CqSubscribeStream* stream, Op op) {
    return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(stream) | op);
  }

 private:
  void TransportWrite(const grpc::ByteBuffer* message) override;
  void TransportFinish(const absl::Status& status) override;
  void TransportCancel(const absl::Status& status) override;
  // Loop thread only, from here on.
  void StartWrite(const grpc::ByteBuffer* message);
  void StartFinish(grpc::Status status);
  void MaybeOver();

  StreamLoop* const loop_;
  StreamQueue* const queue_;  // where this call's operations complete
  grpc::ServerContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ServerAsyncWriter<grpc::ByteBuffer> writer_{&ctx_};
  // Touched by the loop's thread only.
  bool writing_ = false;
  bool finishing_ = false;  // Finish started, its completion not yet seen
  bool finish_started_ = false;
  bool done_ = false;  // kDone seen
  bool over_ = false;  // the machine was told Done
  std::optional<grpc::Status> pending_finish_;  // waits for the write in flight
};

// One thread, its home completion queue and its stream queues, and the streams that arrived
// on it.
class StreamLoop final : public StreamExecutor {
 public:
  // How long the loop waits on its home queue while a write or finish is still in flight on
  // a stream queue, and how often it looks at every stream queue regardless.
  static constexpr absl::Duration kInFlightPoll = absl::Milliseconds(1);
  static constexpr absl::Duration kSweep = absl::Milliseconds(20);

  StreamLoop(std::unique_ptr<grpc::ServerCompletionQueue> cq, int stream_queues);
  ~StreamLoop() override;

  void Post(std::vector<Task> tasks) override;
  bool OnLoopThread() const;
  grpc::ServerCompletionQueue* cq() const { return cq_.get(); }

  // `servers` request their calls on this loop's queue too (queued_call.h).
  void Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
             int outstanding_requests, std::vector<QueuedServer*> servers);
  // Shuts the queue down (after the server) and waits for the thread to drain it.
  void Stop();
  // How many streams each stream queue holds now (requested calls included).
  std::vector<int> StreamsPerQueue() const;

 private:
  void Run();
  // One completion, from the home queue or a stream queue.
  void Handle(void* tag, bool ok);
  // Handles what has completed on the stream queues with an operation in flight (every
  // stream queue when `all`), until none has more; whether it handled anything.
  bool DrainStreamQueues(bool all);
  // Whether a write or finish is in flight on any stream queue.
  bool AnyInFlight() const;
  void RunPosted();
  void RequestOne();

  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
  std::vector<std::unique_ptr<StreamQueue>> queues_;
  size_t next_queue_ = 0;  // loop thread only: where the next call is requested
  bool requesting_ = true;  // loop thread only: new calls are still requested
  StreamAcceptor* acceptor_ = nullptr;
  StreamHost* host_ = nullptr;
  SentRecorder* ledger_ = nullptr;
  StreamOptions options_;

  absl::Mutex mu_;
  std::vector<Task> inbox_ ABSL_GUARDED_BY(mu_);
  bool wake_set_ ABSL_GUARDED_BY(mu_) = false;  // the alarm is set and has not fired yet
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Alarm wake_;  // set only with mu_ held and !wake_set_
  std::thread thread_;
};

// The loops of the process: their queues are added to the server before it is built.
class StreamLoops {
 public:
  // `threads` loops of `stream_queues` stream queues each; each keeps `outstanding_requests`
  // Subscribe calls requested, so that a reconnect storm is matched without waiting for the
  // loop.
  StreamLoops(int threads, int outstanding_requests, int stream_queues);
  ~StreamLoops();

  void AddQueues(grpc::ServerBuilder& builder);
  // After the server is built (its calls start arriving). Every loop also serves the calls of
  // `servers` (the process's other RPCs and health: queued_call.h says why).
  void Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
             const std::vector<QueuedServer*>& servers = {});
  // After the server has shut down.
  void Stop();
  // Every loop's StreamsPerQueue, one after the other.
  std::vector<int> StreamsPerQueue() const;

 private:
  const int threads_;
  const int outstanding_requests_;
  const int stream_queues_;
  std::vector<std::unique_ptr<StreamLoop>> loops_;
};

}  // namespace pressrelay::subscription
