// Issuing statements: the logic behind Publish and Revise. No gRPC here; the edge is
// DistributionService.
//
// A version goes through: validation and NFC normalisation of the draft; the registry's
// check that the caller may speak for the agency now (for a revision, before anything about
// the statement's state is told); audience matching (one registry call per version; a reply
// to a journalist's question names its asker besides, or instead: QuestionReply); the
// plan of who gets it when (PlanVersion, pure); one atomic commit of the version with its
// fan-out jobs; then the jobs due now are handed to the fan-out thread, and the answer,
// which says how many recipients have it queued, is given when they have run. No thread
// waits for the fan-out: the caller's `done` is called from the fan-out thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/common/redis/redis.h"
#include "services/common/domain/signing.h"
#include "services/distribution/fanout_engine.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {

// Which lane a version travels in: kills, withholds, corrections and flash items (urgency
// 1-2) overtake routine items.
keys::Lane LaneFor(const Statement& version);

// Who a version goes to and when: the fan-out jobs of one commit.
struct Plan {
  std::vector<store::FanoutJob> jobs;  // moved into the VersionCommit (CommitOf)
  std::vector<std::string> run_now;  // ids of the jobs this replica runs at once
  int matched = 0;                   // recipients the version is for
  bool scheduled = false;            // some wait for the release time
};

// What the plan is made from.
struct AudienceFacts {
  // Who matches the version's subscriptions now (not asked for a withhold or kill).
  std::vector<registry_v1::AudienceMember> matched;
  // Revisions: every recipient of an earlier version's jobs that ran or run, in order.
  std::vector<std::string> had;
  // Revisions: whether an earlier version was released (a retraction of an embargoed,
  // unreleased statement does not release it).
  bool earlier_released = false;
};

// The plan for `version` (its signal says publish, update, correct, withhold or kill):
//   - a first version goes now to everyone matched, or, under embargo, at the release time
//     (with `early_to_trusted`, trusted outlets at once, marked under embargo);
//   - a withhold or kill goes now to everyone who had the statement, and nobody else;
//   - an update or correction goes to everyone who had it and everyone matched now; under
//     embargo, those who had it get it at once and the newcomers at the release time.
Plan PlanVersion(const Statement& version, const AudienceFacts& facts, bool early_to_trusted, int shards,
                 absl::Time now);

// The content fields of a version, from a checked draft; and the draft a version's content
// is (its agency from the issuer).
void ApplyDraft(const v1::StatementDraft& draft, Statement* version);
v1::StatementDraft DraftOf(const Statement& version);
// Version 1 of a statement with this (checked) content, as issued at `now`: no id, issuer or
// signature yet.
Statement FirstVersion(const v1::StatementDraft& draft, absl::Time now);
// The issuer block: the agency and the spokesperson, as the registry holds them.
void SetIssuer(const registry_v1::CheckSpeakerResponse& speaker, Statement* version);
// Who stands behind a version: its writer, its reviewer (if it went through review), the
// spokesperson who issued it (the issuer), and the draft it came from.
v1::VersionRecord VersionRecordOf(const Statement& version, const std::string& written_by,
                                  const std::string& reviewed_by, const std::string& draft_id);

// The answer to a Publish or Revise, given once.
using PublishDone = absl::AnyInvocable<void(absl::StatusOr<v1::PublishResponse>) &&>;

// A publish that approves a draft of the press office's desk (draft_desk.h).
struct DraftApproval {
  std::string draft_id;
  std::string written_by;  // who wrote the draft; the approver reviews and issues it
  // Called on the calling thread once the version is committed (or found committed by an
  // earlier approval of the same draft), before its fan-out starts; an error it returns
  // becomes the call's answer, though the version is issued all the same.
  absl::AnyInvocable<absl::Status(const Statement& version) &&> committed;
};

// A publish that decides a journalist's question (question_desk.h): its answer, or the
// statement that tells the asker the agency declines.
struct QuestionReply {
  // What the statement says became of the question (Statement.question_outcome, set by the
  // wire and signed); its to_asker_only decides the audience: the asker alone (the statement
  // is then unlisted, and every later version goes to the asker alone too), or everyone whose
  // subscription matches and the asker besides, whatever their subscription.
  pressrelay::common::v1::QuestionOutcome outcome;
  // The asker's queue ("journalist:<card>" or "client:<id>").
  std::string asker_id;
  // As DraftApproval::committed: marks the question decided.
  absl::AnyInvocable<absl::Status(const Statement& version) &&> committed;
};

// Urgency 1 and 2 are urgent: the priority lane, and a follow-up the agency undertakes.
inline constexpr int kUrgentUrgency = 2;

class Publisher {
 public:
  // `urgent_follow_up`: the follow-up period of an urgent statement whose agency sets none.
  Publisher(DirectoryClient* directory, redis::Pool* pool, FanoutEngine* engine, JobRunner* runner,
            signing::Signer* signer, absl::Duration urgent_follow_up = absl::Hours(24))
      : directory_(directory),
        pool_(pool),
        engine_(engine),
        runner_(runner),
        signer_(signer),
        urgent_follow_up_(urgent_follow_up) {}

  // Both call `done` exactly once: at once when the call fails, is replayed or returns at
  // commit, else from the fan-out thread when the version's jobs due now have run.
  void Publish(const Principal& caller, v1::PublishRequest request, absl::Time now, PublishDone done);
  void Revise(const Principal& caller, v1::ReviseRequest request, absl::Time now, PublishDone done);
  // Publish as the approving spokesperson. The idempotency record is the draft's own
  // (keys::DraftApproval), whoever approves and whatever return_when_committed says, so a
  // repeated approval finds the first one's statement instead of issuing a second.
  void PublishApproved(const Principal& approver, v1::PublishRequest request, DraftApproval approval,
                       absl::Time now, PublishDone done);
  // Publish as the spokesperson deciding a question. The idempotency record is the question's
  // own (keys::QuestionOutcome), kept as long as an approval's: a question gets one statement
  // ever. Of an answer and a decline racing, the second to commit is ALREADY_EXISTS (the same
  // request repeated is replayed).
  void PublishReply(const Principal& speaker, v1::PublishRequest request, QuestionReply reply, absl::Time now,
                    PublishDone done);

  // What the publish of a committed version answers when repeated (replayed set).
  absl::StatusOr<v1::PublishResponse> Published(const std::string& statement_id, int version);

 private:
  // A version ready to hand to the fan-out, or an earlier answer to the same request.
  struct Committed {
    VersionCommit commit;
    Plan plan;
    std::optional<v1::PublishResponse> replayed;
  };

  // `approval`, `reply`: null for a spokesperson's own Publish (at most one is set).
  absl::StatusOr<Committed> CommitPublish(const Principal& caller, v1::PublishRequest& request,
                                          const DraftApproval* approval, const QuestionReply* reply,
                                          absl::Time now);
  // The rest of a publish whose idempotency record is the desk's (an approval, a reply): marks
  // the desk's record with the version committed (or replayed), then runs the fan-out.
  void RunRecorded(absl::StatusOr<Committed> committed,
                   absl::AnyInvocable<absl::Status(const Statement& version) &&> mark, bool return_when_committed,
                   PublishDone done);
  absl::StatusOr<Committed> CommitRevision(const Principal& caller, v1::ReviseRequest& request, absl::Time now);
  // One attempt at a revision; ABORTED when another revision or a release got there first.
  absl::StatusOr<Committed> TryRevision(const Principal& caller, const v1::ReviseRequest& request,
                                        const std::string& idem_key, const std::string& request_hash,
                                        absl::Time now);
  // Commits; kReplay, conflicts and schedule changes become the answer or ABORTED.
  absl::StatusOr<Committed> Commit(VersionCommit commit, Plan plan);
  // The statement a draft follows up exists and is its agency's (INVALID_ARGUMENT naming
  // draft.follows_up otherwise); OK when it follows up nothing.
  absl::Status CheckFollowsUp(const v1::StatementDraft& draft);

  // The idempotency key in Redis, after checking its form; "" when none was given.
  static absl::StatusOr<std::string> IdempotencyKey(const Principal& caller, const std::string& key);
  // What an earlier request with the same key answered; ALREADY_EXISTS if it was another
  // request.
  absl::StatusOr<v1::PublishResponse> Replay(const store::IdempotencyRecord& record, const std::string& request_hash);
  // Signs the version with its agency's current key, making sure the registry publishes
  // the public half before any newsroom can receive a statement signed with it.
  absl::Status Sign(Statement* version, absl::Time now);
  // Hands the jobs due now to the fan-out thread and answers through `done`.
  void Run(Committed committed, bool return_when_committed, PublishDone done);

  DirectoryClient* const directory_;
  redis::Pool* const pool_;
  FanoutEngine* const engine_;
  JobRunner* const runner_;
  signing::Signer* const signer_;
  const absl::Duration urgent_follow_up_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> announced_ ABSL_GUARDED_BY(mu_);  // key ids the registry has
};

}  // namespace pressrelay::distribution
