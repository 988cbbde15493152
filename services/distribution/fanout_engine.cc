#include "services/distribution/fanout_engine.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "services/common/base/log.h"
#include "services/common/base/metrics.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {

std::vector<int> ShardsOf(const store::FanoutJob& job) {
  std::vector<int> shards;
  for (const auto& shard : job.shards()) shards.push_back(shard.shard());
  return shards;
}

FanoutEngine::FanoutEngine(redis::Pool* pool, FanoutOptions options)
    : pool_(pool), options_(std::move(options)) {}

std::vector<std::pair<int, int64_t>> NextBatch(absl::Span<const int64_t> totals, absl::Span<const int64_t> progress,
                                               int chunk_size, int chunks_per_batch) {
  std::vector<std::pair<int, int64_t>> batch;
  for (int s = 0; s < static_cast<int>(totals.size()); ++s) {
    for (int64_t start = progress[s]; start < totals[s]; start += chunk_size) {
      if (static_cast<int>(batch.size()) == chunks_per_batch) return batch;
      batch.emplace_back(s, start);
    }
  }
  return batch;
}

namespace {

struct FanoutMetrics {
  metrics::Histogram& recipients = metrics::HistogramOf(
      "pressrelay_fanout_recipients", "recipients per fan-out job (one version, one phase)", metrics::AudienceBuckets());
  metrics::Histogram& duration = metrics::HistogramOf(
      "pressrelay_fanout_duration_seconds", "time to queue a fan-out job for its whole audience",
      metrics::LatencyBuckets());
  metrics::Counter& queued =
      metrics::CounterOf("pressrelay_deliveries_queued_total", "queue entries written for recipients");
  metrics::Counter& retries = metrics::CounterOf(
      "pressrelay_fanout_retries_total",
      "fan-out runs that failed (a Redis error, replicas late to confirm) and were scheduled to run again");
};

// Made at start-up, so that every series is exposed (at 0) before its first event.
FanoutMetrics& fanout_metrics = *new FanoutMetrics();
FanoutMetrics& Metrics() { return fanout_metrics; }

}  // namespace

absl::Duration FanoutEngine::OldestRunning(absl::Time now) const {
  absl::MutexLock lock(&running_mu_);
  absl::Duration oldest = absl::ZeroDuration();
  for (const auto& [id, since] : running_) oldest = std::max(oldest, now - since);
  return oldest;
}

absl::StatusOr<int64_t> FanoutEngine::Run(const store::FanoutJob& job) {
  const absl::Time started = absl::Now();
  {
    absl::MutexLock lock(&running_mu_);
    running_.emplace(job.job_id(), started);
  }
  absl::Cleanup not_running = [this, &job] {
    absl::MutexLock lock(&running_mu_);
    running_.erase(job.job_id());
  };
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(std::vector<int64_t> progress, fanout::Progress(*redis, job.job_id(), ShardsOf(job)));
  std::vector<int64_t> totals;
  for (const auto& shard : job.shards()) totals.push_back(shard.recipients_size());
  for (bool first = true;; first = false) {
    const auto batch = NextBatch(totals, progress, options_.chunk_size, options_.chunks_per_batch);
    if (batch.empty()) break;
    if (!first) PR_RETURN_IF_ERROR(StatementStore::RenewLease(*redis, job.job_id(), options_.lease));
    std::vector<fanout::Chunk> chunks;
    for (const auto& [s, start] : batch) {
      const auto& shard = job.shards(s);
      fanout::Chunk chunk;
      chunk.job_id = job.job_id();
      chunk.shard = shard.shard();
      chunk.statement_id = job.statement_id();
      chunk.version = job.version();
      chunk.lane = static_cast<keys::Lane>(job.lane());
      chunk.start = start;
      const int64_t end = std::min<int64_t>(totals[s], start + options_.chunk_size);
      chunk.recipients.assign(shard.recipients().begin() + start, shard.recipients().begin() + end);
      chunks.push_back(std::move(chunk));
    }
    PR_ASSIGN_OR_RETURN(auto results, fanout::EnqueueChunks(*redis, chunks, options_.retention));
    // Whether our chunks applied or another runner got there first, each shard's progress
    // is now where its last answer says.
    for (size_t i = 0; i < results.size(); ++i) progress[batch[i].first] = results[i].progress;
  }
  int64_t queued = 0;
  for (int64_t total : totals) queued += total;
  // The queues live in other slots (other primaries) than the job's record: with
  // --redis_wait_replicas they reach replicas before the job is marked done, so a failover
  // cannot keep "done" while losing the chunks (the job would never run them again).
  PR_RETURN_IF_ERROR(redis->AwaitReplicas());
  PR_RETURN_IF_ERROR(StatementStore::FinishJob(*redis, job));
  Metrics().recipients.Observe(static_cast<double>(queued));
  Metrics().duration.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  Metrics().queued.Add(static_cast<double>(queued));
  spdlog::info("fan-out {}: {} recipients queued in {} ms", job.job_id(), queued,
               absl::ToInt64Milliseconds(absl::Now() - started));
  return queued;
}

void FanoutEngine::Submit(std::shared_ptr<const store::FanoutJob> job,
                          absl::AnyInvocable<void(absl::StatusOr<int64_t>) &&> done) {
  executor_.Submit([this, job = std::move(job), done = std::move(done)]() mutable {
    std::move(done)(Run(*job));
  });
}

void FanoutEngine::RetryLater(const store::FanoutJob& job, const absl::Status& failure) {
  Metrics().retries.Add();
  auto retry = [&]() -> absl::StatusOr<StatementStore::Retry> {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    return StatementStore::RetryLater(*redis, job.job_id(), options_.retry_first,
                                      std::min(options_.retry_longest, options_.lease));
  }();
  if (!retry.ok()) {
    spdlog::warn("fan-out {}: {}; could not schedule a retry ({}): it is taken over when its lease lapses",
                 job.job_id(), failure.ToString(), retry.status().ToString());
  } else if (retry->failures == 0) {
    spdlog::info("fan-out {}: {}; it has finished meanwhile (another runner)", job.job_id(), failure.ToString());
  } else {
    spdlog::warn("fan-out {}: {}; failed run {} of the job, it runs again in {} ms", job.job_id(),
                 failure.ToString(), retry->failures, absl::ToInt64Milliseconds(retry->delay));
  }
}

absl::Status FanoutEngine::Admit() const {
  const size_t waiting = executor_.backlog();
  if (options_.max_queued == 0 || waiting < options_.max_queued) return absl::OkStatus();
  return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat("the fan-out queue is full (", waiting,
                                                                  " statements waiting); retry shortly")),
                        absl::Seconds(1));
}

absl::StatusOr<int64_t> FanoutEngine::Queued(redis::Client& redis, const store::FanoutJob& job) {
  PR_ASSIGN_OR_RETURN(auto progresses, fanout::Progress(redis, job.job_id(), ShardsOf(job)));
  int64_t queued = 0;
  for (int s = 0; s < job.shards_size(); ++s) queued += std::min<int64_t>(progresses[s], job.shards(s).recipients_size());
  return queued;
}

JobRunner::JobRunner(FanoutEngine* engine, redis::Pool* pool, absl::Duration max_wait)
    : engine_(engine), pool_(pool), max_wait_(max_wait) {}

void JobRunner::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

JobRunner::~JobRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void JobRunner::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

bool JobRunner::RunDue() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return true;
    }
    // Claim and load on one lease, given back before the run takes its own.
    absl::StatusOr<std::optional<store::FanoutJob>> job = [&]() -> absl::StatusOr<std::optional<store::FanoutJob>> {
      PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
      PR_ASSIGN_OR_RETURN(auto claimed, StatementStore::ClaimDueJob(*redis, engine_->options().lease));
      if (!claimed) return std::optional<store::FanoutJob>();
      if (claimed->why == StatementStore::Claim::Why::kTakeover) {
        spdlog::warn("fan-out {}: its runner's lease lapsed (the replica died or stalled); taken over",
                     claimed->job_id);
      }
      PR_ASSIGN_OR_RETURN(auto loaded, StatementStore::LoadJob(*redis, claimed->job_id));
      if (!loaded) return absl::DataLossError(absl::StrCat("job ", claimed->job_id, " is missing"));
      return loaded;
    }();
    if (!job.ok()) {
      spdlog::warn("job runner: {}", job.status().ToString());
      return false;
    }
    if (!job->has_value()) return true;
    if (auto queued = engine_->Run(**job); !queued.ok()) {
      engine_->RetryLater(**job, queued.status());
      return false;  // the loop waits for the next job due, the retry's time at the latest
    }
  }
}

void JobRunner::Loop() {
  for (;;) {
    RunDue();
    absl::Duration wait = max_wait_;
    absl::StatusOr<std::optional<absl::Time>> next = [&]() -> absl::StatusOr<std::optional<absl::Time>> {
      PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
      return StatementStore::NextDue(*redis);
    }();
    if (next.ok() && next->has_value()) {
      wait = std::clamp(**next - absl::Now(), absl::Milliseconds(1), max_wait_);
    }
    absl::MutexLock lock(&mu_);
    auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return woken_ || stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&wake), wait);
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace pressrelay::distribution
