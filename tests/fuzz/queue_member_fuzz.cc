// keys::ParseQueueMember on any queue member ("<statement id>:<version>") read from Redis.
// Properties: it never crashes; a member it accepts has a version >= 1 and is exactly what
// keys::QueueMember writes for that id and version (one spelling per member, so members
// compare as strings).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/redis/keys.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view member(reinterpret_cast<const char*>(data), size);
  std::string id;
  int version = 0;
  if (!pressrelay::keys::ParseQueueMember(member, &id, &version)) return 0;

  FUZZ_CHECK(version >= 1, absl::StrCat("version ", version, " accepted"));
  FUZZ_CHECK(!id.empty(), "empty statement id accepted");
  const std::string written = pressrelay::keys::QueueMember(id, version);
  FUZZ_CHECK(written == member,
             absl::StrCat("member \"", absl::CEscape(member), "\" parses to (\"", absl::CEscape(id), "\", ", version,
                          ") which is written \"", absl::CEscape(written), "\""));
  return 0;
}
