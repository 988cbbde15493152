#include "services/subscription/delivery_frame.h"

#include "services/common/redis/fanout_queue.h"
#include "services/common/base/time_util.h"

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

void ResponseBuilder::Add(const PendingDelivery& delivery, absl::string_view cursor) {
  const int64_t queued_ms = fanout::SeqMillis(delivery.seq);
  const bool under_embargo = delivery.frame->embargoed_ms > queued_ms;
  const uint64_t lane = delivery.lane == keys::Lane::kPriority ? 1 : 2;  // subscription.v1.Lane
  const uint64_t seconds = static_cast<uint64_t>(queued_ms / 1000);
  const uint64_t nanos = static_cast<uint64_t>((queued_ms % 1000) * 1000000);
  const size_t ts_size = 1 + VarintSize(seconds) + (nanos != 0 ? 1 + VarintSize(nanos) : 0);
  const size_t statement_size = delivery.frame->bytes.size();
  // Delivery fields before the statement, then the statement's tag and length.
  const size_t header_size = 1 + VarintSize(cursor.size()) + cursor.size() + 2 + 1 + VarintSize(ts_size) + ts_size +
                             (under_embargo ? 2 : 0) + 1 + VarintSize(statement_size);
  const size_t delivery_size = header_size + statement_size;

  std::string& h = headers_;
  h.push_back(static_cast<char>(kResponseDeliveries));
  PutVarint(&h, delivery_size);
  h.push_back(static_cast<char>(kDeliveryCursor));
  PutVarint(&h, cursor.size());
  h.append(cursor.data(), cursor.size());
  h.push_back(static_cast<char>(kDeliveryLane));
  PutVarint(&h, lane);
  h.push_back(static_cast<char>(kDeliveryQueuedAt));
  PutVarint(&h, ts_size);
  h.push_back(static_cast<char>(kTimestampSeconds));
  PutVarint(&h, seconds);
  if (nanos != 0) {
    h.push_back(static_cast<char>(kTimestampNanos));
    PutVarint(&h, nanos);
  }
  if (under_embargo) {
    h.push_back(static_cast<char>(kDeliveryUnderEmbargo));
    h.push_back(1);
  }
  h.push_back(static_cast<char>(kDeliveryStatement));
  PutVarint(&h, statement_size);
  parts_.emplace_back(h.size(), delivery.frame->bytes);  // shared, not copied
  bytes_ += 1 + VarintSize(delivery_size) + delivery_size;
  ++deliveries_;
}

void ResponseBuilder::SetCaughtUp() {
  caught_up_ = true;
  bytes_ += 2;
}

grpc::ByteBuffer ResponseBuilder::Build() {
  if (caught_up_) {
    headers_.push_back(static_cast<char>(kResponseCaughtUp));
    headers_.push_back(1);
  }
  // One allocation for all headers; each is a reference-counted view into it.
  const grpc::Slice all(headers_);
  std::vector<grpc::Slice> slices;
  slices.reserve(parts_.size() * 2 + 1);
  size_t begin = 0;
  for (auto& [end, statement] : parts_) {
    slices.push_back(all.sub(begin, end));
    slices.push_back(std::move(statement));
    begin = end;
  }
  if (begin < headers_.size()) slices.push_back(all.sub(begin, headers_.size()));
  grpc::ByteBuffer buffer(slices.data(), slices.size());
  headers_.clear();
  parts_.clear();
  caught_up_ = false;
  deliveries_ = 0;
  bytes_ = 0;
  return buffer;
}

}  // namespace pressrelay::subscription
