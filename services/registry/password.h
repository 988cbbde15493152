// Passwords of the people who sign in to the admin gateway, kept only as libsodium's
// crypto_pwhash_str: Argon2id with its own random salt, in the self-describing
// "$argon2id$v=19$m=65536,t=2,p=1$..." form, so a later change of cost still verifies the
// hashes made before it.
//
// The cost is libsodium's INTERACTIVE (2 passes over 64 MiB, about 50-100 ms a check on a
// server core), not MODERATE (3 passes over 256 MiB, about 0.5-1 s): a sign-in is
// interactive, every check runs on a Directory worker (which also answers the other
// services' token checks), and guessing online is bounded by the failure limits anyway;
// INTERACTIVE is what libsodium recommends for online logins. What protects a stolen
// reg:account is the 64 MiB per guess.
//
// Text is NFC-normalised first (as everywhere on the wire), so a Vietnamese password typed
// with combining marks on one keyboard and precomposed letters on another is the same.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/base/status.h"

namespace pressrelay::registry {

inline constexpr int kPasswordMinChars = 12;
inline constexpr size_t kPasswordMaxBytes = 1024;

// Adds a violation under `field` unless `password` is valid UTF-8 of at least
// kPasswordMinChars characters and at most kPasswordMaxBytes bytes.
void CheckPassword(absl::string_view password, absl::string_view field, FieldViolations* v);

// The crypto_pwhash_str of the password (INTERNAL if libsodium cannot allocate its memory).
absl::StatusOr<std::string> HashPassword(absl::string_view password);
// Whether `password` is the one `hash` was made from. False for a malformed hash.
bool VerifyPassword(absl::string_view hash, absl::string_view password);
// The same amount of work as a VerifyPassword that fails: for a username that has no
// account, so that the time an answer takes does not tell which names exist.
void VerifyNoPassword(absl::string_view password);

}  // namespace pressrelay::registry
