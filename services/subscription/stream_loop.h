// Subscribe's transport over the asynchronous completion-queue API: the hot path of the wire.
//
// Why not the callback API (STYLE.md 11): with it every call of the process shares one
// completion queue, and each write's completion runs on one of gRPC's callback threads, not
// the thread that wrote; at 10,000 streams the hand-offs and wake-ups cost more than the
// writes (bench/README "Where the time goes"). Here, as in gRPC's own benchmark server
// (test/cpp/qps/server_async.cc):
//   - StreamLoops runs --stream_threads threads (one by default: see its help and
//     bench/README item 14), each polling its own ServerCompletionQueue;
//   - a Subscribe call is requested on one loop's queue and belongs to that loop for life:
//     its writes are started by the loop's thread and complete on the same thread, usually
//     without it ever sleeping in between;
//   - the hub's threads (events, catch-up reads, coalescing flushes) do not drive a stream
//     themselves: they post a batch of work to each stream's loop (StreamExecutor), one
//     wake-up per loop per batch, not one per stream;
//   - the process's other calls (Ack, History, Search, the Ledger, health) arrive on the
//     loops' queues too (QueuedCall tags, queued_call.h), so that the process uses no
//     callback API and gRPC starts no threads of its own that poll the streams' sockets.
//
// A call's transport (CqSubscribeStream) as a state machine. Every event below runs on its
// loop's thread; the StreamMachine half (subscribe_stream.h) decides what to write.
//   1. Requested   AsyncNotifyWhenDone, then RequestSubscribe with tag kArrived. At
//                  shutdown the request comes back not ok: the stream is deleted unstarted.
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

#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/common/rpc/queued_call.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {

// Who decides whether an arrived call may stream (the service's edge).
class StreamAcceptor {
 public:
  virtual ~StreamAcceptor() = default;
  // Asks gRPC for the next Subscribe call on `cq`; `tag` comes back on it when one arrives.
  virtual void RequestCall(grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                           grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::ServerCompletionQueue* cq,
                           void* tag) = 0;
  // A call arrived: authenticate it and Begin or Fail `stream`, never blocking the loop.
  virtual void Open(StreamMachine* stream, const grpc::ServerContext& ctx, const grpc::ByteBuffer& request) = 0;
};

class StreamLoop;

class CqSubscribeStream final : public StreamMachine {
 public:
  enum Op : uintptr_t { kArrived = 0, kWritten = 1, kFinished = 2, kDone = 3 };

  CqSubscribeStream(StreamLoop* loop, StreamHost* host, SentRecorder* ledger, StreamOptions options);

  // State 1 (loop thread).
  void Request(StreamAcceptor* acceptor, grpc::ServerCompletionQueue* cq);
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

// One thread and its completion queue, and the streams that arrived on it.
class StreamLoop final : public StreamExecutor {
 public:
  explicit StreamLoop(std::unique_ptr<grpc::ServerCompletionQueue> cq);
  ~StreamLoop() override;

  void Post(std::vector<Task> tasks) override;
  bool OnLoopThread() const;
  grpc::ServerCompletionQueue* cq() const { return cq_.get(); }

  // `servers` request their calls on this loop's queue too (queued_call.h).
  void Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
             int outstanding_requests, std::vector<QueuedServer*> servers);
  // Shuts the queue down (after the server) and waits for the thread to drain it.
  void Stop();

 private:
  void Run();
  void RunPosted();
  void RequestOne();

  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
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
  // `threads` loops; each keeps `outstanding_requests` Subscribe calls requested, so that a
  // reconnect storm is matched without waiting for the loop.
  StreamLoops(int threads, int outstanding_requests);
  ~StreamLoops();

  void AddQueues(grpc::ServerBuilder& builder);
  // After the server is built (its calls start arriving). Every loop also serves the calls of
  // `servers` (the process's other RPCs and health: queued_call.h says why).
  void Start(StreamAcceptor* acceptor, StreamHost* host, SentRecorder* ledger, StreamOptions options,
             const std::vector<QueuedServer*>& servers = {});
  // After the server has shut down.
  void Stop();

 private:
  const int threads_;
  const int outstanding_requests_;
  std::vector<std::unique_ptr<StreamLoop>> loops_;
};

}  // namespace pressrelay::subscription
