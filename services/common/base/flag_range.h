// Numeric flags with a documented range, checked once at start-up.
//
// Every numeric flag of a service is defined with one of these macros instead of ABSL_FLAG:
// the range is part of the flag's help ("(range 1-10000)"), and ParseFlagsWithEnv checks every
// defined range after parsing, before any thread starts. A value outside its range stops the
// process with exit code 2 and a line naming the flag and the range.
//
//   PRESSRELAY_INT_FLAG(int, chunk_size, 1000, 1, 100000, "recipients queued per script run");
//   PRESSRELAY_DURATION_FLAG(job_lease, absl::Seconds(10), "1s", "10m", "how long a claimed job ...");
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pressrelay {

// Registers a flag's range at static initialisation (what the macros expand to).
class FlagRange {
 public:
  FlagRange(const char* flag, int64_t min, int64_t max);
  FlagRange(const char* flag, const char* min, const char* max);  // durations, absl syntax
};

// Every registered flag whose current value is outside its range; OK if none.
absl::Status CheckFlagRanges();

}  // namespace pressrelay

#define PRESSRELAY_INT_FLAG(type, name, default_value, min, max, help) \
  ABSL_FLAG(type, name, default_value, help " (range " #min "-" #max ")");  \
  static const ::pressrelay::FlagRange pressrelay_flag_range_##name(#name, min, max)

#define PRESSRELAY_DURATION_FLAG(name, default_value, min, max, help)               \
  ABSL_FLAG(absl::Duration, name, default_value, help " (range " min "-" max ")"); \
  static const ::pressrelay::FlagRange pressrelay_flag_range_##name(#name, min, max)
