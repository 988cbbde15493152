// Journalists' questions in Redis (keys.h: question:<id>, question:<id>:outcome,
// question:agency:<code>, question:asker:<recipient>, question:due, question:idem:...).
// Internal to the distribution service; the logic is question_desk.h's.
//
// A question is created with its indexes in one script (and, with an idempotency key, the
// key's record). Afterwards only its decision changes it, saved only if the stored revision is
// still the one the decision started from (compare-and-set), which also takes it off the index
// of open questions by requested date. That the question gets one statement ever is not this
// store's doing: the statement's commit writes the question's outcome record
// (question:<id>:outcome), and a second commit finds it there (publisher.h, PublishReply).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"

namespace pressrelay::distribution {

struct StoredQuestion {
  std::optional<v1::Question> question;
  // The statement that answered or declined it, from its outcome record ("" if none): set
  // at that statement's commit, possibly before the record says so.
  std::string decided_as;
};

struct QuestionCreate {
  // kAsked: the question is stored. kKeyUsed: the idempotency key already stands for a
  // question (question_id), asked with the request whose hash is request_hash.
  enum class Outcome { kAsked, kKeyUsed, kIdTaken };
  Outcome outcome = Outcome::kAsked;
  std::string question_id;
  std::string request_hash;
};

struct QuestionSave {
  enum class Outcome { kSaved, kChanged };
  Outcome outcome = Outcome::kSaved;
  int revision = 0;  // kChanged: the stored revision (0: no such question)
};

// Stateless: every call runs on the connection it is given (redis.h: one lease per step).
class QuestionStore {
 public:
  QuestionStore() = delete;

  // Stores a new question (revision 1) and files it under its agency, its asker and, while
  // open, its requested date. With `idempotency_key` (a keys::AskIdempotency key, or "") the
  // key's record is written with it, for `ttl`, unless the key is already used.
  static absl::StatusOr<QuestionCreate> Create(redis::Client& redis, const v1::Question& question,
                                               const std::string& idempotency_key, const std::string& request_hash,
                                               absl::Duration ttl);
  static absl::StatusOr<StoredQuestion> Load(redis::Client& redis, const std::string& question_id);
  // Many questions in one round trip; a missing one is nullopt.
  static absl::StatusOr<std::vector<std::optional<v1::Question>>> LoadMany(redis::Client& redis,
                                                                           absl::Span<const std::string> ids);
  // Saves a decided `question` (carrying its new revision) if the stored revision is
  // `expected_revision`; it is then no longer open (off the index by requested date).
  static absl::StatusOr<QuestionSave> SaveDecided(redis::Client& redis, const v1::Question& question,
                                                  int expected_revision);

  // Question ids of an index by time asked (AgencyQuestions, AskerQuestions), newest first,
  // strictly before (before_ms, before_id).
  static absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> AskedPage(redis::Client& redis,
                                                                                 const std::string& index_key,
                                                                                 int64_t before_ms,
                                                                                 const std::string& before_id,
                                                                                 int count);
  // Open question ids with their requested date (ms) at or before `until_ms`, earliest first,
  // strictly after (after_ms, after_id); after_id "" starts at the beginning.
  static absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> DuePage(redis::Client& redis,
                                                                               int64_t after_ms,
                                                                               const std::string& after_id,
                                                                               int64_t until_ms, int count);
  // How many open questions are past their requested date at `now`.
  static absl::StatusOr<int64_t> CountOverdue(redis::Client& redis, absl::Time now);
};

}  // namespace pressrelay::distribution
