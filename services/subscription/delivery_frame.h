// Serialising deliveries once: a statement version is serialised into one reference-counted
// slice that every stream's message points at, and each message adds only its small
// per-delivery header (cursor, lane, queue time). The bytes are a valid
// pressrelay.subscription.v1.SubscribeResponse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include "pressrelay/common/v1/statement.pb.h"
#include "services/common/redis/keys.h"

namespace pressrelay::subscription {

// One statement version, serialised once for all streams.
struct StatementFrame {
  StatementFrame(const pressrelay::common::v1::Statement& statement);
  std::string statement_id;
  int version = 0;
  int64_t embargoed_ms = 0;  // 0 when the statement has no embargo
  grpc::Slice bytes;
};

// An entry of a recipient's queue, with its statement ready to send.
struct PendingDelivery {
  int64_t seq = 0;
  keys::Lane lane = keys::Lane::kRoutine;
  std::shared_ptr<const StatementFrame> frame;
};

// Builds one SubscribeResponse message. All per-delivery headers of a message share one
// buffer; each statement is a reference to its frame's slice.
class ResponseBuilder {
 public:
  void Add(const PendingDelivery& delivery, absl::string_view cursor);
  void SetCaughtUp();
  size_t deliveries() const { return deliveries_; }
  size_t bytes() const { return bytes_; }
  bool empty() const { return deliveries_ == 0 && !caught_up_; }
  // The message; the builder is empty afterwards.
  grpc::ByteBuffer Build();

 private:
  std::string headers_;                                        // every delivery's header, back to back
  std::vector<std::pair<size_t, grpc::Slice>> parts_;          // (end of its header in headers_, statement)
  bool caught_up_ = false;
  size_t deliveries_ = 0;
  size_t bytes_ = 0;
};

}  // namespace pressrelay::subscription
