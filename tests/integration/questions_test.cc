// Journalists' questions, end to end (Questions service): a journalist asks an agency; its
// spokesperson answers to the asker alone, answers everyone, or declines on a ground of the
// Press Law; the asker learns the outcome on their own stream as a signed statement. A real
// redis-server and the three real service binaries.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/signing.h"
#include "services/common/redis/keys.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

using common::v1::QuestionOutcome;

constexpr absl::Duration kWait = absl::Seconds(20);

// The Ministry of Health (MOH) and of Finance (MOF), a spokesperson each and a press officer
// of MOH. The asker, a Tuổi Trẻ journalist, subscribes to MOF only: MOH's answers reach them
// whatever their subscription. The watcher, a Thanh Niên journalist, subscribes to everything
// of both ministries.
class QuestionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    moh_ = *suite_.AddSpeaker("MOH", "Bộ Y tế");
    mof_ = *suite_.AddSpeaker("MOF", "Bộ Tài chính");
    ASSERT_TRUE(suite_.PutPressOfficer("moh-press", "MOH").ok());
    ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
    ASSERT_TRUE(suite_.PutOutlet("thanhnien", "Báo Thanh Niên").ok());
    press_ = *suite_.IssueToken(reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press");
    asker_ = Journalist("TT-001", "tuoitre", {"MOF"});
    watcher_ = Journalist("TN-001", "thanhnien", {"MOH", "MOF"});
    auto keys = suite_.AgencyKeys(asker_);
    ASSERT_TRUE(keys.ok()) << keys.status();
  }

  std::string Journalist(const std::string& card, const std::string& outlet, std::vector<std::string> agencies) {
    reg::Subscription s;
    for (auto& a : agencies) s.add_agency_codes(a);
    auto token = suite_.AddJournalist(card, outlet, s);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<TestSubscriber> Subscribe(const std::string& token) { return SubscribeCaughtUp(suite_, token, kWait); }

  template <typename Response, typename Request>
  absl::StatusOr<Response> Call(grpc::Status (dist::Questions::Stub::*method)(grpc::ClientContext*, const Request&,
                                                                             Response*),
                                const std::string& token, const Request& request) {
    auto stub = dist::Questions::NewStub(OpenChannel(suite_.distribution_address()));
    auto ctx = CallContext(token, kWait);
    Response response;
    absl::Status status = FromGrpcStatus((stub.get()->*method)(ctx.get(), request, &response));
    if (!status.ok()) return status;
    return response;
  }

  static dist::AskQuestionRequest Question(const std::string& agency, const std::string& text,
                                           absl::Duration within = absl::Hours(72)) {
    dist::AskQuestionRequest r;
    r.set_agency_code(agency);
    r.set_text(text);
    *r.mutable_answer_requested_by() = ToProto(absl::Now() + within);
    return r;
  }
  absl::StatusOr<dist::Question> Ask(const std::string& token, const dist::AskQuestionRequest& request) {
    return Call(&dist::Questions::Stub::AskQuestion, token, request);
  }
  absl::StatusOr<dist::Question> Get(const std::string& token, const std::string& id) {
    dist::GetQuestionRequest r;
    r.set_question_id(id);
    return Call(&dist::Questions::Stub::GetQuestion, token, r);
  }
  absl::StatusOr<dist::ListQuestionsResponse> List(const std::string& token, const dist::ListQuestionsRequest& r) {
    return Call(&dist::Questions::Stub::ListQuestions, token, r);
  }
  static dist::StatementDraft AnswerDraft(const std::string& headline, const std::string& body) {
    dist::StatementDraft d = MakeDraft("MOH", headline, {"health"});
    d.set_kind(common::v1::STATEMENT_KIND_ANSWER);
    d.set_body(body);
    return d;
  }
  absl::StatusOr<dist::DecideQuestionResponse> Answer(const std::string& token, const std::string& id,
                                                      const dist::StatementDraft& draft, bool to_all) {
    dist::AnswerQuestionRequest r;
    r.set_question_id(id);
    *r.mutable_draft() = draft;
    r.set_publish_to_all(to_all);
    return Call(&dist::Questions::Stub::AnswerQuestion, token, r);
  }
  absl::StatusOr<dist::DecideQuestionResponse> Decline(const std::string& token, const std::string& id,
                                                       common::v1::DeclineGround ground, const std::string& note) {
    dist::DeclineQuestionRequest r;
    r.set_question_id(id);
    r.set_ground(ground);
    r.set_note(note);
    return Call(&dist::Questions::Stub::DeclineQuestion, token, r);
  }

  // A statement of MOF everyone here subscribes to: once it arrives, whatever was queued
  // before it (same lane) has arrived too.
  std::string Marker(const std::string& headline, const std::string& body = "Thông tin định kỳ.") {
    dist::StatementDraft d = MakeDraft("MOF", headline);
    d.set_body(body);
    auto published = suite_.Publish(mof_, d);
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? published->statement().id() : "";
  }

  absl::StatusOr<std::vector<std::string>> History(const std::string& token) {
    auto stub = suite_.Subscription();
    sub::HistoryResponse response;
    auto ctx = CallContext(token, kWait);
    absl::Status status = FromGrpcStatus(stub->History(ctx.get(), sub::HistoryRequest(), &response));
    if (!status.ok()) return status;
    std::vector<std::string> ids;
    for (const auto& s : response.statements()) ids.push_back(s.id());
    return ids;
  }

  // Moves a question's requested date to `by`, in its record and the index of open questions
  // by date, as if that time had come.
  void Backdate(const std::string& id, absl::Time by) {
    auto redis = suite_.redis().Client();
    auto record = redis.Run({"HGET", keys::Question(id), keys::kQuestionRecordField});
    ASSERT_TRUE(record.ok()) << record.status();
    dist::Question q;
    ASSERT_TRUE(q.ParseFromString(std::string(record->str())));
    *q.mutable_answer_requested_by() = ProtoFromMillis(absl::ToUnixMillis(by));
    ASSERT_TRUE(redis.Run({"HSET", keys::Question(id), keys::kQuestionRecordField, q.SerializeAsString()}).ok());
    ASSERT_TRUE(
        redis.Run(redis::Args{"ZADD", keys::kQuestionsDue, "XX"}.Add(absl::ToUnixMillis(by)).Add(id)).ok());
  }

  void ExpectSigned(const common::v1::Statement& statement) {
    auto keys = suite_.AgencyKeys(asker_);
    ASSERT_TRUE(keys.ok()) << keys.status();
    EXPECT_TRUE(signing::Verify(statement, *keys).ok()) << signing::Verify(statement, *keys);
    common::v1::Statement forged = statement;
    forged.mutable_question_outcome()->set_to_asker_only(!statement.question_outcome().to_asker_only());
    EXPECT_FALSE(signing::Verify(forged, *keys).ok());
  }

  Suite suite_;
  std::string moh_, mof_, press_, asker_, watcher_;
};

std::vector<std::string> IdsOf(const std::vector<sub::Delivery>& deliveries) {
  std::vector<std::string> out;
  for (const auto& d : deliveries) out.push_back(d.statement().id());
  return out;
}

TEST_F(QuestionsTest, AnAnswerToTheAskerAloneReachesOnlyTheAsker) {
  auto s_asker = Subscribe(asker_);
  auto s_watcher = Subscribe(watcher_);

  dist::AskQuestionRequest request = Question("MOH", "Bộ Y tế cho biết số ca sốt xuất huyết tại Hà Nội tuần này?");
  request.add_subjects("health");
  request.set_idempotency_key("cau-hoi-1");
  auto asked = Ask(asker_, request);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->state(), dist::QUESTION_STATE_OPEN);
  EXPECT_EQ(asked->asker_id(), "journalist:TT-001");
  EXPECT_EQ(asked->asker_outlet_name(), "Báo Tuổi Trẻ");
  EXPECT_FALSE(asked->asker_name().empty());
  EXPECT_FALSE(asked->overdue());
  const std::string id = asked->id();
  // Asked again with its key: the same question, not a second one; the key with another
  // question is refused.
  auto again = Ask(asker_, request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), id);
  dist::AskQuestionRequest other = request;
  other.set_text("Một câu hỏi khác");
  EXPECT_EQ(Ask(asker_, other).status().code(), absl::StatusCode::kAlreadyExists);

  // Who may see it: the asker and MOH's people, not another journalist or MOF.
  EXPECT_TRUE(Get(press_, id).ok());
  EXPECT_EQ(Get(watcher_, id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get(mof_, id).status().code(), absl::StatusCode::kNotFound);
  // Only MOH's spokesperson decides: MOF's is told no such question, a press officer may not.
  const dist::StatementDraft draft =
      AnswerDraft("Trả lời câu hỏi của Báo Tuổi Trẻ về sốt xuất huyết",
                  "Tuần này Hà Nội ghi nhận 312 ca sốt xuất huyết, giảm 8% so với tuần trước.");
  EXPECT_EQ(Answer(mof_, id, draft, false).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Answer(press_, id, draft, false).status().code(), absl::StatusCode::kPermissionDenied);

  auto answered = Answer(moh_, id, draft, /*to_all=*/false);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->question().state(), dist::QUESTION_STATE_ANSWERED_PRIVATELY);
  EXPECT_EQ(answered->question().decided_by(), "moh-sp");
  EXPECT_EQ(answered->published().recipients_matched(), 1);
  const std::string answer_id = answered->published().statement().id();
  EXPECT_EQ(answered->question().answer_statement_id(), answer_id);

  // The asker has it, signed, saying which question it answers.
  ASSERT_TRUE(s_asker->WaitForCount(1, kWait));
  const common::v1::Statement got = s_asker->deliveries()[0].statement();
  EXPECT_EQ(got.id(), answer_id);
  EXPECT_EQ(got.kind(), common::v1::STATEMENT_KIND_ANSWER);
  EXPECT_EQ(got.in_reply_to(), id);
  EXPECT_EQ(got.question_outcome().question_id(), id);
  EXPECT_EQ(got.question_outcome().outcome(), QuestionOutcome::OUTCOME_ANSWERED);
  EXPECT_TRUE(got.question_outcome().to_asker_only());
  ExpectSigned(got);

  // The watcher, subscribed to everything of MOH, does not: a later statement both match
  // arrives to the watcher first and alone, to the asker after the answer.
  const std::string marker =
      Marker("Bộ Tài chính thông tin về huỳnh quang", "Thông tin về đèn huỳnh quang tiết kiệm điện.");
  ASSERT_TRUE(s_watcher->WaitForCount(1, kWait));
  ASSERT_TRUE(s_asker->WaitForCount(2, kWait));
  EXPECT_EQ(IdsOf(s_watcher->deliveries()), (std::vector<std::string>{marker}));
  EXPECT_EQ(IdsOf(s_asker->deliveries()), (std::vector<std::string>{answer_id, marker}));
  // Nor is it in the watcher's history or search: it is unlisted.
  auto history = History(watcher_);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(*history, (std::vector<std::string>{marker}));

  // Decided once: a second answer, or a decline, is refused.
  EXPECT_EQ(Answer(moh_, id, draft, true).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Decline(moh_, id, common::v1::DECLINE_GROUND_SECRET, "Bí mật.").status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto read = Get(asker_, id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state(), dist::QUESTION_STATE_ANSWERED_PRIVATELY);
  EXPECT_EQ(read->answer_statement_id(), answer_id);
}

TEST_F(QuestionsTest, APublishedAnswerReachesEveryoneAndTheAskerWhateverTheirSubscription) {
  auto s_asker = Subscribe(asker_);
  auto s_watcher = Subscribe(watcher_);
  auto asked = Ask(asker_, Question("MOH", "Khi nào Bộ Y tế công bố kế hoạch tiêm chủng năm 2027?"));
  ASSERT_TRUE(asked.ok()) << asked.status();

  auto answered = Answer(moh_, asked->id(),
                         AnswerDraft("Kế hoạch tiêm chủng mở rộng năm 2027",
                                     "Bộ Y tế sẽ công bố kế hoạch tiêm chủng mở rộng năm 2027 trong tháng 12."),
                         /*to_all=*/true);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->question().state(), dist::QUESTION_STATE_ANSWERED_PUBLICLY);
  EXPECT_EQ(answered->published().recipients_matched(), 2);  // the watcher, and the asker
  const std::string answer_id = answered->published().statement().id();

  for (auto* s : {s_asker.get(), s_watcher.get()}) {
    ASSERT_TRUE(s->WaitForCount(1, kWait));
    const common::v1::Statement got = s->deliveries()[0].statement();
    EXPECT_EQ(got.id(), answer_id);
    EXPECT_EQ(got.in_reply_to(), asked->id());
    EXPECT_EQ(got.question_outcome().outcome(), QuestionOutcome::OUTCOME_ANSWERED);
    EXPECT_FALSE(got.question_outcome().to_asker_only());
    ExpectSigned(got);
  }
  // Listed like any statement: in the watcher's history.
  auto history = History(watcher_);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(*history, (std::vector<std::string>{answer_id}));
  EXPECT_EQ(Decline(moh_, asked->id(), common::v1::DECLINE_GROUND_SECRET, "Bí mật.").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(QuestionsTest, ADeclineTellsTheAskerTheGroundInTheLawsWords) {
  auto s_asker = Subscribe(asker_);
  auto s_watcher = Subscribe(watcher_);
  auto asked = Ask(asker_, Question("MOH", "Kết quả thanh tra việc mua sắm trang thiết bị y tế tại bệnh viện X?"));
  ASSERT_TRUE(asked.ok()) << asked.status();

  // A decline needs a ground and a note.
  auto no_ground = Decline(moh_, asked->id(), common::v1::DECLINE_GROUND_UNSPECIFIED, "Chưa có kết luận.");
  EXPECT_EQ(ErrorField(no_ground.status()), "ground") << no_ground.status();
  auto no_note = Decline(moh_, asked->id(), common::v1::DECLINE_GROUND_NOT_CONCLUDED, " ");
  EXPECT_EQ(ErrorField(no_note.status()), "note") << no_note.status();

  const std::string note = "Đoàn thanh tra chưa ban hành kết luận; Bộ sẽ thông tin khi có kết luận.";
  auto declined = Decline(moh_, asked->id(), common::v1::DECLINE_GROUND_NOT_CONCLUDED, note);
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->question().state(), dist::QUESTION_STATE_DECLINED);
  EXPECT_EQ(declined->question().decline_ground(), common::v1::DECLINE_GROUND_NOT_CONCLUDED);
  EXPECT_EQ(declined->question().decline_note(), note);
  EXPECT_EQ(declined->published().recipients_matched(), 1);

  ASSERT_TRUE(s_asker->WaitForCount(1, kWait));
  const common::v1::Statement got = s_asker->deliveries()[0].statement();
  EXPECT_EQ(got.kind(), common::v1::STATEMENT_KIND_ANSWER);
  EXPECT_EQ(got.in_reply_to(), asked->id());
  EXPECT_EQ(got.question_outcome().outcome(), QuestionOutcome::OUTCOME_DECLINED);
  EXPECT_EQ(got.question_outcome().ground(), common::v1::DECLINE_GROUND_NOT_CONCLUDED);
  EXPECT_EQ(got.question_outcome().note(), note);
  EXPECT_TRUE(got.question_outcome().to_asker_only());
  EXPECT_TRUE(absl::StrContains(got.headline(), "Bộ Y tế từ chối cung cấp thông tin")) << got.headline();
  EXPECT_TRUE(absl::StrContains(got.body(), "điểm b và điểm c khoản 2 Điều 38 Luật Báo chí số 103/2016/QH13"))
      << got.body();
  EXPECT_TRUE(absl::StrContains(got.body(), note));
  std::set<std::string> cited;
  for (const auto& ref : got.references()) cited.insert(ref.canonical());
  EXPECT_TRUE(cited.contains("103/2016/QH13"));
  ExpectSigned(got);

  // The watcher does not get it.
  const std::string marker = Marker("Bộ Tài chính họp báo thường kỳ");
  ASSERT_TRUE(s_watcher->WaitForCount(1, kWait));
  ASSERT_TRUE(s_asker->WaitForCount(2, kWait));
  EXPECT_EQ(IdsOf(s_watcher->deliveries()), (std::vector<std::string>{marker}));
  // Declined is final.
  auto late = Answer(moh_, asked->id(), AnswerDraft("Trả lời", "Nội dung."), false);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition) << late.status();
}

TEST_F(QuestionsTest, AnAnswerAndADeclineRacingCannotBothWin) {
  auto s_asker = Subscribe(asker_);
  for (int round = 0; round < 3; ++round) {
    auto asked = Ask(asker_, Question("MOH", absl::StrCat("Câu hỏi số ", round, " về giá thuốc?")));
    ASSERT_TRUE(asked.ok()) << asked.status();
    absl::StatusOr<dist::DecideQuestionResponse> answered, declined;
    std::thread a([&] { answered = Answer(moh_, asked->id(), AnswerDraft("Trả lời về giá thuốc", "Giá ổn định."), true); });
    std::thread d([&] { declined = Decline(moh_, asked->id(), common::v1::DECLINE_GROUND_SECRET, "Bí mật."); });
    a.join();
    d.join();
    EXPECT_NE(answered.ok(), declined.ok()) << answered.status() << " / " << declined.status();
    const absl::Status& lost = answered.ok() ? declined.status() : answered.status();
    EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition) << lost;
    auto read = Get(asker_, asked->id());
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->state(), answered.ok() ? dist::QUESTION_STATE_ANSWERED_PUBLICLY : dist::QUESTION_STATE_DECLINED);
  }
  // One statement per question reached the asker: three, then the marker.
  const std::string marker = Marker("Bộ Tài chính thông tin");
  ASSERT_TRUE(s_asker->WaitForCount(4, kWait));
  EXPECT_EQ(s_asker->deliveries()[3].statement().id(), marker);
  EXPECT_EQ(s_asker->count(), 4u);
}

TEST_F(QuestionsTest, TheDeskListsQuestionsByStateAndTheOverdueOnes) {
  // Two questions whose date has passed, one answered and one left open, and one due in a
  // month. The passing of time is written into the store (the date a day back), not waited for.
  auto answered_late = Ask(asker_, Question("MOH", "Câu hỏi được trả lời muộn?", absl::Hours(1)));
  auto left_open = Ask(asker_, Question("MOH", "Câu hỏi bị bỏ quên?", absl::Hours(1)));
  auto far = Ask(asker_, Question("MOH", "Câu hỏi còn nhiều thời gian?", absl::Hours(24 * 30)));
  auto to_mof = Ask(watcher_, Question("MOF", "Câu hỏi cho Bộ Tài chính?", absl::Hours(24)));
  for (const auto* q : {&answered_late, &left_open, &far, &to_mof}) ASSERT_TRUE(q->ok()) << q->status();
  for (const auto* q : {&answered_late, &left_open}) Backdate((*q)->id(), absl::Now() - absl::Hours(24));
  ASSERT_TRUE(Answer(moh_, answered_late->id(), AnswerDraft("Trả lời muộn", "Nội dung trả lời."), false).ok());

  auto ids = [](const dist::ListQuestionsResponse& page) {
    std::vector<std::string> out;
    for (const auto& q : page.questions()) out.push_back(q.id());
    return out;
  };
  dist::ListQuestionsRequest open;
  open.set_state(dist::QUESTION_STATE_OPEN);
  auto desk_open = List(press_, open);  // a press officer: their own agency by default
  ASSERT_TRUE(desk_open.ok()) << desk_open.status();
  EXPECT_EQ(ids(*desk_open), (std::vector<std::string>{far->id(), left_open->id()}));  // newest first
  dist::ListQuestionsRequest privately;
  privately.set_agency_code("MOH");
  privately.set_state(dist::QUESTION_STATE_ANSWERED_PRIVATELY);
  auto desk_answered = List(moh_, privately);
  ASSERT_TRUE(desk_answered.ok()) << desk_answered.status();
  EXPECT_EQ(ids(*desk_answered), (std::vector<std::string>{answered_late->id()}));
  // Askers list their own questions, to any agency.
  auto mine = List(asker_, dist::ListQuestionsRequest());
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(ids(*mine), (std::vector<std::string>{far->id(), left_open->id(), answered_late->id()}));
  auto theirs = List(watcher_, dist::ListQuestionsRequest());
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_EQ(ids(*theirs), (std::vector<std::string>{to_mof->id()}));
  // Not another agency's desk; an operator names one, or asks for the overdue ones.
  dist::ListQuestionsRequest moh;
  moh.set_agency_code("MOH");
  EXPECT_EQ(List(mof_, moh).status().code(), absl::StatusCode::kPermissionDenied);
  auto no_agency = List(suite_.operator_token(), dist::ListQuestionsRequest());
  EXPECT_EQ(ErrorField(no_agency.status()), "agency_code") << no_agency.status();

  // The question left open past its date is overdue, for the operator (every agency's) and
  // the desk; the one answered, late, and the one not yet due are not.
  dist::ListQuestionsRequest overdue;
  overdue.set_overdue_only(true);
  auto late = List(suite_.operator_token(), overdue);
  ASSERT_TRUE(late.ok()) << late.status();
  ASSERT_EQ(ids(*late), (std::vector<std::string>{left_open->id()}));
  EXPECT_TRUE(late->questions(0).overdue());
  auto desk_overdue = List(moh_, overdue);
  ASSERT_TRUE(desk_overdue.ok()) << desk_overdue.status();
  EXPECT_EQ(ids(*desk_overdue), (std::vector<std::string>{left_open->id()}));
  auto read = Get(asker_, left_open->id());
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->overdue());
  auto answered = Get(asker_, answered_late->id());
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->state(), dist::QUESTION_STATE_ANSWERED_PRIVATELY);
  EXPECT_FALSE(answered->overdue());
  // MOF's desk has none overdue.
  auto mof_overdue = List(mof_, overdue);
  ASSERT_TRUE(mof_overdue.ok()) << mof_overdue.status();
  EXPECT_EQ(mof_overdue->questions_size(), 0);
  auto not_yet = Get(asker_, far->id());
  ASSERT_TRUE(not_yet.ok());
  EXPECT_FALSE(not_yet->overdue());
}

TEST_F(QuestionsTest, BadQuestionsAreRefusedNamingTheField) {
  struct Case {
    dist::AskQuestionRequest request;
    std::string field;
  };
  dist::AskQuestionRequest past = Question("MOH", "Hỏi?", -absl::Minutes(5));
  dist::AskQuestionRequest too_far = Question("MOH", "Hỏi?", absl::Hours(24 * 91));
  dist::AskQuestionRequest no_date = Question("MOH", "Hỏi?");
  no_date.clear_answer_requested_by();
  dist::AskQuestionRequest bad_topic = Question("MOH", "Hỏi?");
  bad_topic.add_subjects("Y tế");
  const std::vector<Case> cases = {
      {Question("", "Hỏi?"), "agency_code"},
      {Question("MOX", "Hỏi?"), "agency_code"},  // no such agency on the wire
      {Question("MOH", ""), "text"},
      {Question("MOH", "\u200b \u00a0"), "text"},
      {past, "answer_requested_by"},
      {too_far, "answer_requested_by"},
      {no_date, "answer_requested_by"},
      {bad_topic, "subjects[0]"},
  };
  for (const auto& c : cases) {
    auto r = Ask(asker_, c.request);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.field << ": " << r.status();
    EXPECT_EQ(ErrorField(r.status()), c.field) << r.status();
  }
  // Spokespeople answer questions; they do not ask them.
  EXPECT_EQ(Ask(moh_, Question("MOF", "Hỏi?")).status().code(), absl::StatusCode::kPermissionDenied);
  // An answer is an ANSWER to that question.
  auto asked = Ask(asker_, Question("MOH", "Câu hỏi hợp lệ?"));
  ASSERT_TRUE(asked.ok()) << asked.status();
  dist::StatementDraft release = AnswerDraft("Thông cáo", "Nội dung.");
  release.set_kind(common::v1::STATEMENT_KIND_PRESS_RELEASE);
  EXPECT_EQ(ErrorField(Answer(moh_, asked->id(), release, false).status()), "draft.kind");
  dist::StatementDraft elsewhere = AnswerDraft("Trả lời", "Nội dung.");
  elsewhere.set_in_reply_to("câu hỏi khác");
  EXPECT_EQ(ErrorField(Answer(moh_, asked->id(), elsewhere, false).status()), "draft.in_reply_to");
  EXPECT_EQ(ErrorField(Get(asker_, "").status()), "question_id");
  EXPECT_EQ(Get(asker_, "q_nosuchquestion").status().code(), absl::StatusCode::kNotFound);
  // Nothing was decided by the refused answers.
  auto read = Get(asker_, asked->id());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->state(), dist::QUESTION_STATE_OPEN);
}

}  // namespace
}  // namespace pressrelay::testing
