// cli::Args::Parse on a command line: the input split on NUL or newline into words, with the
// CLI's own boolean options.
// Properties: neither it nor the getters crash; the parsed command line written back as its
// positional words then one "--name=value" per option parses to the same positional words
// and option values.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/cli/args.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// As in RunCommand (services/cli/commands.cc).
const std::vector<std::string> kBoolean = {"early-to-trusted", "token-only", "until-caught-up", "no-ack",
                                           "from-oldest",      "unacknowledged", "verify"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  if (!text.empty()) words = absl::StrSplit(text, absl::ByAnyChar(absl::string_view("\n\0", 2)));

  auto args = pressrelay::cli::Args::Parse(words, kBoolean);
  if (!args.ok()) return 0;

  // Args shows options by name only: every "--name[=...]" word may have named one.
  std::set<std::string> names = {"cursor", "count", "verify"};
  for (const auto& w : words) {
    if (!absl::StartsWith(w, "--")) continue;
    const size_t eq = w.find('=');
    names.insert(w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
  }
  std::vector<std::string> rewritten = args->positional();
  for (const auto& name : names) {
    (void)args->GetOr(name, "x");
    (void)args->GetInt(name, 0);
    if (auto v = args->Get(name)) rewritten.push_back(absl::StrCat("--", name, "=", *v));
  }

  auto back = pressrelay::cli::Args::Parse(rewritten, kBoolean);
  FUZZ_CHECK(back.ok(), "rewritten command line does not parse: " + back.status().ToString());
  FUZZ_CHECK(back->positional() == args->positional(), "rewritten command line has other positional words");
  for (const auto& name : names) {
    FUZZ_CHECK(back->Get(name) == args->Get(name), "option --" + absl::CEscape(name) + " changed");
  }
  return 0;
}
