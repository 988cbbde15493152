#include "services/distribution/draft_rules.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/validation.h"

namespace pressrelay::distribution {
namespace {

using v1::DRAFT_STATE_IN_REVIEW;
using v1::DRAFT_STATE_PUBLISHED;
using v1::DRAFT_STATE_WRITING;

constexpr absl::string_view kDraftIdAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr size_t kDraftIdRandom = 20;
// Codes and media types are short; these only bound what a draft in progress may hold.
constexpr int kCodeMax = 64;
constexpr int kMediaTypeMax = 127;

std::string StateName(const v1::Draft& draft) {
  switch (draft.state()) {
    case DRAFT_STATE_WRITING:
      return "is being written";
    case DRAFT_STATE_IN_REVIEW:
      return "is in review";
    case DRAFT_STATE_PUBLISHED:
      return absl::StrCat("was published as statement ", draft.statement_id());
    default:
      return "is in no known state";
  }
}

// The revision one more and the time of the change; every change goes through here.
v1::Draft Changed(v1::Draft draft, absl::Time now) {
  draft.set_revision(draft.revision() + 1);
  *draft.mutable_updated_at() = ProtoFromMillis(absl::ToUnixMillis(now));
  return draft;
}

}  // namespace

std::string NewDraftId() {
  std::string id = "d_";
  for (size_t i = 0; i < kDraftIdRandom; ++i) id += kDraftIdAlphabet[ids::RandomU64() % kDraftIdAlphabet.size()];
  return id;
}

bool IsDraftId(absl::string_view id) {
  return id.size() == 2 + kDraftIdRandom && id.substr(0, 2) == "d_" &&
         id.find_first_not_of(kDraftIdAlphabet, 2) == absl::string_view::npos;
}

absl::Status CheckTransition(const v1::Draft& draft, DraftAction action, int expected_revision) {
  if (expected_revision <= 0) {
    return FieldError("expected_revision", "is required: the revision the change starts from (Draft.revision)");
  }
  // The revision first: whoever worked from an old copy learns that before anything else.
  if (expected_revision != draft.revision()) {
    return absl::FailedPreconditionError(absl::StrCat("the draft changed since revision ", expected_revision,
                                                      ": it is at revision ", draft.revision(), " and ",
                                                      StateName(draft), "; reload it"));
  }
  const bool writing = draft.state() == DRAFT_STATE_WRITING;
  const bool in_review = draft.state() == DRAFT_STATE_IN_REVIEW;
  switch (action) {
    case DraftAction::kUpdate:
      if (writing) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("only a draft being written can be changed; this one ", StateName(draft)));
    case DraftAction::kSubmit:
      if (writing) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("only a draft being written can be sent for review; this one ", StateName(draft)));
    case DraftAction::kReturn:
      if (in_review) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("only a draft in review can be sent back; this one ", StateName(draft)));
    case DraftAction::kApprove:
      if (in_review) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("only a draft in review can be approved; this one ", StateName(draft)));
  }
  return absl::InternalError("unknown draft action");
}

bool IsRepeatedApproval(const v1::Draft& draft, int expected_revision) {
  return draft.state() == DRAFT_STATE_PUBLISHED && expected_revision > 0 && expected_revision == draft.revision() - 1;
}

absl::Status NormalizeForSave(v1::StatementDraft* content, absl::string_view prefix) {
  FieldViolations v;
  auto path = [&](absl::string_view field) { return absl::StrCat(prefix, ".", field); };
  validation::NormalizeText(content->mutable_language(), path("language"), kCodeMax, false, &v);
  validation::NormalizeText(content->mutable_headline(), path("headline"), validation::kHeadlineMax, false, &v);
  validation::NormalizeText(content->mutable_summary(), path("summary"), validation::kSummaryMax, true, &v);
  validation::NormalizeText(content->mutable_body(), path("body"), 0, true, &v);
  if (content->body().size() > validation::kBodyMaxBytes) {
    v.Add(path("body"), absl::StrCat("is larger than ", validation::kBodyMaxBytes, " bytes"));
  }
  validation::NormalizeText(content->mutable_in_reply_to(), path("in_reply_to"), validation::kInReplyToMax, true, &v);
  if (content->subjects_size() > validation::kSubjectsMax) {
    v.Add(path("subjects"), absl::StrCat("has more than ", validation::kSubjectsMax, " entries"));
  }
  for (int i = 0; i < content->subjects_size(); ++i) {
    auto* subject = content->mutable_subjects(i);
    const std::string p = absl::StrCat(prefix, ".subjects[", i, "]");
    validation::NormalizeText(subject->mutable_code(), absl::StrCat(p, ".code"), kCodeMax, false, &v);
    validation::NormalizeText(subject->mutable_name(), absl::StrCat(p, ".name"), validation::kNameMax, false, &v);
  }
  if (content->has_located()) {
    validation::NormalizeText(content->mutable_located()->mutable_region_code(), path("located.region_code"),
                              kCodeMax, false, &v);
    validation::NormalizeText(content->mutable_located()->mutable_name(), path("located.name"), validation::kNameMax,
                              false, &v);
  }
  if (content->attachments_size() > validation::kAttachmentsMax) {
    v.Add(path("attachments"), absl::StrCat("has more than ", validation::kAttachmentsMax, " entries"));
  }
  for (int i = 0; i < content->attachments_size(); ++i) {
    auto* a = content->mutable_attachments(i);
    const std::string p = absl::StrCat(prefix, ".attachments[", i, "]");
    validation::NormalizeText(a->mutable_href(), absl::StrCat(p, ".href"), validation::kHrefMax, false, &v);
    validation::NormalizeText(a->mutable_media_type(), absl::StrCat(p, ".media_type"), kMediaTypeMax, false, &v);
    validation::NormalizeText(a->mutable_sha256(), absl::StrCat(p, ".sha256"), kCodeMax, false, &v);
    validation::NormalizeText(a->mutable_title(), absl::StrCat(p, ".title"), validation::kNameMax, false, &v);
  }
  return v.ToStatus();
}

absl::Status CheckReady(v1::StatementDraft* content, bool early_to_trusted, absl::Time now,
                        absl::string_view prefix) {
  PR_RETURN_IF_ERROR(validation::NormalizeDraft(content, now, prefix));
  const bool embargoed = IsSet(content->embargoed()) && FromProto(content->embargoed()) > now;
  if (early_to_trusted && !embargoed) {
    return FieldError("draft.early_to_trusted", absl::StrCat("needs a release time in the future (", prefix, ".embargoed)"));
  }
  return absl::OkStatus();
}

absl::Status NormalizeComment(std::string* comment) {
  FieldViolations v;
  validation::NormalizeText(comment, "comment", validation::kReasonMax, true, &v);
  if (v.empty() && !validation::HasVisibleText(*comment)) {
    v.Add("comment", "is required: tell the writer what to change");
  }
  return v.ToStatus();
}

v1::Draft NewDraft(const Principal& writer, const std::string& id, v1::StatementDraft content, bool early_to_trusted,
                   absl::Time now) {
  v1::Draft draft;
  draft.set_id(id);
  *draft.mutable_content() = std::move(content);
  draft.set_state(DRAFT_STATE_WRITING);
  draft.set_written_by(writer.id());
  draft.set_written_by_name(writer.display_name());
  *draft.mutable_created_at() = ProtoFromMillis(absl::ToUnixMillis(now));
  draft.set_early_to_trusted(early_to_trusted);
  return Changed(std::move(draft), now);
}

v1::Draft Updated(v1::Draft draft, v1::StatementDraft content, bool early_to_trusted, absl::Time now) {
  *draft.mutable_content() = std::move(content);
  draft.set_early_to_trusted(early_to_trusted);
  return Changed(std::move(draft), now);
}

v1::Draft Submitted(v1::Draft draft, v1::StatementDraft content, absl::Time now) {
  *draft.mutable_content() = std::move(content);
  draft.set_state(DRAFT_STATE_IN_REVIEW);
  *draft.mutable_submitted_at() = ProtoFromMillis(absl::ToUnixMillis(now));
  return Changed(std::move(draft), now);
}

v1::Draft Returned(v1::Draft draft, const std::string& reviewer, std::string comment, absl::Time now) {
  draft.set_state(DRAFT_STATE_WRITING);
  draft.set_reviewed_by(reviewer);
  draft.set_review_comment(std::move(comment));
  draft.clear_submitted_at();
  return Changed(std::move(draft), now);
}

v1::Draft Published(v1::Draft draft, v1::StatementDraft content, const std::string& reviewer,
                    const std::string& statement_id, absl::Time now) {
  *draft.mutable_content() = std::move(content);
  draft.set_state(DRAFT_STATE_PUBLISHED);
  draft.set_reviewed_by(reviewer);
  draft.set_statement_id(statement_id);
  return Changed(std::move(draft), now);
}

}  // namespace pressrelay::distribution
