// The distribution service's Redis adapter: statements and their versions, the
// idempotency records, and the fan-out outbox (jobs, schedule and leases). Keys are in
// services/common/redis/keys.h.
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
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/common/v1/statement.pb.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"
#include "distribution_store.pb.h"

namespace pressrelay::distribution {

struct AgencyActivity;

using pressrelay::common::v1::Statement;

struct VersionCommit {
  Statement version;             // the new version, complete
  v1::VersionRecord provenance;  // who wrote, reviewed and issued it (kept beside it)
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

// A stored record, or nullopt for a nil reply; DATA_LOSS when its bytes do not parse.
template <typename Msg>
absl::StatusOr<std::optional<Msg>> ParseRecord(const redis::ReplyView& reply, absl::string_view what) {
  if (reply.is_nil()) return std::optional<Msg>();
  if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
  Msg msg;
  if (!msg.ParseFromArray(reply.str().data(), static_cast<int>(reply.str().size()))) {
    return absl::DataLossError(absl::StrCat("unreadable ", what));
  }
  return std::optional<Msg>(std::move(msg));
}

// A page of an index by time (a zset of ids scored in ms): ids newest first, strictly before
// (before_ms, before_id); ties on one millisecond go by id.
absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> TimeIndexPage(redis::Client& redis,
                                                                           absl::string_view key,
                                                                           int64_t before_ms,
                                                                           const std::string& before_id, int count);

// Stateless: every call runs on the connection it is given. Callers take one lease of
// their pool for a step and pass it down (redis.h: never a second lease while holding one).
class StatementStore {
 public:
  StatementStore() = delete;

  // A new statement is indexed in st:index, or in st:unlisted when its head names its only
  // recipients (an answer to one asker), so that no list, history or search finds it.
  static absl::StatusOr<CommitResult> Commit(redis::Client& redis, const VersionCommit& commit);

  static absl::StatusOr<std::optional<store::StatementHead>> LoadHead(redis::Client& redis,
                                                                      const std::string& statement_id);
  // The latest and released version numbers (0, 0 if the statement does not exist).
  static absl::StatusOr<std::pair<int, int>> LoadVersionNumbers(redis::Client& redis, const std::string& statement_id);
  static absl::StatusOr<std::optional<Statement>> LoadVersion(redis::Client& redis, const std::string& statement_id,
                                                              int version);
  // Many versions in one round trip; a missing one is nullopt.
  static absl::StatusOr<std::vector<std::optional<Statement>>> LoadVersions(
      redis::Client& redis, absl::Span<const std::pair<std::string, int>> refs);
  // For many statements: (latest, released) version numbers and the head.
  struct Summary {
    int latest = 0;
    int released = 0;
    std::optional<store::StatementHead> head;
  };
  static absl::StatusOr<std::vector<Summary>> LoadSummaries(redis::Client& redis,
                                                            absl::Span<const std::string> statement_ids);
  static absl::StatusOr<std::optional<store::IdempotencyRecord>> LoadIdempotency(redis::Client& redis,
                                                                                 const std::string& key);
  // Who wrote, reviewed and issued versions 1..latest, oldest first; nullopt for a version
  // committed before these records were kept.
  static absl::StatusOr<std::vector<std::optional<v1::VersionRecord>>> LoadProvenance(redis::Client& redis,
                                                                                      const std::string& statement_id,
                                                                                      int latest);

  // Statement ids by first publish time, newest first, strictly before (score, id).
  static absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> IndexPage(redis::Client& redis,
                                                                                int64_t before_ms,
                                                                                const std::string& before_id,
                                                                                int count);

  // Jobs.
  static absl::StatusOr<std::optional<store::FanoutJob>> LoadJob(redis::Client& redis, const std::string& job_id);
  // The jobs of one version of a statement, by the prefix of their ids, in the head's order.
  static std::vector<std::string> JobsOfVersion(const store::StatementHead& head, const std::string& statement_id,
                                                int version);
  // How long the most overdue fan-out job has waited past its due time (scheduled and not
  // claimed), past its runner's lease (claimed by a replica that died), or since its first
  // failed run (being retried); zero when none.
  static absl::StatusOr<absl::Duration> OldestOverdue(redis::Client& redis, absl::Time now);
  // Claims the next job that is due, or whose lease expired, for `lease`; nullopt if none.
  struct Claim {
    enum class Why { kDue, kTakeover, kRetry };
    std::string job_id;
    // kDue: scheduled (an embargo's release); kTakeover: its runner's lease lapsed (the
    // replica died or stalled; counted in pressrelay_fanout_lease_expired_total); kRetry: a
    // failed run gave the lease back to be run again (RetryLater).
    Why why = Why::kDue;
  };
  static absl::StatusOr<std::optional<Claim>> ClaimDueJob(redis::Client& redis, absl::Duration lease);
  static absl::Status RenewLease(redis::Client& redis, const std::string& job_id, absl::Duration lease);
  // After a failed run of a job whose lease is held: the lease now lapses after a delay that
  // doubles with each failed run of the job (counted across replicas), from `first` up to
  // `longest`, and a runner that claims it then runs it again as a retry, not a takeover.
  struct Retry {
    int64_t failures = 0;  // failed runs of the job so far; 0: it holds no lease (finished)
    absl::Duration delay;
  };
  static absl::StatusOr<Retry> RetryLater(redis::Client& redis, const std::string& job_id, absl::Duration first,
                                          absl::Duration longest);
  // Marks the job done (and, for a releasing job, the version released).
  static absl::Status FinishJob(redis::Client& redis, const store::FanoutJob& job);
  // What each agency has issued (obligations.h), in the order asked.
  static absl::StatusOr<std::vector<AgencyActivity>> LoadActivity(redis::Client& redis,
                                                                  absl::Span<const std::string> agency_codes);
  // The ids of the statements following up `statement_id` (an agency's statement), oldest
  // first.
  static absl::StatusOr<std::vector<std::string>> LoadThread(redis::Client& redis, const std::string& agency_code,
                                                             const std::string& statement_id);
  // The change log: every version released, in order (FinishJob writes it).
  struct Change {
    std::string log_id;  // the stream entry's id
    std::string statement_id;
    int version = 0;
  };
  // The newest entry's id, "0-0" when the log is empty.
  static absl::StatusOr<std::string> LastChange(redis::Client& redis);
  // Up to `count` entries after `after`, oldest first.
  static absl::StatusOr<std::vector<Change>> ChangesAfter(redis::Client& redis, const std::string& after, int count);
  static absl::StatusOr<std::vector<JobState>> JobStates(redis::Client& redis, absl::Span<const std::string> job_ids);
  // When the next scheduled job or lease falls due (nullopt if none).
  static absl::StatusOr<std::optional<absl::Time>> NextDue(redis::Client& redis);

  static absl::Status Ping(redis::Client& redis);
};

}  // namespace pressrelay::distribution
