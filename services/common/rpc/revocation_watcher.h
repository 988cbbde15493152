// Follows the registry's revocation feed (Directory.WatchRevocations) on its own thread, so
// a revoked token or a disabled identity stops working in this service at once: the
// handler forgets cached answers and ends open streams. The watch reconnects after any
// failure and resumes from the last cursor, so no revocation is missed; if the registry no
// longer has that cursor the handler receives a `reset` revocation and must re-check
// everything it holds.
//
// Who reads the watch's socket (Polling). gRPC's default engine (epoll1) has one epoll set
// for the whole process, and any thread waiting on a polling completion queue (a blocking
// read waits on one) may become the thread that reads *every* socket's events. A watcher
// blocked in a read is then also the thread that reads the other connections' frames
// whenever the process's own loops are busy: in the subscription service, every newsroom's
// flow-control and Ack frames, each read then handed to a stream loop with a wake-up
// (bench/README item 19: about nine tenths of the service's context switches). With
// kProcessLoop the watch's operations complete on a queue the process's own loop drives
// (queued_call.h: the watcher is a QueuedServer, started on the first queue it is given);
// its thread starts each operation and waits for the loop to report it, on a mutex, not in
// gRPC. The watch then starts when that loop does, and must be Stopped before it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/queued_call.h"

namespace pressrelay {

// Whether the revocation takes away this identity (token id, principal id and role).
bool RevocationCovers(const pressrelay::registry::v1::Revocation& revocation, absl::string_view token_id,
                      absl::string_view principal_id, Role role);
bool RevocationCovers(const pressrelay::registry::v1::Revocation& revocation, const Principal& principal);
// Drops the cached answers the revocation takes away; a reset (the feed lost its place)
// drops them all.
void ForgetRevoked(const pressrelay::registry::v1::Revocation& revocation, CachingAuthenticator& auth);

class RevocationWatcher final : public QueuedServer {
 public:
  // Called on the watcher's thread, in feed order. May block (briefly).
  using Handler = std::function<void(const pressrelay::registry::v1::Revocation&)>;
  enum class Polling {
    kOwnThread,    // the watcher's thread waits on its own completion queue (any process)
    kProcessLoop,  // a loop of the process drives the watch's queue (see above)
  };

  RevocationWatcher(std::shared_ptr<grpc::Channel> registry, std::string service_token, Handler handler,
                    Polling polling = Polling::kOwnThread);
  ~RevocationWatcher() override;

  // Ends the watch and joins the thread; the destructor calls it too. With kProcessLoop, call
  // it before the loop stops: the watch's last operations complete on the loop's queue.
  void Stop();

  // kProcessLoop: the loop's queue, from the loop (the first queue given; the watch starts).
  void RequestCalls(grpc::ServerCompletionQueue* cq) override;

 private:
  // The completion of the one operation in flight, reported by the loop (kProcessLoop).
  class LoopCompletion final : public QueuedCall {
   public:
    void Proceed(bool ok, bool requesting) override;
    bool Await();

   private:
    absl::Mutex mu_;
    bool done_ ABSL_GUARDED_BY(mu_) = false;
    bool ok_ ABSL_GUARDED_BY(mu_) = false;
  };

  void Loop();
  // One watch, from the call to its status (warned once per outage); whether it delivered
  // anything, which resets the reconnect backoff.
  bool WatchOnce(grpc::CompletionQueue* cq, std::string& cursor, bool& warned);
  // The tag for, and the wait for, the one operation in flight.
  void* Tag();
  bool Await();

  std::unique_ptr<pressrelay::registry::v1::Directory::Stub> stub_;
  const std::string service_token_;
  const Handler handler_;
  const Polling polling_;
  const std::unique_ptr<grpc::CompletionQueue> own_queue_;  // kOwnThread
  LoopCompletion loop_completion_;                          // kProcessLoop
  absl::Notification stop_;
  absl::Mutex mu_;
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;          // the open watch, for cancelling
  grpc::CompletionQueue* loop_queue_ ABSL_GUARDED_BY(mu_) = nullptr;  // kProcessLoop, once given
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pressrelay
