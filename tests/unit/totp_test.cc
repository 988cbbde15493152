// The second factor's arithmetic against the RFCs' own vectors: base32 (RFC 4648 section
// 10), HOTP (RFC 4226 appendix D) and TOTP (RFC 6238 appendix B, SHA-1), in 8 digits as
// printed there and in the 6 that authenticator apps show.
#include "services/common/domain/totp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pressrelay::totp {
namespace {

const std::string kRfcSecret = "12345678901234567890";

TEST(Base32, Rfc4648VectorsWithoutPadding) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},           {"f", "MY"},           {"fo", "MZXQ"},         {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base32Encode(plain), encoded) << plain;
    EXPECT_EQ(Base32Decode(encoded), plain) << encoded;
  }
  EXPECT_EQ(Base32Encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Base32, DecodesAsAppsAndPeopleWriteIt) {
  EXPECT_EQ(Base32Decode("MZXW6YQ="), "foob");      // padded
  EXPECT_EQ(Base32Decode("mzxw6ytboi"), "foobar");  // lower case
  EXPECT_EQ(Base32Decode("MZXW 6YTB OI"), "foobar");  // grouped
  EXPECT_FALSE(Base32Decode("MZXW1"));   // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("M"));       // no encoding is one symbol long
  EXPECT_FALSE(Base32Decode("MZX"));     // nor three
  EXPECT_FALSE(Base32Decode("MZ=XQ"));   // padding only at the end
  EXPECT_FALSE(Base32Decode("MB"));      // leaves bits set that no encoder writes
}

TEST(Base32, RoundTripsEveryLengthOfRandomSecrets) {
  for (size_t n = 0; n <= 64; ++n) {
    std::string bytes = NewSecret() + NewSecret() + NewSecret() + NewSecret();
    bytes.resize(n);
    auto back = Base32Decode(Base32Encode(bytes));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, bytes) << n;
  }
}

TEST(Hotp, Rfc4226AppendixD) {
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (size_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(Hotp(kRfcSecret, counter), expected[counter]) << counter;
  }
}

TEST(Totp, Rfc6238Sha1Vectors) {
  struct Vector {
    int64_t unix_seconds;
    std::string eight_digits;
  };
  const std::vector<Vector> vectors = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& v : vectors) {
    const int64_t step = StepAt(absl::FromUnixSeconds(v.unix_seconds));
    EXPECT_EQ(CodeAt(kRfcSecret, step, 8), v.eight_digits) << v.unix_seconds;
    // Six digits are the same truncation modulo 10^6: the last six, leading zeros kept.
    EXPECT_EQ(CodeAt(kRfcSecret, step), v.eight_digits.substr(2)) << v.unix_seconds;
  }
  EXPECT_EQ(StepAt(absl::FromUnixSeconds(59)), 1);
  EXPECT_EQ(StepAt(absl::FromUnixSeconds(1111111109)), 0x23523EC);
}

TEST(Totp, AcceptsTheStepsAroundNowOnceEach) {
  const absl::Time now = absl::FromUnixSeconds(1234567890);
  const int64_t step = StepAt(now);
  EXPECT_EQ(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step), now, 0), step);
  EXPECT_EQ(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step - 1), now, 0), step - 1);
  EXPECT_EQ(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step + 1), now, 0), step + 1);
  EXPECT_FALSE(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step - 2), now, 0));
  EXPECT_FALSE(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step + 2), now, 0));
  // A code whose step was accepted already (or an earlier one) is refused.
  EXPECT_FALSE(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step), now, step));
  EXPECT_FALSE(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step - 1), now, step));
  EXPECT_EQ(MatchingStep(kRfcSecret, CodeAt(kRfcSecret, step + 1), now, step), step + 1);
  // Only six ASCII digits are a code.
  const std::string code = CodeAt(kRfcSecret, step);
  EXPECT_FALSE(MatchingStep(kRfcSecret, code.substr(1), now, 0));
  EXPECT_FALSE(MatchingStep(kRfcSecret, code + "0", now, 0));
  EXPECT_FALSE(MatchingStep(kRfcSecret, "", now, 0));
  EXPECT_FALSE(MatchingStep("another secret of 20b", code, now, 0));
}

TEST(Totp, OtpauthUriNamesTheIssuerAndTheAccount) {
  EXPECT_EQ(OtpauthUri("pressrelay", "nguyen.van.a@moh.gov.vn", "GEZDGNBVGY3TQOJQ"),
            "otpauth://totp/pressrelay:nguyen.van.a%40moh.gov.vn?secret=GEZDGNBVGY3TQOJQ&issuer=pressrelay");
}

TEST(Totp, NewSecretsAre160RandomBits) {
  const std::string a = NewSecret(), b = NewSecret();
  EXPECT_EQ(a.size(), kSecretBytes);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace pressrelay::totp
