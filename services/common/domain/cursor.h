// The cursor a newsroom holds: where it is in its queues, and in which life of the store.
//
// Text form: "c1.<epoch>.<priority position>.<routine position>", opaque to clients. The
// epoch makes a cursor from before a Redis data loss detectable rather than silently
// resuming against empty queues.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "services/common/domain/lanes.h"

namespace pressrelay {

struct Cursor {
  std::string epoch;
  Positions positions{};
};

std::string EncodeCursor(const Cursor& cursor);
// INVALID_ARGUMENT naming `field` when the text is not a cursor.
absl::StatusOr<Cursor> DecodeCursor(absl::string_view text, absl::string_view field);

}  // namespace pressrelay
