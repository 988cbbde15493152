// One Directory.WatchRevocations stream: the revocation feed (revocation_feed.h) hands it
// revocations, which it writes one at a time to the other service that watches.
//
// States (under mu_):
//   1. kStarting  The handler returned the reactor; a worker authenticates the caller and
//                 checks its cursor, then joins the feed (Start) — or finishes the stream
//                 with the error.
//   2. kJoined    The feed calls Deliver on its own thread: it only queues and starts a
//                 write, never blocks. A watcher that lets kMaxQueued revocations pile up is
//                 ended with RESOURCE_EXHAUSTED; it reconnects with its cursor, losing nothing.
//   3. kFinished  Finish was called (error, overflow, cancellation); nothing more is written.
//   OnDone leaves the feed; after that the feed never calls again. If OnDone comes before
//   the worker joined, the worker leaves the feed itself right after joining.
//
// Lock order: the feed's mutex before a watch's (the feed delivers while holding its own).
// A watch never calls into the feed while holding mu_.
//
// Lifetime: reference counted: gRPC holds one until OnDone, the start task its own.
#pragma once

#include <atomic>
#include <deque>
#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/rpc/edge.h"
#include "services/registry/revocation_feed.h"

namespace pressrelay::registry {

class RevocationWatch final : public grpc::ServerWriteReactor<grpc::ByteBuffer>, public RevocationFeed::Watcher {
 public:
  static constexpr size_t kMaxQueued = 10000;

  explicit RevocationWatch(RevocationFeed* feed) : feed_(feed) {}

  // Hands the start to a worker of `edge` (or finishes at once when the edge is full).
  void Start(Edge& edge, std::string token, std::string request_bytes);

  // RevocationFeed::Watcher
  void Deliver(const std::vector<v1::Revocation>& revocations) override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Ref() { refs_.fetch_add(1); }
  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  RevocationFeed* const feed_;
  std::atomic<int> refs_{1};
  absl::Mutex mu_;
  std::deque<grpc::ByteBuffer> queue_ ABSL_GUARDED_BY(mu_);  // front: the write in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace pressrelay::registry
