#include "services/distribution/question_desk.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/validation.h"
#include "services/common/redis/keys.h"
#include "services/distribution/page_token.h"
#include "services/distribution/read_access.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {
namespace {

using pressrelay::common::v1::DECLINE_GROUND_DRAFT_NOT_DECIDED;
using pressrelay::common::v1::DECLINE_GROUND_NOT_CONCLUDED;
using pressrelay::common::v1::DECLINE_GROUND_SECRET;
using pressrelay::common::v1::DECLINE_GROUND_UNSPECIFIED;
using pressrelay::common::v1::ROLE_JOURNALIST;
using pressrelay::common::v1::ROLE_NEWSROOM_CLIENT;
using pressrelay::common::v1::STATEMENT_KIND_ANSWER;
using v1::QUESTION_STATE_ANSWERED_PRIVATELY;
using v1::QUESTION_STATE_ANSWERED_PUBLICLY;
using v1::QUESTION_STATE_DECLINED;
using v1::QUESTION_STATE_OPEN;
using v1::QUESTION_STATE_UNSPECIFIED;

constexpr absl::string_view kIdPrefix = "q_";
constexpr absl::Duration kAskKeyKept = absl::Hours(24);
constexpr int kIndexBatch = 200;
constexpr int kScanLimit = 5000;  // index entries looked at per ListQuestions call, at most
constexpr int kMarkAttempts = 3;

// Dates in the text the asker reads are Vietnam's (UTC+7, no daylight saving).
const absl::TimeZone& VietnamTime() {
  static const absl::TimeZone zone = absl::FixedTimeZone(7 * 60 * 60);
  return zone;
}

absl::Status NoQuestion(const std::string& id) { return absl::NotFoundError(absl::StrCat("no question \"", id, "\"")); }

bool IsAsker(const Principal& caller) {
  return caller.role() == ROLE_JOURNALIST || caller.role() == ROLE_NEWSROOM_CLIENT;
}

// The asker, the agency's people, operators; no one else learns the question exists.
bool MaySee(const Principal& caller, const v1::Question& question, DirectoryClient& directory, absl::Time now) {
  if (IsAsker(caller)) return !caller.recipient_id().empty() && question.asker_id() == caller.recipient_id();
  return MayReadAgency(caller, question.agency_code(), directory, now).ok();
}


std::string RequestHash(v1::AskQuestionRequest request) {
  request.clear_idempotency_key();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return ids::Sha256Hex(bytes);
}

// Required text: present, visible, NFC (in place), within `max` code points.
void RequiredText(std::string* text, absl::string_view field, int max, absl::string_view what,
                  FieldViolations* v) {
  validation::NormalizeText(text, field, max, /*multiline=*/true, v);
  if (text->empty()) {
    v->Add(field, absl::StrCat("is required: ", what));
  } else if (validation::IsValidUtf8(*text) && !validation::HasVisibleText(*text)) {
    v->Add(field, "is required: it has no visible text, only spaces or invisible characters");
  }
}

std::string VietnamDate(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%d/%m/%Y", FromProto(ts), VietnamTime());
}

}  // namespace

std::string NewQuestionId(absl::Time now) { return absl::StrCat(kIdPrefix, ids::NewStatementId(now)); }

bool IsQuestionId(absl::string_view id) {
  return id.size() > kIdPrefix.size() && id.substr(0, kIdPrefix.size()) == kIdPrefix &&
         ids::IsStatementId(id.substr(kIdPrefix.size()));
}

absl::Status CheckAsk(v1::AskQuestionRequest* request, absl::Time now) {
  FieldViolations v;
  if (request->agency_code().empty()) {
    v.Add("agency_code", "is required: the agency asked");
  } else if (!validation::IsAgencyCode(request->agency_code())) {
    v.Add("agency_code", "must be an agency's code, such as \"MOH\" or \"UBND-HN\"");
  }
  RequiredText(request->mutable_text(), "text", kQuestionTextMax, "the question", &v);
  const auto& by = request->answer_requested_by();
  if (!IsSet(by)) {
    v.Add("answer_requested_by", "is required: the date the answer is needed by");
  } else if (!IsValidTimestamp(by)) {
    v.Add("answer_requested_by", "is not a valid time");
  } else if (FromProto(by) <= now) {
    v.Add("answer_requested_by", "must be in the future");
  } else if (FromProto(by) > now + kLongestAnswerWait) {
    v.Add("answer_requested_by", "must be at most 90 days ahead");
  }
  if (request->subjects_size() > kQuestionSubjectsMax) {
    v.Add("subjects", absl::StrCat("at most ", kQuestionSubjectsMax, " topic codes"));
  }
  for (int i = 0; i < request->subjects_size() && i < kQuestionSubjectsMax; ++i) {
    if (!validation::IsTopicCode(request->subjects(i))) {
      v.Add(absl::StrCat("subjects[", i, "]"), "must be a topic code such as \"health\" or \"medtop:07000000\"");
    }
  }
  if (!request->idempotency_key().empty() && !validation::IsIdempotencyKey(request->idempotency_key())) {
    v.Add("idempotency_key", "must be 1-128 characters A-Z, a-z, 0-9, '-', '_', '.' or ':'");
  }
  return v.ToStatus();
}

v1::Question NewQuestion(const Principal& asker, const registry_v1::RecipientInfo& info,
                         const v1::AskQuestionRequest& request, const std::string& id, absl::Time now) {
  v1::Question question;
  question.set_id(id);
  question.set_agency_code(request.agency_code());
  question.set_asker_id(asker.recipient_id());
  question.set_asker_name(info.display_name().empty() ? asker.display_name() : info.display_name());
  question.set_asker_outlet_name(info.outlet_name());
  question.set_text(request.text());
  *question.mutable_subjects() = request.subjects();
  *question.mutable_asked_at() = ProtoFromMillis(absl::ToUnixMillis(now));
  *question.mutable_answer_requested_by() = ProtoFromMillis(MillisFromProto(request.answer_requested_by()));
  question.set_state(QUESTION_STATE_OPEN);
  question.set_revision(1);
  return question;
}

bool IsOverdue(const v1::Question& question, absl::Time now) {
  return question.state() == QUESTION_STATE_OPEN && FromProto(question.answer_requested_by()) < now;
}

v1::Question AsRead(v1::Question question, absl::Time now) {
  question.set_overdue(IsOverdue(question, now));
  return question;
}

absl::Status CheckOpen(const v1::Question& question) {
  switch (question.state()) {
    case QUESTION_STATE_OPEN:
      return absl::OkStatus();
    case QUESTION_STATE_ANSWERED_PRIVATELY:
      return absl::FailedPreconditionError(absl::StrCat("question ", question.id(),
                                                        " was already answered, to its asker alone (statement ",
                                                        question.answer_statement_id(), ")"));
    case QUESTION_STATE_ANSWERED_PUBLICLY:
      return absl::FailedPreconditionError(absl::StrCat("question ", question.id(),
                                                        " was already answered publicly (statement ",
                                                        question.answer_statement_id(), ")"));
    case QUESTION_STATE_DECLINED:
      return absl::FailedPreconditionError(absl::StrCat("question ", question.id(), " was already declined (statement ",
                                                        question.answer_statement_id(), ")"));
    default:
      return absl::FailedPreconditionError(absl::StrCat("question ", question.id(), " is in no known state"));
  }
}

absl::Status CheckAnswerDraft(const v1::Question& question, v1::StatementDraft* draft, absl::Time now) {
  FieldViolations v;
  if (draft->kind() != STATEMENT_KIND_ANSWER) {
    v.Add("draft.kind", "must be STATEMENT_KIND_ANSWER: the answer to a journalist's question");
  }
  if (draft->agency_code().empty()) {
    draft->set_agency_code(question.agency_code());
  } else if (draft->agency_code() != question.agency_code()) {
    v.Add("draft.agency_code", absl::StrCat("must be ", question.agency_code(), ", the agency asked"));
  }
  if (draft->in_reply_to().empty()) {
    draft->set_in_reply_to(question.id());
  } else if (draft->in_reply_to() != question.id()) {
    v.Add("draft.in_reply_to", absl::StrCat("must be the question's id, ", question.id()));
  }
  PR_RETURN_IF_ERROR(v.ToStatus());
  return validation::NormalizeDraft(draft, now, "draft");
}

absl::Status CheckDecline(v1::DeclineQuestionRequest* request) {
  FieldViolations v;
  if (request->ground() == DECLINE_GROUND_UNSPECIFIED) {
    v.Add("ground", "is required: the ground in the Press Law (Luật Báo chí, Điều 38 khoản 2)");
  } else if (!pressrelay::common::v1::DeclineGround_IsValid(request->ground())) {
    v.Add("ground", absl::StrCat("unknown value ", request->ground()));
  }
  RequiredText(request->mutable_note(), "note", kDeclineNoteMax, "why, for the asker", &v);
  return v.ToStatus();
}

absl::string_view GroundProvision(DeclineGround ground) {
  switch (ground) {
    case DECLINE_GROUND_SECRET:
      return "điểm a khoản 2 Điều 38 Luật Báo chí số 103/2016/QH13";
    case DECLINE_GROUND_NOT_CONCLUDED:
      return "điểm b và điểm c khoản 2 Điều 38 Luật Báo chí số 103/2016/QH13";
    case DECLINE_GROUND_DRAFT_NOT_DECIDED:
      return "điểm d khoản 2 Điều 38 Luật Báo chí số 103/2016/QH13";
    default:
      return "";
  }
}

absl::string_view GroundWords(DeclineGround ground) {
  switch (ground) {
    case DECLINE_GROUND_SECRET:
      return "thông tin thuộc bí mật nhà nước, bí mật đời tư của cá nhân hoặc bí mật khác theo quy định của pháp luật";
    case DECLINE_GROUND_NOT_CONCLUDED:
      return "thông tin về vụ án đang được điều tra hoặc chưa xét xử, về vụ việc đang trong quá trình thanh tra "
             "chưa có kết luận, đang giải quyết khiếu nại, tố cáo, hoặc tranh chấp chưa có kết luận chính thức";
    case DECLINE_GROUND_DRAFT_NOT_DECIDED:
      return "văn bản chính sách, đề án đang trong quá trình soạn thảo, chưa được quyết định";
    default:
      return "";
  }
}

v1::StatementDraft DeclineDraft(const v1::Question& question, const std::string& agency_name, DeclineGround ground,
                                const std::string& note) {
  const std::string agency = agency_name.empty() ? question.agency_code() : agency_name;
  const std::string asked_on = VietnamDate(question.asked_at());
  std::string asker = question.asker_name().empty() ? question.asker_id() : question.asker_name();
  if (!question.asker_outlet_name().empty()) absl::StrAppend(&asker, " (", question.asker_outlet_name(), ")");
  v1::StatementDraft draft;
  draft.set_agency_code(question.agency_code());
  draft.set_kind(STATEMENT_KIND_ANSWER);
  draft.set_language("vi");
  draft.set_in_reply_to(question.id());
  draft.set_headline(absl::StrCat(agency, " từ chối cung cấp thông tin theo câu hỏi ngày ", asked_on));
  draft.set_summary(absl::StrCat("Căn cứ ", GroundProvision(ground), ": ", GroundWords(ground), "."));
  draft.set_body(absl::StrCat(agency, " đã nhận câu hỏi của ", asker, " gửi ngày ", asked_on, " (mã câu hỏi ",
                              question.id(), "):\n\n", question.text(), "\n\n", agency,
                              " từ chối cung cấp thông tin theo câu hỏi này, căn cứ ", GroundProvision(ground), ": ",
                              GroundWords(ground), ".\n\nLý do: ", note));
  for (const auto& code : question.subjects()) draft.add_subjects()->set_code(code);
  return draft;
}

QuestionOutcome AnsweredOutcome(const v1::Question& question, bool to_asker_only) {
  QuestionOutcome outcome;
  outcome.set_question_id(question.id());
  outcome.set_outcome(QuestionOutcome::OUTCOME_ANSWERED);
  outcome.set_to_asker_only(to_asker_only);
  return outcome;
}

QuestionOutcome DeclinedOutcome(const v1::Question& question, DeclineGround ground, const std::string& note) {
  QuestionOutcome outcome;
  outcome.set_question_id(question.id());
  outcome.set_outcome(QuestionOutcome::OUTCOME_DECLINED);
  outcome.set_ground(ground);
  outcome.set_note(note);
  outcome.set_to_asker_only(true);  // a refusal is the asker's business
  return outcome;
}

v1::Question Decided(v1::Question question, const Statement& version) {
  const QuestionOutcome& outcome = version.question_outcome();
  if (outcome.outcome() == QuestionOutcome::OUTCOME_DECLINED) {
    question.set_state(QUESTION_STATE_DECLINED);
    question.set_decline_ground(outcome.ground());
    question.set_decline_note(outcome.note());
  } else {
    question.set_state(outcome.to_asker_only() ? QUESTION_STATE_ANSWERED_PRIVATELY : QUESTION_STATE_ANSWERED_PUBLICLY);
  }
  question.set_answer_statement_id(version.id());
  question.set_decided_by(version.issuer().spokesperson_id());
  *question.mutable_decided_at() = version.versioncreated();
  question.set_overdue(false);
  question.set_revision(question.revision() + 1);
  return question;
}

// --- The desk --------------------------------------------------------------------------------

absl::StatusOr<v1::Question> QuestionDesk::Ask(const Principal& caller, v1::AskQuestionRequest request,
                                               absl::Time now) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));  // the wire keeps milliseconds
  if (!IsAsker(caller) || caller.recipient_id().empty()) {
    return absl::PermissionDeniedError("only a journalist or a newsroom client asks an agency questions");
  }
  PR_RETURN_IF_ERROR(CheckAsk(&request, now));
  if (!answers_(request.agency_code())) {
    return FieldError("agency_code", absl::StrCat("no agency \"", request.agency_code(),
                                                  "\" answers questions on this wire"));
  }
  const std::string key =
      request.idempotency_key().empty() ? "" : keys::AskIdempotency(caller.recipient_id(), request.idempotency_key());
  const std::string request_hash = RequestHash(request);
  // The asker's name and outlet, as the agency will see them.
  PR_ASSIGN_OR_RETURN(auto described, directory_->GetRecipients({caller.recipient_id()}));
  const registry_v1::RecipientInfo info = described.empty() ? registry_v1::RecipientInfo() : described[0];
  const v1::Question question = NewQuestion(caller, info, request, NewQuestionId(now), now);

  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(const QuestionCreate created,
                      QuestionStore::Create(*redis, question, key, request_hash, kAskKeyKept));
  switch (created.outcome) {
    case QuestionCreate::Outcome::kAsked:
      return AsRead(question, now);
    case QuestionCreate::Outcome::kIdTaken:
      return absl::AbortedError("a new question's id was taken; retry");
    case QuestionCreate::Outcome::kKeyUsed:
      break;
  }
  if (created.request_hash != request_hash) {
    return absl::AlreadyExistsError(
        "idempotency_key: already used for a different question; use a new key for a new question");
  }
  PR_ASSIGN_OR_RETURN(const StoredQuestion earlier, QuestionStore::Load(*redis, created.question_id));
  if (!earlier.question) return absl::DataLossError(absl::StrCat("question ", created.question_id, " is missing"));
  return AsRead(*earlier.question, now);
}

absl::StatusOr<v1::ListQuestionsResponse> QuestionDesk::List(const Principal& caller,
                                                             const v1::ListQuestionsRequest& request, absl::Time now) {
  PR_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  if (!v1::QuestionState_IsValid(request.state())) {
    return FieldError("state", absl::StrCat("unknown value ", request.state()));
  }
  if (!request.agency_code().empty() && !validation::IsAgencyCode(request.agency_code())) {
    return FieldError("agency_code", "must be an agency's code, such as \"MOH\" or \"UBND-HN\"");
  }
  const bool asker = IsAsker(caller);
  std::string agency = request.agency_code();
  std::string index;  // by time asked; unused for overdue_only (the index by requested date)
  if (asker) {
    if (caller.recipient_id().empty()) return absl::PermissionDeniedError("the caller reads no queue");
    index = keys::AskerQuestions(caller.recipient_id());
  } else {
    if (agency.empty()) {
      PR_ASSIGN_OR_RETURN(agency, DefaultListAgency(caller));
    }
    if (!agency.empty()) {
      PR_RETURN_IF_ERROR(MayReadAgency(caller, agency, *directory_, now));
      index = keys::AgencyQuestions(agency);
    } else if (!request.overdue_only()) {
      return FieldError("agency_code", "is required: whose questions (or overdue_only, for every agency's)");
    }
  }
  auto keep = [&](const v1::Question& q) {
    if (!agency.empty() && q.agency_code() != agency) return false;
    if (asker && q.asker_id() != caller.recipient_id()) return false;
    if (request.state() != QUESTION_STATE_UNSPECIFIED && q.state() != request.state()) return false;
    return !request.overdue_only() || IsOverdue(q, now);
  };
  PR_ASSIGN_OR_RETURN(PagePosition position, ParsePageToken(request.page_token(), IsQuestionId));

  v1::ListQuestionsResponse response;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  for (int scanned = 0; response.questions_size() < page_size && scanned < kScanLimit;) {
    std::vector<std::pair<std::string, int64_t>> page;
    if (request.overdue_only()) {
      // Most overdue first: open questions by requested date, up to now.
      PR_ASSIGN_OR_RETURN(page, QuestionStore::DuePage(*redis, position.before_ms, position.before_id,
                                                       absl::ToUnixMillis(now) - 1, kIndexBatch));
    } else {
      PR_ASSIGN_OR_RETURN(page,
                          QuestionStore::AskedPage(*redis, index, position.before_ms, position.before_id, kIndexBatch));
    }
    if (page.empty()) {
      response.clear_next_page_token();
      break;
    }
    std::vector<std::string> ids;
    ids.reserve(page.size());
    for (const auto& entry : page) ids.push_back(entry.first);
    PR_ASSIGN_OR_RETURN(auto questions, QuestionStore::LoadMany(*redis, ids));
    for (size_t i = 0; i < page.size() && response.questions_size() < page_size; ++i, ++scanned) {
      position = PagePosition{page[i].second, page[i].first};
      if (questions[i] && keep(*questions[i])) *response.add_questions() = AsRead(std::move(*questions[i]), now);
    }
    response.set_next_page_token(FormatPageToken(position));
  }
  return response;
}

absl::StatusOr<v1::Question> QuestionDesk::Get(const Principal& caller, const std::string& question_id,
                                               absl::Time now) {
  PR_ASSIGN_OR_RETURN(v1::Question question, Find(caller, question_id));
  return AsRead(std::move(question), now);
}

void QuestionDesk::Answer(const Principal& caller, v1::AnswerQuestionRequest request, absl::Time now,
                          DecideDone done) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));
  auto question = Find(caller, request.question_id());
  if (!question.ok()) return std::move(done)(question.status());
  if (auto open = CheckOpen(*question); !open.ok()) return std::move(done)(open);
  if (auto speaker = SpeakerOf(caller); !speaker.ok()) return std::move(done)(speaker.status());
  v1::PublishRequest publish;
  *publish.mutable_draft() = std::move(*request.mutable_draft());
  if (auto checked = CheckAnswerDraft(*question, publish.mutable_draft(), now); !checked.ok()) {
    return std::move(done)(checked);
  }
  publish.set_return_when_committed(request.return_when_committed());
  Decide(caller, *question, std::move(publish), AnsweredOutcome(*question, !request.publish_to_all()), now,
         std::move(done));
}

void QuestionDesk::Decline(const Principal& caller, v1::DeclineQuestionRequest request, absl::Time now,
                           DecideDone done) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));
  auto question = Find(caller, request.question_id());
  if (!question.ok()) return std::move(done)(question.status());
  if (auto open = CheckOpen(*question); !open.ok()) return std::move(done)(open);
  auto speaker_id = SpeakerOf(caller);
  if (!speaker_id.ok()) return std::move(done)(speaker_id.status());
  if (auto checked = CheckDecline(&request); !checked.ok()) return std::move(done)(checked);
  // The agency's name for the text, as the registry holds it (and the caller's right to speak
  // for it on the question's topics, told before anything is written).
  const std::vector<std::string> topics(question->subjects().begin(), question->subjects().end());
  auto speaker = directory_->CheckSpeaker(*speaker_id, question->agency_code(), now, topics);
  if (!speaker.ok()) return std::move(done)(speaker.status());
  v1::PublishRequest publish;
  *publish.mutable_draft() = DeclineDraft(*question, speaker->agency().name_vi(), request.ground(), request.note());
  Decide(caller, *question, std::move(publish), DeclinedOutcome(*question, request.ground(), request.note()), now,
         std::move(done));
}

absl::StatusOr<v1::Question> QuestionDesk::Find(const Principal& caller, const std::string& question_id) {
  if (question_id.empty()) return FieldError("question_id", "is required");
  if (!IsQuestionId(question_id)) return NoQuestion(question_id);
  StoredQuestion stored;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(stored, QuestionStore::Load(*redis, question_id));
  }
  // Someone else's question gets the answer an unknown id gets.
  if (!stored.question || !MaySee(caller, *stored.question, *directory_, absl::Now())) return NoQuestion(question_id);
  // A statement decided it but the service stopped before the record said so: say so now.
  if (!stored.decided_as.empty() && stored.question->state() == QUESTION_STATE_OPEN) {
    return MarkDecidedAs(question_id, stored.decided_as);
  }
  return std::move(*stored.question);
}

void QuestionDesk::Decide(const Principal& caller, const v1::Question& question, v1::PublishRequest publish,
                          QuestionOutcome outcome, absl::Time now, DecideDone done) {
  // Filled on this thread once the statement is committed; read when the answer is given.
  auto answer = std::make_shared<v1::DecideQuestionResponse>();
  QuestionReply reply;
  reply.outcome = std::move(outcome);
  reply.asker_id = question.asker_id();
  reply.committed = [this, answer, id = question.id(), now](const Statement& version) -> absl::Status {
    PR_ASSIGN_OR_RETURN(v1::Question marked, MarkDecided(id, version));
    *answer->mutable_question() = AsRead(std::move(marked), now);
    return absl::OkStatus();
  };
  publisher_->PublishReply(
      caller, std::move(publish), std::move(reply), now,
      [answer, id = question.id(), done = std::move(done)](absl::StatusOr<v1::PublishResponse> published) mutable {
        if (absl::IsAlreadyExists(published.status())) {
          // Another decision's statement was committed first (the outcome record is taken).
          return std::move(done)(absl::FailedPreconditionError(
              absl::StrCat("question ", id, " was answered or declined at the same time; reload it")));
        }
        if (!published.ok()) return std::move(done)(published.status());
        *answer->mutable_published() = std::move(*published);
        std::move(done)(std::move(*answer));
      });
}

absl::StatusOr<v1::Question> QuestionDesk::MarkDecided(const std::string& question_id, const Statement& version) {
  for (int attempt = 0; attempt < kMarkAttempts; ++attempt) {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(StoredQuestion stored, QuestionStore::Load(*redis, question_id));
    if (!stored.question) return absl::DataLossError(absl::StrCat("question ", question_id, " vanished"));
    // Marked already (by this decision repeated, or by a reader that found it unmarked).
    if (stored.question->state() != QUESTION_STATE_OPEN) return std::move(*stored.question);
    const v1::Question next = Decided(*stored.question, version);
    PR_ASSIGN_OR_RETURN(const QuestionSave saved, QuestionStore::SaveDecided(*redis, next, stored.question->revision()));
    if (saved.outcome == QuestionSave::Outcome::kSaved) return next;
  }
  return absl::AbortedError(absl::StrCat("question ", question_id, " kept changing while being marked; retry"));
}

absl::StatusOr<v1::Question> QuestionDesk::MarkDecidedAs(const std::string& question_id,
                                                         const std::string& statement_id) {
  std::optional<Statement> version;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(version, StatementStore::LoadVersion(*redis, statement_id, 1));
  }
  if (!version) return absl::DataLossError(absl::StrCat("statement ", statement_id, " is missing"));
  return MarkDecided(question_id, *version);
}

}  // namespace pressrelay::distribution
