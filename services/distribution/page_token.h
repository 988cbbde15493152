// The page tokens of ListStatements and QueryHistory: where the last page ended in the
// statement index (newest first), as "<milliseconds>.<statement id>". Opaque to callers.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace pressrelay::distribution {

struct PagePosition {
  int64_t before_ms = 0;  // the index score of the last statement of the previous page
  std::string before_id;  // and its id (ties on the same millisecond go by id)
};

// "" is the first page (before the end of time). Anything this service did not issue is
// INVALID_ARGUMENT naming page_token.
absl::StatusOr<PagePosition> ParsePageToken(const std::string& token);
std::string FormatPageToken(const PagePosition& position);

}  // namespace pressrelay::distribution
