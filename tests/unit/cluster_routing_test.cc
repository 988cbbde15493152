// Redis Cluster routing without a cluster: key slots, the routing key of each command form
// the suite sends, redirection replies and CLUSTER SLOTS answers (hiredis reply trees built
// by its own reader from RESP bytes). The router against real nodes: redis_cluster_test.
#include "services/common/redis/cluster.h"

#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <set>

#include "services/common/redis/keys.h"

namespace pressrelay::redis {
namespace {

// A reply parsed from RESP bytes, as hiredis would read it off a socket.
Reply Parse(const std::string& resp) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, resp.data(), resp.size());
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
  redisReaderFree(reader);
  return Reply(static_cast<redisReply*>(raw));
}

TEST(ClusterRouting, KeySlotsMatchRedis) {
  // Values from the Redis Cluster specification and CLUSTER KEYSLOT.
  EXPECT_EQ(KeySlot("123456789"), 12739);
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
  EXPECT_EQ(KeySlot("foo{}{bar}"), KeySlot("foo{}{bar}"));
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));  // an empty tag: the whole key
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
}

TEST(ClusterRouting, EveryScriptOfTheSuiteStaysInOneSlot) {
  // A version's commit, claim and finish (statement_store.cc), a draft's save.
  const int dist = KeySlot(keys::Statement("01ABC"));
  for (const std::string& key :
       {std::string(keys::kStatementIndex), std::string(keys::kSchedule), std::string(keys::kLeases),
        std::string(keys::kJobsDone), std::string(keys::kNoIdempotency), keys::Idempotency("moh-sp", "k"),
        keys::FanoutJob("01ABC:1:now"), keys::Draft("d1"), keys::AgencyDrafts("MOH"), keys::DraftApproval("d1")}) {
    EXPECT_EQ(KeySlot(key), dist) << key;
  }
  // The registry's MULTI blocks and sign-in scripts.
  const int reg = KeySlot(std::string(keys::kTokens));
  for (const std::string& key : {std::string(keys::kTokenHashes), std::string(keys::kRegistryChanges),
                                 keys::AccountSessions("an"), keys::SessionAlive("t1"), keys::SignInLock("an"),
                                 keys::SignInFailures("an"), keys::SignInAddressFailures("203.0.113.7")}) {
    EXPECT_EQ(KeySlot(key), reg) << key;
  }
  // A fan-out chunk's keys share its shard's slot, and shards spread over slots.
  std::set<int> slots;
  for (int shard = 0; shard < 16; ++shard) {
    const int slot = KeySlot(keys::Queue(shard, "client:a", keys::Lane::kRoutine));
    for (const std::string& key : {keys::Events(shard), keys::Sequence(shard), keys::Trimmed(shard),
                                   keys::FanoutProgress(shard), keys::Acks(shard),
                                   keys::Queue(shard, "journalist:B-1", keys::Lane::kPriority)}) {
      EXPECT_EQ(KeySlot(key), slot) << key;
    }
    slots.insert(slot);
  }
  EXPECT_EQ(slots.size(), 16u);
}

TEST(ClusterRouting, TheRoutingKeyOfEachCommandForm) {
  EXPECT_EQ(FirstKey(Args{"HGET", "{reg}:token", "t1"}), "{reg}:token");
  EXPECT_EQ(FirstKey(Args{"EVALSHA", "abc", "2", "k1", "k2", "a1"}), "k1");
  EXPECT_EQ(FirstKey(Args{"eval", "return 1", "1", "k1"}), "k1");
  EXPECT_EQ(FirstKey(Args{"EVAL", "return 1", "0"}), std::nullopt);
  EXPECT_EQ(FirstKey(Args{"XREAD", "COUNT", "5", "BLOCK", "100", "STREAMS", "ev:{3}", "0-0"}), "ev:{3}");
  EXPECT_EQ(FirstKey(Args{"XREAD", "COUNT", "5"}), std::nullopt);
  for (const char* keyless : {"PING", "MULTI", "EXEC", "SCAN", "CLUSTER", "INFO", "TIME"}) {
    EXPECT_EQ(FirstKey(Args{keyless, "x"}), std::nullopt) << keyless;
  }
  EXPECT_EQ(FirstKey(Args{}), std::nullopt);
}

TEST(ClusterRouting, RedirectionReplies) {
  auto moved = ParseRedirect(Parse("-MOVED 3999 127.0.0.1:6381\r\n"));
  ASSERT_TRUE(moved.has_value());
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->host, "127.0.0.1");
  EXPECT_EQ(moved->port, 6381);
  auto ask = ParseRedirect(Parse("-ASK 12 10.0.0.5:7000\r\n"));
  ASSERT_TRUE(ask.has_value());
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->host, "10.0.0.5");
  // Not redirections: other errors, a slot out of range, values.
  EXPECT_FALSE(ParseRedirect(Parse("-ERR wrong\r\n")).has_value());
  EXPECT_FALSE(ParseRedirect(Parse("-MOVED 16384 127.0.0.1:1\r\n")).has_value());
  EXPECT_FALSE(ParseRedirect(Parse("-MOVED 1 nohostport\r\n")).has_value());
  EXPECT_FALSE(ParseRedirect(Parse("+MOVED 1 127.0.0.1:1\r\n")).has_value());
}

TEST(ClusterRouting, SlotMapFromClusterSlots) {
  // Two ranges on one primary (with its replica), one on another; an empty host is the
  // node that answered.
  const std::string resp =
      "*3\r\n"
      "*4\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n*3\r\n$9\r\n127.0.0.1\r\n:7003\r\n$2\r\nid\r\n"
      "*3\r\n:5461\r\n:10922\r\n*3\r\n$0\r\n\r\n:7001\r\n$2\r\nid\r\n"
      "*3\r\n:10923\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n";
  auto map = ParseSlots(Parse(resp), Endpoint{"10.1.1.1", 7001});
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->primaries.size(), 2u);
  EXPECT_EQ(map->primaries[map->owner[0]].port, 7000);
  EXPECT_EQ(map->primaries[map->owner[16383]].port, 7000);
  EXPECT_EQ(map->primaries[map->owner[6000]].host, "10.1.1.1");
  EXPECT_EQ(map->primaries[map->owner[6000]].port, 7001);
  EXPECT_FALSE(ParseSlots(Parse("*0\r\n"), Endpoint{}).ok());
  EXPECT_FALSE(ParseSlots(Parse("*1\r\n*3\r\n:9\r\n:1\r\n*2\r\n$1\r\nh\r\n:1\r\n"), Endpoint{}).ok());
}

}  // namespace
}  // namespace pressrelay::redis
