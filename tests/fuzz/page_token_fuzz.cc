// ParsePageToken on any text a caller sends as page_token (ListStatements, History).
// Properties: it never crashes; what it accepts is a non-negative position and a statement
// id, and FormatPageToken of it parses to the same position.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "services/common/domain/ids.h"
#include "services/distribution/page_token.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto position = pressrelay::distribution::ParsePageToken(text);
  if (!position.ok() || text.empty()) return 0;

  FUZZ_CHECK(position->before_ms >= 0, "negative position accepted: " + absl::CEscape(text));
  FUZZ_CHECK(pressrelay::ids::IsStatementId(position->before_id), "not a statement id: " + absl::CEscape(text));
  const std::string again = pressrelay::distribution::FormatPageToken(*position);
  auto back = pressrelay::distribution::ParsePageToken(again);
  FUZZ_CHECK(back.ok() && back->before_ms == position->before_ms && back->before_id == position->before_id,
             "page token round trip failed for \"" + absl::CEscape(again) + "\"");
  return 0;
}
