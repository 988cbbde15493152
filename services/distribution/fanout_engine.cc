#include "services/distribution/fanout_engine.h"

#include <algorithm>

#include "services/common/log.h"
#include "services/common/status_macros.h"

namespace pressrelay::distribution {

std::vector<int> ShardsOf(const store::FanoutJob& job) {
  std::vector<int> shards;
  for (const auto& shard : job.shards()) shards.push_back(shard.shard());
  return shards;
}

FanoutEngine::FanoutEngine(redis::Pool* pool, StatementStore* store, FanoutOptions options)
    : pool_(pool), store_(store), options_(std::move(options)) {}

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

absl::StatusOr<int64_t> FanoutEngine::Run(const store::FanoutJob& job) {
  const absl::Time started = absl::Now();
  auto redis = pool_->Acquire();
  PR_ASSIGN_OR_RETURN(std::vector<int64_t> progress, fanout::Progress(*redis, job.job_id(), ShardsOf(job)));
  std::vector<int64_t> totals;
  for (const auto& shard : job.shards()) totals.push_back(shard.recipients_size());
  for (bool first = true;; first = false) {
    const auto batch = NextBatch(totals, progress, options_.chunk_size, options_.chunks_per_batch);
    if (batch.empty()) break;
    if (!first) PR_RETURN_IF_ERROR(store_->RenewLease(job.job_id(), options_.lease));
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
  PR_RETURN_IF_ERROR(store_->FinishJob(job));
  spdlog::info("fan-out {}: {} recipients queued in {} ms", job.job_id(), queued,
               absl::ToInt64Milliseconds(absl::Now() - started));
  return queued;
}

void FanoutEngine::Submit(store::FanoutJob job, absl::AnyInvocable<void(absl::StatusOr<int64_t>) &&> done) {
  executor_.Submit([this, job = std::move(job), done = std::move(done)]() mutable {
    std::move(done)(Run(job));
  });
}

absl::StatusOr<int64_t> FanoutEngine::Queued(const store::FanoutJob& job) {
  auto redis = pool_->Acquire();
  PR_ASSIGN_OR_RETURN(auto progresses, fanout::Progress(*redis, job.job_id(), ShardsOf(job)));
  int64_t queued = 0;
  for (int s = 0; s < job.shards_size(); ++s) queued += std::min<int64_t>(progresses[s], job.shards(s).recipients_size());
  return queued;
}

JobRunner::JobRunner(FanoutEngine* engine, StatementStore* store, absl::Duration max_wait)
    : engine_(engine), store_(store), max_wait_(max_wait), thread_([this] { Loop(); }) {}

JobRunner::~JobRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void JobRunner::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void JobRunner::Loop() {
  for (;;) {
    // Run everything that is due now.
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
      }
      auto claimed = store_->ClaimDueJob(engine_->options().lease);
      if (!claimed.ok()) {
        spdlog::warn("job runner: {}", claimed.status().ToString());
        break;
      }
      if (!claimed->has_value()) break;
      auto job = store_->LoadJob(**claimed);
      if (!job.ok() || !job->has_value()) {
        spdlog::error("job runner: cannot load job {}", **claimed);
        break;
      }
      if (auto queued = engine_->Run(**job); !queued.ok()) {
        spdlog::warn("job runner: {}: {}", **claimed, queued.status().ToString());
        break;  // the lease expires and the job is claimed again
      }
    }
    absl::Duration wait = max_wait_;
    if (auto next = store_->NextDue(); next.ok() && next->has_value()) {
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
