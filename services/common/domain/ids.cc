#include "services/common/domain/ids.h"

#include <sodium.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace pressrelay::ids {
namespace {

constexpr absl::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string Hex(const unsigned char* data, size_t n) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(data), n));
}

}  // namespace

void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)ready;
}

std::string NewStatementId(absl::Time now) {
  EnsureSodium();
  const uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(now));
  unsigned char rnd[10];
  randombytes_buf(rnd, sizeof(rnd));
  // 128 bits: 48 of time, 80 random; 26 characters of 5 bits (the first carries 3).
  unsigned __int128 v = static_cast<unsigned __int128>(ms & 0xFFFFFFFFFFFFull) << 80;
  for (int i = 0; i < 10; ++i) v |= static_cast<unsigned __int128>(rnd[i]) << (8 * (9 - i));
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return out;
}

bool IsStatementId(absl::string_view id) {
  return id.size() == 26 && id.find_first_not_of(kCrockford) == absl::string_view::npos;
}

std::string NewToken() {
  EnsureSodium();
  unsigned char raw[32];
  randombytes_buf(raw, sizeof(raw));
  std::string encoded;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(raw), sizeof(raw)),
                            &encoded);
  return absl::StrCat("prt_", encoded);
}

std::string NewTokenId() {
  EnsureSodium();
  unsigned char raw[8];
  randombytes_buf(raw, sizeof(raw));
  return absl::StrCat("tok_", Hex(raw, sizeof(raw)));
}

std::string Sha256Hex(absl::string_view bytes) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(digest, sizeof(digest));
}

std::string TokenHash(absl::string_view token) { return Sha256Hex(token); }

uint64_t RandomU64() {
  EnsureSodium();
  uint64_t v;
  randombytes_buf(&v, sizeof(v));
  return v;
}

}  // namespace pressrelay::ids
