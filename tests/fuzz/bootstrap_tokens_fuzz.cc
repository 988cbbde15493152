// registry::ParseBootstrapTokens on a bootstrap tokens file (deploy/local/run.sh writes one).
// Properties: it never crashes; every token it accepts has a known kind, a slug name and a
// token of 16+ characters without spaces; writing the accepted tokens back as lines parses
// to the same tokens.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/domain/validation.h"
#include "services/registry/registry.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using pressrelay::registry::v1::SubjectKind;

const char* RoleOf(SubjectKind kind) {
  switch (kind) {
    case pressrelay::registry::v1::SUBJECT_KIND_OPERATOR:
      return "operator";
    case pressrelay::registry::v1::SUBJECT_KIND_SERVICE:
      return "service";
    case pressrelay::registry::v1::SUBJECT_KIND_GATEWAY:
      return "gateway";
    default:
      return nullptr;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pressrelay::fuzz::SilenceProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto tokens = pressrelay::registry::ParseBootstrapTokens(text);
  if (!tokens.ok()) return 0;

  std::string rewritten;
  for (const auto& t : *tokens) {
    const char* role = RoleOf(t.kind);
    FUZZ_CHECK(role != nullptr, absl::StrCat("token with kind ", t.kind, " accepted"));
    FUZZ_CHECK(pressrelay::validation::IsSlugId(t.subject_id), "name accepted: " + t.subject_id);
    FUZZ_CHECK(t.token.size() >= 16 && t.token.find(' ') == std::string::npos,
               "token accepted: \"" + absl::CEscape(t.token) + "\"");
    absl::StrAppend(&rewritten, role, " ", t.subject_id, " ", t.token, "\n");
  }
  auto back = pressrelay::registry::ParseBootstrapTokens(rewritten);
  FUZZ_CHECK(back.ok(), "rewritten tokens do not parse: " + back.status().ToString());
  FUZZ_CHECK(back->size() == tokens->size(), "rewritten tokens parse to another count");
  for (size_t i = 0; i < back->size(); ++i) {
    const auto &a = (*tokens)[i], &b = (*back)[i];
    FUZZ_CHECK(a.kind == b.kind && a.subject_id == b.subject_id && a.token == b.token,
               absl::StrCat("rewritten token ", i, " differs: \"", absl::CEscape(a.token), "\" vs \"",
                            absl::CEscape(b.token), "\""));
  }
  return 0;
}
