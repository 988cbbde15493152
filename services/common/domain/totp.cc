#include "services/common/domain/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"

namespace pressrelay::totp {
namespace {

constexpr absl::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// Percent-encodes all but RFC 3986's unreserved characters.
std::string PercentEncode(absl::string_view text) {
  constexpr absl::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string Base32Encode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> Base32Decode(absl::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = Base32Value(c);
    if (v < 0 || padding) return std::nullopt;  // padding only at the end
    ++symbols;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  // A last group of 1, 3 or 6 symbols encodes no whole number of bytes; the bits left over
  // must be the encoder's zeros.
  const size_t rest = symbols % 8;
  if (rest == 1 || rest == 3 || rest == 6) return std::nullopt;
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

int64_t StepAt(absl::Time t) {
  // Rounded down, before 1970 too (T0 = 0).
  const int64_t seconds = absl::ToUnixSeconds(t), step = absl::ToInt64Seconds(kStep);
  return seconds >= 0 ? seconds / step : -((-seconds + step - 1) / step);
}

std::string Hotp(absl::string_view key, uint64_t counter, int digits) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message, sizeof(message), mac, &mac_len);
  // Dynamic truncation (RFC 4226 5.3): 31 bits from the offset the last nibble names.
  const int offset = mac[mac_len - 1] & 0x0F;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = absl::StrCat(binary % modulus);
  return std::string(digits - code.size(), '0') + code;
}

std::optional<int64_t> MatchingStep(absl::string_view key, absl::string_view code, absl::Time now,
                                    int64_t after) {
  if (code.size() != static_cast<size_t>(kDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const int64_t current = StepAt(now);
  std::optional<int64_t> found;
  // Every step in the window is computed and compared, whatever matched: the time taken
  // says nothing of which.
  for (int64_t step = current - kWindow; step <= current + kWindow; ++step) {
    const std::string expected = CodeAt(key, step);
    const bool same = CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0;
    if (same && step > after) found = step;
  }
  return found;
}

std::string NewSecret() {
  ids::EnsureSodium();
  std::string secret(kSecretBytes, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string OtpauthUri(absl::string_view issuer, absl::string_view account, absl::string_view secret) {
  return absl::StrCat("otpauth://totp/", PercentEncode(issuer), ":", PercentEncode(account), "?secret=", secret,
                      "&issuer=", PercentEncode(issuer));
}

}  // namespace pressrelay::totp
