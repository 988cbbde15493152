// Issuing statements: the logic behind Publish and Revise. No gRPC here; the edge is
// DistributionService.
//
// A version goes through: validation and NFC normalisation of the draft; the registry's
// check that the caller may speak for the agency now; audience matching (one registry call
// per version); one atomic commit of the version with its fan-out jobs; then the jobs
// due now run on this thread and the answer says how many recipients have it queued.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/auth.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "services/common/directory_client.h"
#include "services/common/signing.h"
#include "services/distribution/fanout_engine.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {


// Which lane a version travels in: kills, withholds, corrections and flash items (urgency
// 1-2) overtake routine items.
keys::Lane LaneFor(const Statement& version);

class Publisher {
 public:
  Publisher(DirectoryClient* directory, StatementStore* store, FanoutEngine* engine, JobRunner* runner,
            signing::Signer* signer)
      : directory_(directory), store_(store), engine_(engine), runner_(runner), signer_(signer) {}

  absl::StatusOr<v1::PublishResponse> Publish(const Principal& caller, v1::PublishRequest request, absl::Time now);
  absl::StatusOr<v1::PublishResponse> Revise(const Principal& caller, v1::ReviseRequest request, absl::Time now);

 private:
  struct Plan {
    std::vector<store::FanoutJob> jobs;
    std::vector<std::string> run_now;
    int matched = 0;
    bool scheduled = false;
  };

  // The idempotency key in Redis, after checking its form; "" when none was given.
  static absl::StatusOr<std::string> IdempotencyKey(const Principal& caller, const std::string& key);
  // What an earlier request with the same key answered; ALREADY_EXISTS if it was another
  // request.
  absl::StatusOr<v1::PublishResponse> Replay(const store::IdempotencyRecord& record, const std::string& request_hash);
  // Signs the version with its agency's current key, making sure the registry publishes
  // the public half before any newsroom can receive a statement signed with it.
  absl::Status Sign(Statement* version, absl::Time now);
  // Commits, then runs the jobs due now; waits for them unless `return_when_committed`.
  absl::StatusOr<v1::PublishResponse> CommitAndRun(VersionCommit commit, const Plan& plan,
                                                   bool return_when_committed);

  DirectoryClient* const directory_;
  StatementStore* const store_;
  FanoutEngine* const engine_;
  JobRunner* const runner_;
  signing::Signer* const signer_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> announced_ ABSL_GUARDED_BY(mu_);  // key ids the registry has
};

}  // namespace pressrelay::distribution
