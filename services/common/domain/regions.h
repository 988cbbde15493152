// Vietnam's provinces, as the wire names them: ISO 3166-2:VN codes ("VN-HN", "VN-44").
//
// Since 1 July 2025 (Resolution 202/2025/QH15) there are 34 provincial-level units; the 29
// provinces merged into them keep their codes here, marked with their successor, so that a
// former code is answered with the code to use instead of "unknown".
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace pressrelay::regions {

struct Region {
  absl::string_view code;       // "VN-07"
  absl::string_view name_vi;    // "Tuyên Quang"
  absl::string_view successor;  // "" for the 34 current units; else the unit it merged into
};

// The region with this code, current or former; null if the code is not Vietnam's.
const Region* Find(absl::string_view code);
// The 34 current provincial-level units.
std::vector<const Region*> Current();
// The date the 2025 merger took effect, for messages.
inline constexpr absl::string_view kMergerDate = "2025-07-01";

}  // namespace pressrelay::regions
