// Passwords are kept only as Argon2id hashes: the right password verifies, a wrong one does
// not, the hash holds nothing of the password, and the rules for setting one name the field.
#include "services/registry/password.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/common/base/status.h"

namespace pressrelay::registry {
namespace {

TEST(Password, RoundTrip) {
  const std::string password = "đúng mật khẩu 2026";
  auto hash = HashPassword(password);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(absl::StartsWith(*hash, "$argon2id$")) << *hash;
  EXPECT_FALSE(absl::StrContains(*hash, password));
  EXPECT_FALSE(absl::StrContains(*hash, "2026"));
  EXPECT_TRUE(VerifyPassword(*hash, password));
  EXPECT_FALSE(VerifyPassword(*hash, "sai mật khẩu 2026"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("", password));
  EXPECT_FALSE(VerifyPassword("not a hash", password));
  // Salted: the same password never gives the same hash twice.
  auto again = HashPassword(password);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash);
  EXPECT_TRUE(VerifyPassword(*again, password));
}

TEST(Password, VietnameseTypedEitherWayIsTheSamePassword) {
  // "Phở ngon lắm!" precomposed (NFC) and with combining marks (NFD).
  const std::string nfc = "Ph\u1edf ngon l\u1eafm!";
  const std::string nfd = "Pho\u031b\u0309 ngon la\u0306\u0301m!";
  ASSERT_NE(nfc, nfd);
  auto hash = HashPassword(nfd);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, nfc));
}

TEST(Password, RulesForSettingOne) {
  auto check = [](const std::string& password) {
    FieldViolations v;
    CheckPassword(password, "password", &v);
    return v.ToStatus();
  };
  EXPECT_TRUE(check("twelve chars").ok());
  EXPECT_EQ(ErrorField(check("eleven char")), "password");
  // Characters, not bytes: twelve Vietnamese letters are enough.
  EXPECT_TRUE(check("ơơơơơơơơơơơơ").ok());
  EXPECT_EQ(ErrorField(check("ơơơơơơơơơơơ")), "password");
  EXPECT_TRUE(check(std::string(1024, 'x')).ok());
  EXPECT_EQ(ErrorField(check(std::string(1025, 'x'))), "password");
  EXPECT_EQ(ErrorField(check("not utf-8 \xff\xfe at all")), "password");
}

TEST(Password, VerifyingNothingTakesAnAnswerAndNeverThrows) {
  VerifyNoPassword("whatever was typed");
  VerifyNoPassword("");
}

}  // namespace
}  // namespace pressrelay::registry
