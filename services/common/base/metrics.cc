#include "services/common/base/metrics.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace pressrelay::metrics {
namespace {

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrCat(static_cast<int64_t>(v));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

// {a="x",b="y"} from the constant labels, the family's labels and an extra (le) one.
std::string Labels(const std::vector<std::pair<std::string, std::string>>& const_labels,
                   const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  auto add = [&out](const std::string& name, const std::string& value) {
    absl::StrAppend(&out, out.empty() ? "{" : ",", name, "=\"", EscapeLabelValue(value), "\"");
  };
  for (const auto& [name, value] : const_labels) add(name, value);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) add(names[i], values[i]);
  if (!extra_name.empty()) add(extra_name, extra_value);
  if (!out.empty()) out += "}";
  return out;
}

const char* TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// HELP text escapes backslashes and newlines; label values double quotes too.
std::string Escape(absl::string_view text, bool quotes) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(absl::string_view help) { return Escape(help, /*quotes=*/false); }

}  // namespace

std::string EscapeLabelValue(absl::string_view value) { return Escape(value, /*quotes=*/true); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // The count is the +Inf bucket, so that the two always agree in one exposition.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

std::vector<double> AudienceBuckets() { return {1, 10, 100, 1000, 10000, 100000, 1000000}; }

Family::Family(std::string name, std::string help, Type type, std::vector<std::string> labels,
               std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      labels_(std::move(labels)),
      bounds_(std::move(bounds)) {}

Family::Series& Family::SeriesWith(const std::vector<std::string>& values) {
  auto [it, inserted] = series_.try_emplace(values);
  if (inserted) {
    switch (type_) {
      case Type::kCounter:
        it->second.counter = std::make_unique<metrics::Counter>();
        break;
      case Type::kGauge:
        it->second.gauge = std::make_unique<metrics::Gauge>();
        break;
      case Type::kHistogram:
        it->second.histogram = std::make_unique<metrics::Histogram>(bounds_);
        break;
    }
  }
  return it->second;
}

Counter& Family::CounterWith(const std::vector<std::string>& values) {
  absl::MutexLock lock(&mu_);
  return *SeriesWith(values).counter;
}

Gauge& Family::GaugeWith(const std::vector<std::string>& values) {
  absl::MutexLock lock(&mu_);
  return *SeriesWith(values).gauge;
}

Histogram& Family::HistogramWith(const std::vector<std::string>& values) {
  absl::MutexLock lock(&mu_);
  return *SeriesWith(values).histogram;
}

void Family::Write(const std::vector<std::pair<std::string, std::string>>& const_labels, std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", EscapeHelp(help_), "\n# TYPE ", name_, " ", TypeName(type_), "\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [values, series] : series_) {
    switch (type_) {
      case Type::kCounter:
        absl::StrAppend(out, name_, Labels(const_labels, labels_, values), " ", FormatValue(series.counter->value()),
                        "\n");
        break;
      case Type::kGauge:
        absl::StrAppend(out, name_, Labels(const_labels, labels_, values), " ", FormatValue(series.gauge->value()),
                        "\n");
        break;
      case Type::kHistogram: {
        const auto snap = series.histogram->Read();
        for (size_t i = 0; i < bounds_.size(); ++i) {
          absl::StrAppend(out, name_, "_bucket", Labels(const_labels, labels_, values, "le", FormatValue(bounds_[i])),
                          " ", snap.cumulative[i], "\n");
        }
        absl::StrAppend(out, name_, "_bucket", Labels(const_labels, labels_, values, "le", "+Inf"), " ", snap.count,
                        "\n");
        absl::StrAppend(out, name_, "_sum", Labels(const_labels, labels_, values), " ", FormatValue(snap.sum), "\n");
        absl::StrAppend(out, name_, "_count", Labels(const_labels, labels_, values), " ", snap.count, "\n");
        break;
      }
    }
  }
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

void Registry::SetConstLabel(std::string name, std::string value) {
  absl::MutexLock lock(&mu_);
  for (auto& [n, v] : const_labels_) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  const_labels_.emplace_back(std::move(name), std::move(value));
}

Family& Registry::Get(absl::string_view name, absl::string_view help, Type type, std::vector<std::string> labels,
                      std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  auto it = families_.find(std::string(name));
  if (it != families_.end()) return *it->second;
  auto family = std::make_unique<Family>(std::string(name), std::string(help), type, std::move(labels),
                                         std::move(bounds));
  Family& ref = *family;
  families_.emplace(std::string(name), std::move(family));
  return ref;
}

Family& Registry::CounterFamily(absl::string_view name, absl::string_view help, std::vector<std::string> labels) {
  return Get(name, help, Type::kCounter, std::move(labels), {});
}

Family& Registry::GaugeFamily(absl::string_view name, absl::string_view help, std::vector<std::string> labels) {
  return Get(name, help, Type::kGauge, std::move(labels), {});
}

Family& Registry::HistogramFamily(absl::string_view name, absl::string_view help, std::vector<double> bounds,
                                  std::vector<std::string> labels) {
  return Get(name, help, Type::kHistogram, std::move(labels), std::move(bounds));
}

void Registry::GaugeCallback(absl::string_view name, absl::string_view help, std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  callbacks_[std::string(name)] = Callback{std::string(help), std::move(read)};
}

std::string Registry::Expose() const {
  std::vector<std::pair<std::string, std::string>> const_labels;
  std::vector<const Family*> families;
  std::vector<std::pair<std::string, Callback>> callbacks;
  {
    absl::MutexLock lock(&mu_);
    const_labels = const_labels_;
    for (const auto& [name, family] : families_) families.push_back(family.get());
    for (const auto& [name, cb] : callbacks_) callbacks.emplace_back(name, cb);
  }
  std::string out;
  for (const Family* family : families) family->Write(const_labels, &out);
  // Callbacks run outside the registry's lock: they take their owners' locks.
  for (const auto& [name, cb] : callbacks) {
    absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(cb.help), "\n# TYPE ", name, " gauge\n", name,
                    Labels(const_labels, {}, {}), " ", FormatValue(cb.read()), "\n");
  }
  return out;
}

Counter& CounterOf(absl::string_view name, absl::string_view help) {
  return Registry::Default().CounterFamily(name, help).CounterWith({});
}

Gauge& GaugeOf(absl::string_view name, absl::string_view help) {
  return Registry::Default().GaugeFamily(name, help).GaugeWith({});
}

Histogram& HistogramOf(absl::string_view name, absl::string_view help, std::vector<double> bounds) {
  return Registry::Default().HistogramFamily(name, help, std::move(bounds)).HistogramWith({});
}

}  // namespace pressrelay::metrics
