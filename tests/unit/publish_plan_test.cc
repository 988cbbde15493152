// Who gets a version and when (PlanVersion), for each signal and embargo case, without
// Redis or the registry: the part of Publish and Revise that decides the fan-out jobs.
#include <gtest/gtest.h>

#include "services/common/base/time_util.h"
#include "services/common/redis/keys.h"
#include "services/distribution/publisher.h"

namespace pressrelay::distribution {
namespace {

using common::v1::VERSION_SIGNAL_CORRECTION;
using common::v1::VERSION_SIGNAL_KILL;
using common::v1::VERSION_SIGNAL_PUBLISH;
using common::v1::VERSION_SIGNAL_UPDATE;
using common::v1::VERSION_SIGNAL_WITHHOLD;

constexpr int kShards = 4;

class PlanTest : public ::testing::Test {
 protected:
  Statement Version(common::v1::VersionSignal signal, int version = 1, int urgency = 5) {
    Statement s;
    s.set_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
    s.set_version(version);
    s.set_signal(signal);
    s.set_urgency(urgency);
    return s;
  }
  Statement Embargoed(Statement s) {
    *s.mutable_embargoed() = ToProto(now_ + absl::Hours(2));
    return s;
  }
  static registry_v1::AudienceMember Member(const std::string& id, bool trusted = false) {
    registry_v1::AudienceMember m;
    m.set_recipient_id(id);
    m.set_trusted(trusted);
    return m;
  }
  // Every recipient of a job, in the job's order by shard.
  static std::vector<std::string> Recipients(const store::FanoutJob& job) {
    std::vector<std::string> out;
    for (const auto& shard : job.shards()) out.insert(out.end(), shard.recipients().begin(), shard.recipients().end());
    std::sort(out.begin(), out.end());
    return out;
  }
  static bool RunsNow(const Plan& plan, const store::FanoutJob& job) {
    return std::find(plan.run_now.begin(), plan.run_now.end(), job.job_id()) != plan.run_now.end();
  }

  absl::Time now_ = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
};

TEST_F(PlanTest, AFirstVersionGoesNowToEveryoneMatched) {
  AudienceFacts facts;
  facts.matched = {Member("client:a"), Member("client:b"), Member("journalist:C-1")};
  const Plan plan = PlanVersion(Version(VERSION_SIGNAL_PUBLISH), facts, false, kShards, now_);
  ASSERT_EQ(plan.jobs.size(), 1u);
  const auto& job = plan.jobs[0];
  EXPECT_EQ(job.job_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:1:now");
  EXPECT_TRUE(RunsNow(plan, job));
  EXPECT_TRUE(job.releases());
  EXPECT_EQ(job.release_at_ms(), 0);
  EXPECT_EQ(job.recipients_total(), 3);
  EXPECT_EQ(Recipients(job), (std::vector<std::string>{"client:a", "client:b", "journalist:C-1"}));
  EXPECT_EQ(plan.matched, 3);
  EXPECT_FALSE(plan.scheduled);
  // Each recipient sits in its own shard's audience.
  for (const auto& shard : job.shards()) {
    for (const auto& rid : shard.recipients()) EXPECT_EQ(keys::ShardOf(rid, kShards), shard.shard());
  }
}

TEST_F(PlanTest, AnEmbargoedFirstVersionWaitsForItsReleaseTime) {
  AudienceFacts facts;
  facts.matched = {Member("client:a", /*trusted=*/true), Member("client:b")};
  const Statement v1 = Embargoed(Version(VERSION_SIGNAL_PUBLISH));
  const Plan plan = PlanVersion(v1, facts, /*early_to_trusted=*/false, kShards, now_);
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].job_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:1:release");
  EXPECT_FALSE(RunsNow(plan, plan.jobs[0]));
  EXPECT_EQ(plan.jobs[0].release_at_ms(), MillisFromProto(v1.embargoed()));
  EXPECT_TRUE(plan.jobs[0].releases());
  EXPECT_EQ(Recipients(plan.jobs[0]), (std::vector<std::string>{"client:a", "client:b"}));
  EXPECT_TRUE(plan.scheduled);
}

TEST_F(PlanTest, EarlyToTrustedSendsTrustedOutletsTheEmbargoedVersionAtOnce) {
  AudienceFacts facts;
  facts.matched = {Member("client:ttxvn", true), Member("client:b"), Member("client:nhandan", true)};
  const Plan plan = PlanVersion(Embargoed(Version(VERSION_SIGNAL_PUBLISH)), facts, true, kShards, now_);
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].job_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:1:early");
  EXPECT_TRUE(RunsNow(plan, plan.jobs[0]));
  EXPECT_FALSE(plan.jobs[0].releases());  // an early copy does not release the statement
  EXPECT_EQ(Recipients(plan.jobs[0]), (std::vector<std::string>{"client:nhandan", "client:ttxvn"}));
  EXPECT_EQ(Recipients(plan.jobs[1]), (std::vector<std::string>{"client:b"}));
  EXPECT_EQ(plan.matched, 3);
  // Nobody trusted: no early job at all.
  facts.matched = {Member("client:b")};
  EXPECT_EQ(PlanVersion(Embargoed(Version(VERSION_SIGNAL_PUBLISH)), facts, true, kShards, now_).jobs.size(), 1u);
}

TEST_F(PlanTest, AWithholdOrKillGoesToEveryoneWhoHadItAndNobodyElse) {
  for (auto signal : {VERSION_SIGNAL_WITHHOLD, VERSION_SIGNAL_KILL}) {
    AudienceFacts facts;
    facts.had = {"client:a", "client:b"};
    facts.matched = {Member("client:newcomer")};  // ignored: a retraction asks nobody new
    facts.earlier_released = true;
    const Plan plan = PlanVersion(Version(signal, 2), facts, false, kShards, now_);
    ASSERT_EQ(plan.jobs.size(), 1u);
    EXPECT_EQ(Recipients(plan.jobs[0]), (std::vector<std::string>{"client:a", "client:b"}));
    EXPECT_TRUE(RunsNow(plan, plan.jobs[0]));
    EXPECT_EQ(plan.matched, 2);
    EXPECT_EQ(static_cast<keys::Lane>(plan.jobs[0].lane()), keys::Lane::kPriority);
    EXPECT_TRUE(plan.jobs[0].releases());
    // Retracting a statement that was never released does not release it.
    facts.earlier_released = false;
    EXPECT_FALSE(PlanVersion(Version(signal, 2), facts, false, kShards, now_).jobs[0].releases());
  }
}

TEST_F(PlanTest, AnUpdateOrCorrectionGoesToWhoHadItAndWhoMatchesNowOnce) {
  AudienceFacts facts;
  facts.had = {"client:a", "client:b"};
  facts.matched = {Member("client:b"), Member("client:c")};  // b had it already; c is new
  const Plan plan = PlanVersion(Version(VERSION_SIGNAL_CORRECTION, 2), facts, false, kShards, now_);
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(Recipients(plan.jobs[0]), (std::vector<std::string>{"client:a", "client:b", "client:c"}));
  EXPECT_EQ(plan.matched, 3);
  EXPECT_EQ(static_cast<keys::Lane>(plan.jobs[0].lane()), keys::Lane::kPriority);
  const Plan update = PlanVersion(Version(VERSION_SIGNAL_UPDATE, 2), facts, false, kShards, now_);
  EXPECT_EQ(static_cast<keys::Lane>(update.jobs[0].lane()), keys::Lane::kRoutine);
}

TEST_F(PlanTest, AnEmbargoedRevisionReachesWhoHadItAtOnceAndNewcomersAtRelease) {
  AudienceFacts facts;
  facts.had = {"client:ttxvn"};
  facts.matched = {Member("client:ttxvn", true), Member("client:c")};
  const Plan plan = PlanVersion(Embargoed(Version(VERSION_SIGNAL_UPDATE, 2)), facts, false, kShards, now_);
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].job_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:2:early");
  EXPECT_EQ(Recipients(plan.jobs[0]), (std::vector<std::string>{"client:ttxvn"}));
  EXPECT_TRUE(RunsNow(plan, plan.jobs[0]));
  EXPECT_FALSE(plan.jobs[0].releases());
  EXPECT_EQ(plan.jobs[1].job_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D:2:release");
  EXPECT_EQ(Recipients(plan.jobs[1]), (std::vector<std::string>{"client:c"}));
  EXPECT_TRUE(plan.scheduled);
}

TEST_F(PlanTest, FlashItemsTravelInThePriorityLane) {
  AudienceFacts facts;
  facts.matched = {Member("client:a")};
  EXPECT_EQ(static_cast<keys::Lane>(
                PlanVersion(Version(VERSION_SIGNAL_PUBLISH, 1, 1), facts, false, kShards, now_).jobs[0].lane()),
            keys::Lane::kPriority);
  EXPECT_EQ(static_cast<keys::Lane>(
                PlanVersion(Version(VERSION_SIGNAL_PUBLISH, 1, 3), facts, false, kShards, now_).jobs[0].lane()),
            keys::Lane::kRoutine);
}

}  // namespace
}  // namespace pressrelay::distribution
