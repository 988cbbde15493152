#include "services/distribution/retention_sweeper.h"

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/redis/keys.h"
#include "services/common/base/log.h"

namespace pressrelay::distribution {

RetentionSweeper::RetentionSweeper(redis::Options redis, absl::Duration max_age, absl::Duration interval)
    : redis_(std::move(redis)), max_age_(max_age), interval_(interval), thread_([this] { Loop(); }) {}

RetentionSweeper::~RetentionSweeper() {
  stop_.Notify();
  thread_.join();
}

absl::StatusOr<int64_t> RetentionSweeper::SweepOnce() {
  const absl::Time cutoff = absl::Now() - max_age_;
  int64_t trimmed = 0;
  std::string cursor = "0";
  do {
    auto step = fanout::TrimQueuesByAge(redis_, cursor, cutoff);
    if (!step.ok()) return step.status();
    trimmed += step->trimmed;
    cursor = step->cursor;
  } while (cursor != "0" && !stop_.HasBeenNotified());
  return trimmed;
}

void RetentionSweeper::Loop() {
  const std::string me = absl::StrCat(ids::RandomU64());
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    // One replica sweeps per interval: whoever takes the lease.
    auto lease = redis_.Run(redis::Args{"SET", keys::kSweepLease, me, "NX", "PX"}.Add(
        absl::ToInt64Milliseconds(interval_)));
    if (!lease.ok() || lease->is_nil()) continue;
    auto trimmed = SweepOnce();
    if (!trimmed.ok()) {
      spdlog::warn("retention sweep: {}", trimmed.status().ToString());
    } else if (*trimmed > 0) {
      spdlog::info("retention sweep: dropped {} entries older than {}", *trimmed, absl::FormatDuration(max_age_));
    }
  }
}

}  // namespace pressrelay::distribution
