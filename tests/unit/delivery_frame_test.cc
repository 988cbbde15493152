// The hand-built SubscribeResponse bytes are what protobuf would parse: every field, the
// statement byte for byte.
#include "services/subscription/delivery_frame.h"

#include <gtest/gtest.h>

#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/base/time_util.h"

namespace pressrelay::subscription {
namespace {

std::string Bytes(grpc::ByteBuffer buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

pressrelay::common::v1::Statement SampleStatement() {
  pressrelay::common::v1::Statement s;
  s.set_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  s.set_version(2);
  s.set_headline("Thông cáo báo chí");
  s.set_body(std::string(5000, 'x'));
  return s;
}

TEST(DeliveryFrame, BuildsAValidSubscribeResponse) {
  auto statement = SampleStatement();
  auto frame = std::make_shared<const StatementFrame>(statement);
  ResponseBuilder builder;
  const int64_t seq = 1795678132195123;  // ms 1795678132195
  builder.Add(PendingDelivery{seq, keys::Lane::kPriority, frame}, "c1.e.1.2");
  builder.Add(PendingDelivery{seq + 1, keys::Lane::kRoutine, frame}, "c1.e.1.3");
  builder.SetCaughtUp();
  EXPECT_EQ(builder.deliveries(), 2u);

  pressrelay::subscription::v1::SubscribeResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(Bytes(builder.Build())));
  ASSERT_EQ(parsed.deliveries_size(), 2);
  EXPECT_TRUE(parsed.caught_up());
  const auto& d = parsed.deliveries(0);
  EXPECT_EQ(d.cursor(), "c1.e.1.2");
  EXPECT_EQ(d.lane(), pressrelay::subscription::v1::LANE_PRIORITY);
  EXPECT_EQ(MillisFromProto(d.queued_at()), 1795678132195);
  EXPECT_FALSE(d.under_embargo());
  EXPECT_EQ(d.statement().SerializeAsString(), statement.SerializeAsString());
  EXPECT_EQ(parsed.deliveries(1).lane(), pressrelay::subscription::v1::LANE_ROUTINE);
  EXPECT_TRUE(builder.empty());
}

TEST(DeliveryFrame, MarksEarlyDeliveriesUnderEmbargo) {
  auto statement = SampleStatement();
  *statement.mutable_embargoed() = ProtoFromMillis(1795678132195 + 60000);
  auto frame = std::make_shared<const StatementFrame>(statement);
  ResponseBuilder builder;
  builder.Add(PendingDelivery{1795678132195000, keys::Lane::kRoutine, frame}, "c");
  builder.Add(PendingDelivery{(1795678132195 + 60000) * 1000, keys::Lane::kRoutine, frame}, "c");
  pressrelay::subscription::v1::SubscribeResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(Bytes(builder.Build())));
  EXPECT_TRUE(parsed.deliveries(0).under_embargo());
  EXPECT_FALSE(parsed.deliveries(1).under_embargo());  // queued at the release time
}

TEST(DeliveryFrame, SharesTheStatementBytes) {
  auto frame = std::make_shared<const StatementFrame>(SampleStatement());
  ResponseBuilder a, b;
  a.Add(PendingDelivery{1, keys::Lane::kRoutine, frame}, "c");
  b.Add(PendingDelivery{1, keys::Lane::kRoutine, frame}, "c");
  std::vector<grpc::Slice> sa, sb;
  ASSERT_TRUE(a.Build().Dump(&sa).ok());
  ASSERT_TRUE(b.Build().Dump(&sb).ok());
  ASSERT_EQ(sa.size(), 2u);
  EXPECT_EQ(sa[1].begin(), sb[1].begin());  // the same memory, not a copy
}

}  // namespace
}  // namespace pressrelay::subscription
