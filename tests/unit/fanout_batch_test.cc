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

TEST(NextBatch, ShardsShareATripUpToChunksPerBatch) {
  // 10,000 over 16 shards, 625 each: one chunk per shard, all in one trip.
  std::vector<int64_t> totals(16, 625), progress(16, 0);
  const Batch batch = NextBatch(totals, progress, 1000, 16);
  ASSERT_EQ(batch.size(), 16u);
  for (int s = 0; s < 16; ++s) EXPECT_EQ(batch[s], std::make_pair(s, int64_t{0}));
  // With room for three chunks, three shards go, and the next trip starts at the fourth.
  EXPECT_EQ(NextBatch(totals, progress, 1000, 3), (Batch{{0, 0}, {1, 0}, {2, 0}}));
  progress[0] = progress[1] = progress[2] = 625;
  EXPECT_EQ(NextBatch(totals, progress, 1000, 3), (Batch{{3, 0}, {4, 0}, {5, 0}}));
}

TEST(NextBatch, ALargeShardIsCutIntoChunksAndTheTripGoesOnToTheNextShard) {
  // 6,250 left in shard 1 from 250: chunks of 1,000 from its progress, the last one short,
  // then shard 2; shard 0 is done.
  std::vector<int64_t> totals = {10, 6250, 10}, progress = {10, 250, 0};
  EXPECT_EQ(NextBatch(totals, progress, 1000, 16),
            (Batch{{1, 250}, {1, 1250}, {1, 2250}, {1, 3250}, {1, 4250}, {1, 5250}, {2, 0}}));
  // At most chunks_per_batch, even inside one shard.
  EXPECT_EQ(NextBatch(totals, progress, 1000, 4), (Batch{{1, 250}, {1, 1250}, {1, 2250}, {1, 3250}}));
  // 100,000 over 16 shards (6,250 each): seven chunks a shard, 16 chunks a trip, 7 trips.
  std::vector<int64_t> audience(16, 6250), queued(16, 0);
  int trips = 0;
  for (Batch b = NextBatch(audience, queued, 1000, 16); !b.empty(); b = NextBatch(audience, queued, 1000, 16)) {
    ++trips;
    EXPECT_LE(b.size(), 16u);
    for (const auto& [s, start] : b) {
      EXPECT_EQ(start, queued[s]) << "chunks of a shard follow each other";
      queued[s] = std::min<int64_t>(audience[s], start + 1000);  // as the chunk's script reports
    }
  }
  EXPECT_EQ(trips, 7);
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
