// Journalists' questions (Decree 09/2017/NĐ-CP Art. 4: answering the press's questions in
// writing). No gRPC here; the edge is QuestionsService, the records question_store.h's.
//
//   AskQuestion ─► OPEN ──AnswerQuestion (to the asker)──► ANSWERED_PRIVATELY
//                    │  ──AnswerQuestion (to all)───────► ANSWERED_PUBLICLY
//                    └──DeclineQuestion (a ground)──────► DECLINED             (all final)
//
// Every outcome is a signed statement issued by the deciding spokesperson through the
// Publisher (PublishReply), of kind ANSWER, in_reply_to the question's id, with
// Statement.question_outcome saying what was decided: the answer itself (to the asker alone,
// or to everyone subscribed and the asker besides), or, for a decline, a statement to the
// asker alone that states the ground in the words of the Press Law and the agency's note. So
// the asker always learns the outcome on their own stream, and can verify it.
//
// A question gets one statement ever: the statement's commit writes the question's outcome
// record, and of an answer and a decline racing the second commit finds it and is refused
// (FAILED_PRECONDITION). The question record is marked decided right after the commit, before
// the fan-out, with a compare-and-set on its revision; a service stopped in between leaves
// the record to be marked by the next call that reads it.
//
// Who sees a question: its asker (a journalist or newsroom client, by recipient id); the
// agency's spokespeople and press officers; operators. Anyone else is answered NOT_FOUND, as
// for an id that does not exist. Only the agency's spokespeople decide.
//
// Deadlines: the asker names the date they need the answer by (in the future, at most 90
// days ahead). The wire fixes no period of its own: the agency answers within the time it
// commits to, and a question still open after its date is overdue (listed with overdue_only,
// counted by pressrelay_questions_overdue).
#pragma once

#include <functional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/distribution/publisher.h"
#include "services/distribution/question_store.h"

namespace pressrelay::distribution {

using pressrelay::common::v1::DeclineGround;
using pressrelay::common::v1::QuestionOutcome;

// --- The rules, without I/O ----------------------------------------------------------------

inline constexpr int kQuestionTextMax = 4000;         // code points
inline constexpr int kDeclineNoteMax = 2000;          // code points
inline constexpr int kQuestionSubjectsMax = 20;
inline constexpr absl::Duration kLongestAnswerWait = absl::Hours(24 * 90);

// "q_" and a ULID (ids.h): sortable by the time asked.
std::string NewQuestionId(absl::Time now);
bool IsQuestionId(absl::string_view id);

// An AskQuestion request checked and normalised in place (text NFC): INVALID_ARGUMENT naming
// every field at fault (agency_code, text, answer_requested_by, subjects, idempotency_key).
absl::Status CheckAsk(v1::AskQuestionRequest* request, absl::Time now);

// A new question asked by `asker` (a journalist or newsroom client), whose name and outlet the
// registry gave (`info`, possibly empty), at `now`: OPEN, revision 1.
v1::Question NewQuestion(const Principal& asker, const registry_v1::RecipientInfo& info,
                         const v1::AskQuestionRequest& request, const std::string& id, absl::Time now);

// Open and past the date the asker requested.
bool IsOverdue(const v1::Question& question, absl::Time now);
// The question as a reader gets it: `overdue` worked out at `now`.
v1::Question AsRead(v1::Question question, absl::Time now);

// OK while the question may be decided; FAILED_PRECONDITION saying how it was, once it was.
absl::Status CheckOpen(const v1::Question& question);

// An answer's draft (field paths under "draft"): of kind ANSWER; its agency_code and
// in_reply_to the question's (filled in when empty); then everything a statement must be
// (validation::NormalizeDraft, in place).
absl::Status CheckAnswerDraft(const v1::Question& question, v1::StatementDraft* draft, absl::Time now);

// A decline: a ground the law names and a visible note (NFC in place).
absl::Status CheckDecline(v1::DeclineQuestionRequest* request);

// Where the Press Law names a ground, and its words, in Vietnamese: "điểm a khoản 2 Điều 38
// Luật Báo chí số 103/2016/QH13", "thông tin thuộc bí mật nhà nước, ...". Empty for none.
absl::string_view GroundProvision(DeclineGround ground);
absl::string_view GroundWords(DeclineGround ground);

// The statement that tells the asker the agency (`agency_name`) declines: the question, the
// ground in the law's words with its provision, and the note.
v1::StatementDraft DeclineDraft(const v1::Question& question, const std::string& agency_name, DeclineGround ground,
                                const std::string& note);

// What a statement records of its question.
QuestionOutcome AnsweredOutcome(const v1::Question& question, bool to_asker_only);
QuestionOutcome DeclinedOutcome(const v1::Question& question, DeclineGround ground, const std::string& note);

// The record once `version` (carrying question_outcome) decided it: state, statement, ground
// and note, who and when; the revision one more.
v1::Question Decided(v1::Question question, const Statement& version);

// --- The desk --------------------------------------------------------------------------------

// The answer to an AnswerQuestion or DeclineQuestion, given once.
using DecideDone = absl::AnyInvocable<void(absl::StatusOr<v1::DecideQuestionResponse>) &&>;

class QuestionDesk {
 public:
  // `answers(agency_code)`: whether the agency can answer on this wire (it exists and the wire
  // signs for it); a question to any other agency is refused when asked.
  QuestionDesk(redis::Pool* pool, DirectoryClient* directory, Publisher* publisher,
               std::function<bool(const std::string&)> answers)
      : pool_(pool), directory_(directory), publisher_(publisher), answers_(std::move(answers)) {}

  absl::StatusOr<v1::Question> Ask(const Principal& caller, v1::AskQuestionRequest request, absl::Time now);
  absl::StatusOr<v1::ListQuestionsResponse> List(const Principal& caller, const v1::ListQuestionsRequest& request,
                                                 absl::Time now);
  absl::StatusOr<v1::Question> Get(const Principal& caller, const std::string& question_id, absl::Time now);
  // Both call `done` exactly once (from the fan-out thread when they wait for it).
  void Answer(const Principal& caller, v1::AnswerQuestionRequest request, absl::Time now, DecideDone done);
  void Decline(const Principal& caller, v1::DeclineQuestionRequest request, absl::Time now, DecideDone done);

 private:
  // The question if the caller may see it (NOT_FOUND alike otherwise), its record marked
  // decided first if a statement decided it and the mark was lost.
  absl::StatusOr<v1::Question> Find(const Principal& caller, const std::string& question_id);
  // Issues the deciding statement and marks the question with it.
  void Decide(const Principal& caller, const v1::Question& question, v1::PublishRequest publish,
              QuestionOutcome outcome, absl::Time now, DecideDone done);
  // Marks the question decided by `version`, whatever changed since (compare-and-set, retried).
  absl::StatusOr<v1::Question> MarkDecided(const std::string& question_id, const Statement& version);
  // The same from the statement id the outcome record names.
  absl::StatusOr<v1::Question> MarkDecidedAs(const std::string& question_id, const std::string& statement_id);

  redis::Pool* const pool_;
  DirectoryClient* const directory_;
  Publisher* const publisher_;
  const std::function<bool(const std::string&)> answers_;
};

}  // namespace pressrelay::distribution
