// Where a stream reports what it wrote: the delivery ledger (ledger.h) in the service, a fake
// in the stream's unit tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/types/span.h"
#include "services/subscription/delivery_frame.h"

namespace pressrelay::subscription {

class SentRecorder {
 public:
  virtual ~SentRecorder() = default;
  // Notes that one write carried these statement versions to the recipient at `ms`. Never
  // blocks.
  virtual void RecordSent(const std::shared_ptr<const std::string>& recipient_id,
                          absl::Span<const std::shared_ptr<const StatementFrame>> frames, int64_t ms) = 0;
};

}  // namespace pressrelay::subscription
