#include "services/distribution/draft_desk.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/domain/legal_refs.h"
#include "services/distribution/draft_rules.h"
#include "services/distribution/page_token.h"
#include "services/distribution/read_access.h"

namespace pressrelay::distribution {
namespace {

using v1::DRAFT_STATE_PUBLISHED;
using v1::DRAFT_STATE_UNSPECIFIED;

constexpr absl::string_view kContent = "draft.content";
constexpr int kIndexBatch = 200;
constexpr int kScanLimit = 5000;  // desk entries looked at per ListDrafts call, at most
constexpr int kMarkAttempts = 3;

absl::Status NoDraft(const std::string& draft_id) {
  return absl::NotFoundError(absl::StrCat("no draft \"", draft_id, "\""));
}

// Everyone writes at their own agency's desk; content naming no agency is written there.
absl::Status WritesFor(const Principal& caller, v1::StatementDraft* content) {
  if (content->agency_code().empty()) content->set_agency_code(caller.agency_code());
  if (caller.agency_code().empty() || content->agency_code() != caller.agency_code()) {
    return absl::PermissionDeniedError(absl::StrCat("a ", RoleName(caller.role()), " of ", caller.agency_code(),
                                                    " cannot write for ", content->agency_code()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StoredDraft> DraftDesk::Find(const Principal& caller, const std::string& draft_id) {
  if (draft_id.empty()) return FieldError("draft_id", "is required");
  if (!IsDraftId(draft_id)) return NoDraft(draft_id);
  StoredDraft stored;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(stored, DraftStore::Load(*redis, draft_id));
  }
  // Another agency's draft gets the answer an unknown id gets: whether it exists, and in
  // which state, is that agency's business.
  if (!stored.draft || !MayReadAgency(caller, stored.draft->content().agency_code(), *directory_, absl::Now()).ok()) {
    return NoDraft(draft_id);
  }
  return stored;
}

absl::StatusOr<v1::Draft> DraftDesk::Save(const v1::Draft& next, int expected_revision, absl::Time now) {
  DraftSave saved;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(saved, DraftStore::Save(*redis, next, expected_revision, false));
  }
  switch (saved.outcome) {
    case DraftSave::Outcome::kSaved:
      return next;
    case DraftSave::Outcome::kChanged:
      if (expected_revision == 0) return absl::AbortedError("a new draft's id was taken; retry");
      if (saved.revision == 0) return NoDraft(next.id());
      return absl::FailedPreconditionError(absl::StrCat("the draft changed since revision ", expected_revision,
                                                        ": it is at revision ", saved.revision, "; reload it"));
    case DraftSave::Outcome::kApproved:
      break;
  }
  // An approval committed its statement but could not mark the draft: finish that first.
  if (auto answered = AnswerPublished(next.id(), saved.approved_as, now); !answered.ok()) {
    spdlog::warn("draft {}: marking it published as {}: {}", next.id(), saved.approved_as,
                 answered.status().ToString());
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the draft was approved and published as statement ", saved.approved_as, "; reload it"));
}

absl::StatusOr<v1::Draft> DraftDesk::Create(const Principal& caller, v1::CreateDraftRequest request, absl::Time now) {
  v1::StatementDraft* content = request.mutable_draft()->mutable_content();
  PR_RETURN_IF_ERROR(WritesFor(caller, content));
  PR_RETURN_IF_ERROR(NormalizeForSave(content, kContent));
  const bool early = request.draft().early_to_trusted();
  return Save(NewDraft(caller, NewDraftId(), std::move(*content), early, now), 0, now);
}

absl::StatusOr<v1::Draft> DraftDesk::Update(const Principal& caller, v1::UpdateDraftRequest request, absl::Time now) {
  if (request.draft().id().empty()) return FieldError("draft.id", "is required");
  PR_ASSIGN_OR_RETURN(const StoredDraft stored, Find(caller, request.draft().id()));
  PR_RETURN_IF_ERROR(CheckTransition(*stored.draft, DraftAction::kUpdate, request.expected_revision()));
  v1::StatementDraft* content = request.mutable_draft()->mutable_content();
  PR_RETURN_IF_ERROR(WritesFor(caller, content));
  PR_RETURN_IF_ERROR(NormalizeForSave(content, kContent));
  const bool early = request.draft().early_to_trusted();
  return Save(Updated(*stored.draft, std::move(*content), early, now), request.expected_revision(), now);
}

absl::StatusOr<v1::Draft> DraftDesk::Get(const Principal& caller, const std::string& draft_id) {
  PR_ASSIGN_OR_RETURN(StoredDraft stored, Find(caller, draft_id));
  return std::move(*stored.draft);
}

absl::StatusOr<v1::ListDraftsResponse> DraftDesk::List(const Principal& caller,
                                                       const v1::ListDraftsRequest& request) {
  PR_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  if (!v1::DraftState_IsValid(request.state())) {
    return FieldError("state", absl::StrCat("unknown value ", request.state()));
  }
  std::string agency = request.agency_code();
  if (agency.empty()) {
    PR_ASSIGN_OR_RETURN(agency, DefaultListAgency(caller));
  }
  if (agency.empty()) return FieldError("agency_code", "is required: whose desk");
  PR_RETURN_IF_ERROR(MayReadAgency(caller, agency, *directory_, absl::Now()));
  PR_ASSIGN_OR_RETURN(PagePosition position, ParsePageToken(request.page_token(), IsDraftId));

  v1::ListDraftsResponse response;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  for (int scanned = 0; response.drafts_size() < page_size && scanned < kScanLimit;) {
    PR_ASSIGN_OR_RETURN(auto page,
                        DraftStore::DeskPage(*redis, agency, position.before_ms, position.before_id, kIndexBatch));
    if (page.empty()) {
      response.clear_next_page_token();
      break;
    }
    std::vector<std::string> ids;
    ids.reserve(page.size());
    for (const auto& entry : page) ids.push_back(entry.first);
    PR_ASSIGN_OR_RETURN(auto drafts, DraftStore::LoadMany(*redis, ids));
    for (size_t i = 0; i < page.size() && response.drafts_size() < page_size; ++i, ++scanned) {
      position = PagePosition{page[i].second, page[i].first};
      if (!drafts[i]) continue;
      if (request.state() == DRAFT_STATE_UNSPECIFIED || drafts[i]->state() == request.state()) {
        *response.add_drafts() = std::move(*drafts[i]);
      }
    }
    response.set_next_page_token(FormatPageToken(position));
  }
  return response;
}

absl::StatusOr<v1::Draft> DraftDesk::Submit(const Principal& caller, const v1::ReviewDraftRequest& request,
                                            absl::Time now) {
  PR_ASSIGN_OR_RETURN(const StoredDraft stored, Find(caller, request.draft_id()));
  const v1::Draft& current = *stored.draft;
  PR_RETURN_IF_ERROR(CheckTransition(current, DraftAction::kSubmit, request.expected_revision()));
  v1::StatementDraft content = current.content();
  PR_RETURN_IF_ERROR(CheckReady(&content, current.early_to_trusted(), now, kContent));
  return Save(Submitted(current, std::move(content), now), request.expected_revision(), now);
}

absl::StatusOr<v1::Draft> DraftDesk::Return(const Principal& caller, v1::ReviewDraftRequest request, absl::Time now) {
  PR_ASSIGN_OR_RETURN(const StoredDraft stored, Find(caller, request.draft_id()));
  const v1::Draft& current = *stored.draft;
  PR_RETURN_IF_ERROR(CheckTransition(current, DraftAction::kReturn, request.expected_revision()));
  PR_RETURN_IF_ERROR(NormalizeComment(request.mutable_comment()));
  // Reviewing is the spokesperson's office: only while the registry says they hold it.
  PR_ASSIGN_OR_RETURN(const std::string reviewer, SpeakerOf(caller));
  PR_RETURN_IF_ERROR(directory_->CheckSpeaker(reviewer, current.content().agency_code(), now).status());
  return Save(Returned(current, reviewer, std::move(*request.mutable_comment()), now), request.expected_revision(),
              now);
}

void DraftDesk::Approve(const Principal& caller, const v1::ApproveDraftRequest& request, absl::Time now,
                        ApproveDone done) {
  auto stored = Find(caller, request.draft_id());
  if (!stored.ok()) return std::move(done)(stored.status());
  const v1::Draft& current = *stored->draft;
  // A repeated approval is answered as the first was; a draft whose approval committed without
  // marking it (the service stopped in between) is marked now. Neither issues anything.
  if (IsRepeatedApproval(current, request.expected_revision())) {
    return std::move(done)(AnswerPublished(current.id(), current.statement_id(), now));
  }
  if (!stored->approved_as.empty() && current.state() != DRAFT_STATE_PUBLISHED) {
    return std::move(done)(AnswerPublished(current.id(), stored->approved_as, now));
  }
  if (auto s = CheckTransition(current, DraftAction::kApprove, request.expected_revision()); !s.ok()) {
    return std::move(done)(s);
  }
  v1::PublishRequest publish;
  *publish.mutable_draft() = current.content();
  if (auto s = CheckReady(publish.mutable_draft(), current.early_to_trusted(), now, kContent); !s.ok()) {
    return std::move(done)(s);
  }
  publish.set_early_to_trusted(current.early_to_trusted());
  publish.set_return_when_committed(request.return_when_committed());

  // Filled on this thread once the version is committed; read when the answer is given.
  auto answer = std::make_shared<v1::ApproveDraftResponse>();
  DraftApproval approval;
  approval.draft_id = current.id();
  approval.written_by = current.written_by();
  approval.committed = [this, answer, draft_id = current.id(), now](const Statement& version) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*answer->mutable_draft(), MarkPublished(draft_id, version, now));
    return absl::OkStatus();
  };
  publisher_->PublishApproved(
      caller, std::move(publish), std::move(approval), now,
      [answer, done = std::move(done)](absl::StatusOr<v1::PublishResponse> published) mutable {
        if (!published.ok()) return std::move(done)(published.status());
        *answer->mutable_published() = std::move(*published);
        std::move(done)(std::move(*answer));
      });
}

absl::StatusOr<v1::Draft> DraftDesk::MarkPublished(const std::string& draft_id, const Statement& version,
                                                   absl::Time now) {
  for (int attempt = 0; attempt < kMarkAttempts; ++attempt) {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(StoredDraft stored, DraftStore::Load(*redis, draft_id));
    if (!stored.draft) return absl::DataLossError(absl::StrCat("draft ", draft_id, " vanished while published"));
    if (stored.draft->state() == DRAFT_STATE_PUBLISHED) return std::move(*stored.draft);
    // The approver is the issuer; the content is what was issued, even if the draft was
    // sent back (and changed) while its approval was being committed.
    v1::Draft next = Published(*stored.draft, DraftOf(version), version.issuer().spokesperson_id(), version.id(), now);
    PR_ASSIGN_OR_RETURN(const DraftSave saved, DraftStore::Save(*redis, next, stored.draft->revision(), true));
    if (saved.outcome == DraftSave::Outcome::kSaved) return next;
  }
  return absl::AbortedError(absl::StrCat("draft ", draft_id, " kept changing while being marked published; retry"));
}

absl::StatusOr<v1::ApproveDraftResponse> DraftDesk::AnswerPublished(const std::string& draft_id,
                                                                    const std::string& statement_id, absl::Time now) {
  PR_ASSIGN_OR_RETURN(v1::PublishResponse published, publisher_->Published(statement_id, 1));
  v1::ApproveDraftResponse answer;
  PR_ASSIGN_OR_RETURN(*answer.mutable_draft(), MarkPublished(draft_id, published.statement(), now));
  *answer.mutable_published() = std::move(published);
  return answer;
}

absl::StatusOr<Statement> DraftDesk::Preview(const Principal& caller, v1::PreviewDraftRequest request,
                                             absl::Time now) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));  // the wire keeps milliseconds
  v1::StatementDraft* content = request.mutable_content();
  PR_RETURN_IF_ERROR(WritesFor(caller, content));
  PR_RETURN_IF_ERROR(CheckReady(content, false, now, "content"));
  Statement statement = FirstVersion(*content, now);
  if (caller.role() == pressrelay::common::v1::ROLE_SPOKESPERSON) {
    PR_ASSIGN_OR_RETURN(auto speaker, directory_->CheckSpeaker(caller.id(), content->agency_code(), now));
    SetIssuer(speaker, &statement);
  } else {
    statement.mutable_issuer()->set_agency_code(content->agency_code());
  }
  legal::AttachReferences(&statement);  // what the signed version will cite
  return statement;
}

}  // namespace pressrelay::distribution
