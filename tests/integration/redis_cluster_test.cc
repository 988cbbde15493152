// The suite against a real Redis Cluster (3 primaries, 3 replicas, started by the test on
// loopback), with nothing but configuration changed (--redis=<seeds> --redis_cluster):
// the adapter's routing and redirections on their own, then the wire end to end, a fan-out
// to 10,000 recipients over every primary, and the loss of a primary.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/cluster.h"
#include "services/common/redis/keys.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

// The node id (CLUSTER MYID) of the node on `port`.
std::string NodeId(const RedisCluster& cluster, int port) {
  auto client = cluster.NodeClient(port);
  auto id = client.Run({"CLUSTER", "MYID"});
  return id.ok() ? std::string(id->str()) : "";
}

// How many keys matching `pattern` the node on `port` holds.
int64_t CountKeys(const RedisCluster& cluster, int port, const std::string& pattern) {
  auto client = cluster.NodeClient(port);
  int64_t n = 0;
  std::string cursor = "0";
  do {
    auto page = client.Scan(cursor, pattern, 1000);
    if (!page.ok()) return -1;
    n += static_cast<int64_t>(page->keys.size());
    cursor = page->cursor;
  } while (cursor != "0");
  return n;
}

// The router alone: a pipeline spread over every primary comes back in order; a slot being
// migrated answers ASK and the command is sent after ASKING to the importing node; once the
// slot has moved, MOVED re-points the client's map and the command runs where it now lives.
TEST(RedisClusterAdapter, RoutesBySlotAndFollowsAskAndMoved) {
  TempDir dir;
  RedisCluster cluster(dir.path());
  ASSERT_TRUE(cluster.Start().ok());
  redis::Client client = cluster.Client();

  std::vector<redis::Args> writes;
  std::vector<redis::Args> reads;
  for (int i = 0; i < 64; ++i) {
    writes.push_back(redis::Args{"SET", absl::StrCat("k", i), absl::StrCat("v", i)});
    reads.push_back(redis::Args{"GET", absl::StrCat("k", i)});
  }
  ASSERT_TRUE(client.Pipeline(writes).ok());
  auto got = client.Pipeline(reads);
  ASSERT_TRUE(got.ok()) << got.status();
  for (int i = 0; i < 64; ++i) EXPECT_EQ((*got)[i].str(), absl::StrCat("v", i));
  // The 64 keys landed on every primary.
  auto primaries = cluster.PrimaryPorts();
  ASSERT_TRUE(primaries.ok());
  ASSERT_EQ(primaries->size(), 3u);
  for (int port : *primaries) EXPECT_GT(CountKeys(cluster, port, "k*"), 0) << port;
  // A MULTI block and a script stay whole on their slot's node.
  auto block = client.Pipeline(std::vector<redis::Args>{
      {"MULTI"}, {"HSET", "{reg}:a", "f", "1"}, {"HSET", "{reg}:b", "f", "2"}, {"EXEC"}});
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_TRUE((*block)[3].is_array()) << (*block)[3].str();
  redis::Script both("return redis.call('HGET', KEYS[1], 'f') .. redis.call('HGET', KEYS[2], 'f')");
  auto joined = client.Eval(both, {"{reg}:a", "{reg}:b"}, {});
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->str(), "12");
  // Keys without a shared tag in one script are refused by Redis (the rule keys.h keeps).
  EXPECT_FALSE(client.Eval(both, {"{reg}:a", "{dist}:b"}, {}).ok());

  // Migrate the slot of "moving" from its owner to another primary, by hand.
  const std::string key = "moving";
  const int slot = redis::KeySlot(key);
  auto from = cluster.PrimaryOf(key);
  ASSERT_TRUE(from.ok());
  int to = 0;
  for (int port : *primaries) {
    if (port != *from) to = port;
  }
  ASSERT_TRUE(client.Run({"SET", key, "before"}).ok());  // the client's map now knows the slot
  auto source = cluster.NodeClient(*from);
  auto target = cluster.NodeClient(to);
  ASSERT_TRUE(target.Run(redis::Args{"CLUSTER", "SETSLOT"}.Add(slot).Add("IMPORTING").Add(NodeId(cluster, *from))).ok());
  ASSERT_TRUE(source.Run(redis::Args{"CLUSTER", "SETSLOT"}.Add(slot).Add("MIGRATING").Add(NodeId(cluster, to))).ok());
  ASSERT_TRUE(source.Run(redis::Args{"MIGRATE", "127.0.0.1"}.Add(to).Add(key).Add(0).Add(5000)).ok());
  // Mid-migration the source answers ASK for the key it no longer has.
  auto asked = client.Run({"GET", key});
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->str(), "before");
  ASSERT_TRUE(client.Run({"SET", key, "during"}).ok());
  // Finish: every primary learns the slot's new owner; the client's map is now stale.
  for (int port : *primaries) {
    auto node = cluster.NodeClient(port);
    ASSERT_TRUE(node.Run(redis::Args{"CLUSTER", "SETSLOT"}.Add(slot).Add("NODE").Add(NodeId(cluster, to))).ok());
  }
  auto moved = client.Pipeline(std::vector<redis::Args>{{"GET", key}, {"SET", key, "after"}, {"GET", key}});
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ((*moved)[0].str(), "during");
  EXPECT_EQ((*moved)[2].str(), "after");
  EXPECT_EQ(target.Run({"GET", key})->str(), "after");
  // The old owner now redirects (a plain client sees the MOVED the router followed).
  auto old_owner = source.Run({"EXISTS", key});
  ASSERT_FALSE(old_owner.ok());
  EXPECT_TRUE(absl::StrContains(old_owner.status().message(), "MOVED")) << old_owner.status();

  // SCAN walks every primary.
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    auto page = client.Scan(cursor, "k*", 10);
    ASSERT_TRUE(page.ok()) << page.status();
    seen.insert(page->keys.begin(), page->keys.end());
    cursor = page->cursor;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 64u);
}

// WAIT through the router: on every primary a client wrote to, over the connections the
// writes went by; more replicas than there are is a timely UNAVAILABLE, not a hang; a node
// that only redirected a write is not asked.
TEST(RedisClusterAdapter, AwaitsReplicasOnEveryPrimaryWrittenTo) {
  TempDir dir;
  RedisCluster cluster(dir.path());
  ASSERT_TRUE(cluster.Start().ok());
  for (int want : {1, 2}) {
    redis::Client base = cluster.Client();
    redis::Options options = base.options();
    options.wait_replicas = want;
    options.wait_timeout = absl::Milliseconds(200);
    redis::Client client(options);
    std::vector<redis::Args> writes;
    for (int i = 0; i < 32; ++i) writes.push_back(redis::Args{"SET", absl::StrCat("w", i), "x"});
    ASSERT_TRUE(client.Pipeline(writes).ok());
    const absl::Time start = absl::Now();
    const absl::Status waited = client.AwaitReplicas();
    if (want == 1) {
      EXPECT_TRUE(waited.ok()) << waited;
    } else {
      EXPECT_TRUE(absl::IsUnavailable(waited)) << waited;
      EXPECT_TRUE(absl::StrContains(waited.message(), "1 of 2 replicas")) << waited;
      EXPECT_LT(absl::Now() - start, absl::Seconds(2));
    }
  }
  // A primary handed over to its replica redirects the client's next write there: WAIT goes
  // to the new owner alone (the old one ran nothing and, as a replica, has no WAIT).
  redis::Client base = cluster.Client();
  redis::Options options = base.options();
  options.wait_replicas = 1;
  options.wait_timeout = absl::Seconds(2);
  redis::Client client(options);
  ASSERT_TRUE(client.Run({"SET", "handed", "before"}).ok());  // the client's map knows the slot
  ASSERT_TRUE(client.AwaitReplicas().ok());
  auto owner = cluster.PrimaryOf("handed");
  ASSERT_TRUE(owner.ok());
  auto taken = cluster.HandOver(*owner);
  ASSERT_TRUE(taken.ok()) << taken.status();
  ASSERT_TRUE(client.Run({"SET", "handed", "after"}).ok());
  const absl::Status waited = client.AwaitReplicas();
  EXPECT_TRUE(waited.ok()) << waited;
  EXPECT_EQ(cluster.NodeClient(*taken).Run({"GET", "handed"})->str(), "after");
}

// A batch over two primaries, one of which died: the batch fails (UNAVAILABLE), and the
// live primary's connection, whose reply was never read, is not used again: the next call
// answers its own command, not the abandoned one's (a connection left out of step would
// hand every later caller the reply of the command before).
TEST(RedisClusterAdapter, ABatchCutShortByALostNodeLeavesNoReplyBehind) {
  TempDir dir;
  RedisCluster cluster(dir.path());
  ASSERT_TRUE(cluster.Start().ok());
  redis::Client client = cluster.Client();
  // Keys on two primaries: "a" and "a2" on one, "b" on another.
  std::map<int, std::vector<std::string>> by_primary;
  for (int i = 0; i < 64; ++i) {
    const std::string key = absl::StrCat("k", i);
    auto owner = cluster.PrimaryOf(key);
    ASSERT_TRUE(owner.ok());
    by_primary[*owner].push_back(key);
  }
  ASSERT_GE(by_primary.size(), 2u);
  const int live = by_primary.begin()->first;
  const int doomed = std::next(by_primary.begin())->first;
  ASSERT_GE(by_primary[live].size(), 2u);
  const std::string a = by_primary[live][0];
  const std::string a2 = by_primary[live][1];
  const std::string b = by_primary[doomed][0];
  ASSERT_TRUE(client.Pipeline(std::vector<redis::Args>{{"SET", a, "first"}, {"SET", a2, "second"}, {"SET", b, "x"}})
                  .ok());  // connections to both primaries are open

  cluster.Kill(doomed);
  // The dead node's share goes first: its failure ends the batch before the live node's reply is read.
  auto cut = client.Pipeline(std::vector<redis::Args>{{"SET", b, "y"}, {"GET", a}});
  ASSERT_FALSE(cut.ok());
  EXPECT_TRUE(absl::IsUnavailable(cut.status())) << cut.status();
  absl::StatusOr<redis::Reply> next = absl::UnavailableError("not run");
  for (int attempt = 0; attempt < 3 && absl::IsUnavailable(next.status()); ++attempt) next = client.Run({"GET", a2});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(std::string(next->str()), "second");
}

// Client::Interrupt on a cluster client (how a service stops its blocking readers): the
// read blocked on one primary's connection ends, and the client makes no connection after it,
// to that node or to another primary.
TEST(RedisClusterAdapter, AnInterruptEndsABlockedReadAndEveryLaterCall) {
  signal(SIGPIPE, SIG_IGN);  // as every service does (rpc/server.h)
  TempDir dir;
  RedisCluster cluster(dir.path());
  ASSERT_TRUE(cluster.Start(3, 0).ok());
  redis::Client reader = cluster.Client();
  ASSERT_TRUE(reader.Run({"SET", "warm", "1"}).ok());  // the slot map is read
  absl::StatusOr<redis::Reply> read = absl::UnknownError("not run");
  std::thread blocked([&] {
    read = reader.RunWithTimeout({"XREAD", "BLOCK", "0", "STREAMS", "ev:{0}", "$"}, absl::Minutes(5));
  });
  // Until the node holding ev:{0} lists a client blocked in XREAD.
  bool seen = false;
  const absl::Time deadline = absl::Now() + kWait;
  while (!seen && absl::Now() < deadline) {
    for (int port : cluster.ports()) {
      auto clients = cluster.NodeClient(port).Run({"CLIENT", "LIST"});
      if (clients.ok() && absl::StrContains(clients->str(), "cmd=xread")) seen = true;
    }
  }
  ASSERT_TRUE(seen);
  reader.Interrupt();
  blocked.join();
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable) << read.status();
  // Every key, on every primary, is refused from now on.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(reader.Run({"GET", absl::StrCat("k", i)}).status().code(), absl::StatusCode::kUnavailable);
  }
}

class RedisClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SuiteOptions options;
    options.redis_cluster = true;
    options.shards = 16;  // at least 4 per primary, so every primary holds queues
    // A version and a fan-out count once a replica holds them (WAIT); a failed fan-out run is
    // retried after a backoff (0.25 s doubling), and an expired lease taken over within 2 s.
    options.distribution_flags = {"--redis_wait_replicas=1", "--redis_wait_timeout=300ms", "--job_lease=2s"};
    suite_ = std::make_unique<Suite>(options);
    auto started = suite_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // Publishes until the wire answers (a failover makes it UNAVAILABLE for a while); the
  // idempotency key makes a retry of an applied publish a replay.
  dist::PublishResponse PublishSurely(const std::string& token, const std::string& headline) {
    const absl::Time deadline = absl::Now() + kWait;
    absl::Status last;
    while (absl::Now() < deadline) {
      auto r = suite_->Publish(token, MakeDraft("MOH", headline), absl::StrCat("key-", std::hash<std::string>()(headline)));
      if (r.ok()) return *r;
      last = r.status();
      if (!absl::IsUnavailable(last) && !absl::IsDeadlineExceeded(last) && !absl::IsInternal(last) &&
          !absl::IsAborted(last)) {
        break;
      }
    }
    ADD_FAILURE() << "publish " << headline << " never succeeded: " << last;
    return {};
  }

  std::unique_ptr<Suite> suite_;
};

TEST_F(RedisClusterTest, TheWireRunsOnAClusterFansOutOverEveryPrimaryAndOutlivesAPrimary) {
  auto wire = suite_->SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
  ASSERT_TRUE(wire.ok()) << wire.status();
  ResilientSubscriber newsroom({suite_->subscription_address()}, wire->newsroom.token(),
                               ResilientSubscriber::Resume::kFromAck, /*ack_every=*/1);
  newsroom.Start();

  // The lifecycle: publish, correct, kill; each version reaches the newsroom once.
  const auto first = PublishSurely(wire->spokesperson_token, "Thông cáo về dịch sốt xuất huyết");
  const std::string id = first.statement().id();
  ASSERT_FALSE(id.empty());
  dist::ReviseRequest correction;
  correction.set_statement_id(id);
  correction.set_signal(common::v1::VERSION_SIGNAL_CORRECTION);
  correction.set_reason("Sửa số ca mắc");
  *correction.mutable_draft() = MakeDraft("MOH", "Thông cáo về dịch sốt xuất huyết (đính chính)");
  ASSERT_TRUE(suite_->Revise(wire->spokesperson_token, correction).ok());
  dist::ReviseRequest kill;
  kill.set_statement_id(id);
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thu hồi");
  ASSERT_TRUE(suite_->Revise(wire->spokesperson_token, kill).ok());
  ASSERT_TRUE(newsroom.WaitForCount(3, kWait));
  {
    // Each version once. The correction and the kill travel in the priority lane, in order,
    // and may overtake the original if it was still waiting in the routine lane (README,
    // "Lanes"), as happens when the machine is busy.
    const auto got = newsroom.deliveries();
    std::vector<int> versions;
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(got[i].statement().id(), id);
      versions.push_back(got[i].statement().version());
    }
    const auto at = [&](int v) { return std::find(versions.begin(), versions.end(), v) - versions.begin(); };
    EXPECT_LT(at(2), at(3)) << "the kill came before the correction";
    std::sort(versions.begin(), versions.end());
    EXPECT_EQ(versions, (std::vector<int>{1, 2, 3}));
  }

  // The keys sit where their hash tags say: the statement with the rest of {dist}.
  RedisCluster& cluster = suite_->redis_cluster();
  auto dist_node = cluster.PrimaryOf(std::string(keys::kStatementIndex));
  ASSERT_TRUE(dist_node.ok());
  EXPECT_EQ(*cluster.PrimaryOf(keys::Statement(id)), *dist_node);
  EXPECT_EQ(cluster.NodeClient(*dist_node).Run({"EXISTS", keys::Statement(id)})->integer(), 1);

  // 10,000 more newsrooms, then one statement for all: queued on every primary.
  constexpr int kBulk = 10000;
  auto bulk = suite_->ImportClients("bulk", kBulk, "tuoitre");
  ASSERT_TRUE(bulk.ok()) << bulk.status();
  const auto wide = PublishSurely(wire->spokesperson_token, "Thông cáo gửi mọi toà soạn");
  EXPECT_EQ(wide.recipients_matched(), kBulk + 1);
  EXPECT_EQ(wide.recipients_queued(), kBulk + 1);
  auto primaries = cluster.PrimaryPorts();
  ASSERT_TRUE(primaries.ok());
  ASSERT_EQ(primaries->size(), 3u);
  int64_t queues = 0;
  for (int port : *primaries) {
    const int64_t here = CountKeys(cluster, port, "q:{*");
    EXPECT_GT(here, kBulk / 10) << "primary " << port << " holds too few of the queues";
    queues += here;
  }
  // One routine queue each, and the first newsroom's priority queue (the correction and kill).
  EXPECT_EQ(queues, kBulk + 2);
  ASSERT_TRUE(newsroom.WaitForCount(4, kWait));

  // A bulk newsroom whose queue lives on the primary about to die.
  auto doomed = cluster.PrimaryOf(std::string(keys::kStatementIndex));
  ASSERT_TRUE(doomed.ok());
  std::string victim;
  for (int i = 0; i < kBulk && victim.empty(); ++i) {
    const std::string rid = (*bulk)[i];
    const std::string queue = keys::Queue(keys::ShardOf(rid, 16), rid, keys::Lane::kRoutine);
    if (*cluster.PrimaryOf(queue) == *doomed) victim = absl::StrCat("bulk-", i);
  }
  ASSERT_FALSE(victim.empty());

  // Lose the primary that holds the distribution's control plane and a share of the queues,
  // after its replica has everything (the durability the README documents: writes that
  // reached a replica survive the failover; with asynchronous replication the last second
  // before a crash may not have).
  ASSERT_TRUE(cluster.WaitReplicated(kWait).ok());
  cluster.Kill(*doomed);
  auto healed = cluster.WaitHealed(kWait);
  ASSERT_TRUE(healed.ok()) << healed;
  EXPECT_NE(*cluster.PrimaryOf(std::string(keys::kStatementIndex)), *doomed);

  // The promoted primary has no replica: a publish is applied but not counted as done
  // (UNAVAILABLE, retry with the same key) until one holds it...
  // (A first attempt may also meet a connection the dead node's loss broke: UNAVAILABLE too.)
  absl::StatusOr<dist::PublishResponse> degraded;
  for (int attempt = 0; attempt < 3; ++attempt) {
    degraded = suite_->Publish(wire->spokesperson_token, MakeDraft("MOH", "Thông cáo sau sự cố"),
                               absl::StrCat("key-", std::hash<std::string>()("Thông cáo sau sự cố")));
    if (degraded.ok() || absl::StrContains(degraded.status().message(), "replicas")) break;
    EXPECT_TRUE(absl::IsUnavailable(degraded.status())) << degraded.status();
  }
  ASSERT_FALSE(degraded.ok());
  EXPECT_TRUE(absl::IsUnavailable(degraded.status())) << degraded.status();
  EXPECT_TRUE(absl::StrContains(degraded.status().message(), "replicas")) << degraded.status();
  EXPECT_TRUE(absl::StrContains(degraded.status().message(), "retry with the same idempotency key"))
      << degraded.status();
  // ...the old primary comes back as its replica, and the wire carries on: the retry is a
  // replay of the same statement, which reaches the newsroom and everyone else once.
  ASSERT_TRUE(cluster.Restart(*doomed).ok());
  ASSERT_TRUE(cluster.WaitReplicated(kWait).ok());
  const auto after = PublishSurely(wire->spokesperson_token, "Thông cáo sau sự cố");
  EXPECT_TRUE(after.replayed());
  ASSERT_TRUE(newsroom.WaitForHeadline("Thông cáo sau sự cố", kWait));
  std::string report_error;
  auto report = [&]() -> int {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + wire->spokesperson_token);
    dist::GetDeliveryReportRequest request;
    request.set_statement_id(after.statement().id());
    dist::DeliveryReport out;
    grpc::Status status = suite_->Distribution()->GetDeliveryReport(&ctx, request, &out);
    if (!status.ok()) report_error = absl::StrCat(status.error_code(), ": ", status.error_message());
    return status.ok() ? out.queued() : -1;
  };
  // The fan-out, run again after the run the kill cut short (a retry; a takeover if the
  // lease lapsed first), reaches all of them (polled with a growing back-off until the
  // deadline).
  int queued = report();
  // Under load (beside the soak and multi-host tests on two cores) the resumed fan-out of
  // 10,001 has taken over 20 s: polled up to a minute, no longer than it needs.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  for (absl::Duration backoff = absl::Milliseconds(10); queued != kBulk + 1 && absl::Now() < deadline;
       backoff = std::min(backoff * 2, absl::Milliseconds(500))) {
    absl::SleepFor(backoff);
    queued = report();
  }
  EXPECT_EQ(queued, kBulk + 1) << "the last failed report: " << report_error << "\nthe distribution's log ends:\n"
                               << ReadTail(suite_->dir() + "/distribution-0.log", 40);
  const auto headlines = newsroom.headlines();
  ASSERT_EQ(headlines.size(), 5u) << "nothing doubled";
  EXPECT_EQ(headlines[3], "Thông cáo gửi mọi toà soạn");
  EXPECT_EQ(headlines[4], "Thông cáo sau sự cố");
  // The victim's queue, promoted from the replica, still holds what was queued before. (The
  // first call of a service on a connection to the dead node answers UNAVAILABLE; callers
  // retry, as they do for any UNAVAILABLE.)
  absl::StatusOr<std::string> token;
  for (int attempt = 0; attempt < 3; ++attempt) {
    token = suite_->IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, victim);
    if (!absl::IsUnavailable(token.status())) break;
  }
  ASSERT_TRUE(token.ok()) << token.status();
  ResilientSubscriber late({suite_->subscription_address()}, *token, ResilientSubscriber::Resume::kFromAck);
  late.Start();
  ASSERT_TRUE(late.WaitForCount(2, kWait));
  EXPECT_EQ(late.headlines(), (std::vector<std::string>{"Thông cáo gửi mọi toà soạn", "Thông cáo sau sự cố"}));
  late.Stop();
  // And the statement record, read back through the service.
  dist::GetStatementRequest get;
  get.set_statement_id(id);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + wire->spokesperson_token);
  common::v1::Statement statement;
  ASSERT_TRUE(suite_->Distribution()->GetStatement(&ctx, get, &statement).ok());
  EXPECT_EQ(statement.version(), 3);
  newsroom.Stop();
}

}  // namespace
}  // namespace pressrelay::testing
