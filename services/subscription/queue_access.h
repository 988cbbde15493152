// What a newsroom may do with its own queue, apart from streaming it: where a stream
// starts (cursor, acknowledgement, retention and epoch checks), acknowledging, and paging
// through history. No gRPC here; SubscriptionService is the edge.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/rpc/auth.h"
#include "services/common/domain/cursor.h"
#include "services/common/rpc/directory_client.h"
#include "services/common/redis/redis.h"
#include "services/subscription/catalog_client.h"
#include "services/subscription/ledger.h"

namespace pressrelay::subscription {


// The current epoch of the queue store.
class EpochSource {
 public:
  virtual ~EpochSource() = default;
  virtual std::string epoch() const = 0;
};

class QueueAccess {
 public:
  QueueAccess(redis::Pool* pool, const EpochSource* epochs, DeliveryLedger* ledger, DirectoryClient* directory,
              StatementSource* statements, int shards)
      : pool_(pool), epochs_(epochs), ledger_(ledger), directory_(directory), statements_(statements), shards_(shards) {}

  // The caller's queue.
  struct Queue {
    std::string recipient_id;
    int shard = 0;
  };
  absl::StatusOr<Queue> QueueOf(const Principal& caller) const;

  // Where a Subscribe starts. FAILED_PRECONDITION for a cursor from before a store reset,
  // OUT_OF_RANGE for one older than retention (both tell the newsroom to back-fill through
  // History), INVALID_ARGUMENT for one ahead of the queue (never sent to this recipient).
  // Resolved for many streams starting at once (a reconnect storm): every Redis read of the
  // batch in one round trip. One answer per start, in order.
  struct Start {
    Queue queue;
    const v1::SubscribeRequest* request = nullptr;
  };
  std::vector<absl::StatusOr<Cursor>> ResolveStarts(absl::Span<const Start> starts);
  absl::Status Ack(const Queue& queue, const v1::AckRequest& request, absl::Time now);
  absl::StatusOr<v1::HistoryResponse> History(const Queue& queue, const v1::HistoryRequest& request);
  // Searches what the recipient's subscription allows (the same entitlement as History).
  absl::StatusOr<pressrelay::common::v1::SearchResults> Search(const Queue& queue, const v1::SearchRequest& request);

 private:
  absl::StatusOr<Cursor> CheckCursor(const std::string& text) const;
  // INVALID_ARGUMENT naming `cursor` if it is past the queue's tail in either lane.
  absl::Status CheckNotAhead(redis::Client& redis, const Queue& queue, const Cursor& cursor) const;

  redis::Pool* const pool_;
  const EpochSource* const epochs_;
  DeliveryLedger* const ledger_;
  DirectoryClient* const directory_;
  StatementSource* const statements_;
  const int shards_;
};

}  // namespace pressrelay::subscription
