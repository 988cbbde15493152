// Redis key building: one place, stable forms, cluster hash tags.
#include "services/common/redis/keys.h"

#include <gtest/gtest.h>

#include <set>

#include "services/common/redis/cluster.h"

namespace pressrelay::keys {
namespace {

TEST(Keys, QueueKeysCarryTheShardAsHashTag) {
  EXPECT_EQ(Queue(3, "client:tuoitre-cms", Lane::kPriority), "q:{3}:client:tuoitre-cms:p");
  EXPECT_EQ(Queue(3, "journalist:B-01234", Lane::kRoutine), "q:{3}:journalist:B-01234:r");
  EXPECT_EQ(Events(7), "ev:{7}");
  EXPECT_EQ(Sequence(7), "seq:{7}");
  EXPECT_EQ(Trimmed(7), "qtrim:{7}");
  EXPECT_EQ(FanoutProgress(7), "fo:prog:{7}");
  EXPECT_EQ(Acks(7), "ack:{7}");
}

TEST(Keys, StatementKeys) {
  EXPECT_EQ(Statement("01ABC"), "{dist}:st:01ABC");
  EXPECT_EQ(StatementVersionField(3), "v3");
  EXPECT_EQ(Idempotency("moh-sp", "k1"), "{dist}:st:idem:moh-sp:k1");
  EXPECT_EQ(FanoutJob("01ABC:2:now"), "{dist}:fo:job:01ABC:2:now");
  EXPECT_EQ(DeliveredSent("01ABC", 2), "dr:01ABC:2:sent");
  EXPECT_EQ(DeliveredAcked("01ABC", 2), "dr:01ABC:2:ack");
}

TEST(Keys, QuestionKeysLiveInTheDistributionsSlot) {
  EXPECT_EQ(Question("q_01JD3Z6Q8M4T2V5X7Y9A0B1C2D"), "{dist}:question:q_01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  EXPECT_EQ(QuestionOutcome("q_01X"), "{dist}:question:q_01X:outcome");
  EXPECT_EQ(AgencyQuestions("MOH"), "{dist}:question:agency:MOH");
  EXPECT_EQ(AskerQuestions("journalist:TT-001"), "{dist}:question:asker:journalist:TT-001");
  EXPECT_EQ(AskIdempotency("client:tuoitre-cms", "k1"), "{dist}:question:idem:client:tuoitre-cms:k1");
  // A question's record, indexes and outcome change in one script with the statement that
  // answers it: one slot, the statements'.
  const int slot = redis::KeySlot(kStatementIndex);
  for (const std::string& key : {Question("q_1"), QuestionOutcome("q_1"), AgencyQuestions("MOH"),
                                 AskerQuestions("journalist:TT-001"), std::string(kQuestionsDue),
                                 AskIdempotency("journalist:TT-001", "k")}) {
    EXPECT_EQ(redis::KeySlot(key), slot) << key;
  }
}

TEST(Keys, QueueMemberRoundTrip) {
  const std::string member = QueueMember("01JD3Z6Q8M4T2V5X7Y9A0B1C2D", 12);
  EXPECT_EQ(member, "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:12");
  std::string id;
  int version = 0;
  ASSERT_TRUE(ParseQueueMember(member, &id, &version));
  EXPECT_EQ(id, "01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  EXPECT_EQ(version, 12);
  EXPECT_FALSE(ParseQueueMember("nocolon", &id, &version));
  EXPECT_FALSE(ParseQueueMember("x:0", &id, &version));
  EXPECT_FALSE(ParseQueueMember("x:abc", &id, &version));
  // One spelling per version: members are compared as strings in Redis.
  EXPECT_FALSE(ParseQueueMember("x:06", &id, &version));
  EXPECT_FALSE(ParseQueueMember("x:+6", &id, &version));
}

TEST(Keys, ShardIsStableAndSpreads) {
  EXPECT_EQ(ShardOf("client:tuoitre-cms", 16), ShardOf("client:tuoitre-cms", 16));
  std::set<int> seen;
  for (int i = 0; i < 1000; ++i) {
    const int s = ShardOf("journalist:" + std::to_string(i), 16);
    ASSERT_GE(s, 0);
    ASSERT_LT(s, 16);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(Keys, TheShardOfAKeyIsReadFromItsHashTag) {
  int shard = -1;
  EXPECT_TRUE(ShardOfKey(Queue(7, "client:x", Lane::kRoutine), &shard));
  EXPECT_EQ(shard, 7);
  EXPECT_TRUE(ShardOfKey(Events(12), &shard));
  EXPECT_EQ(shard, 12);
  EXPECT_FALSE(ShardOfKey("reg:token", &shard));
  EXPECT_FALSE(ShardOfKey("q:{x}:client:x:r", &shard));
  EXPECT_FALSE(ShardOfKey("q:{3", &shard));
}

}  // namespace
}  // namespace pressrelay::keys
