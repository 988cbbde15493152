// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): the second factor of the
// people who sign in to the admin gateway. HMAC-SHA1, 30-second steps, 6 digits: what every
// authenticator app takes from an otpauth:// URI without being told more. Secrets travel as
// base32 (RFC 4648, upper case, no padding), as apps take them typed by hand.
//
// Pure functions: no clock (the caller passes `now`), no storage. Which step a code was
// accepted for is returned, so that the caller can refuse a code a second time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pressrelay::totp {

inline constexpr absl::Duration kStep = absl::Seconds(30);
inline constexpr int kDigits = 6;
// 160 bits: RFC 4226's recommended length for an HMAC-SHA1 key.
inline constexpr size_t kSecretBytes = 20;
// Codes of this many steps either side of now are accepted (a phone's clock drifts, and a
// code read at the end of its step arrives in the next).
inline constexpr int kWindow = 1;

// RFC 4648 base32, upper case, without padding.
std::string Base32Encode(absl::string_view bytes);
// Either case; '=' padding and spaces (as apps group the secret) are ignored. nullopt for
// any other character or a length no encoding has.
std::optional<std::string> Base32Decode(absl::string_view text);

// The step a moment falls in: seconds since the Unix epoch / 30, rounded down.
int64_t StepAt(absl::Time t);
// RFC 4226 HOTP of `counter` with dynamic truncation, `digits` long (6-8), zero-padded.
std::string Hotp(absl::string_view key, uint64_t counter, int digits = kDigits);
// The code of one step (RFC 6238 with T0 = 0).
inline std::string CodeAt(absl::string_view key, int64_t step, int digits = kDigits) {
  return Hotp(key, static_cast<uint64_t>(step), digits);
}

// The newest step within kWindow of `now` whose code `code` is and that is later than
// `after` (the step of the last code accepted; codes are accepted once); nullopt if none.
// Compared in constant time.
std::optional<int64_t> MatchingStep(absl::string_view key, absl::string_view code, absl::Time now,
                                    int64_t after);

// A new random secret of kSecretBytes.
std::string NewSecret();

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>, the label's parts
// percent-encoded: what an authenticator app reads from a QR code.
std::string OtpauthUri(absl::string_view issuer, absl::string_view account, absl::string_view secret);

}  // namespace pressrelay::totp
