// How a fan-out job is cut into round trips (FanoutEngine::Run sends one batch per trip).
#include "services/distribution/fanout_engine.h"

#include <gtest/gtest.h>

namespace pressrelay::distribution {
namespace {

using Batch = std::vector<std::pair<int, int64_t>>;

TEST(NextBatch, ASmallAudienceOverEveryShardIsOneRoundTrip) {
  // 1,000 recipients over 16 shards: every shard's remainder in one batch.
  std::vector<int64_t> totals(16, 62), progress(16, 0);
  totals[0] = 70;
  const Batch batch = NextBatch(totals, progress, 1000, 16);
  ASSERT_EQ(batch.size(), 16u);
  for (int s = 0; s < 16; ++s) EXPECT_EQ(batch[s], std::make_pair(s, int64_t{0}));
}

TEST(NextBatch, SmallRemaindersShareATripUpToChunkSize) {
  // 625 per shard (10,000 over 16): two would exceed 1,000, so one shard per trip.
  std::vector<int64_t> totals(3, 625), progress(3, 0);
  EXPECT_EQ(NextBatch(totals, progress, 1000, 16), (Batch{{0, 0}}));
  progress[0] = 625;
  EXPECT_EQ(NextBatch(totals, progress, 1000, 16), (Batch{{1, 0}}));
  // 400 + 400 fit, the third would not.
  std::vector<int64_t> small(3, 400), none(3, 0);
  EXPECT_EQ(NextBatch(small, none, 1000, 16), (Batch{{0, 0}, {1, 0}}));
}

TEST(NextBatch, ALargeShardGetsItsOwnTripInChunks) {
  // 6,250 left in shard 1: its own trip, chunks of 1,000 from its progress, at most 4.
  std::vector<int64_t> totals = {10, 6250, 10}, progress = {10, 250, 0};
  EXPECT_EQ(NextBatch(totals, progress, 1000, 4), (Batch{{1, 250}, {1, 1250}, {1, 2250}, {1, 3250}}));
  // A small remainder before it goes first, alone.
  progress = {0, 250, 0};
  EXPECT_EQ(NextBatch(totals, progress, 1000, 4), (Batch{{0, 0}}));
}

TEST(NextBatch, ResumesWhereEachShardStandsAndEndsEmpty) {
  std::vector<int64_t> totals = {30, 30, 30}, progress = {30, 12, 30};
  EXPECT_EQ(NextBatch(totals, progress, 10, 16), (Batch{{1, 12}, {1, 22}}));
  progress = {30, 30, 30};
  EXPECT_TRUE(NextBatch(totals, progress, 10, 16).empty());
  // Another runner went past our total (it cannot, but a stale view must not loop).
  progress = {31, 30, 30};
  EXPECT_TRUE(NextBatch(totals, progress, 10, 16).empty());
}

}  // namespace
}  // namespace pressrelay::distribution
