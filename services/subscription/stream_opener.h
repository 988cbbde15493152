// Opening Subscribe streams, many at once.
//
// After a replica restarts, its 10,000 newsroom streams come back within seconds. Opened one
// by one, each cost a hand-off to a worker, a registry round trip (authentication, batched
// only among the eight workers waiting) and three to four Redis round trips (the cursor's
// checks, the principal's stream cap): about 30 context switches per stream across the
// machine (bench/README item 15). The opener's one thread takes every call waiting, at most
// `max_batch`, and opens them together:
//   1. the distinct tokens in one authentication (CachingAuthenticator::AuthenticateBatch:
//      cached answers from the cache, the rest in one Directory.AuthenticateBatch). A token
//      the registry revoked was dropped from the cache by the revocation feed
//      (revocation_watcher.h), so it is refused at once, not after the cache's ttl;
//   2. the edge's other rules per call (role, session: AdmitAuthenticated), the request
//      (wire_check.h) and the caller's queue; the rate limit for all of them in one Redis
//      round trip (RateLimiter::AdmitMany);
//   3. every start in one Redis pipeline (QueueAccess::ResolveStarts);
//   4. every slot under the principals' stream caps in one more (StreamHost::Reserve);
//   5. Begin or Fail for each stream (Begin only registers it with the hub, which reads its
//      queue in its own batches).
// A lone call is a batch of one, with no added wait; in a storm a batch holds what arrived
// while the previous one was being opened.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/edge.h"
#include "services/subscription/queue_access.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {

class StreamOpener {
 public:
  // A Subscribe call that arrived, as the loop saw it.
  struct Call {
    StreamMachine* stream = nullptr;
    std::string request;  // the serialised SubscribeRequest
    std::string token;
    std::string gateway_token;
    std::string request_id;
  };

  // At most `limit` calls wait to be opened; beyond it Open refuses.
  StreamOpener(Edge* edge, BatchAuthenticator* auth, QueueAccess* access, StreamHost* host, int limit,
               size_t max_batch = 500);
  ~StreamOpener();
  StreamOpener(const StreamOpener&) = delete;
  StreamOpener& operator=(const StreamOpener&) = delete;

  // Queues the call (taking a reference to its stream) and returns at once; the stream is
  // Begun or Failed later, on the opener's thread. RESOURCE_EXHAUSTED with a RetryInfo when
  // `limit` calls are waiting already, UNAVAILABLE once stopped.
  absl::Status Open(Call call);
  // Fails what still waits (UNAVAILABLE) and stops the thread. Idempotent.
  void Stop();

  // Batches opened so far and the calls they held; calls waiting for the next batch.
  uint64_t batches() const;
  uint64_t calls() const;
  size_t waiting() const;

 private:
  void Loop();
  void OpenBatch(std::vector<Call> batch);

  Edge* const edge_;
  BatchAuthenticator* const auth_;
  QueueAccess* const access_;
  StreamHost* const host_;
  const size_t limit_;
  const size_t max_batch_;

  mutable absl::Mutex mu_;
  std::deque<Call> waiting_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace pressrelay::subscription
