// The operator's view, against the real binaries: every service and the gateway serve
// Prometheus metrics on their own port, the expositions pass `promtool check metrics`, the
// counters move with the wire (a publish, its delivery, an acknowledgement), and a real
// Prometheus server scrapes the running suite and answers a query on a delivery counter.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/rpc/grpc_util.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

bool Installed(const std::string& program) {
  return std::system(absl::StrCat("command -v ", program, " >/dev/null 2>&1").c_str()) == 0;
}


class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SuiteOptions options;
    options.metrics = true;
    suite_ = std::make_unique<Suite>(options);
    ASSERT_TRUE(suite_->Start().ok());
    ASSERT_TRUE(suite_->StartGateway().ok());
    auto wire = suite_->SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
    ASSERT_TRUE(wire.ok()) << wire.status();
    wire_ = *wire;
  }

  // A statement published, delivered to the newsroom's stream, and acknowledged.
  void RunTheWire() {
    TestSubscriber stream(suite_->subscription_address(), wire_.newsroom.token(), "");
    stream.Start();
    ASSERT_TRUE(stream.WaitCaughtUp(kWait));
    auto published = suite_->Publish(wire_.spokesperson_token, MakeDraft("MOH", "Thông cáo báo chí về số liệu"));
    ASSERT_TRUE(published.ok()) << published.status();
    ASSERT_TRUE(stream.WaitForCount(1, kWait));
    auto stub = suite_->Subscription();
    sub::AckRequest ack;
    ack.set_cursor(stream.deliveries()[0].cursor());
    sub::AckResponse acked;
    auto ctx = CallContext(wire_.newsroom.token(), kWait);
    ASSERT_TRUE(stub->Ack(ctx.get(), ack, &acked).ok());
  }

  std::unique_ptr<Suite> suite_;
  Suite::SmallWire wire_;
};

TEST_F(MetricsTest, EveryServiceExposesValidMetricsThatMoveWithTheWire) {
  RunTheWire();
  const auto targets = suite_->metrics_targets();
  ASSERT_EQ(targets.size(), 4u);  // registry, distribution-0, subscription-0, gateway
  std::map<std::string, std::string> scraped;
  for (const auto& [name, address] : targets) {
    scraped[name] = Scrape(address);
    const std::string& text = scraped[name];
    ASSERT_FALSE(text.empty()) << name;
    const std::string service = name.substr(0, name.find('-'));
    EXPECT_EQ(Value(text, "pressrelay_build_info", {{"service", service}}), 1) << name;
    EXPECT_EQ(Value(text, "pressrelay_ready", {{"service", service}}), 1) << name;
  }
  // The stream above has ended (the subscriber went away): the service counts it with its
  // status once it has seen the call end, within a sweep of its stream queues (20 ms,
  // stream_loop.h), which may be after the first scrape.
  const std::map<std::string, std::string> addresses(targets.begin(), targets.end());
  const absl::Time until = absl::Now() + kWait;
  auto subscribes = [&] {
    return Value(scraped["subscription-0"], "pressrelay_rpc_requests_total", {{"method", "Subscription.Subscribe"}});
  };
  while (subscribes() < 1 && absl::Now() < until) scraped["subscription-0"] = Scrape(addresses.at("subscription-0"));
  const std::string& dist = scraped["distribution-0"];
  const std::string& sub = scraped["subscription-0"];
  EXPECT_GE(Value(dist, "pressrelay_publishes_total"), 1);
  EXPECT_GE(Value(dist, "pressrelay_publish_duration_seconds_count"), 1);
  EXPECT_GE(Value(dist, "pressrelay_fanout_recipients_count"), 1);
  EXPECT_GE(Value(dist, "pressrelay_deliveries_queued_total"), 1);
  EXPECT_EQ(Value(dist, "pressrelay_fanout_lease_expired_total"), 0);  // exposed before any takeover
  EXPECT_GE(Value(dist, "pressrelay_fanout_oldest_pending_seconds"), 0);
  EXPECT_GE(Value(dist, "pressrelay_rpc_requests_total", {{"method", "Distribution.Publish"}, {"code", "OK"}}), 1);
  EXPECT_GE(Value(dist, "pressrelay_rpc_duration_seconds_count", {{"method", "Distribution.Publish"}}), 1);
  EXPECT_GE(Value(dist, "pressrelay_redis_round_trips_total"), 1);
  EXPECT_GE(Value(sub, "pressrelay_deliveries_sent_total"), 1);
  EXPECT_GE(Value(sub, "pressrelay_delivery_lag_seconds_count"), 1);
  EXPECT_GE(Value(sub, "pressrelay_deliveries_acknowledged_total"), 1);
  EXPECT_EQ(Value(sub, "pressrelay_slow_readers_cut_total"), 0);
  EXPECT_GE(Value(sub, "pressrelay_rpc_requests_total", {{"method", "Subscription.Ack"}, {"code", "OK"}}), 1);
  EXPECT_GE(Value(sub, "pressrelay_rpc_requests_total", {{"method", "Subscription.Subscribe"}}), 1);
  EXPECT_GE(Value(sub, "pressrelay_open_streams"), 0);
  EXPECT_GE(Value(scraped["registry"], "pressrelay_rpc_requests_total", {{"code", "OK"}}), 1);

  if (!Installed("promtool")) GTEST_SKIP() << "promtool (Debian package prometheus) is not installed";
  for (const auto& [name, text] : scraped) {
    const std::string file = suite_->dir() + "/" + name + ".prom";
    std::ofstream(file) << text;
    const int rc = std::system(absl::StrCat("promtool check metrics < ", file, " > ", file, ".lint 2>&1").c_str());
    std::ifstream lint(file + ".lint");
    std::string findings((std::istreambuf_iterator<char>(lint)), std::istreambuf_iterator<char>());
    EXPECT_EQ(rc, 0) << name << ": " << findings;
  }
}

TEST_F(MetricsTest, APrometheusServerScrapesTheSuiteAndSeesDeliveries) {
  if (!Installed("prometheus")) GTEST_SKIP() << "prometheus (Debian package prometheus) is not installed";
  RunTheWire();
  std::string targets;
  for (const auto& [name, address] : suite_->metrics_targets()) absl::StrAppend(&targets, "'", address, "',");
  const std::string dir = suite_->dir() + "/prometheus";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                         << "scrape_configs:\n  - job_name: pressrelay\n    static_configs:\n"
                                         << "      - targets: [" << targets << "]\n";
  const int port = FreePort();
  ChildProcess prometheus;
  ASSERT_TRUE(prometheus
                  .Start({"prometheus", "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir,
                          absl::StrCat("--web.listen-address=127.0.0.1:", port)},
                         dir + "/prometheus.log")
                  .ok());
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  // Prometheus scrapes every second; the query answers once a scrape has landed.
  const std::regex value(R"re("value":\[[0-9.]+,"([0-9.e+]+)"\])re");
  double sent = -1;
  int up_targets = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && (sent < 1 || up_targets < 4)) {
    auto res = client.Get("/api/v1/query?query=sum(pressrelay_deliveries_sent_total)");
    std::smatch m;
    if (res && res->status == 200 && std::regex_search(res->body, m, value)) sent = std::stod(m[1]);
    auto up = client.Get("/api/v1/query?query=sum(up)");
    if (up && up->status == 200 && std::regex_search(up->body, m, value)) up_targets = std::stoi(m[1]);
    if (sent < 1 || up_targets < 4) {
      // Waiting for the next scrape (1 s apart): ask again when the process may have one.
      (void)prometheus.Wait(absl::Milliseconds(250));
    }
  }
  EXPECT_EQ(up_targets, 4) << "see " << dir << "/prometheus.log";
  EXPECT_GE(sent, 1) << "see " << dir << "/prometheus.log";
}

}  // namespace
}  // namespace pressrelay::testing
