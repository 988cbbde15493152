// The desk's review, without Redis or the registry: which change each state allows, the
// revision every change must name and adds one to, and what a draft must be to be kept
// (work in progress) and to be reviewed or issued.
#include "services/distribution/draft_rules.h"

#include <gtest/gtest.h>

#include <set>

#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/distribution/page_token.h"

namespace pressrelay::distribution {
namespace {

using v1::DRAFT_STATE_IN_REVIEW;
using v1::DRAFT_STATE_PUBLISHED;
using v1::DRAFT_STATE_WRITING;

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

Principal Officer() {
  Principal p;
  p.set_id("moh-press-1");
  p.set_role(common::v1::ROLE_PRESS_OFFICER);
  p.set_display_name("Nguyễn Thị Lan");
  p.set_agency_code("MOH");
  return p;
}

v1::StatementDraft Complete() {
  v1::StatementDraft d;
  d.set_agency_code("MOH");
  d.set_kind(common::v1::STATEMENT_KIND_PRESS_RELEASE);
  d.set_language("vi");
  d.set_headline("Bộ Y tế thông tin về tình hình dịch sốt xuất huyết");
  d.set_body("Thực hiện Nghị định 09/2017/NĐ-CP, Bộ Y tế thông tin như sau.");
  return d;
}

v1::Draft InState(v1::DraftState state, int revision = 3) {
  v1::Draft d = NewDraft(Officer(), NewDraftId(), Complete(), false, kNow);
  d.set_state(state);
  d.set_revision(revision);
  if (state == DRAFT_STATE_PUBLISHED) d.set_statement_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  return d;
}

// The field an INVALID_ARGUMENT names ("" for OK).
std::string Rejected(const absl::Status& s) {
  if (s.ok()) return "";
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return ErrorField(s);
}

TEST(DraftRules, EachStateAllowsOnlyItsChanges) {
  struct Case {
    v1::DraftState state;
    DraftAction action;
    bool allowed;
  };
  const Case cases[] = {
      {DRAFT_STATE_WRITING, DraftAction::kUpdate, true},     {DRAFT_STATE_WRITING, DraftAction::kSubmit, true},
      {DRAFT_STATE_WRITING, DraftAction::kReturn, false},    {DRAFT_STATE_WRITING, DraftAction::kApprove, false},
      {DRAFT_STATE_IN_REVIEW, DraftAction::kUpdate, false},  {DRAFT_STATE_IN_REVIEW, DraftAction::kSubmit, false},
      {DRAFT_STATE_IN_REVIEW, DraftAction::kReturn, true},   {DRAFT_STATE_IN_REVIEW, DraftAction::kApprove, true},
      {DRAFT_STATE_PUBLISHED, DraftAction::kUpdate, false},  {DRAFT_STATE_PUBLISHED, DraftAction::kSubmit, false},
      {DRAFT_STATE_PUBLISHED, DraftAction::kReturn, false},  {DRAFT_STATE_PUBLISHED, DraftAction::kApprove, false},
  };
  for (const Case& c : cases) {
    const absl::Status s = CheckTransition(InState(c.state, 3), c.action, 3);
    SCOPED_TRACE(testing::Message() << v1::DraftState_Name(c.state) << " action " << static_cast<int>(c.action));
    if (c.allowed) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    }
  }
  // A published draft says what it became.
  const absl::Status published = CheckTransition(InState(DRAFT_STATE_PUBLISHED), DraftAction::kUpdate, 3);
  EXPECT_NE(published.message().find("01JD3Z6Q8M4T2V5X7Y9A0B1C2D"), absl::string_view::npos) << published;
}

TEST(DraftRules, AChangeFromAnotherRevisionIsToldTheCurrentOne) {
  const v1::Draft draft = InState(DRAFT_STATE_WRITING, 7);
  for (DraftAction action : {DraftAction::kUpdate, DraftAction::kSubmit}) {
    const absl::Status stale = CheckTransition(draft, action, 6);
    EXPECT_EQ(stale.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(stale.message().find("revision 7"), absl::string_view::npos) << stale;
    EXPECT_NE(stale.message().find("changed"), absl::string_view::npos) << stale;
  }
  // The revision is checked before the state: an old copy hears that it is old.
  const absl::Status both = CheckTransition(InState(DRAFT_STATE_IN_REVIEW, 7), DraftAction::kUpdate, 5);
  EXPECT_NE(both.message().find("changed since revision 5"), absl::string_view::npos) << both;
  // No revision at all is a bad request naming the field.
  EXPECT_EQ(Rejected(CheckTransition(draft, DraftAction::kUpdate, 0)), "expected_revision");
}

TEST(DraftRules, EveryChangeAddsOneToTheRevision) {
  const v1::Draft created = NewDraft(Officer(), "d_00000000000000000001", Complete(), false, kNow);
  EXPECT_EQ(created.revision(), 1);
  EXPECT_EQ(created.state(), DRAFT_STATE_WRITING);
  EXPECT_EQ(created.written_by(), "moh-press-1");
  EXPECT_EQ(created.written_by_name(), "Nguyễn Thị Lan");
  EXPECT_EQ(FromProto(created.created_at()), kNow);
  EXPECT_EQ(FromProto(created.updated_at()), kNow);

  const absl::Time later = kNow + absl::Minutes(5);
  const v1::Draft updated = Updated(created, Complete(), true, later);
  EXPECT_EQ(updated.revision(), 2);
  EXPECT_TRUE(updated.early_to_trusted());
  EXPECT_EQ(FromProto(updated.updated_at()), later);
  EXPECT_EQ(FromProto(updated.created_at()), kNow);

  const v1::Draft submitted = Submitted(updated, Complete(), later);
  EXPECT_EQ(submitted.revision(), 3);
  EXPECT_EQ(submitted.state(), DRAFT_STATE_IN_REVIEW);
  EXPECT_EQ(FromProto(submitted.submitted_at()), later);

  const v1::Draft returned = Returned(submitted, "moh-sp", "Bổ sung số liệu", later);
  EXPECT_EQ(returned.revision(), 4);
  EXPECT_EQ(returned.state(), DRAFT_STATE_WRITING);
  EXPECT_EQ(returned.reviewed_by(), "moh-sp");
  EXPECT_EQ(returned.review_comment(), "Bổ sung số liệu");
  EXPECT_FALSE(returned.has_submitted_at());
  EXPECT_EQ(returned.written_by(), "moh-press-1");  // the writer stays the writer

  const v1::Draft published = Published(Submitted(returned, Complete(), later), Complete(), "moh-sp",
                                        "01JD3Z6Q8M4T2V5X7Y9A0B1C2D", later);
  EXPECT_EQ(published.revision(), 6);
  EXPECT_EQ(published.state(), DRAFT_STATE_PUBLISHED);
  EXPECT_EQ(published.statement_id(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  EXPECT_EQ(published.reviewed_by(), "moh-sp");
  EXPECT_EQ(published.written_by(), "moh-press-1");
}

TEST(DraftRules, ARepeatedApprovalNamesTheRevisionItApproved) {
  const v1::Draft published = InState(DRAFT_STATE_PUBLISHED, 6);
  EXPECT_TRUE(IsRepeatedApproval(published, 5));
  EXPECT_FALSE(IsRepeatedApproval(published, 6));
  EXPECT_FALSE(IsRepeatedApproval(published, 4));
  EXPECT_FALSE(IsRepeatedApproval(InState(DRAFT_STATE_IN_REVIEW, 6), 5));
}

TEST(DraftRules, WorkInProgressIsKeptIncomplete) {
  v1::StatementDraft bare;  // no kind, language, headline or body yet
  bare.set_summary("Đang soạn");
  EXPECT_EQ(Rejected(NormalizeForSave(&bare, "draft.content")), "");
  // But it must be text that can be kept: valid UTF-8, no control characters, in limits.
  v1::StatementDraft broken = bare;
  broken.set_headline("\xC3\x28");
  EXPECT_EQ(Rejected(NormalizeForSave(&broken, "draft.content")), "draft.content.headline");
  v1::StatementDraft control = bare;
  control.set_body("Nội dung\x07");
  EXPECT_EQ(Rejected(NormalizeForSave(&control, "draft.content")), "draft.content.body");
  v1::StatementDraft long_headline = bare;
  long_headline.set_headline(std::string(301, 'a'));
  EXPECT_EQ(Rejected(NormalizeForSave(&long_headline, "draft.content")), "draft.content.headline");
  v1::StatementDraft many = bare;
  for (int i = 0; i < 21; ++i) many.add_subjects()->set_code("health");
  EXPECT_EQ(Rejected(NormalizeForSave(&many, "draft.content")), "draft.content.subjects");
}

TEST(DraftRules, SavedTextIsNfc) {
  v1::StatementDraft d;
  d.set_headline("Thông ba\xCC\x81o");  // "báo" with a combining acute accent
  ASSERT_TRUE(NormalizeForSave(&d, "draft.content").ok());
  EXPECT_EQ(d.headline(), "Thông báo");  // precomposed U+00E1
}

TEST(DraftRules, ReviewNeedsACompleteStatement) {
  v1::StatementDraft bare;
  bare.set_agency_code("MOH");
  EXPECT_EQ(Rejected(CheckReady(&bare, false, kNow, "draft.content")), "draft.content.kind");
  v1::StatementDraft complete = Complete();
  EXPECT_TRUE(CheckReady(&complete, false, kNow, "draft.content").ok());
  EXPECT_EQ(complete.urgency(), 5);  // defaults filled as they will be issued
  // Early copies for trusted outlets need a release time ahead.
  v1::StatementDraft early = Complete();
  EXPECT_EQ(Rejected(CheckReady(&early, true, kNow, "draft.content")), "draft.early_to_trusted");
  *early.mutable_embargoed() = ToProto(kNow + absl::Hours(2));
  EXPECT_TRUE(CheckReady(&early, true, kNow, "draft.content").ok());
}

TEST(DraftRules, AReturnNeedsAVisibleComment) {
  for (std::string comment : {std::string(), std::string("   "), std::string("\xE2\x80\x8B")}) {
    EXPECT_EQ(Rejected(NormalizeComment(&comment)), "comment");
  }
  std::string comment = "Đề nghị bổ sung số liệu ca mắc";
  EXPECT_TRUE(NormalizeComment(&comment).ok());
}

TEST(DraftRules, DraftIdsAreTheirOwnKind) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewDraftId();
    EXPECT_TRUE(IsDraftId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(IsDraftId("01JD3Z6Q8M4T2V5X7Y9A0B1C2D"));  // a statement id
  EXPECT_FALSE(IsDraftId("d_0000000000000000000"));       // too short
  EXPECT_FALSE(IsDraftId("d_0000000000000000000A"));      // upper case
  EXPECT_FALSE(IsDraftId("d_000000000000000000:0"));
  // The desk's page tokens carry draft ids; statement pages' do not accept them.
  const std::string token = FormatPageToken({1790000000000, "d_00000000000000000001"});
  EXPECT_TRUE(ParsePageToken(token, IsDraftId).ok());
  EXPECT_FALSE(ParsePageToken(token).ok());
}

}  // namespace
}  // namespace pressrelay::distribution
