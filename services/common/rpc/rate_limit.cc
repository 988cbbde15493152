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
  auto it = per_minute_.find(principal.role());
  if (it == per_minute_.end() || it->second == 0) return absl::OkStatus();
  const int64_t window = absl::ToUnixMillis(absl::Now()) / kWindowMs;
  const std::vector<std::string> keys_list = {keys::RateLimit(service_, principal.id(), window)};
  const std::vector<std::string> argv = {absl::StrCat(kWindowMs)};
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto reply, redis->Eval(kCount, keys_list, argv));
  const int64_t count = reply[0].integer();
  if (count <= it->second) return absl::OkStatus();
  const absl::Duration retry = absl::Milliseconds(std::max<int64_t>(reply[1].integer(), 1));
  return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(
                            "rate limit: at most ", it->second, " calls a minute for a ", RoleName(principal.role()),
                            " on the ", service_, " service; retry in ", absl::FormatDuration(retry))),
                        retry);
}

}  // namespace pressrelay
