// DecodeCursor on any text a newsroom could send as its cursor.
// Properties: it never crashes; a cursor it accepts has a non-empty epoch of at most 32
// characters without '.', and non-negative positions; EncodeCursor of it decodes back to
// the same cursor.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/domain/cursor.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto cursor = pressrelay::DecodeCursor(text, "cursor");
  if (!cursor.ok()) return 0;

  FUZZ_CHECK(!cursor->epoch.empty() && cursor->epoch.size() <= 32 &&
                 cursor->epoch.find('.') == std::string::npos,
             "bad epoch accepted: " + cursor->epoch);
  FUZZ_CHECK(cursor->positions[0] >= 0 && cursor->positions[1] >= 0, "negative position accepted");

  const std::string encoded = pressrelay::EncodeCursor(*cursor);
  auto back = pressrelay::DecodeCursor(encoded, "cursor");
  FUZZ_CHECK(back.ok(), "EncodeCursor output does not decode: " + encoded);
  FUZZ_CHECK(back->epoch == cursor->epoch && back->positions == cursor->positions,
             absl::StrCat("cursor round trip changed it: ", encoded, " -> ", pressrelay::EncodeCursor(*back)));
  return 0;
}
