// The distribution service under more concurrent work than it has threads and Redis
// connections: every call answers within its deadline, every fan-out finishes, and health
// tells the truth about a replica that can no longer do its work.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/server.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
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
    auto scheduled = redis.Run({"ZCARD", "fo:sched"});
    auto leased = redis.Run({"ZCARD", "fo:lease"});
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
  ASSERT_TRUE(suite.PutAgency("MOH", "Bộ Y tế").ok());
  ASSERT_TRUE(suite.PutSpokesperson("moh-sp", "MOH").ok());
  ASSERT_TRUE(suite.PutOutlet("wire", "Test wire").ok());
  // More recipients than one round trip carries at this chunk size (16 chunks), so a
  // fan-out renews its lease between trips.
  ASSERT_TRUE(suite.ImportClients("newsroom", 300, "wire").ok());
  const std::string token = *suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
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
