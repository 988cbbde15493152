// A stream's outbox lane: order, release of what it held, and no heap while empty.
#include "services/subscription/outbox_lane.h"

#include <memory>

#include <gtest/gtest.h>

namespace pressrelay::subscription {
namespace {

TEST(OutboxLane, AnEmptyLaneOwnsNoHeap) {
  OutboxLane<int> lane;
  EXPECT_TRUE(lane.empty());
  EXPECT_EQ(lane.capacity(), 0u);
}

TEST(OutboxLane, FirstInFirstOutAcrossRefills) {
  OutboxLane<int> lane;
  for (int i = 0; i < 5; ++i) lane.push_back(i);
  EXPECT_EQ(lane.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lane.front(), i);
    lane.pop_front();
  }
  lane.push_back(5);
  for (int i = 3; i <= 5; ++i) {
    ASSERT_FALSE(lane.empty());
    EXPECT_EQ(lane.front(), i);
    lane.pop_front();
  }
  EXPECT_TRUE(lane.empty());
  EXPECT_EQ(lane.size(), 0u);
}

TEST(OutboxLane, PopReleasesTheItemAtOnce) {
  OutboxLane<std::shared_ptr<int>> lane;
  auto frame = std::make_shared<int>(7);
  lane.push_back(frame);
  lane.push_back(frame);
  EXPECT_EQ(frame.use_count(), 3);
  lane.pop_front();
  EXPECT_EQ(frame.use_count(), 2);  // not kept alive by a consumed slot
  lane.clear();
  EXPECT_EQ(frame.use_count(), 1);
}

TEST(OutboxLane, ADrainedLaneGivesBackALargeBuffer) {
  OutboxLane<int> lane;
  for (int i = 0; i < 1000; ++i) lane.push_back(i);
  while (!lane.empty()) lane.pop_front();
  EXPECT_EQ(lane.capacity(), 0u);
  // A small one is kept for the next message.
  lane.push_back(1);
  lane.pop_front();
  EXPECT_GT(lane.capacity(), 0u);
  EXPECT_LE(lane.capacity(), 8u);
}

TEST(OutboxLane, ASteadyBacklogDoesNotGrowWithoutBound) {
  // Never drained: one in, one out, 100 waiting all along.
  OutboxLane<int> lane;
  for (int i = 0; i < 100; ++i) lane.push_back(i);
  for (int i = 100; i < 100000; ++i) {
    lane.push_back(i);
    ASSERT_EQ(lane.front(), i - 100);
    lane.pop_front();
  }
  EXPECT_EQ(lane.size(), 100u);
  EXPECT_EQ(lane.front(), 99900);
  EXPECT_LT(lane.capacity(), 1024u);
}

}  // namespace
}  // namespace pressrelay::subscription
