// signing::CanonicalBytes and signing::Verify on a Statement in protobuf wire format (what a
// newsroom receives and checks with `pressrelay subscribe --verify`).
// Properties: neither crashes; Verify against a fixed list of public keys rejects the input
// with PERMISSION_DENIED (random bytes cannot carry a valid Ed25519 signature); and the same
// statement signed here over CanonicalBytes with a key of its issuer verifies (the canonical
// form is deterministic) unless one of its times is outside the Timestamp range.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/domain/signing.h"
#include "services/common/base/time_util.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using pressrelay::signing::AgencyKey;
using pressrelay::signing::KeyFile;
using pressrelay::signing::Statement;

KeyFile FixedKey(const std::string& agency, const std::string& key_id, char fill) {
  return KeyFile{agency, key_id, absl::FromUnixSeconds(1795651200), std::string(32, fill)};
}

// The public keys a verifier holds; the seeds are fixed, so the corpus can name them.
const std::vector<AgencyKey>& Keys() {
  static const auto* keys = new std::vector<AgencyKey>{
      pressrelay::signing::PublicKeyOf(FixedKey("MOH", "MOH-2026-1", '\x01')),
      pressrelay::signing::PublicKeyOf(FixedKey("MOH", "MOH-2026-2", '\x02')),
      pressrelay::signing::PublicKeyOf(FixedKey("UBND-HN", "UBND-HN-2026-1", '\x03')),
  };
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pressrelay::fuzz::SilenceProtobufLogs();
  if (sodium_init() < 0) std::abort();
  (void)Keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Statement statement;
  if (!statement.ParseFromArray(data, static_cast<int>(size))) return 0;

  const std::string key_id = statement.signature().key_id();
  const std::string canonical = pressrelay::signing::CanonicalBytes(statement, key_id);
  FUZZ_CHECK(absl::StartsWith(canonical, "pressrelay-statement-v1\n") &&
                 absl::EndsWith(canonical, absl::StrCat("key_id:", key_id.size(), ":", key_id, "\n")),
             "canonical form without its header or key id record");

  const absl::Status verdict = pressrelay::signing::Verify(statement, Keys());
  FUZZ_CHECK(absl::IsPermissionDenied(verdict), "Verify did not reject a random statement: " + verdict.ToString());

  // Sign it as its issuer would and check that it verifies.
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  const unsigned char seed[crypto_sign_SEEDBYTES] = {7};
  crypto_sign_seed_keypair(pk, sk, seed);
  AgencyKey issuer_key;
  issuer_key.set_agency_code(statement.issuer().agency_code());
  issuer_key.set_key_id("fuzz-key");
  issuer_key.set_algorithm("ed25519");
  issuer_key.set_public_key(std::string(reinterpret_cast<const char*>(pk), sizeof(pk)));
  const std::string bytes = pressrelay::signing::CanonicalBytes(statement, "fuzz-key");
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), sk);
  Statement signed_statement = statement;
  signed_statement.mutable_signature()->set_key_id("fuzz-key");
  signed_statement.mutable_signature()->set_algorithm("ed25519");
  signed_statement.mutable_signature()->set_value(std::string(reinterpret_cast<const char*>(sig), sizeof(sig)));
  const absl::Status ok = pressrelay::signing::Verify(signed_statement, {issuer_key});
  // Times beyond the Timestamp range have no canonical form: such a statement is refused.
  bool times_valid = true;
  for (const auto* ts : {&statement.firstcreated(), &statement.versioncreated(), &statement.embargoed()}) {
    times_valid = times_valid && pressrelay::IsValidTimestamp(*ts);
  }
  if (times_valid) {
    FUZZ_CHECK(ok.ok(), "a statement signed over its canonical bytes does not verify: " + ok.ToString());
  } else {
    FUZZ_CHECK(absl::IsPermissionDenied(ok), "a statement with out-of-range times verified: " + ok.ToString());
  }
  return 0;
}
