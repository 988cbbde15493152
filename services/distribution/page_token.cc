#include "services/distribution/page_token.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"

namespace pressrelay::distribution {

absl::StatusOr<PagePosition> ParsePageToken(const std::string& token, bool (*is_id)(absl::string_view)) {
  if (token.empty()) return PagePosition{std::numeric_limits<int64_t>::max(), ""};
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(token, absl::MaxSplits('.', 1));
  PagePosition position;
  // Ids are letters, digits and '_' only: a token's id part holds no '.'.
  if (!absl::SimpleAtoi(parts.first, &position.before_ms) || position.before_ms < 0 || !is_id(parts.second)) {
    return FieldError("page_token", "is not a token this service issued");
  }
  position.before_id = std::string(parts.second);
  return position;
}

std::string FormatPageToken(const PagePosition& position) {
  return absl::StrCat(position.before_ms, ".", position.before_id);
}

absl::StatusOr<int> PageSize(int requested) {
  constexpr int kDefaultPageSize = 50;
  constexpr int kMaxPageSize = 500;
  if (requested < 0) return FieldError("page_size", "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

}  // namespace pressrelay::distribution
