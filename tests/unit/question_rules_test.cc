// Journalists' questions, the rules without I/O (question_desk.h): what a question must be,
// when it is overdue, what may still be decided, what an answer's draft must be, the decline
// statement in the Press Law's words, and the outcome as signed.
#include "services/distribution/question_desk.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <vector>

#include "absl/strings/match.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/domain/signing.h"
#include "services/common/domain/validation.h"
#include "tests/support/process.h"

namespace pressrelay::distribution {
namespace {

using pressrelay::common::v1::DECLINE_GROUND_DRAFT_NOT_DECIDED;
using pressrelay::common::v1::DECLINE_GROUND_NOT_CONCLUDED;
using pressrelay::common::v1::DECLINE_GROUND_SECRET;
using pressrelay::common::v1::STATEMENT_KIND_ANSWER;
using pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE;

const absl::Time kNow = absl::FromUnixSeconds(1795678132);  // 2026-11-26

v1::AskQuestionRequest Ask() {
  v1::AskQuestionRequest r;
  r.set_agency_code("MOH");
  r.set_text("Bộ Y tế cho biết kế hoạch tiêm chủng mở rộng năm 2027?");
  *r.mutable_answer_requested_by() = ToProto(kNow + absl::Hours(72));
  r.add_subjects("health");
  return r;
}

v1::Question Open() {
  Principal asker;
  asker.set_role(pressrelay::common::v1::ROLE_JOURNALIST);
  asker.set_id("TT-001");
  asker.set_recipient_id("journalist:TT-001");
  asker.set_display_name("Nguyễn Văn Báo");
  registry_v1::RecipientInfo info;
  info.set_display_name("Nguyễn Văn Báo");
  info.set_outlet_name("Báo Tuổi Trẻ");
  return NewQuestion(asker, info, Ask(), NewQuestionId(kNow), kNow);
}

std::string FieldOf(const absl::Status& status) { return ErrorField(status); }

TEST(QuestionRules, IdsAreTheirOwnKind) {
  const std::string id = NewQuestionId(kNow);
  EXPECT_TRUE(IsQuestionId(id)) << id;
  EXPECT_TRUE(absl::StartsWith(id, "q_"));
  EXPECT_FALSE(IsQuestionId(id.substr(2)));  // a statement id
  EXPECT_FALSE(IsQuestionId("q_"));
  EXPECT_FALSE(IsQuestionId("d_abcdefghij0123456789"));
  EXPECT_FALSE(IsQuestionId(id + "x"));
  // Sortable by the time asked, as the desk lists them.
  EXPECT_LT(NewQuestionId(kNow), NewQuestionId(kNow + absl::Seconds(1)));
}

TEST(QuestionRules, AGoodQuestionPassesAndIsStoredInNfc) {
  v1::AskQuestionRequest r = Ask();
  r.set_text("Ho\xcc\x80 Chi\xcc\x81 Minh?");  // "Hồ"... typed with combining marks (NFD)
  ASSERT_TRUE(CheckAsk(&r, kNow).ok());
  EXPECT_EQ(r.text(), validation::ToNfc("Ho\xcc\x80 Chi\xcc\x81 Minh?"));
  EXPECT_NE(r.text(), "Ho\xcc\x80 Chi\xcc\x81 Minh?");

  const v1::Question q = Open();
  EXPECT_EQ(q.state(), v1::QUESTION_STATE_OPEN);
  EXPECT_EQ(q.revision(), 1);
  EXPECT_EQ(q.asker_id(), "journalist:TT-001");
  EXPECT_EQ(q.asker_outlet_name(), "Báo Tuổi Trẻ");
  EXPECT_EQ(MillisFromProto(q.asked_at()), absl::ToUnixMillis(kNow));
}

TEST(QuestionRules, BadQuestionsNameTheirField) {
  struct Case {
    std::function<void(v1::AskQuestionRequest*)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto* r) { r->clear_agency_code(); }, "agency_code"},
      {[](auto* r) { r->set_agency_code("moh!"); }, "agency_code"},
      {[](auto* r) { r->clear_text(); }, "text"},
      {[](auto* r) { r->set_text(" \u00a0\u200b "); }, "text"},  // nothing visible
      {[](auto* r) { r->set_text("a\x01b"); }, "text"},
      {[](auto* r) { r->set_text(std::string(4001, 'x')); }, "text"},
      {[](auto* r) { r->clear_answer_requested_by(); }, "answer_requested_by"},
      {[](auto* r) { *r->mutable_answer_requested_by() = ToProto(kNow - absl::Minutes(1)); }, "answer_requested_by"},
      {[](auto* r) { *r->mutable_answer_requested_by() = ToProto(kNow); }, "answer_requested_by"},
      {[](auto* r) { *r->mutable_answer_requested_by() = ToProto(kNow + absl::Hours(24 * 91)); },
       "answer_requested_by"},
      {[](auto* r) { r->add_subjects("Y Tế"); }, "subjects[1]"},
      {[](auto* r) { r->set_idempotency_key("khoá"); }, "idempotency_key"},
  };
  for (const auto& c : cases) {
    v1::AskQuestionRequest r = Ask();
    c.spoil(&r);
    const absl::Status status = CheckAsk(&r, kNow);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(FieldOf(status), c.field) << status;
  }
  // 90 days ahead is still fine.
  v1::AskQuestionRequest far = Ask();
  *far.mutable_answer_requested_by() = ToProto(kNow + kLongestAnswerWait);
  EXPECT_TRUE(CheckAsk(&far, kNow).ok());
}

TEST(QuestionRules, OverdueIsOpenPastTheRequestedDate) {
  v1::Question q = Open();
  const absl::Time by = FromProto(q.answer_requested_by());
  EXPECT_FALSE(IsOverdue(q, by - absl::Seconds(1)));
  EXPECT_FALSE(IsOverdue(q, by));
  EXPECT_TRUE(IsOverdue(q, by + absl::Milliseconds(1)));
  EXPECT_TRUE(AsRead(q, by + absl::Hours(1)).overdue());
  q.set_state(v1::QUESTION_STATE_DECLINED);
  EXPECT_FALSE(IsOverdue(q, by + absl::Hours(1)));
  EXPECT_FALSE(AsRead(q, by + absl::Hours(1)).overdue());
}

TEST(QuestionRules, OnlyAnOpenQuestionCanBeDecided) {
  v1::Question q = Open();
  EXPECT_TRUE(CheckOpen(q).ok());
  for (auto state : {v1::QUESTION_STATE_ANSWERED_PRIVATELY, v1::QUESTION_STATE_ANSWERED_PUBLICLY,
                     v1::QUESTION_STATE_DECLINED}) {
    q.set_state(state);
    q.set_answer_statement_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
    const absl::Status status = CheckOpen(q);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << state;
    EXPECT_TRUE(absl::StrContains(status.message(), "01JD3Z6Q8M4T2V5X7Y9A0B1C2D")) << status;
  }
}

TEST(QuestionRules, AnAnswersDraftIsAnAnswerToThatQuestion) {
  const v1::Question q = Open();
  v1::StatementDraft draft;
  draft.set_kind(STATEMENT_KIND_ANSWER);
  draft.set_language("vi");
  draft.set_headline("Trả lời về tiêm chủng mở rộng");
  draft.set_body("Kế hoạch năm 2027 sẽ được công bố trong tháng 12.");
  v1::StatementDraft filled = draft;
  ASSERT_TRUE(CheckAnswerDraft(q, &filled, kNow).ok());
  EXPECT_EQ(filled.agency_code(), "MOH");
  EXPECT_EQ(filled.in_reply_to(), q.id());

  v1::StatementDraft wrong = draft;
  wrong.set_kind(STATEMENT_KIND_PRESS_RELEASE);
  EXPECT_EQ(FieldOf(CheckAnswerDraft(q, &wrong, kNow)), "draft.kind");
  wrong = draft;
  wrong.set_agency_code("MOF");
  EXPECT_EQ(FieldOf(CheckAnswerDraft(q, &wrong, kNow)), "draft.agency_code");
  wrong = draft;
  wrong.set_in_reply_to("q_01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  EXPECT_EQ(FieldOf(CheckAnswerDraft(q, &wrong, kNow)), "draft.in_reply_to");
  wrong = draft;
  wrong.clear_headline();
  EXPECT_EQ(FieldOf(CheckAnswerDraft(q, &wrong, kNow)), "draft.headline");
}

TEST(QuestionRules, ADeclineNamesAGroundOfTheLawAndANote) {
  v1::DeclineQuestionRequest r;
  r.set_ground(DECLINE_GROUND_SECRET);
  r.set_note("Tài liệu thuộc danh mục bí mật nhà nước độ Mật.");
  EXPECT_TRUE(CheckDecline(&r).ok());
  v1::DeclineQuestionRequest bad = r;
  bad.clear_ground();
  EXPECT_EQ(FieldOf(CheckDecline(&bad)), "ground");
  bad = r;
  bad.set_ground(static_cast<pressrelay::common::v1::DeclineGround>(99));
  EXPECT_EQ(FieldOf(CheckDecline(&bad)), "ground");
  bad = r;
  bad.clear_note();
  EXPECT_EQ(FieldOf(CheckDecline(&bad)), "note");
  bad = r;
  bad.set_note("\u200b\u3000");
  EXPECT_EQ(FieldOf(CheckDecline(&bad)), "note");
}

TEST(QuestionRules, TheDeclineStatementSaysTheGroundInTheLawsWordsAndCitesIt) {
  const v1::Question q = Open();
  for (auto [ground, point] : std::vector<std::pair<DeclineGround, std::string>>{
           {DECLINE_GROUND_SECRET, "điểm a khoản 2 Điều 38"},
           {DECLINE_GROUND_NOT_CONCLUDED, "điểm b và điểm c khoản 2 Điều 38"},
           {DECLINE_GROUND_DRAFT_NOT_DECIDED, "điểm d khoản 2 Điều 38"}}) {
    v1::StatementDraft draft = DeclineDraft(q, "Bộ Y tế", ground, "Chưa có kết luận thanh tra.");
    EXPECT_EQ(draft.kind(), STATEMENT_KIND_ANSWER);
    EXPECT_EQ(draft.in_reply_to(), q.id());
    EXPECT_EQ(draft.agency_code(), "MOH");
    ASSERT_EQ(draft.subjects_size(), 1);
    EXPECT_EQ(draft.subjects(0).code(), "health");
    EXPECT_TRUE(absl::StrContains(draft.headline(), "Bộ Y tế từ chối cung cấp thông tin")) << draft.headline();
    EXPECT_TRUE(absl::StrContains(draft.headline(), "26/11/2026")) << draft.headline();  // Vietnam's date
    EXPECT_TRUE(absl::StrContains(draft.body(), point)) << draft.body();
    EXPECT_TRUE(absl::StrContains(draft.body(), GroundWords(ground)));
    EXPECT_TRUE(absl::StrContains(draft.body(), q.text()));
    EXPECT_TRUE(absl::StrContains(draft.body(), "Nguyễn Văn Báo (Báo Tuổi Trẻ)"));
    EXPECT_TRUE(absl::StrContains(draft.body(), "Lý do: Chưa có kết luận thanh tra."));
    // A statement the wire accepts as it is...
    ASSERT_TRUE(validation::NormalizeDraft(&draft, kNow).ok());
    // ... that cites the Press Law, structured, when the wire signs it.
    Statement statement;
    statement.set_headline(draft.headline());
    statement.set_summary(draft.summary());
    statement.set_body(draft.body());
    legal::AttachReferences(&statement);
    bool cites_press_law = false;
    for (const auto& ref : statement.references()) cites_press_law |= ref.canonical() == "103/2016/QH13";
    EXPECT_TRUE(cites_press_law);
  }
  EXPECT_TRUE(GroundProvision(pressrelay::common::v1::DECLINE_GROUND_UNSPECIFIED).empty());
}

TEST(QuestionRules, TheStatementThatDecidesAQuestionDecidesItsRecord) {
  const v1::Question q = Open();
  Statement version;
  version.set_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  version.mutable_issuer()->set_spokesperson_id("moh-sp");
  *version.mutable_versioncreated() = ProtoFromMillis(absl::ToUnixMillis(kNow) + 5000);

  *version.mutable_question_outcome() = AnsweredOutcome(q, /*to_asker_only=*/true);
  v1::Question privately = Decided(q, version);
  EXPECT_EQ(privately.state(), v1::QUESTION_STATE_ANSWERED_PRIVATELY);
  EXPECT_EQ(privately.answer_statement_id(), version.id());
  EXPECT_EQ(privately.decided_by(), "moh-sp");
  EXPECT_EQ(MillisFromProto(privately.decided_at()), absl::ToUnixMillis(kNow) + 5000);
  EXPECT_EQ(privately.revision(), q.revision() + 1);

  *version.mutable_question_outcome() = AnsweredOutcome(q, false);
  EXPECT_EQ(Decided(q, version).state(), v1::QUESTION_STATE_ANSWERED_PUBLICLY);

  *version.mutable_question_outcome() = DeclinedOutcome(q, DECLINE_GROUND_DRAFT_NOT_DECIDED, "Đang soạn thảo.");
  EXPECT_TRUE(version.question_outcome().to_asker_only());
  v1::Question declined = Decided(q, version);
  EXPECT_EQ(declined.state(), v1::QUESTION_STATE_DECLINED);
  EXPECT_EQ(declined.decline_ground(), DECLINE_GROUND_DRAFT_NOT_DECIDED);
  EXPECT_EQ(declined.decline_note(), "Đang soạn thảo.");
}

// The outcome is signed, after the references and before the key id; a statement without one
// keeps the bytes it had.
TEST(QuestionRules, TheOutcomeIsCoveredByTheSignature) {
  Statement s;
  s.set_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  s.set_kind(STATEMENT_KIND_ANSWER);
  s.set_headline("Trả lời câu hỏi");
  s.set_body("Theo Luật Báo chí.");
  s.mutable_issuer()->set_agency_code("MOH");
  legal::AttachReferences(&s);
  const std::string without = signing::CanonicalBytes(s, "MOH-1");
  EXPECT_FALSE(absl::StrContains(without, "question_outcome"));

  *s.mutable_question_outcome() = DeclinedOutcome(Open(), DECLINE_GROUND_SECRET, "Bí mật nhà nước.");
  const std::string with = signing::CanonicalBytes(s, "MOH-1");
  const std::string block = absl::StrCat("question_outcome.question_id:", s.question_outcome().question_id().size(),
                                         ":", s.question_outcome().question_id(),
                                         "\nquestion_outcome.outcome:1:2\nquestion_outcome.ground:1:1\n"
                                         "question_outcome.note:",
                                         std::string("Bí mật nhà nước.").size(),
                                         ":Bí mật nhà nước.\nquestion_outcome.to_asker_only:1:1\nkey_id:5:MOH-1\n");
  ASSERT_TRUE(absl::EndsWith(with, block)) << with;
  EXPECT_LT(with.find("references.0.end"), with.find("question_outcome.question_id"));
  EXPECT_EQ(with.substr(0, with.size() - block.size()), without.substr(0, without.size() - 15));

  // Signed and verified; a changed note or ground fails.
  pressrelay::testing::TempDir dir;
  const signing::KeyFile key = signing::GenerateKey("MOH", "MOH-1", kNow - absl::Hours(1));
  std::ofstream(dir.File("MOH-1.key")) << signing::FormatKeyFile(key);
  auto signer = signing::Signer::FromDirectory(dir.path());
  ASSERT_TRUE(signer.ok()) << signer.status();
  ASSERT_TRUE((*signer)->Sign(&s, kNow).ok());
  const std::vector<signing::AgencyKey> keys = {signing::PublicKeyOf(key)};
  EXPECT_TRUE(signing::Verify(s, keys).ok());
  Statement forged = s;
  forged.mutable_question_outcome()->set_note("Không có gì.");
  EXPECT_FALSE(signing::Verify(forged, keys).ok());
  forged = s;
  forged.mutable_question_outcome()->set_ground(DECLINE_GROUND_NOT_CONCLUDED);
  EXPECT_FALSE(signing::Verify(forged, keys).ok());
  forged = s;
  forged.clear_question_outcome();
  EXPECT_FALSE(signing::Verify(forged, keys).ok());
}

}  // namespace
}  // namespace pressrelay::distribution
