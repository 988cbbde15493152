// RateLimiter::ParseLimits on any --rate_limits / PRESSRELAY_RATE_LIMITS value.
// Properties: it never crashes; what it accepts names real roles (never "unspecified") with
// non-negative limits, and "<role>=<n>,..." of the result parses to the same limits.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/rpc/rate_limit.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto limits = pressrelay::RateLimiter::ParseLimits(text);
  if (!limits.ok()) return 0;

  std::string again;
  for (const auto& [role, n] : *limits) {
    FUZZ_CHECK(role != pressrelay::common::v1::ROLE_UNSPECIFIED, "role unspecified accepted: " + absl::CEscape(text));
    FUZZ_CHECK(n >= 0, "negative limit accepted: " + absl::CEscape(text));
    std::string name = pressrelay::common::v1::Role_Name(role).substr(5);  // without "ROLE_"
    absl::StrAppend(&again, again.empty() ? "" : ",", absl::AsciiStrToLower(name), "=", n);
  }
  auto back = pressrelay::RateLimiter::ParseLimits(again);
  FUZZ_CHECK(back.ok() && *back == *limits, "limits round trip failed for \"" + absl::CEscape(again) + "\"");
  return 0;
}
