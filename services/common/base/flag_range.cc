#include "services/common/base/flag_range.h"

#include <cstdlib>

#include "absl/flags/reflection.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pressrelay {
namespace {

struct Range {
  std::string flag;
  bool duration = false;
  int64_t min = 0, max = 0;
  absl::Duration dmin, dmax;
  std::string text;  // as the help shows it
};

std::vector<Range>& Ranges() {
  static auto* ranges = new std::vector<Range>;
  return *ranges;
}

absl::Duration MustParse(const char* text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) std::abort();  // a typo in a macro: caught by any test
  return d;
}

}  // namespace

FlagRange::FlagRange(const char* flag, int64_t min, int64_t max) {
  Ranges().push_back({flag, false, min, max, {}, {}, absl::StrCat(min, "-", max)});
}

FlagRange::FlagRange(const char* flag, const char* min, const char* max) {
  Ranges().push_back({flag, true, 0, 0, MustParse(min), MustParse(max), absl::StrCat(min, "-", max)});
}

absl::Status CheckFlagRanges() {
  std::vector<std::string> bad;
  for (const Range& r : Ranges()) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(r.flag);
    if (flag == nullptr) continue;
    const std::string value = flag->CurrentValue();
    bool ok = false;
    if (r.duration) {
      absl::Duration d;
      ok = absl::ParseDuration(value, &d) && d >= r.dmin && d <= r.dmax;
    } else {
      int64_t v = 0;
      ok = absl::SimpleAtoi(value, &v) && v >= r.min && v <= r.max;
    }
    if (!ok) bad.push_back(absl::StrCat("--", r.flag, "=", value, " is outside its range ", r.text));
  }
  if (bad.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(bad, "; "));
}

}  // namespace pressrelay
