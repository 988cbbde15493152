// The page tokens of ListStatements, QueryHistory and ListDrafts: where the last page ended in
// an index by time (newest first), as "<milliseconds>.<id>". Opaque to callers.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/domain/ids.h"

namespace pressrelay::distribution {

struct PagePosition {
  int64_t before_ms = 0;  // the index score of the last entry of the previous page
  std::string before_id;  // and its id (ties on the same millisecond go by id)
};

// "" is the first page (before the end of time). Anything this service did not issue is
// INVALID_ARGUMENT naming page_token. `is_id` says what the index holds (statement ids, or
// draft ids for the desk).
absl::StatusOr<PagePosition> ParsePageToken(const std::string& token,
                                            bool (*is_id)(absl::string_view) = ids::IsStatementId);
std::string FormatPageToken(const PagePosition& position);

// A request's page_size: 0 means 50, more than 500 means 500; negative is INVALID_ARGUMENT.
absl::StatusOr<int> PageSize(int requested);

}  // namespace pressrelay::distribution
