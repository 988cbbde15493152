#include "services/subscription/delivery_frame.h"

#include "services/common/fanout_queue.h"
#include "services/common/time_util.h"

namespace pressrelay::subscription {
namespace {

// Wire-format tags (field number << 3 | wire type).
constexpr uint8_t kResponseDeliveries = (1 << 3) | 2;  // SubscribeResponse.deliveries
constexpr uint8_t kResponseCaughtUp = (2 << 3) | 0;    // SubscribeResponse.caught_up
constexpr uint8_t kDeliveryCursor = (1 << 3) | 2;      // Delivery.cursor
constexpr uint8_t kDeliveryLane = (2 << 3) | 0;        // Delivery.lane
constexpr uint8_t kDeliveryQueuedAt = (3 << 3) | 2;    // Delivery.queued_at
constexpr uint8_t kDeliveryUnderEmbargo = (4 << 3) | 0;  // Delivery.under_embargo
constexpr uint8_t kDeliveryStatement = (15 << 3) | 2;  // Delivery.statement
constexpr uint8_t kTimestampSeconds = (1 << 3) | 0;
constexpr uint8_t kTimestampNanos = (2 << 3) | 0;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

StatementFrame::StatementFrame(const pressrelay::common::v1::Statement& statement)
    : statement_id(statement.id()),
      version(statement.version()),
      embargoed_ms(IsSet(statement.embargoed()) ? MillisFromProto(statement.embargoed()) : 0),
      bytes(statement.SerializeAsString()) {}

void ResponseBuilder::Add(const PendingDelivery& delivery, const std::string& cursor) {
  const int64_t queued_ms = fanout::SeqMillis(delivery.seq);
  const bool under_embargo = delivery.frame->embargoed_ms > queued_ms;
  const uint64_t lane = delivery.lane == keys::Lane::kPriority ? 1 : 2;  // subscription.v1.Lane

  std::string ts;
  PutVarint(&ts, kTimestampSeconds);
  PutVarint(&ts, static_cast<uint64_t>(queued_ms / 1000));
  if (queued_ms % 1000 != 0) {
    PutVarint(&ts, kTimestampNanos);
    PutVarint(&ts, static_cast<uint64_t>((queued_ms % 1000) * 1000000));
  }

  std::string header;  // Delivery fields before the statement
  header.push_back(static_cast<char>(kDeliveryCursor));
  PutVarint(&header, cursor.size());
  header.append(cursor);
  header.push_back(static_cast<char>(kDeliveryLane));
  PutVarint(&header, lane);
  header.push_back(static_cast<char>(kDeliveryQueuedAt));
  PutVarint(&header, ts.size());
  header.append(ts);
  if (under_embargo) {
    header.push_back(static_cast<char>(kDeliveryUnderEmbargo));
    header.push_back(1);
  }
  const size_t statement_size = delivery.frame->bytes.size();
  header.push_back(static_cast<char>(kDeliveryStatement));
  PutVarint(&header, statement_size);

  const size_t delivery_size = header.size() + statement_size;
  std::string prefix;
  prefix.reserve(1 + VarintSize(delivery_size) + header.size());
  prefix.push_back(static_cast<char>(kResponseDeliveries));
  PutVarint(&prefix, delivery_size);
  prefix.append(header);

  bytes_ += prefix.size() + statement_size;
  slices_.emplace_back(prefix);
  slices_.push_back(delivery.frame->bytes);  // shared, not copied
  ++deliveries_;
}

void ResponseBuilder::SetCaughtUp() {
  std::string field;
  field.push_back(static_cast<char>(kResponseCaughtUp));
  field.push_back(1);
  bytes_ += field.size();
  slices_.emplace_back(field);
}

grpc::ByteBuffer ResponseBuilder::Build() {
  grpc::ByteBuffer buffer(slices_.data(), slices_.size());
  slices_.clear();
  deliveries_ = 0;
  bytes_ = 0;
  return buffer;
}

}  // namespace pressrelay::subscription
