// The distribution service under more concurrent work than it has threads and Redis
// connections: every call answers within its deadline, every fan-out finishes, and health
// tells the truth about a replica that can no longer do its work.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/server.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(60);
constexpr absl::Duration kCallDeadline = absl::Seconds(20);

// What the callers saw: every call must come back before its deadline.
struct Outcomes {
  absl::Mutex mu;
  int ok ABSL_GUARDED_BY(mu) = 0;
  int late ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::string> errors ABSL_GUARDED_BY(mu);
  void Note(const grpc::Status& status, absl::string_view what) {
    absl::MutexLock lock(&mu);
    if (status.ok()) {
      ++ok;
    } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      ++late;
    } else if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED &&
               status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      errors.push_back(absl::StrCat(what, ": ", status.error_code(), " ", status.error_message()));
    }
  }
};

// Until no fan-out job is scheduled or leased: probes after each new queue event (a blocking
// read on the shards' event streams), not on a timer.
bool WaitNoJobsLeft(redis::Client& redis, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto scheduled = redis.Run({"ZCARD", "{dist}:fo:sched"});
    auto leased = redis.Run({"ZCARD", "{dist}:fo:lease"});
    if (scheduled.ok() && leased.ok() && scheduled->integer() == 0 && leased->integer() == 0) return true;
    (void)redis.RunWithTimeout(redis::Args{"XREAD", "BLOCK", "500", "STREAMS", "ev:{0}", "ev:{1}", "ev:{2}",
                                           "ev:{3}", "$", "$", "$", "$"},
                               absl::Seconds(2));
  }
  return false;
}

// Found by an outside engineer with gdb: with one worker and chunks of one recipient, delivery
// reports, publishes of large audiences and embargoed releases took every Redis connection,
// each holder waiting for a second one, and the service locked up for good.
TEST(Overload, ReportsPublishesAndReleasesTogetherNeverWedgeTheService) {
  Suite suite(SuiteOptions{.distribution_flags = {"--workers", "2", "--chunk_size", "1", "--rate_limits", ""}});
  ASSERT_TRUE(suite.Start().ok());
  const std::string token = *suite.AddSpeaker("MOH", "Bộ Y tế");
  ASSERT_TRUE(suite.PutOutlet("wire", "Test wire").ok());
  // More recipients than one round trip carries at this chunk size (16 chunks), so a
  // fan-out renews its lease between trips.
  ASSERT_TRUE(suite.ImportClients("newsroom", 300, "wire").ok());
  auto first = suite.Publish(token, MakeDraft("MOH", "Thông cáo mở đầu"));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string first_id = first->statement().id();

  Outcomes outcomes;
  // Long enough for the old code to lock up several times over (seen within 4 s).
  const absl::Time load_until = absl::Now() + absl::Seconds(10);
  std::vector<std::thread> threads;
  absl::Mutex ids_mu;
  std::vector<std::string> ids = {first_id};
  // Delivery reports, many at once.
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      auto stub = suite.Distribution();
      while (absl::Now() < load_until) {
        dist::GetDeliveryReportRequest request;
        request.set_statement_id(first_id);
        dist::DeliveryReport report;
        auto ctx = CallContext(token, kCallDeadline);
        outcomes.Note(stub->GetDeliveryReport(ctx.get(), request, &report), "report");
      }
    });
  }
  // Publishes now (some returning at commit) and embargoed ones released a moment later by the
  // job runner.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto stub = suite.Distribution();
      for (int i = 0; absl::Now() < load_until; ++i) {
        dist::PublishRequest request;
        *request.mutable_draft() = MakeDraft("MOH", absl::StrCat("Thông cáo ", t, "-", i));
        if (i % 3 == 1) {
          *request.mutable_draft()->mutable_embargoed() = ToProto(absl::Now() + absl::Milliseconds(700));
        }
        // Some return at commit, as the bench's asynchronous mode and busy desks do.
        request.set_return_when_committed(i % 3 == 2);
        dist::PublishResponse response;
        auto ctx = CallContext(token, kCallDeadline);
        grpc::Status status = stub->Publish(ctx.get(), request, &response);
        outcomes.Note(status, "publish");
        if (status.ok()) {
          absl::MutexLock lock(&ids_mu);
          ids.push_back(response.statement().id());
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  {
    absl::MutexLock lock(&outcomes.mu);
    EXPECT_EQ(outcomes.late, 0) << "calls that never answered: the service wedged";
    EXPECT_TRUE(outcomes.errors.empty()) << outcomes.errors.front();
    EXPECT_GT(outcomes.ok, 20);
  }
  // Every statement reaches its whole audience: no fan-out was left half done. The last
  // embargoes fall due within a second; wait until no job is scheduled or running.
  auto redis = suite.redis().Client();
  ASSERT_TRUE(WaitNoJobsLeft(redis, kWait));
  auto stub = suite.Distribution();
  absl::MutexLock lock(&ids_mu);
  for (const std::string& id : ids) {
    dist::DeliveryReport report;
    dist::GetDeliveryReportRequest request;
    request.set_statement_id(id);
    auto ctx = CallContext(token, kCallDeadline);
    grpc::Status status = stub->GetDeliveryReport(ctx.get(), request, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(report.recipients_matched(), 300) << id;
    EXPECT_EQ(report.queued(), 300) << id;
  }
  // It is ready and live, and no code path ever asked for a second connection while holding one.
  EXPECT_TRUE(WaitHealth(suite.distribution_address(), true, kWait).ok());
  auto live = grpc::health::v1::Health::NewStub(OpenChannel(suite.distribution_address()));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(std::string(kLivenessService));
  grpc::health::v1::HealthCheckResponse health;
  auto ctx = CallContext("", absl::Seconds(5));
  ASSERT_TRUE(live->Check(ctx.get(), request, &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  const std::string log = ReadFile(suite.distribution().log_path());
  EXPECT_EQ(log.find("holds a connection asked for another"), std::string::npos);
}

}  // namespace
}  // namespace pressrelay::testing

namespace pressrelay::testing {
namespace {

// The distribution service with one worker, one spokesperson and 20,000 newsrooms, queued one
// recipient per script run: a fan-out that takes seconds.
class SlowFanOut : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    token_ = *suite_.AddSpeaker("MOH", "Bộ Y tế");
    ASSERT_TRUE(suite_.PutOutlet("wire", "Test wire").ok());
    ASSERT_TRUE(suite_.ImportClients("newsroom", 20000, "wire").ok());
  }

  Suite suite_{SuiteOptions{.distribution_flags = {"--workers", "1", "--chunk_size", "1", "--rate_limits", ""}}};
  std::string token_;
};

// A Publish used to hold its worker until the fan-out thread had queued the statement for
// everyone: with one worker, nothing else was answered meanwhile.
TEST_F(SlowFanOut, APublishWaitingForItsFanOutHoldsNoWorker) {
  auto first = suite_.Publish(token_, MakeDraft("MOH", "Thông cáo thứ nhất"));
  ASSERT_TRUE(first.ok());
  absl::Notification published;
  std::thread publisher([&] {
    EXPECT_TRUE(suite_.Publish(token_, MakeDraft("MOH", "Thông cáo lớn")).ok());
    published.Notify();
  });
  // Its fan-out has started (its first chunks are queued: events appear)...
  auto redis = suite_.redis().Client();
  auto seen = redis.RunWithTimeout(redis::Args{"XREAD", "BLOCK", "30000", "STREAMS", "ev:{0}", "ev:{1}", "ev:{2}",
                                               "ev:{3}", "$", "$", "$", "$"},
                                   absl::Seconds(35));
  ASSERT_TRUE(seen.ok() && !seen->is_nil());
  // ...and another call is answered while the publish still waits for it.
  auto stub = suite_.Distribution();
  dist::GetStatementRequest request;
  request.set_statement_id(first->statement().id());
  common::v1::Statement statement;
  auto ctx = CallContext(token_, kWait);
  EXPECT_TRUE(stub->GetStatement(ctx.get(), request, &statement).ok());
  EXPECT_FALSE(published.HasBeenNotified()) << "the fan-out was over before the other call was answered";
  publisher.join();
}

// The subscription service reads statements through Catalog.BatchGetVersions; those calls
// have their own workers, so they are not queued behind spokespeople's calls.
TEST_F(SlowFanOut, CatalogReadsDoNotQueueBehindSpokespeoplesCalls) {
  auto big = suite_.Publish(token_, MakeDraft("MOH", "Thông cáo lớn"));
  ASSERT_TRUE(big.ok());
  // Delivery reports of a 20,000-recipient statement: each takes a while, and one worker
  // takes them one at a time.
  std::vector<std::thread> reporters;
  absl::Mutex mu;
  int reports_done = 0;
  for (int i = 0; i < 12; ++i) {
    reporters.emplace_back([&] {
      auto stub = suite_.Distribution();
      dist::GetDeliveryReportRequest request;
      request.set_statement_id(big->statement().id());
      dist::DeliveryReport report;
      auto ctx = CallContext(token_, absl::Seconds(120));
      EXPECT_TRUE(stub->GetDeliveryReport(ctx.get(), request, &report).ok());
      absl::MutexLock lock(&mu);
      ++reports_done;
    });
  }
  // While they queue, the catalog answers at once.
  auto catalog = dist::Catalog::NewStub(OpenChannel(suite_.distribution_address()));
  for (int i = 0; i < 5; ++i) {
    dist::BatchGetVersionsRequest request;
    auto* ref = request.add_refs();
    ref->set_statement_id(big->statement().id());
    ref->set_version(1);
    dist::BatchGetVersionsResponse response;
    auto ctx = CallContext(ReadFile(suite_.service_token_file()), kWait);
    ASSERT_TRUE(catalog->BatchGetVersions(ctx.get(), request, &response).ok());
    EXPECT_EQ(response.statements_size(), 1);
  }
  {
    absl::MutexLock lock(&mu);
    EXPECT_LT(reports_done, 12) << "the reports were all done before the catalog was asked";
  }
  for (auto& t : reporters) t.join();
}

}  // namespace
}  // namespace pressrelay::testing
