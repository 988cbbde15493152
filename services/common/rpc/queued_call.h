// Calls served on a completion queue that the process drives itself, not by gRPC's callback
// threads.
//
// Why: a process that uses gRPC's callback API at all (one callback method, or the default
// health service, which is one) gets gRPC 1.51's shared callback queue and its two
// `nexting_thread`s, which poll every socket of the process. In the subscription service
// they picked up its newsroom streams' socket events and handed each to the stream loop that
// owns the call: a wake-up per event, about a fifth of the service's CPU at 10,000 streams
// (bench/README item 16). There every call (Subscribe, the unary methods, health) is served
// on the stream loops' queues instead:
//   - a QueuedServer requests its calls on a loop's queue (RequestCalls), each request a
//     QueuedCall that comes back to the loop as a tag;
//   - the loop hands every such tag to its call (Proceed), which on arrival requests its
//     successor (so the same number stay requested) and starts its work;
//   - a call's work may run elsewhere (a worker) and finish it from there; the completion
//     comes back to the loop, which deletes the call;
//   - a client call the process makes for as long as it runs may complete there too: the
//     revocation watcher's (revocation_watcher.h, Polling), whose thread would otherwise
//     wait in gRPC and so read the streams' sockets itself.
// Tags are the call's address with kMark in its low bits; a loop's own tags never have it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>

namespace pressrelay {

class QueuedCall {
 public:
  static constexpr uintptr_t kMark = 4;

  virtual ~QueuedCall() = default;
  // The call's next event, on the loop's thread. `requesting` is false once the loop takes no
  // more calls (shutting down): an arrival must not request its successor then.
  virtual void Proceed(bool ok, bool requesting) = 0;

  void* tag() { return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(this) | kMark); }
  // The call a tag stands for, or nullptr if the tag is not a QueuedCall's.
  static QueuedCall* FromTag(void* tag) {
    const auto bits = reinterpret_cast<uintptr_t>(tag);
    return (bits & kMark) != 0 ? reinterpret_cast<QueuedCall*>(bits & ~kMark) : nullptr;
  }
};

// Something that serves calls as QueuedCalls: asked once per queue, before the queue's loop
// runs (or on its thread), to request its first calls there.
class QueuedServer {
 public:
  virtual ~QueuedServer() = default;
  virtual void RequestCalls(grpc::ServerCompletionQueue* cq) = 0;
};

}  // namespace pressrelay
