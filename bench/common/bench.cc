#include "bench/common/bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace pressrelay::bench {

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  const std::string dashed = "--" + name;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == dashed && i + 1 < argc) return argv[i + 1];
    if (a.rfind(dashed + "=", 0) == 0) return a.substr(dashed.size() + 1);
  }
  return fallback;
}

LoadShape ParseShape(int argc, char** argv) {
  LoadShape s;
  s.subscribers = std::stoi(Flag(argc, argv, "subscribers", std::to_string(s.subscribers)));
  s.messages = std::stoi(Flag(argc, argv, "messages", std::to_string(s.messages)));
  s.message_bytes = std::stoi(Flag(argc, argv, "bytes", std::to_string(s.message_bytes)));
  s.rate = std::stod(Flag(argc, argv, "rate", "0"));
  return s;
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void SleepUntilNs(int64_t target_ns) {
  timespec ts;
  ts.tv_sec = target_ns / 1000000000;
  ts.tv_nsec = target_ns % 1000000000;
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

void RaiseFdLimit(int64_t wanted, const char* who) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && static_cast<int64_t>(rl.rlim_cur) < wanted) {
    std::fprintf(stderr, "%s: fd limit %" PRIu64 " is below the %" PRId64 " needed; expect failed connections\n", who,
                 static_cast<uint64_t>(rl.rlim_cur), wanted);
  }
}

std::string MakePayload(int index, int64_t publish_ns, int bytes) {
  std::string out = absl::StrCat(index, ":", publish_ns, ":");
  if (static_cast<int>(out.size()) < bytes) out.append(bytes - out.size(), 'x');
  return out;
}

bool ParsePayload(const char* data, size_t size, int* index, int64_t* publish_ns) {
  absl::string_view text(data, std::min<size_t>(size, 64));
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits(':', 2));
  return parts.size() == 3 && absl::SimpleAtoi(parts[0], index) && absl::SimpleAtoi(parts[1], publish_ns);
}

DeliveryTracker::DeliveryTracker(int subscribers, int messages)
    : subscribers_(subscribers), messages_(messages), seen_(static_cast<size_t>(subscribers) * messages, 0) {
  latencies_ns_.reserve(static_cast<size_t>(subscribers) * messages);
}

bool DeliveryTracker::Record(int subscriber, int message, int64_t latency_ns) {
  if (subscriber < 0 || subscriber >= subscribers_ || message < 0 || message >= messages_) return false;
  const int64_t now = NowNs();
  absl::MutexLock lock(&mu_);
  uint8_t& seen = seen_[static_cast<size_t>(subscriber) * messages_ + message];
  if (seen) {
    ++duplicates_;
    return false;
  }
  seen = 1;
  ++delivered_;
  latencies_ns_.push_back(latency_ns);
  const int64_t published = now - latency_ns;
  if (first_publish_ns_ == 0 || published < first_publish_ns_) first_publish_ns_ = published;
  last_receive_ns_ = std::max(last_receive_ns_, now);
  return true;
}

bool DeliveryTracker::WaitComplete(absl::Duration timeout) {
  return WaitDelivered(static_cast<int64_t>(subscribers_) * messages_, timeout);
}

bool DeliveryTracker::WaitDelivered(int64_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto done = [this, count]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return delivered_ >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

int64_t DeliveryTracker::delivered() const {
  absl::MutexLock lock(&mu_);
  return delivered_;
}
int64_t DeliveryTracker::duplicates() const {
  absl::MutexLock lock(&mu_);
  return duplicates_;
}
int64_t DeliveryTracker::lost() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(subscribers_) * messages_ - delivered_;
}

double DeliveryTracker::PercentileMs(double p) const {
  absl::MutexLock lock(&mu_);
  if (latencies_ns_.empty()) return 0;
  std::vector<int64_t> sorted = latencies_ns_;
  const size_t k = std::min(sorted.size() - 1, static_cast<size_t>(p / 100.0 * (sorted.size() - 1) + 0.5));
  std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
  return sorted[k] / 1e6;
}

double DeliveryTracker::MaxMs() const {
  absl::MutexLock lock(&mu_);
  if (latencies_ns_.empty()) return 0;
  return *std::max_element(latencies_ns_.begin(), latencies_ns_.end()) / 1e6;
}

absl::Duration DeliveryTracker::Span() const {
  absl::MutexLock lock(&mu_);
  return absl::Nanoseconds(last_receive_ns_ - first_publish_ns_);
}

void Summarise(const DeliveryTracker& tracker, Result* result) {
  result->expected = static_cast<int64_t>(result->shape.subscribers) * result->shape.messages;
  result->delivered = tracker.delivered();
  result->lost = tracker.lost();
  result->duplicated = tracker.duplicates();
  result->seconds = absl::ToDoubleSeconds(tracker.Span());
  result->deliveries_per_s = result->seconds > 0 ? result->delivered / result->seconds : 0;
  result->p50_ms = tracker.PercentileMs(50);
  result->p99_ms = tracker.PercentileMs(99);
  result->max_ms = tracker.MaxMs();
}

namespace {

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.append(" ");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void PrintResult(const Result& r) {
  std::string extra;
  for (const auto& [k, v] : r.extra) {
    absl::StrAppend(&extra, extra.empty() ? "" : ",", "\"", JsonEscape(k), "\":", absl::StrFormat("%.3f", v));
  }
  std::printf(
      "RESULT {\"system\":\"%s\",\"scenario\":\"%s\",\"subscribers\":%d,\"messages\":%d,\"bytes\":%d,"
      "\"rate\":%g,\"expected\":%" PRId64 ",\"delivered\":%" PRId64 ",\"lost\":%" PRId64 ",\"duplicated\":%" PRId64
      ",\"seconds\":%.4f,\"deliveries_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"extra\":{%s},\"notes\":\"%s\"}\n",
      JsonEscape(r.system).c_str(), JsonEscape(r.scenario.empty() ? "fanout" : r.scenario).c_str(),
      r.shape.subscribers, r.shape.messages, r.shape.message_bytes, r.shape.rate, r.expected, r.delivered, r.lost,
      r.duplicated, r.seconds, r.deliveries_per_s, r.p50_ms, r.p99_ms, r.max_ms, extra.c_str(),
      JsonEscape(r.notes).c_str());
  std::fflush(stdout);
}

namespace {

int64_t StatusKib(int pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      int64_t kib = 0;
      if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kib)) return kib;
    }
  }
  return -1;
}

}  // namespace

double CpuSeconds(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
  if (fields.size() < 13) return -1;
  int64_t utime = 0, stime = 0;
  if (!absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) return -1;
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

double ContextSwitches(int pid) {
  std::error_code error;
  std::filesystem::directory_iterator tasks(absl::StrCat("/proc/", pid, "/task"), error);
  if (error) return -1;
  double total = 0;
  for (const auto& task : tasks) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view rest = line;
      if (!absl::ConsumePrefix(&rest, "voluntary_ctxt_switches:") &&
          !absl::ConsumePrefix(&rest, "nonvoluntary_ctxt_switches:")) {
        continue;
      }
      double n = 0;
      if (absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &n)) total += n;
    }
  }
  return total;
}

PhaseCost::PhaseCost(std::vector<std::pair<std::string, int>> processes) : processes_(std::move(processes)) {}

PhaseCost::~PhaseCost() {
  if (perf_pid_ > 0) {
    kill(perf_pid_, SIGKILL);
    waitpid(perf_pid_, nullptr, 0);
  }
  if (!perf_file_.empty()) std::remove(perf_file_.c_str());
}

void PhaseCost::Start() {
  cpu_before_.clear();
  switches_before_.clear();
  for (const auto& [name, pid] : processes_) {
    cpu_before_.push_back(CpuSeconds(pid));
    switches_before_.push_back(ContextSwitches(pid));
  }
  // perf counts until SIGINT; it writes its counts (CSV) to the file as it exits.
  char path[] = "/tmp/bench-perf-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    perf_note_ = "perf: no temporary file";
    return;
  }
  close(fd);
  perf_file_ = path;
  std::vector<std::string> args = {"perf", "stat", "-a", "-x", ",", "-e", "raw_syscalls:sys_enter,context-switches",
                                   "-o", perf_file_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "perf", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    perf_note_ = "perf not installed: no system-call or context-switch counts";
    return;
  }
  perf_pid_ = pid;
  // Counting starts once perf has opened its counters: give it a moment (it writes nothing
  // to say so). A few milliseconds of the phase uncounted is noise next to a phase of seconds.
  usleep(200 * 1000);
}

void PhaseCost::Stop() {
  cpu_used_.clear();
  switches_used_.clear();
  for (size_t i = 0; i < processes_.size(); ++i) {
    cpu_used_.push_back(CpuSeconds(processes_[i].second) - cpu_before_[i]);
    const double switches = ContextSwitches(processes_[i].second);
    switches_used_.push_back(switches >= 0 && switches_before_[i] >= 0 ? switches - switches_before_[i] : -1);
  }
  if (perf_pid_ <= 0) return;
  kill(perf_pid_, SIGINT);
  int status = 0;
  waitpid(perf_pid_, &status, 0);
  perf_pid_ = 0;
  std::ifstream in(perf_file_);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() < 3) continue;
    double value = 0;
    if (!absl::SimpleAtod(cells[0], &value)) continue;  // "<not supported>", "<not counted>"
    if (cells[2] == "raw_syscalls:sys_enter") syscalls_ = value;
    if (cells[2] == "context-switches") context_switches_ = value;
  }
  if (syscalls_ < 0 || context_switches_ < 0) {
    perf_note_ = "perf could not count system-wide (not root, or kernel.perf_event_paranoid > 0)";
  }
}

void PhaseCost::AddTo(int64_t deliveries, Result* result) const {
  const double n = static_cast<double>(std::max<int64_t>(1, deliveries));
  double total = 0;
  for (size_t i = 0; i < cpu_used_.size(); ++i) {
    result->extra[processes_[i].first + "_cpu_us_per_delivery"] = cpu_used_[i] * 1e6 / n;
    if (switches_used_[i] >= 0) {
      result->extra[processes_[i].first + "_context_switches_per_delivery"] = switches_used_[i] / n;
    }
    total += cpu_used_[i];
  }
  result->extra["cpu_us_per_delivery"] = total * 1e6 / n;
  if (syscalls_ >= 0) result->extra["machine_syscalls_per_delivery"] = syscalls_ / n;
  if (context_switches_ >= 0) result->extra["machine_context_switches_per_delivery"] = context_switches_ / n;
  if (!perf_note_.empty()) result->notes += "; " + perf_note_;
}

int64_t PeakRssKib(int pid) { return StatusKib(pid, "VmHWM:"); }
int64_t RssKib(int pid) { return StatusKib(pid, "VmRSS:"); }

}  // namespace pressrelay::bench
