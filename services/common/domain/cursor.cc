#include "services/common/domain/cursor.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"

namespace pressrelay {

std::string EncodeCursor(const Cursor& cursor) {
  return absl::StrCat("c1.", cursor.epoch, ".", cursor.positions[0], ".", cursor.positions[1]);
}

absl::StatusOr<Cursor> DecodeCursor(absl::string_view text, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  Cursor cursor;
  if (parts.size() != 4 || parts[0] != "c1" || parts[1].empty() || parts[1].size() > 32 ||
      !absl::SimpleAtoi(parts[2], &cursor.positions[0]) ||
      !absl::SimpleAtoi(parts[3], &cursor.positions[1]) || cursor.positions[0] < 0 ||
      cursor.positions[1] < 0) {
    return FieldError(field, "is not a cursor this wire issued");
  }
  cursor.epoch = std::string(parts[1]);
  return cursor;
}

}  // namespace pressrelay
