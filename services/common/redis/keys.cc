#include "services/common/redis/keys.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pressrelay::keys {
namespace {

std::string Tag(int shard) { return absl::StrCat("{", shard, "}"); }

}  // namespace

char LaneChar(Lane lane) { return lane == Lane::kPriority ? 'p' : 'r'; }

std::string AccountSessions(absl::string_view username) { return absl::StrCat("{reg}:account-session:", username); }
std::string SessionAlive(absl::string_view token_id) { return absl::StrCat("{reg}:session-alive:", token_id); }
std::string SignInFailures(absl::string_view username) { return absl::StrCat("{reg}:signin-fail:", username); }
std::string SignInAddressFailures(absl::string_view address) {
  return absl::StrCat("{reg}:signin-fail-addr:", address);
}
std::string SignInLock(absl::string_view username) { return absl::StrCat("{reg}:signin-lock:", username); }

std::string Statement(absl::string_view statement_id) { return absl::StrCat("{dist}:st:", statement_id); }
std::string StatementVersionField(int version) { return absl::StrCat("v", version); }
std::string AgencyActivity(absl::string_view agency_code) { return absl::StrCat("{dist}:activity:", agency_code); }
std::string Idempotency(absl::string_view principal_id, absl::string_view key) {
  return absl::StrCat("{dist}:st:idem:", principal_id, ":", key);
}
std::string FanoutJob(absl::string_view job_id) { return absl::StrCat("{dist}:fo:job:", job_id); }
std::string FanoutProgress(int shard) { return absl::StrCat("fo:prog:", Tag(shard)); }
std::string StatementProvenanceField(int version) { return absl::StrCat("p", version); }
std::string Draft(absl::string_view draft_id) { return absl::StrCat("{dist}:draft:", draft_id); }
std::string DraftApproval(absl::string_view draft_id) { return absl::StrCat("{dist}:draft:", draft_id, ":approval"); }
std::string AgencyDrafts(absl::string_view agency_code) { return absl::StrCat("{dist}:draft:agency:", agency_code); }
std::string Question(absl::string_view question_id) { return absl::StrCat("{dist}:question:", question_id); }
std::string QuestionOutcome(absl::string_view question_id) {
  return absl::StrCat("{dist}:question:", question_id, ":outcome");
}
std::string AgencyQuestions(absl::string_view agency_code) {
  return absl::StrCat("{dist}:question:agency:", agency_code);
}
std::string AskerQuestions(absl::string_view recipient_id) {
  return absl::StrCat("{dist}:question:asker:", recipient_id);
}
std::string AskIdempotency(absl::string_view recipient_id, absl::string_view key) {
  return absl::StrCat("{dist}:question:idem:", recipient_id, ":", key);
}

std::string Queue(int shard, absl::string_view recipient_id, Lane lane) {
  return absl::StrCat("q:", Tag(shard), ":", recipient_id, ":", std::string(1, LaneChar(lane)));
}
std::string QueuePrefix(int shard) { return absl::StrCat("q:", Tag(shard), ":"); }
std::string Events(int shard) { return absl::StrCat("ev:", Tag(shard)); }
std::string Sequence(int shard) { return absl::StrCat("seq:", Tag(shard)); }
std::string Trimmed(int shard) { return absl::StrCat("qtrim:", Tag(shard)); }
std::string TrimmedField(absl::string_view recipient_id, Lane lane) {
  return absl::StrCat(recipient_id, ":", std::string(1, LaneChar(lane)));
}

std::string RateLimit(absl::string_view service, absl::string_view principal_id, int64_t minute) {
  return absl::StrCat("rl:", service, ":", principal_id, ":", minute);
}
std::string StreamLeases(absl::string_view principal) { return absl::StrCat("sl:", principal); }

std::string Acks(int shard) { return absl::StrCat("ack:", Tag(shard)); }
std::string DeliveredSent(absl::string_view statement_id, int version) {
  return absl::StrCat("dr:", statement_id, ":", version, ":sent");
}
std::string DeliveredAcked(absl::string_view statement_id, int version) {
  return absl::StrCat("dr:", statement_id, ":", version, ":ack");
}

std::string QueueMember(absl::string_view statement_id, int version) {
  return absl::StrCat(statement_id, ":", version);
}

bool ParseQueueMember(absl::string_view member, std::string* statement_id, int* version) {
  const size_t colon = member.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  if (!absl::SimpleAtoi(member.substr(colon + 1), version) || *version <= 0) return false;
  // One spelling per version ("06" and "+6" are not 6): members are compared as strings.
  if (absl::StrCat(*version) != member.substr(colon + 1)) return false;
  *statement_id = std::string(member.substr(0, colon));
  return true;
}

int ShardOf(absl::string_view recipient_id, int shards) {
  uint32_t h = 2166136261u;
  for (unsigned char c : recipient_id) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<int>(h % static_cast<uint32_t>(shards));
}

bool ShardOfKey(absl::string_view key, int* shard) {
  const size_t open = key.find('{');
  const size_t close = key.find('}', open);
  return open != absl::string_view::npos && close != absl::string_view::npos &&
         absl::SimpleAtoi(key.substr(open + 1, close - open - 1), shard);
}

}  // namespace pressrelay::keys
