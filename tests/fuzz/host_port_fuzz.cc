// ParseHostPort on a --*_address flag or PRESSRELAY_* environment value.
// Properties: it never crashes; what it accepts has a non-empty host and a port in 0-65535,
// and "<host>:<port>" of it parses to the same host and port.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/base/configuration.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto hp = pressrelay::ParseHostPort(text, "--address");
  if (!hp.ok()) return 0;

  FUZZ_CHECK(!hp->host.empty(), "empty host accepted");
  FUZZ_CHECK(hp->port >= 0 && hp->port <= 65535, absl::StrCat("port ", hp->port, " accepted"));
  const std::string again = absl::StrCat(hp->host, ":", hp->port);
  auto back = pressrelay::ParseHostPort(again, "--address");
  FUZZ_CHECK(back.ok() && back->host == hp->host && back->port == hp->port,
             "host:port round trip failed for \"" + absl::CEscape(again) + "\"");
  return 0;
}
