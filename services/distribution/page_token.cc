#include "services/distribution/page_token.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"
#include "services/common/domain/ids.h"

namespace pressrelay::distribution {

absl::StatusOr<PagePosition> ParsePageToken(const std::string& token) {
  if (token.empty()) return PagePosition{std::numeric_limits<int64_t>::max(), ""};
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(token, absl::MaxSplits('.', 1));
  PagePosition position;
  // Statement ids are ULIDs: letters and digits only, so a token's id part is one too.
  if (!absl::SimpleAtoi(parts.first, &position.before_ms) || position.before_ms < 0 || !ids::IsStatementId(parts.second)) {
    return FieldError("page_token", "is not a token this service issued");
  }
  position.before_id = std::string(parts.second);
  return position;
}

std::string FormatPageToken(const PagePosition& position) {
  return absl::StrCat(position.before_ms, ".", position.before_id);
}

}  // namespace pressrelay::distribution
