#include "services/common/rpc/rate_limit.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay {
namespace {

// KEYS: 1 counter. ARGV: 1 window ms. Returns {count, ms left in the window}.
const redis::Script kCount(R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
)lua");

constexpr int64_t kWindowMs = 60000;

}  // namespace

absl::StatusOr<std::map<Role, int64_t>> RateLimiter::ParseLimits(absl::string_view text) {
  std::map<Role, int64_t> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    Role role;
    int64_t n = 0;
    if (!pressrelay::common::v1::Role_Parse(absl::StrCat("ROLE_", absl::AsciiStrToUpper(std::string(kv.first))),
                                            &role) ||
        role == pressrelay::common::v1::ROLE_UNSPECIFIED || !absl::SimpleAtoi(kv.second, &n) || n < 0) {
      return FieldError("--rate_limits", absl::StrCat("\"", item, "\" is not <role>=<calls per minute>"));
    }
    out[role] = n;
  }
  return out;
}

absl::Status RateLimiter::Admit(const Principal& principal) {
  const Principal* one = &principal;
  return std::move(AdmitMany({&one, 1})[0]);
}

std::vector<absl::Status> RateLimiter::AdmitMany(absl::Span<const Principal* const> principals) {
  std::vector<absl::Status> out(principals.size());
  std::vector<size_t> counted;  // the calls whose role is limited
  for (size_t i = 0; i < principals.size(); ++i) {
    auto it = per_minute_.find(principals[i]->role());
    if (it != per_minute_.end() && it->second != 0) counted.push_back(i);
  }
  if (counted.empty()) return out;
  const int64_t window = absl::ToUnixMillis(absl::Now()) / kWindowMs;
  // One script for the whole batch: when Redis has lost it, NOSCRIPT answers every command
  // and nothing was counted, so the replay with the source counts each call once.
  absl::StatusOr<std::vector<redis::Reply>> replies = [&]() -> absl::StatusOr<std::vector<redis::Reply>> {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    return redis->PipelineScripts([&](bool by_sha) {
      std::vector<redis::Args> commands;
      for (size_t i : counted) {
        commands.push_back(
            kCount.Call(by_sha).Add(1).Add(keys::RateLimit(service_, principals[i]->id(), window)).Add(kWindowMs));
      }
      return commands;
    });
  }();
  for (size_t k = 0; k < counted.size(); ++k) {
    const Principal& principal = *principals[counted[k]];
    absl::Status& verdict = out[counted[k]];
    if (!replies.ok()) {
      verdict = replies.status();
      continue;
    }
    const redis::Reply& reply = (*replies)[k];
    if (absl::Status s = redis::ReplyStatus(reply); !s.ok()) {
      verdict = s;
      continue;
    }
    const int64_t limit = per_minute_.at(principal.role());
    if (reply[0].integer() <= limit) continue;
    const absl::Duration retry = absl::Milliseconds(std::max<int64_t>(reply[1].integer(), 1));
    verdict = WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(
                                 "rate limit: at most ", limit, " calls a minute for a ", RoleName(principal.role()),
                                 " on the ", service_, " service; retry in ", absl::FormatDuration(retry))),
                             retry);
  }
  return out;
}

}  // namespace pressrelay
