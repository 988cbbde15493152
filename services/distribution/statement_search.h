// Search for newsrooms and journalists: the in-memory index (search_index.h) kept fresh from
// Redis, and the answers to Catalog.Search. No gRPC here.
//
// The feeder thread, on its own Redis connection:
//   1. notes the change log's newest entry, then loads every statement's latest released
//      version into the index (searches meanwhile answer UNAVAILABLE with a retry delay);
//   2. follows the change log ({dist}:st:changes, written when a version is released) every
//      `poll`, loading the versions it names. A version already indexed is skipped, so what the
//      load and the log both bring is indexed once.
// A Redis error is logged and retried on the next poll; nothing is lost because the log is
// read from the last entry indexed. Every `aliases_refresh` it also asks the registry for the
// agencies, so that a former name, or the name of an agency merged into another, finds the
// successor's statements (AgencyAliases).
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/search.pb.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/directory_client.h"
#include "services/distribution/search_index.h"

namespace pressrelay::distribution {

// The other names each agency is searched by: its former names, and the names (former ones
// too) of every agency merged into it, however many mergers ago.
absl::flat_hash_map<std::string, std::vector<std::string>> AgencyAliases(
    const std::vector<pressrelay::registry::v1::Agency>& agencies);

class StatementSearch {
 public:
  struct Options {
    absl::Duration poll = absl::Milliseconds(100);
    absl::Duration aliases_refresh = absl::Seconds(2);
  };
  // Starts the feeder thread, on a connection of its own; hits are loaded through `pool`,
  // agencies read through `directory` (null: no aliases).
  StatementSearch(redis::Options redis, redis::Pool* pool, DirectoryClient* directory, Options options);
  ~StatementSearch();  // stops the thread

  // The page of hits the request's subscription filter allows. INVALID_ARGUMENT naming the
  // field for a bad query or page token; UNAVAILABLE while the first load runs.
  absl::StatusOr<pressrelay::common::v1::SearchResults> Search(const v1::CatalogSearchRequest& request);

  // Statements indexed, and whether the first load has finished.
  size_t indexed() const { return index_.size(); }
  bool loaded() const { return loaded_.load(); }
  const SearchIndex& index() const { return index_; }

 private:
  void Loop();
  absl::Status LoadAll();
  absl::Status FollowChanges();

  redis::Client feed_;   // the feeder thread's
  redis::Pool* const pool_;
  DirectoryClient* const directory_;
  absl::Time aliases_at_ = absl::InfinitePast();  // feeder thread only
  const Options options_;
  SearchIndex index_;
  std::atomic<bool> loaded_{false};
  std::string last_change_ = "0-0";  // feeder thread only
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace pressrelay::distribution
