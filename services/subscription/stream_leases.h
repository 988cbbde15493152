// The cap on Subscribe streams one principal may hold open, across every subscription
// replica. Replicas sit behind one load balancer, so a count kept by each replica would let
// a newsroom open the cap times the number of replicas.
//
// Each open stream holds a lease in Redis: a member "<replica>:<stream id>" of the sorted set
// keys::StreamLeases(principal), scored by when it expires (Redis's clock). Taking a lease
// drops the expired ones and adds this one only while fewer than the cap remain, in one
// script. The replica renews its streams' leases every lease/3 and gives one back as soon as
// its stream ends; a replica that dies without giving its leases back holds those slots
// until they expire (--stream_lease), which only matters to a principal at its cap.
#pragma once

#include <functional>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/common/redis/redis.h"

namespace pressrelay::subscription {

class StreamLeases {
 public:
  // `cap` <= 0: no cap, and no Redis traffic at all.
  StreamLeases(redis::Pool* pool, redis::Options renewer, int cap, absl::Duration lease);
  ~StreamLeases();
  StreamLeases(const StreamLeases&) = delete;
  StreamLeases& operator=(const StreamLeases&) = delete;

  // Takes a lease for each stream, or RESOURCE_EXHAUSTED when its principal ("<role>/<id>")
  // already holds `cap` live ones (`role_name` words the message), for many streams in one
  // round trip (a reconnect storm): one verdict per request, in order; two of the same
  // principal in one batch count against one cap. Blocks for a Redis round trip: call from
  // the opener's thread, never from a stream loop.
  struct Request {
    std::string principal;
    std::string role_name;
    uint64_t stream_id = 0;
  };
  std::vector<absl::Status> TakeMany(absl::Span<const Request> requests);
  // Gives the stream's lease back. Never blocks: the renewer thread removes it.
  void GiveBack(uint64_t stream_id);

 private:
  // Sends one batch (redis::Client::PipelineScripts), logging failures.
  void Send(const std::function<std::vector<redis::Args>(bool by_sha)>& build);
  void Loop();
  std::string Member(uint64_t stream_id) const;

  redis::Pool* const pool_;
  redis::Client renewer_;  // the renewer thread's own connection
  const int cap_;
  const absl::Duration lease_;
  const std::string replica_;  // random per process: leases of a dead process are not ours

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::string> held_ ABSL_GUARDED_BY(mu_);  // stream -> principal
  std::vector<std::pair<uint64_t, std::string>> given_back_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pressrelay::subscription
