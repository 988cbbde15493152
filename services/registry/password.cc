#include "services/registry/password.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/validation.h"

namespace pressrelay::registry {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

// What is hashed: the NFC form of valid UTF-8, anything else as it is (it cannot have been
// set, so it only has to fail).
std::string Canonical(absl::string_view password) {
  return validation::IsValidUtf8(password) ? validation::ToNfc(password) : std::string(password);
}

size_t CodePoints(absl::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

void CheckPassword(absl::string_view password, absl::string_view field, FieldViolations* v) {
  if (password.size() > kPasswordMaxBytes) {
    v->Add(field, absl::StrCat("must be at most ", kPasswordMaxBytes, " bytes"));
  } else if (!validation::IsValidUtf8(password)) {
    v->Add(field, "is not valid UTF-8");
  } else if (CodePoints(validation::ToNfc(password)) < static_cast<size_t>(kPasswordMinChars)) {
    v->Add(field, absl::StrCat("must be at least ", kPasswordMinChars, " characters"));
  }
}

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  ids::EnsureSodium();
  const std::string text = Canonical(password);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, text.data(), text.size(), kOpsLimit, kMemLimit) != 0) {
    return absl::InternalError("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(absl::string_view hash, absl::string_view password) {
  ids::EnsureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string text = Canonical(password);
  const std::string terminated(hash);  // crypto_pwhash_str_verify reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), text.data(), text.size()) == 0;
}

void VerifyNoPassword(absl::string_view password) {
  // Made once, of a random password nobody knows, with the same cost as every real hash.
  static const std::string* const dummy = [] {
    auto hash = HashPassword(ids::NewToken());
    return new std::string(hash.ok() ? *hash : "");
  }();
  (void)VerifyPassword(*dummy, password);
}

}  // namespace pressrelay::registry
