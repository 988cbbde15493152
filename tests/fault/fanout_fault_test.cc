// Crash-safe fan-out: a publish that returned OK — or was committed before the publisher
// died — reaches every recipient's queue exactly once, whatever dies half-way.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/time_util.h"
#include "services/common/redis/keys.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/process.h"
#include "tests/support/redis_watch.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);
constexpr int kRecipients = 10000;
constexpr int kShards = 4;

// Sum over shards of how far a job got.
int64_t Progress(redis::Client& redis, const std::string& job_id) {
  int64_t total = 0;
  for (int shard = 0; shard < kShards; ++shard) {
    auto reply = redis.Run({"HGET", keys::FanoutProgress(shard), job_id});
    if (reply.ok()) total += reply->integer();
  }
  return total;
}

// SIGKILLs the distribution replica that is fanning a statement out to 10,000 recipients;
// the job is finished by the same replica restarted, or by another one already running.
void SigkillMidFanOut(bool finish_on_another_replica) {
  // Small chunks make the fan-out take long enough to be killed in the middle of it.
  Suite suite(SuiteOptions{.shards = kShards,
                           .distribution_flags = {"--chunk_size", "10", "--job_lease", "2s"}});
  ASSERT_TRUE(suite.Start().ok());
  if (finish_on_another_replica) {
    ASSERT_TRUE(suite.StartDistribution(1).ok());
  }
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  ASSERT_TRUE(suite.PutOutlet("wire", "Test wire").ok());
  auto recipients = suite.ImportClients("newsroom", kRecipients, "wire");
  ASSERT_TRUE(recipients.ok()) << recipients.status();
  const std::string token = *suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");

  auto redis = suite.redis().Client();
  std::string statement_id, job_id;
  int64_t at_kill = 0;
  for (int attempt = 0; attempt < 5 && statement_id.empty(); ++attempt) {
    // Publish in the background; watch the job's progress in Redis and SIGKILL the
    // service once some, but not all, recipients are queued.
    auto before = redis.Run({"ZCARD", "{dist}:st:index"})->integer();
    std::thread publisher([&] {
      (void)suite.Publish(token, MakeDraft("MOH", absl::StrCat("Thông báo khẩn ", attempt)), absl::StrCat("key-", attempt));
    });
    std::string sid;
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      auto ids = redis.Run({"ZRANGE", "{dist}:st:index", "0", "-1"});
      if (ids.ok() && static_cast<int64_t>(ids->size()) > before) {
        for (size_t i = 0; i < ids->size(); ++i) {
          std::string id((*ids)[i].str());
          if (redis.Run({"HGET", keys::Statement(id), "latest"})->integer() >= 1 &&
              absl::StrContains(redis.Run({"HGET", keys::Statement(id), "v1"})->str(), absl::StrCat("Thông báo khẩn ", attempt))) {
            sid = id;
          }
        }
      }
      if (!sid.empty()) {
        const int64_t progress = Progress(redis, absl::StrCat(sid, ":1:now"));
        if (progress > 0) {
          suite.distribution().Signal(SIGKILL);
          break;
        }
      }
    }
    publisher.join();
    ASSERT_TRUE(suite.distribution().Wait(kWait).ok());
    at_kill = Progress(redis, absl::StrCat(sid, ":1:now"));
    if (at_kill > 0 && at_kill < kRecipients) {
      statement_id = sid;
      job_id = absl::StrCat(sid, ":1:now");
    }
    // The killed replica stays dead when another one is to take the job over.
    if (!statement_id.empty() && finish_on_another_replica) break;
    ASSERT_TRUE(suite.RestartDistribution(0).ok());
    if (statement_id.empty()) {
      // Killed too late (the fan-out had finished): try again with a new statement.
      ASSERT_TRUE(WaitServing(suite.distribution_address(), kWait).ok());
    }
  }
  ASSERT_FALSE(statement_id.empty()) << "could not kill the service in the middle of a fan-out";
  ::testing::Test::RecordProperty("queued_at_kill", std::to_string(at_kill));

  // The restarted or the other replica claims the job when its lease expires, and finishes it.
  const absl::Time deadline = absl::Now() + kWait;
  while (Progress(redis, job_id) < kRecipients && absl::Now() < deadline) {
    auto done = redis.Run({"HGET", "{dist}:fo:done", job_id});
    if (done.ok() && !done->is_nil()) break;
    // Probe again when the next event lands in any shard (blocking read, no sleep).
    std::vector<std::string> ids(kShards, "$");
    (void)redis.RunWithTimeout(redis::Args{"XREAD", "BLOCK", "500", "STREAMS", "ev:{0}", "ev:{1}", "ev:{2}", "ev:{3}",
                                           "$", "$", "$", "$"},
                               absl::Seconds(2));
  }
  ASSERT_EQ(Progress(redis, job_id), kRecipients);

  // Every queue holds the statement exactly once...
  const std::string member = keys::QueueMember(statement_id, 1);
  std::vector<redis::Args> checks;
  for (const auto& rid : *recipients) {
    const std::string key = keys::Queue(keys::ShardOf(rid, kShards), rid, keys::Lane::kRoutine);
    checks.push_back({"ZSCORE", key, member});
  }
  auto scores = redis.Pipeline(checks);
  ASSERT_TRUE(scores.ok());
  int missing = 0;
  for (const auto& s : *scores) missing += s.is_nil() ? 1 : 0;
  EXPECT_EQ(missing, 0);
  // ...and the fan-out applied each recipient once: the event streams name every
  // recipient of this statement exactly once in total.
  std::map<std::string, int> named;
  for (int shard = 0; shard < kShards; ++shard) {
    auto events = redis.Run({"XRANGE", keys::Events(shard), "-", "+"});
    ASSERT_TRUE(events.ok());
    for (size_t i = 0; i < events->size(); ++i) {
      const auto fields = (*events)[i][1];
      std::string sid, rids;
      for (size_t f = 0; f + 1 < fields.size(); f += 2) {
        if (fields[f].str() == "sid") sid = std::string(fields[f + 1].str());
        if (fields[f].str() == "r") rids = std::string(fields[f + 1].str());
      }
      if (sid != statement_id) continue;
      for (absl::string_view r : absl::StrSplit(rids, ',', absl::SkipEmpty())) ++named[std::string(r)];
    }
  }
  EXPECT_EQ(named.size(), static_cast<size_t>(kRecipients));
  int twice = 0;
  for (const auto& [rid, n] : named) twice += n > 1 ? 1 : 0;
  EXPECT_EQ(twice, 0);
}

TEST(FanoutFault, SigkillDuringAFanOutTo10000RecipientsQueuesEachExactlyOnce) { SigkillMidFanOut(false); }

TEST(FanoutFault, AnotherReplicaFinishesAFanOutWhosePublisherWasKilled) { SigkillMidFanOut(true); }

// A run that fails while its replica lives — here the fan-out of an embargoed release, whose
// writes the one Redis replica (--redis_wait_replicas=1) stops confirming — runs again after a
// short backoff: the release is done within seconds of the replica's return, not when the
// job's lease (a minute here) would have lapsed, and it counts as a retry, not as a takeover
// from a dead replica (which would page the operator with PressrelayFanoutStuck).
TEST(FanoutFault, AReleaseCutShortByAReplicaLateToConfirmIsDoneWithinSecondsOfItsReturn) {
  Suite suite(SuiteOptions{.shards = kShards,
                           .distribution_flags = {"--redis_wait_replicas=1", "--redis_wait_timeout=300ms",
                                                  "--job_lease=60s"},
                           .metrics = true});
  ASSERT_TRUE(suite.Start().ok());
  // The replica the distribution service waits for.
  TempDir replica_dir;
  RedisServer replica(replica_dir.path());
  ASSERT_TRUE(replica.Start().ok());
  auto replica_client = replica.Client();
  ASSERT_TRUE(replica_client.Run({"REPLICAOF", "127.0.0.1", std::to_string(suite.redis().port())}).ok());
  auto redis = suite.redis().Client();
  auto synced = redis.RunWithTimeout({"WAIT", "1", "20000"}, absl::Seconds(25));
  ASSERT_TRUE(synced.ok() && synced->integer() == 1) << "the replica did not sync";

  auto wire = suite.SetUpSmallWire("MOH", "Bộ Y tế", "wire", "Test wire");
  ASSERT_TRUE(wire.ok()) << wire.status();
  auto newsroom = SubscribeCaughtUp(suite, wire->newsroom.token());
  auto draft = MakeDraft("MOH", "Thông cáo báo chí (cấm đăng trước giờ công bố)");
  const absl::Time release = absl::Now() + absl::Seconds(3);
  *draft.mutable_embargoed() = ToProto(release);
  auto published = suite.Publish(wire->spokesperson_token, draft);
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(published->scheduled());
  const std::string job_id = absl::StrCat(published->statement().id(), ":1:release");

  // The replica stops (a stalled host) before the release falls due: the release's run queues
  // the statement but cannot have it confirmed, and fails.
  auto failures = KeyspaceEvents::Watch(suite.redis().port(), std::string(keys::kJobRetries), "Kh");
  auto done = KeyspaceEvents::Watch(suite.redis().port(), std::string(keys::kJobsDone), "Kh");
  ASSERT_TRUE(failures != nullptr && done != nullptr);
  replica.process().Signal(SIGSTOP);
  ASSERT_LT(absl::Now(), release) << "the replica stopped after the release; the test proves nothing";
  ASSERT_TRUE(failures->WaitFor("hincrby", absl::Seconds(30))) << "the release's run did not fail";
  auto state = redis.Run({"HGET", keys::kJobsDone, job_id});
  ASSERT_TRUE(state.ok() && state->is_nil()) << "the release was done without its replica";

  // The replica comes back: the next retry finishes the job.
  const absl::Time resumed = absl::Now();
  replica.process().Signal(SIGCONT);
  ASSERT_TRUE(done->WaitFor("hset", absl::Seconds(30)));
  const absl::Duration to_done = absl::Now() - resumed;
  ::testing::Test::RecordProperty("ms_from_replica_back_to_done", std::to_string(absl::ToInt64Milliseconds(to_done)));
  state = redis.Run({"HGET", keys::kJobsDone, job_id});
  ASSERT_TRUE(state.ok() && !state->is_nil());
  EXPECT_LT(to_done, absl::Seconds(6)) << "finished by the lease, not by a retry";

  // Counted as a retry, not as a takeover.
  std::string metrics;
  for (const auto& [name, address] : suite.metrics_targets()) {
    if (name == "distribution-0") metrics = Scrape(address);
  }
  EXPECT_GE(Value(metrics, "pressrelay_fanout_retries_total"), 1);
  EXPECT_EQ(Value(metrics, "pressrelay_fanout_lease_expired_total"), 0);

  // The newsroom has the statement once, from its release time.
  ASSERT_TRUE(newsroom->WaitForCount(1, kWait));
  EXPECT_EQ(newsroom->deliveries()[0].statement().id(), published->statement().id());
  EXPECT_GE(newsroom->arrivals()[0], release);
  ASSERT_TRUE(suite.PublishText(wire->spokesperson_token, "MOH", "Tin tiếp theo", "Nội dung.").ok());
  ASSERT_TRUE(newsroom->WaitForCount(2, kWait));
  EXPECT_EQ(newsroom->deliveries()[1].statement().headline(), "Tin tiếp theo");
  EXPECT_EQ(newsroom->count(), 2u);
}

}  // namespace
}  // namespace pressrelay::testing
