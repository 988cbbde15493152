#include "services/distribution/draft_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/redis/keys.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {
namespace {

// KEYS: 1 draft:<id>, 2 draft:agency:<code>, 3 draft:<id>:approval
// ARGV: 1 expected revision (0: a new draft), 2 new revision, 3 record bytes, 4 updated ms,
//       5 draft id, 6 "1" when the approval itself marks the draft published
// Returns {1} saved, {2, revision} the draft changed (or exists, or is gone),
// {3, approval record} an approval committed a statement for it.
const redis::Script kSave(R"lua(
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[1]) then return {2, rev} end
if ARGV[6] ~= '1' then
  local approval = redis.call('GET', KEYS[3])
  if approval then return {3, approval} end
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'record', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return {1}
)lua");

absl::StatusOr<std::string> ApprovedAs(const redis::ReplyView& reply) {
  PR_ASSIGN_OR_RETURN(auto record, ParseRecord<store::IdempotencyRecord>(reply, "approval record"));
  return record ? record->statement_id() : std::string();
}

}  // namespace

absl::StatusOr<StoredDraft> DraftStore::Load(redis::Client& redis, const std::string& draft_id) {
  const std::vector<redis::Args> batch = {{"HGET", keys::Draft(draft_id), keys::kDraftRecordField},
                                          {"GET", keys::DraftApproval(draft_id)}};
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  StoredDraft stored;
  PR_ASSIGN_OR_RETURN(stored.draft, ParseRecord<v1::Draft>(replies[0], "draft"));
  PR_ASSIGN_OR_RETURN(stored.approved_as, ApprovedAs(replies[1]));
  return stored;
}

absl::StatusOr<std::vector<std::optional<v1::Draft>>> DraftStore::LoadMany(redis::Client& redis,
                                                                            absl::Span<const std::string> draft_ids) {
  std::vector<redis::Args> batch;
  batch.reserve(draft_ids.size());
  for (const auto& id : draft_ids) batch.push_back({"HGET", keys::Draft(id), keys::kDraftRecordField});
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<std::optional<v1::Draft>> out;
  out.reserve(replies.size());
  for (const auto& reply : replies) {
    PR_ASSIGN_OR_RETURN(auto draft, ParseRecord<v1::Draft>(reply, "draft"));
    out.push_back(std::move(draft));
  }
  return out;
}

absl::StatusOr<DraftSave> DraftStore::Save(redis::Client& redis, const v1::Draft& draft, int expected_revision,
                                           bool approving) {
  const std::vector<std::string> keys_list = {keys::Draft(draft.id()), keys::AgencyDrafts(draft.content().agency_code()),
                                              keys::DraftApproval(draft.id())};
  const std::vector<std::string> argv = {absl::StrCat(expected_revision),
                                         absl::StrCat(draft.revision()),
                                         draft.SerializeAsString(),
                                         absl::StrCat(MillisFromProto(draft.updated_at())),
                                         draft.id(),
                                         approving ? "1" : "0"};
  PR_ASSIGN_OR_RETURN(redis::Reply reply, redis.Eval(kSave, keys_list, argv));
  DraftSave result;
  switch (reply[0].integer()) {
    case 1:
      result.outcome = DraftSave::Outcome::kSaved;
      break;
    case 2:
      result.outcome = DraftSave::Outcome::kChanged;
      result.revision = static_cast<int>(reply[1].integer());
      break;
    default:
      result.outcome = DraftSave::Outcome::kApproved;
      PR_ASSIGN_OR_RETURN(result.approved_as, ApprovedAs(reply[1]));
  }
  return result;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> DraftStore::DeskPage(redis::Client& redis,
                                                                                   const std::string& agency_code,
                                                                                   int64_t before_ms,
                                                                                   const std::string& before_id,
                                                                                   int count) {
  return TimeIndexPage(redis, keys::AgencyDrafts(agency_code), before_ms, before_id, count);
}

}  // namespace pressrelay::distribution
