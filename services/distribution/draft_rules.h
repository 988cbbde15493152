// The press office's desk, its pure part: draft ids, what a saved draft must be, and the
// review's state machine. No Redis, no gRPC: DraftDesk (draft_desk.h) applies these.
//
//   CreateDraft ─► WRITING ──SubmitDraft──► IN_REVIEW ──ApproveDraft──► PUBLISHED (final)
//                  │    ▲ ▲                     │
//       UpdateDraft└────┘ └─────ReturnDraft─────┘ (with a comment)
//
// Every change names the revision it started from and adds one to it: a change from a stale
// revision is FAILED_PRECONDITION, so two people editing at once are told, not overwritten.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/rpc/auth.h"

namespace pressrelay::distribution {

// "d_" and 20 random lower-case letters and digits.
std::string NewDraftId();
bool IsDraftId(absl::string_view id);

enum class DraftAction { kUpdate, kSubmit, kReturn, kApprove };

// Whether `action` may change `draft`, which the caller saw at `expected_revision`:
// INVALID_ARGUMENT when no revision is named, FAILED_PRECONDITION (saying the current
// revision) when the draft changed since, or when it is not in the state the action needs.
absl::Status CheckTransition(const v1::Draft& draft, DraftAction action, int expected_revision);

// A repeated ApproveDraft of a draft that approval published: the caller names the revision
// it approved (the one before publication), so it is answered as before, not refused.
bool IsRepeatedApproval(const v1::Draft& draft, int expected_revision);

// What saving work in progress needs: the text valid UTF-8 without control characters, within
// the limits, normalised to NFC; at most 20 subjects and attachments. What is only needed to
// issue it (a headline, a kind, a language...) waits for CheckReady. Fields under `prefix`.
absl::Status NormalizeForSave(v1::StatementDraft* content, absl::string_view prefix);

// Everything a statement must be (validation::NormalizeDraft, in place), and a release time
// ahead when trusted outlets are to have it early: for review, approval and preview.
absl::Status CheckReady(v1::StatementDraft* content, bool early_to_trusted, absl::Time now,
                        absl::string_view prefix);

// The comment a spokesperson sends a draft back with: required and visible, NFC in place.
absl::Status NormalizeComment(std::string* comment);

// The record after each change: the revision one more, updated_at `now`.
v1::Draft NewDraft(const Principal& writer, const std::string& id, v1::StatementDraft content, bool early_to_trusted,
                   absl::Time now);
v1::Draft Updated(v1::Draft draft, v1::StatementDraft content, bool early_to_trusted, absl::Time now);
// `content` as CheckReady left it: the reviewer sees exactly what would be issued.
v1::Draft Submitted(v1::Draft draft, v1::StatementDraft content, absl::Time now);
v1::Draft Returned(v1::Draft draft, const std::string& reviewer, std::string comment, absl::Time now);
// `content`: what the statement was issued with.
v1::Draft Published(v1::Draft draft, v1::StatementDraft content, const std::string& reviewer,
                    const std::string& statement_id, absl::Time now);

}  // namespace pressrelay::distribution
