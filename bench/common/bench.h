// What every benchmark in bench/ shares: the load shape, the payload format that carries the
// publish time, delivery accounting (lost, duplicated) with latency percentiles, and the one
// result line each run prints for bench/report.py to tabulate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace pressrelay::bench {

// The same for pressrelay and every peer in one run.
struct LoadShape {
  int subscribers = 10000;
  int messages = 20;
  int message_bytes = 5000;
  // Statements per second; 0 publishes back to back.
  double rate = 0;
};

// Parses --subscribers N --messages M --bytes B --rate R (and leaves other words alone).
LoadShape ParseShape(int argc, char** argv);
// The value of "--name V" / "--name=V" in argv, or `fallback`.
std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback);

// Nanoseconds on CLOCK_REALTIME: publisher and subscribers are on one machine.
int64_t NowNs();
// Sleeps until NowNs() reaches `target_ns` (pacing a publisher at --rate).
void SleepUntilNs(int64_t target_ns);
// Raises the open-file limit to its hard maximum (one socket per subscriber); warns, naming
// `who`, when that is still below `wanted`.
void RaiseFdLimit(int64_t wanted, const char* who);

// A message of exactly `bytes` printable ASCII bytes that starts with
// "<index>:<publish time ns>:" and is padded: valid UTF-8, so pressrelay's validation
// accepts it as a statement body and every peer carries it unchanged.
std::string MakePayload(int index, int64_t publish_ns, int bytes);
// Reads index and publish time back; false if the bytes are not a payload.
bool ParsePayload(const char* data, size_t size, int* index, int64_t* publish_ns);

// Who received what, and when. Thread-safe.
class DeliveryTracker {
 public:
  DeliveryTracker(int subscribers, int messages);
  // Records a delivery; returns false (and counts it) if it is a duplicate.
  bool Record(int subscriber, int message, int64_t latency_ns);
  // Blocks until every subscriber has every message, or the timeout passes.
  bool WaitComplete(absl::Duration timeout);
  // Blocks until `count` distinct deliveries were recorded, or the timeout passes.
  bool WaitDelivered(int64_t count, absl::Duration timeout);
  int64_t delivered() const;
  int64_t duplicates() const;
  int64_t lost() const;  // expected minus distinct delivered
  // Latency percentiles (0..100) in milliseconds, over first deliveries.
  double PercentileMs(double p) const;
  double MaxMs() const;
  // Time from the first delivery's publish to the last delivery.
  absl::Duration Span() const;

 private:
  const int subscribers_, messages_;
  mutable absl::Mutex mu_;
  std::vector<uint8_t> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> latencies_ns_ ABSL_GUARDED_BY(mu_);
  int64_t delivered_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t first_publish_ns_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_receive_ns_ ABSL_GUARDED_BY(mu_) = 0;
};

struct Result {
  std::string system;   // "pressrelay", "redis-pubsub", "redis-streams", "mosquitto-qos1", "nats-jetstream"
  std::string scenario; // "fanout" unless a run measures something else
  LoadShape shape;
  int64_t expected = 0;
  int64_t delivered = 0;
  int64_t lost = 0;
  int64_t duplicated = 0;
  double seconds = 0;           // first publish to last delivery
  double deliveries_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::map<std::string, double> extra;  // peak RSS per process (KiB), memory figures, ...
  std::string notes;

  // Appends "; <count> <what>" to the notes when count is not zero.
  void NoteCount(int64_t count, const std::string& what) {
    if (count != 0) notes += "; " + std::to_string(count) + " " + what;
  }
};

// Fills the delivery figures of `result` from a tracker.
void Summarise(const DeliveryTracker& tracker, Result* result);
// One line on stdout: "RESULT {json}".
void PrintResult(const Result& result);

// Peak resident memory (VmHWM) and current (VmRSS) of a process, in KiB; -1 if unknown.
int64_t PeakRssKib(int pid);
int64_t RssKib(int pid);
// CPU time (user + system, all threads) a process has used so far, in seconds.
double CpuSeconds(int pid);
// Context switches (voluntary and not) of the process's live threads so far; -1 if unknown.
// A thread that ends takes its count with it.
double ContextSwitches(int pid);

// What the delivery phase of a run cost, in figures that compare across hosts (a host whose
// kernel makes system calls and context switches expensive changes the rates, not these):
//   <name>_cpu_us_per_delivery     CPU time of each named process (server, broker, client)
//   cpu_us_per_delivery            their sum
//   <name>_context_switches_per_delivery
//                                  each named process's, from /proc (its threads' counts)
//   machine_syscalls_per_delivery, machine_context_switches_per_delivery
//                                  counted across the whole machine by `perf stat -a` while the
//                                  phase runs, where perf is installed and allowed to count
//                                  system-wide (root, or perf_event_paranoid <= 0); otherwise
//                                  left out and the notes say why.
// Start() just before the first publish, Stop() once every delivery arrived.
class PhaseCost {
 public:
  explicit PhaseCost(std::vector<std::pair<std::string, int>> processes);
  ~PhaseCost();
  void Start();
  void Stop();
  void AddTo(int64_t deliveries, Result* result) const;

 private:
  std::vector<std::pair<std::string, int>> processes_;
  std::vector<double> cpu_before_, cpu_used_;
  std::vector<double> switches_before_, switches_used_;
  int perf_pid_ = 0;
  std::string perf_file_;
  double syscalls_ = -1, context_switches_ = -1;
  std::string perf_note_;
};

}  // namespace pressrelay::bench
