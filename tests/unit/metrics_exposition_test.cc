// The Prometheus text exposition (metrics.h): types, labels and their escaping, cumulative
// histogram buckets, and gauges read at scrape time.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "services/common/base/metrics.h"

namespace pressrelay::metrics {
namespace {

TEST(Exposition, CountersGaugesAndHistogramsInTextFormat) {
  Registry r;
  r.SetConstLabel("service", "subscription");
  r.CounterFamily("pressrelay_test_total", "things counted", {"code"}).CounterWith({"OK"}).Add(3);
  r.CounterFamily("pressrelay_test_total", "things counted", {"code"}).CounterWith({"a\"b\\c\nd"}).Add();
  r.GaugeFamily("pressrelay_test_open", "things open").GaugeWith({}).Set(2.5);
  Histogram& h = r.HistogramFamily("pressrelay_test_seconds", "time taken", {0.1, 1}).HistogramWith({});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(7);
  int reads = 0;
  r.GaugeCallback("pressrelay_test_streams", "streams now", [&reads] { return static_cast<double>(++reads); });
  const std::string text = r.Expose();
  for (const char* want : {
           "# HELP pressrelay_test_total things counted\n# TYPE pressrelay_test_total counter\n",
           "pressrelay_test_total{service=\"subscription\",code=\"OK\"} 3\n",
           "pressrelay_test_total{service=\"subscription\",code=\"a\\\"b\\\\c\\nd\"} 1\n",
           "# TYPE pressrelay_test_open gauge\npressrelay_test_open{service=\"subscription\"} 2.5\n",
           "# TYPE pressrelay_test_seconds histogram\n",
           "pressrelay_test_seconds_bucket{service=\"subscription\",le=\"0.1\"} 1\n",
           "pressrelay_test_seconds_bucket{service=\"subscription\",le=\"1\"} 2\n",
           "pressrelay_test_seconds_bucket{service=\"subscription\",le=\"+Inf\"} 3\n",
           "pressrelay_test_seconds_sum{service=\"subscription\"} 7.55\n",
           "pressrelay_test_seconds_count{service=\"subscription\"} 3\n",
           "pressrelay_test_streams{service=\"subscription\"} 1\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\nin:\n" << text;
  }
  // The callback is read at each scrape.
  EXPECT_NE(r.Expose().find("pressrelay_test_streams{service=\"subscription\"} 2\n"), std::string::npos);
}

TEST(Exposition, AskingForAFamilyAgainGivesTheSameSeries) {
  Registry r;
  r.CounterFamily("pressrelay_again_total", "again").CounterWith({}).Add();
  r.CounterFamily("pressrelay_again_total", "again").CounterWith({}).Add();
  EXPECT_NE(r.Expose().find("pressrelay_again_total 2\n"), std::string::npos) << r.Expose();
}

TEST(Exposition, ManyCallersCountingWhileScrapesRunLoseNothing) {
  Registry r;
  Family& calls = r.CounterFamily("pressrelay_calls_total", "calls", {"method"});
  Histogram& took = r.HistogramFamily("pressrelay_took_seconds", "took", {0.5}).HistogramWith({});
  constexpr int kThreads = 8, kEach = 5000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) (void)r.Expose();  // takes the same locks as the callers
  });
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        calls.CounterWith({t % 2 == 0 ? "A.Even" : "A.Odd"}).Add();
        took.Observe(i % 2 == 0 ? 0.1 : 1.0);
      }
    });
  }
  for (auto& c : callers) c.join();
  done.store(true);
  scraper.join();
  const std::string text = r.Expose();
  EXPECT_NE(text.find("pressrelay_calls_total{method=\"A.Even\"} 20000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pressrelay_calls_total{method=\"A.Odd\"} 20000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pressrelay_took_seconds_bucket{le=\"0.5\"} 20000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pressrelay_took_seconds_count 40000\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace pressrelay::metrics
