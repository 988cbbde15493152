// The press office's desk: drafts an agency's press officers (and spokespeople) write, send
// for review, and the spokesperson sends back or approves. No gRPC here; the edge is
// DistributionService. The rules (states, revisions, what a draft must be) are
// draft_rules.h's, the records draft_store.h's.
//
// Drafts are the agency's: a spokesperson or press officer of another agency is answered
// NOT_FOUND for any draft id, exactly as for an id that does not exist, so nothing about
// another agency's desk (which drafts exist, in what state) can be learnt.
//
// Approval publishes through the Publisher as the approving spokesperson, with the draft's
// own idempotency record (Publisher::PublishApproved): the version's commit is the moment of
// publication, the draft is marked PUBLISHED right after it (before the fan-out), and any
// repeated or concurrent approval finds the same statement instead of issuing another.
#pragma once

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/distribution/draft_store.h"
#include "services/distribution/publisher.h"

namespace pressrelay::distribution {

// The answer to an ApproveDraft, given once (from the fan-out thread when it waits for it).
using ApproveDone = absl::AnyInvocable<void(absl::StatusOr<v1::ApproveDraftResponse>) &&>;

class DraftDesk {
 public:
  DraftDesk(redis::Pool* pool, DirectoryClient* directory, Publisher* publisher)
      : pool_(pool), directory_(directory), publisher_(publisher) {}

  // Work in progress: only what makes a draft unusable to keep is refused (NormalizeForSave).
  absl::StatusOr<v1::Draft> Create(const Principal& caller, v1::CreateDraftRequest request, absl::Time now);
  absl::StatusOr<v1::Draft> Update(const Principal& caller, v1::UpdateDraftRequest request, absl::Time now);
  absl::StatusOr<v1::Draft> Get(const Principal& caller, const std::string& draft_id);
  absl::StatusOr<v1::ListDraftsResponse> List(const Principal& caller, const v1::ListDraftsRequest& request);
  // To review: the draft must then be a complete statement (CheckReady).
  absl::StatusOr<v1::Draft> Submit(const Principal& caller, const v1::ReviewDraftRequest& request, absl::Time now);
  // Back to its writer, with a comment; the caller must speak for the agency now.
  absl::StatusOr<v1::Draft> Return(const Principal& caller, v1::ReviewDraftRequest request, absl::Time now);
  // Publishes the draft as version 1 of a statement; calls `done` exactly once.
  void Approve(const Principal& caller, const v1::ApproveDraftRequest& request, absl::Time now, ApproveDone done);
  // The statement newsrooms would receive, unsigned and unsaved. The issuer block is the
  // registry's for a spokesperson (CheckSpeaker: as Publish would fill it); for a press
  // officer, who speaks for no one, it names the agency code only (the distribution service
  // has no registry call for an agency's name alone).
  absl::StatusOr<Statement> Preview(const Principal& caller, v1::PreviewDraftRequest request, absl::Time now);

 private:
  // The draft if it is on the caller's agency's desk; NOT_FOUND alike otherwise.
  absl::StatusOr<StoredDraft> Find(const Principal& caller, const std::string& draft_id);
  // Saves a change made from `expected_revision`; a stale revision is FAILED_PRECONDITION.
  absl::StatusOr<v1::Draft> Save(const v1::Draft& next, int expected_revision, absl::Time now);
  // Marks the draft published as `version` (issued by its approver), whatever changed since the
  // approval read it: the statement is out, and the draft says so.
  absl::StatusOr<v1::Draft> MarkPublished(const std::string& draft_id, const Statement& version, absl::Time now);
  // The answer for a draft an approval already published (or committed without marking it).
  absl::StatusOr<v1::ApproveDraftResponse> AnswerPublished(const std::string& draft_id,
                                                           const std::string& statement_id, absl::Time now);

  redis::Pool* const pool_;
  DirectoryClient* const directory_;
  Publisher* const publisher_;
};

}  // namespace pressrelay::distribution
