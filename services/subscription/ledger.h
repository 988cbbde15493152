// Delivery state per recipient and version: when it was queued (the fan-out's sequence
// number), last written to a stream, and first acknowledged; and each recipient's acknowledged
// position. Keys: ack:{<shard>} and dr:<id>:<version>:sent|ack (services/common/redis/keys.h).
//
// "Sent" marks come from every stream write, so they are buffered and written in batches
// by a flusher thread (one multi-field command per version); a crash loses at most the
// last interval's marks, never a delivery.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/redis.h"
#include "services/subscription/delivery_frame.h"
#include "services/subscription/sent_recorder.h"

namespace pressrelay::subscription {

class DeliveryLedger final : public SentRecorder {
 public:
  DeliveryLedger(redis::Pool* pool, absl::Duration flush_interval, absl::Duration retention);
  // Flushes what is buffered.
  ~DeliveryLedger();

  // Buffers "sent" marks for the versions one write carried. Never blocks on Redis; copies
  // no strings (the recipient id and the frames are shared).
  void RecordSent(const std::shared_ptr<const std::string>& recipient_id,
                  absl::Span<const std::shared_ptr<const StatementFrame>> frames, int64_t ms) override;
  // Raises the recipient's acknowledged positions (never lowers them) and marks every
  // version between the old and new positions acknowledged at `now`.
  absl::Status Acknowledge(int shard, const std::string& recipient_id, const fanout::Positions& positions,
                           absl::Time now);
  absl::StatusOr<fanout::Positions> Acknowledged(int shard, const std::string& recipient_id);
  // The read behind Acknowledged and its parser, for a caller that pipelines many.
  static redis::Args AcknowledgedRead(int shard, const std::string& recipient_id);
  static absl::StatusOr<fanout::Positions> ParseAcknowledged(const redis::ReplyView& reply);
  absl::StatusOr<pressrelay::subscription::v1::GetDeliveryStatesResponse> States(const std::string& statement_id,
                                                                                 int version);
  // Writes buffered marks now (tests; shutdown).
  absl::Status Flush();

 private:
  void Loop();
  struct Marks {
    std::shared_ptr<const StatementFrame> frame;  // keeps the key's statement id alive
    std::vector<std::pair<std::shared_ptr<const std::string>, int64_t>> sent;
  };

  redis::Pool* const pool_;
  const absl::Duration flush_interval_;
  const absl::Duration retention_;
  absl::Mutex mu_;
  absl::flat_hash_map<const StatementFrame*, Marks> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pressrelay::subscription
