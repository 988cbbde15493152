// Statement versions ready to send, kept in memory so each version is fetched and
// serialised once however many streams carry it. Least recently used versions are
// dropped beyond a byte budget.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/subscription/catalog_client.h"
#include "services/subscription/delivery_frame.h"

namespace pressrelay::subscription {

class StatementCache {
 public:
  StatementCache(StatementSource* source, size_t max_bytes);

  // Frames for the refs, in order; fetches the missing ones in one call. A version the
  // catalog does not have is nullptr.
  absl::StatusOr<std::vector<std::shared_ptr<const StatementFrame>>> Get(
      const std::vector<std::pair<std::string, int>>& refs);

 private:
  using Key = std::pair<std::string, int>;
  struct Slot {
    std::shared_ptr<const StatementFrame> frame;
    std::list<Key>::iterator lru;
  };
  void InsertLocked(const Key& key, std::shared_ptr<const StatementFrame> frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StatementSource* const source_;
  const size_t max_bytes_;
  absl::Mutex mu_;
  absl::flat_hash_map<Key, Slot> slots_ ABSL_GUARDED_BY(mu_);
  std::list<Key> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace pressrelay::subscription
