// Identifiers and secrets: statement ids, bearer tokens and their hashes.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/time/time.h"

namespace pressrelay::ids {

// libsodium, initialised once for the process (aborts if it cannot be).
void EnsureSodium();

// A ULID (26 Crockford base32 characters): sortable by issue time, 80 random bits.
std::string NewStatementId(absl::Time now);
// True for what NewStatementId makes: 26 characters of its alphabet.
bool IsStatementId(absl::string_view id);

// A bearer token: "prt_" + 256 random bits, base64url. Shown once, never stored.
std::string NewToken();

// Public id of a token, for listing and revocation: "tok_" + 64 random bits, hex.
std::string NewTokenId();

// What the registry stores instead of a token: lower-case hex SHA-256.
std::string TokenHash(absl::string_view token);

// Lower-case hex SHA-256 of any bytes.
std::string Sha256Hex(absl::string_view bytes);

// A random 64-bit number from the OS's CSPRNG.
uint64_t RandomU64();

}  // namespace pressrelay::ids
