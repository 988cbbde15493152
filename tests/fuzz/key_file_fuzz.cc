// signing::ParseKeyFile on a private key file (agency=/key_id=/created=/seed= lines).
// Properties: it never crashes; a key it accepts has an agency, a key id of 1-64 characters
// without spaces or '/', and a 32-byte seed; FormatKeyFile of it (what `pressrelay keygen`
// writes) parses back to the same key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/domain/signing.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = pressrelay::signing::ParseKeyFile(text);
  if (!key.ok()) return 0;

  FUZZ_CHECK(!key->agency_code.empty(), "key without agency accepted");
  FUZZ_CHECK(!key->key_id.empty() && key->key_id.size() <= 64 &&
                 key->key_id.find_first_of(" \t/") == std::string::npos,
             "key id accepted: \"" + absl::CEscape(key->key_id) + "\"");
  FUZZ_CHECK(key->seed.size() == 32, "seed of another size accepted");

  const std::string formatted = pressrelay::signing::FormatKeyFile(*key);
  auto back = pressrelay::signing::ParseKeyFile(formatted);
  FUZZ_CHECK(back.ok(), "FormatKeyFile output does not parse: " + back.status().ToString() + "\n" + formatted);
  FUZZ_CHECK(back->agency_code == key->agency_code && back->key_id == key->key_id && back->seed == key->seed &&
                 back->created == key->created,
             absl::StrCat("key file round trip changed the key: created ", absl::FormatTime(key->created), " -> ",
                          absl::FormatTime(back->created), "\n", formatted));
  return 0;
}
