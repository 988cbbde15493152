// The distribution service's Redis adapter: statements and their versions, the
// idempotency records, and the fan-out outbox (jobs, schedule and leases). Keys are in
// services/common/keys.h.
//
// A new version is committed in one atomic script: the version, the statement's head,
// the idempotency record and the version's fan-out jobs either all exist or none do. A
// job is then either leased to the committing replica, which runs it at once, or
// scheduled for its release time; a lease that expires (its replica died) makes the job
// claimable again by any replica.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/common/v1/statement.pb.h"
#include "services/common/redis.h"
#include "distribution_store.pb.h"

namespace pressrelay::distribution {

using pressrelay::common::v1::Statement;

struct VersionCommit {
  Statement version;             // the new version, complete
  store::StatementHead head;     // the head after the commit
  int expected_latest = 0;       // 0 for a new statement
  std::vector<store::FanoutJob> jobs;
  // Jobs this replica runs at once (leased to it); the others are scheduled at their
  // release_at_ms.
  std::vector<std::string> run_now;
  // Scheduled jobs of earlier versions this version replaces. The commit removes them from
  // the schedule, and fails with kScheduleChanged if any was claimed in the meantime (its
  // recipients then had the earlier version, and the new audience must count them).
  std::vector<std::string> cancel_scheduled;
  std::string idempotency_key;   // the Redis key, or "" for none
  store::IdempotencyRecord idempotency;
  absl::Duration idempotency_ttl = absl::Hours(24);
  absl::Duration lease = absl::Seconds(10);
};

struct CommitResult {
  enum class Outcome { kCommitted, kReplay, kConflict, kScheduleChanged };
  Outcome outcome = Outcome::kCommitted;
  store::IdempotencyRecord existing;  // kReplay: what the key already stands for
  int latest = 0;                     // kConflict: the version the statement is really at
};

enum class JobState { kUnknown, kScheduled, kRunning, kDone, kCanceled };

class StatementStore {
 public:
  explicit StatementStore(redis::Pool* pool) : pool_(pool) {}

  absl::StatusOr<CommitResult> Commit(const VersionCommit& commit);

  absl::StatusOr<std::optional<store::StatementHead>> LoadHead(const std::string& statement_id);
  // The latest and released version numbers (0, 0 if the statement does not exist).
  absl::StatusOr<std::pair<int, int>> LoadVersionNumbers(const std::string& statement_id);
  absl::StatusOr<std::optional<Statement>> LoadVersion(const std::string& statement_id, int version);
  // Many versions in one round trip; a missing one is nullopt.
  absl::StatusOr<std::vector<std::optional<Statement>>> LoadVersions(
      absl::Span<const std::pair<std::string, int>> refs);
  // For many statements: (latest, released) version numbers and the head.
  struct Summary {
    int latest = 0;
    int released = 0;
    std::optional<store::StatementHead> head;
  };
  absl::StatusOr<std::vector<Summary>> LoadSummaries(absl::Span<const std::string> statement_ids);
  absl::StatusOr<std::optional<store::IdempotencyRecord>> LoadIdempotency(const std::string& key);

  // Statement ids by first publish time, newest first, strictly before (score, id).
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> IndexPage(int64_t before_ms,
                                                                         const std::string& before_id, int count);

  // Jobs.
  absl::StatusOr<std::optional<store::FanoutJob>> LoadJob(const std::string& job_id);
  // Claims the next job that is due, or whose lease expired; nullopt if none.
  absl::StatusOr<std::optional<std::string>> ClaimDueJob(absl::Duration lease);
  absl::Status RenewLease(const std::string& job_id, absl::Duration lease);
  // Marks the job done (and, for a releasing job, the version released).
  absl::Status FinishJob(const store::FanoutJob& job);
  // Removes a job that has not started from the schedule; false if it had been claimed.
  absl::StatusOr<bool> CancelScheduled(const std::string& job_id);
  absl::StatusOr<std::vector<JobState>> JobStates(absl::Span<const std::string> job_ids);
  // When the next scheduled job or lease falls due (nullopt if none).
  absl::StatusOr<std::optional<absl::Time>> NextDue();

  absl::Status Ping();

 private:
  redis::Pool* pool_;
};

}  // namespace pressrelay::distribution
