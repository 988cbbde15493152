// What a service counts for its operators, exposed in Prometheus' text format (version
// 0.0.4) by metrics_http.h. The catalogue of names, their meaning and the alerts built on them
// is deploy/observability/README.md; every series carries the constant label `service`.
//
// Hot paths keep a reference to their series (a Counter&, taken once) and pay one relaxed
// atomic add per event; label lookups take the family's lock and are for cold paths (an RPC's
// method and code: one lookup per call). Gauges whose value lives elsewhere (open streams,
// the oldest pending fan-out) are read at scrape time through a callback.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace pressrelay::metrics {

class Counter {
 public:
  void Add(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Cumulative counts per bound (then +Inf), the sum and the count.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf one)
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Bucket bounds, in seconds or in recipients.
std::vector<double> LatencyBuckets();   // 1 ms .. 120 s
std::vector<double> AudienceBuckets();  // 1 .. 1,000,000 recipients

enum class Type { kCounter, kGauge, kHistogram };

// One metric name with its help text and label names; its series by label values.
class Family {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> labels,
         std::vector<double> bounds = {});
  // The series with these label values (as many as the family has labels), made on first use.
  Counter& CounterWith(const std::vector<std::string>& values);
  Gauge& GaugeWith(const std::vector<std::string>& values);
  Histogram& HistogramWith(const std::vector<std::string>& values);
  void Write(const std::vector<std::pair<std::string, std::string>>& const_labels, std::string* out) const;
  Type type() const { return type_; }

 private:
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  Series& SeriesWith(const std::vector<std::string>& values) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_, help_;
  const Type type_;
  const std::vector<std::string> labels_;
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, Series> series_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  // The process's registry.
  static Registry& Default();

  // Every series gets these labels (the service's name), set once at start-up.
  void SetConstLabel(std::string name, std::string value);

  // Families are made once and live as long as the registry; asking again for a name returns
  // the same family.
  Family& CounterFamily(absl::string_view name, absl::string_view help, std::vector<std::string> labels = {});
  Family& GaugeFamily(absl::string_view name, absl::string_view help, std::vector<std::string> labels = {});
  Family& HistogramFamily(absl::string_view name, absl::string_view help, std::vector<double> bounds,
                    std::vector<std::string> labels = {});
  // A gauge read at scrape time (replaces an earlier callback of the same name).
  void GaugeCallback(absl::string_view name, absl::string_view help, std::function<double()> read);

  // The exposition (text format 0.0.4).
  std::string Expose() const;

 private:
  Family& Get(absl::string_view name, absl::string_view help, Type type, std::vector<std::string> labels,
              std::vector<double> bounds);

  mutable absl::Mutex mu_;
  std::vector<std::pair<std::string, std::string>> const_labels_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
  struct Callback {
    std::string help;
    std::function<double()> read;
  };
  std::map<std::string, Callback> callbacks_ ABSL_GUARDED_BY(mu_);
};

// Shorthands on the default registry for the usual one-series metrics.
Counter& CounterOf(absl::string_view name, absl::string_view help);
Gauge& GaugeOf(absl::string_view name, absl::string_view help);
Histogram& HistogramOf(absl::string_view name, absl::string_view help, std::vector<double> bounds);

// Escapes a label value for the exposition (backslash, double quote, newline).
std::string EscapeLabelValue(absl::string_view value);

}  // namespace pressrelay::metrics
