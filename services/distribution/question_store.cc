#include "services/distribution/question_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/redis/keys.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {
namespace {

// KEYS: 1 question:<id>, 2 question:agency:<code>, 3 question:asker:<recipient>,
//       4 question:due, 5 the idempotency key (question:<id> itself when there is none)
// ARGV: 1 record bytes, 2 asked ms, 3 requested-by ms, 4 question id, 5 AskRecord bytes
//       ("" without a key), 6 its ttl s
// Returns {1} asked, {2, AskRecord} the key is used, {3} the id is taken.
const redis::Script kCreate(R"lua(
if ARGV[5] ~= '' then
  local existing = redis.call('GET', KEYS[5])
  if existing then return {2, existing} end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {3} end
redis.call('HSET', KEYS[1], 'rev', '1', 'record', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
if ARGV[5] ~= '' then redis.call('SET', KEYS[5], ARGV[5], 'EX', ARGV[6]) end
return {1}
)lua");

// KEYS: 1 question:<id>, 2 question:due. ARGV: 1 expected revision, 2 new revision,
// 3 record bytes, 4 question id. A question changes only when it is decided, so a saved
// change always takes it off the open ones. Returns {1} saved, {2, revision} it changed.
const redis::Script kSaveDecided(R"lua(
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[1]) then return {2, rev} end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'record', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[4])
return {1}
)lua");

}  // namespace

absl::StatusOr<QuestionCreate> QuestionStore::Create(redis::Client& redis, const v1::Question& question,
                                                     const std::string& idempotency_key,
                                                     const std::string& request_hash, absl::Duration ttl) {
  store::AskRecord record;
  record.set_question_id(question.id());
  record.set_request_hash(request_hash);
  const std::vector<std::string> keys_list = {
      keys::Question(question.id()), keys::AgencyQuestions(question.agency_code()),
      keys::AskerQuestions(question.asker_id()), std::string(keys::kQuestionsDue),
      idempotency_key.empty() ? keys::Question(question.id()) : idempotency_key};
  const std::vector<std::string> argv = {question.SerializeAsString(),
                                         absl::StrCat(MillisFromProto(question.asked_at())),
                                         absl::StrCat(MillisFromProto(question.answer_requested_by())),
                                         question.id(),
                                         idempotency_key.empty() ? std::string() : record.SerializeAsString(),
                                         absl::StrCat(absl::ToInt64Seconds(ttl))};
  PR_ASSIGN_OR_RETURN(redis::Reply reply, redis.Eval(kCreate, keys_list, argv));
  QuestionCreate result;
  switch (reply[0].integer()) {
    case 1:
      result.outcome = QuestionCreate::Outcome::kAsked;
      result.question_id = question.id();
      result.request_hash = request_hash;
      break;
    case 2: {
      result.outcome = QuestionCreate::Outcome::kKeyUsed;
      PR_ASSIGN_OR_RETURN(auto existing, ParseRecord<store::AskRecord>(reply[1], "question idempotency record"));
      if (!existing) return absl::DataLossError("empty question idempotency record");
      result.question_id = existing->question_id();
      result.request_hash = existing->request_hash();
      break;
    }
    default:
      result.outcome = QuestionCreate::Outcome::kIdTaken;
  }
  return result;
}

absl::StatusOr<StoredQuestion> QuestionStore::Load(redis::Client& redis, const std::string& question_id) {
  const std::vector<redis::Args> batch = {{"HGET", keys::Question(question_id), keys::kQuestionRecordField},
                                          {"GET", keys::QuestionOutcome(question_id)}};
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  StoredQuestion stored;
  PR_ASSIGN_OR_RETURN(stored.question, ParseRecord<v1::Question>(replies[0], "question"));
  PR_ASSIGN_OR_RETURN(auto outcome, ParseRecord<store::IdempotencyRecord>(replies[1], "question outcome record"));
  if (outcome) stored.decided_as = outcome->statement_id();
  return stored;
}

absl::StatusOr<std::vector<std::optional<v1::Question>>> QuestionStore::LoadMany(redis::Client& redis,
                                                                                  absl::Span<const std::string> ids) {
  std::vector<redis::Args> batch;
  batch.reserve(ids.size());
  for (const auto& id : ids) batch.push_back({"HGET", keys::Question(id), keys::kQuestionRecordField});
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<std::optional<v1::Question>> out;
  out.reserve(replies.size());
  for (const auto& reply : replies) {
    PR_ASSIGN_OR_RETURN(auto question, ParseRecord<v1::Question>(reply, "question"));
    out.push_back(std::move(question));
  }
  return out;
}

absl::StatusOr<QuestionSave> QuestionStore::SaveDecided(redis::Client& redis, const v1::Question& question,
                                                        int expected_revision) {
  const std::vector<std::string> keys_list = {keys::Question(question.id()), std::string(keys::kQuestionsDue)};
  const std::vector<std::string> argv = {absl::StrCat(expected_revision), absl::StrCat(question.revision()),
                                         question.SerializeAsString(), question.id()};
  PR_ASSIGN_OR_RETURN(redis::Reply reply, redis.Eval(kSaveDecided, keys_list, argv));
  QuestionSave result;
  if (reply[0].integer() != 1) {
    result.outcome = QuestionSave::Outcome::kChanged;
    result.revision = static_cast<int>(reply[1].integer());
  }
  return result;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> QuestionStore::AskedPage(redis::Client& redis,
                                                                                       const std::string& index_key,
                                                                                       int64_t before_ms,
                                                                                       const std::string& before_id,
                                                                                       int count) {
  return TimeIndexPage(redis, index_key, before_ms, before_id, count);
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> QuestionStore::DuePage(redis::Client& redis,
                                                                                     int64_t after_ms,
                                                                                     const std::string& after_id,
                                                                                     int64_t until_ms, int count) {
  // Entries with the same score come by id; fetch a little more than asked and skip those at
  // the boundary score that are not strictly after (after_ms, after_id).
  redis::Args args{"ZRANGEBYSCORE", keys::kQuestionsDue};
  args.Add(after_id.empty() ? std::string("-inf") : absl::StrCat(after_ms)).Add(until_ms);
  args.Add("WITHSCORES").Add("LIMIT").Add(0).Add(count + 64);
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run(args));
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < reply.size() && static_cast<int>(out.size()) < count; i += 2) {
    std::string id(reply[i].str());
    int64_t score = 0;
    if (!absl::SimpleAtoi(reply[i + 1].str(), &score)) {
      double d = 0;
      if (absl::SimpleAtod(reply[i + 1].str(), &d)) score = static_cast<int64_t>(d);
    }
    if (!after_id.empty() && score == after_ms && id <= after_id) continue;
    out.emplace_back(std::move(id), score);
  }
  return out;
}

absl::StatusOr<int64_t> QuestionStore::CountOverdue(redis::Client& redis, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto reply,
                      redis.Run(redis::Args{"ZCOUNT", keys::kQuestionsDue, "-inf"}.Add(absl::ToUnixMillis(now) - 1)));
  return reply.integer();
}

}  // namespace pressrelay::distribution
