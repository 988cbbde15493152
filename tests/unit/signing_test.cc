// Statement signatures: the canonical form is stable and unambiguous, a signature verifies
// only for the exact bytes, key and agency it was made for.
#include "services/common/domain/signing.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "tests/support/process.h"

namespace pressrelay::signing {
namespace {

Statement Sample() {
  Statement s;
  s.set_id("01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  s.set_uri("urn:pressrelay:statement:01JD3Z6Q8M4T2V5X7Y9A0B1C2D");
  s.set_version(2);
  s.set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
  s.set_urgency(3);
  s.set_pubstatus(pressrelay::common::v1::PUB_STATUS_USABLE);
  s.set_signal(pressrelay::common::v1::VERSION_SIGNAL_CORRECTION);
  s.set_signal_reason("Sửa số liệu");
  *s.mutable_firstcreated() = ProtoFromMillis(1795678132195);
  *s.mutable_versioncreated() = ProtoFromMillis(1795678132999);
  s.set_language("vi");
  s.set_headline("Bộ Y tế thông tin");
  s.set_body("Nghị định 09/2017/NĐ-CP");
  s.add_subjects()->set_code("health");
  s.mutable_issuer()->set_agency_code("MOH");
  s.mutable_issuer()->set_agency_name("Bộ Y tế");
  legal::AttachReferences(&s);
  return s;
}

TEST(Signing, CanonicalFormIsSpecifiedExactly) {
  const std::string bytes = CanonicalBytes(Sample(), "MOH-1");
  EXPECT_EQ(bytes.substr(0, 24), "pressrelay-statement-v1\n");
  EXPECT_NE(bytes.find("id:26:01JD3Z6Q8M4T2V5X7Y9A0B1C2D\n"), std::string::npos);
  EXPECT_NE(bytes.find("firstcreated:13:1795678132195\n"), std::string::npos);
  EXPECT_NE(bytes.find("embargoed:0:\n"), std::string::npos);
  EXPECT_NE(bytes.find("headline:22:Bộ Y tế thông tin\n"), std::string::npos);  // byte length
  EXPECT_NE(bytes.find("subjects:1:1\nsubjects.0.code:6:health\nsubjects.0.name:0:\n"), std::string::npos);
  EXPECT_EQ(bytes.substr(bytes.size() - 15), "key_id:5:MOH-1\n");
  // The signature itself is not part of what is signed.
  Statement signed_one = Sample();
  signed_one.mutable_signature()->set_value("anything");
  EXPECT_EQ(CanonicalBytes(signed_one, "MOH-1"), bytes);
}

// The README specifies the canonical form with this statement as its worked example; the
// example must be exactly what the code signs.
TEST(Signing, ReadmeExampleIsTheCanonicalForm) {
  const std::string readme = pressrelay::testing::ReadFile(pressrelay::testing::SourceDir() + "/README.md");
  const std::string begin = "<!-- canonical-example:begin -->\n```text\n";
  const std::string end = "```\n<!-- canonical-example:end -->";
  const size_t from = readme.find(begin);
  const size_t to = readme.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  const std::string example = readme.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(example, CanonicalBytes(Sample(), "MOH-1")) << "README example should be:\n"
                                                         << CanonicalBytes(Sample(), "MOH-1");
}

// A statement that cites nothing has the canonical form it had before references were
// added to the statement: versions signed then still verify.
TEST(Signing, AStatementCitingNothingKeepsItsEarlierForm) {
  Statement s = Sample();
  s.set_body("Không dẫn văn bản nào");
  legal::AttachReferences(&s);
  ASSERT_EQ(s.references_size(), 0);
  const std::string bytes = CanonicalBytes(s, "MOH-1");
  EXPECT_EQ(bytes.find("references"), std::string::npos);
  EXPECT_NE(bytes.find("in_reply_to:0:\nkey_id:5:MOH-1\n"), std::string::npos);
}

// The follow-up fields are written only when set, in their place before key_id.
TEST(Signing, AFollowUpDeadlineAndThreadAreSignedOnlyWhenSet) {
  Statement s = Sample();
  const std::string plain = CanonicalBytes(s, "MOH-1");
  EXPECT_EQ(plain.find("follow"), std::string::npos);
  *s.mutable_follow_up_by() = ToProto(absl::FromUnixMillis(1790000000123));
  s.set_follows_up("st_01");
  const std::string bytes = CanonicalBytes(s, "MOH-1");
  EXPECT_NE(bytes.find("follow_up_by:13:1790000000123\nfollows_up:5:st_01\nkey_id:5:MOH-1\n"), std::string::npos)
      << bytes;
}

TEST(Signing, LengthPrefixesMakeTheFormUnambiguous) {
  Statement a = Sample(), b = Sample();
  a.set_headline("x\nbody:1:y");
  b.set_headline("x");
  b.set_body("y");
  EXPECT_NE(CanonicalBytes(a, "k"), CanonicalBytes(b, "k"));
}

TEST(Signing, KeyFilesRoundTrip) {
  const KeyFile key = GenerateKey("MOH", "MOH-2026-1", absl::FromUnixSeconds(1790000000));
  auto parsed = ParseKeyFile(FormatKeyFile(key));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->agency_code, "MOH");
  EXPECT_EQ(parsed->key_id, "MOH-2026-1");
  EXPECT_EQ(parsed->seed, key.seed);
  EXPECT_EQ(parsed->created, key.created);
  // Fractions of a second survive the round trip too.
  const KeyFile fractional = GenerateKey("MOH", "MOH-2026-2", absl::FromUnixMillis(1790000000500));
  auto reparsed = ParseKeyFile(FormatKeyFile(fractional));
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->created, fractional.created);
  EXPECT_FALSE(ParseKeyFile("agency=MOH\nkey_id=x\nseed=AAAA\n").ok());        // short seed
  EXPECT_FALSE(ParseKeyFile("agency=MOH\nseed=" + std::string(44, 'A')).ok());  // no key id
  EXPECT_FALSE(ParseKeyFile("what=ever\n").ok());
}

class SignerTest : public ::testing::Test {
 protected:
  void Add(const KeyFile& key) {
    std::ofstream(dir_.File(key.key_id + ".key")) << FormatKeyFile(key);
  }
  testing::TempDir dir_;
};

TEST_F(SignerTest, AKeyCreatedWithinThePublishMillisecondSignsIt) {
  // Publish times are kept to the millisecond (truncated); a key installed 0.6 ms into that
  // millisecond is already the agency's key for it.
  const absl::Time publish = absl::FromUnixMillis(1800000000000);
  Add(GenerateKey("MOH", "MOH-old", publish - absl::Hours(1)));
  Add(GenerateKey("MOH", "MOH-new", publish + absl::Microseconds(600)));
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok());
  Statement s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, publish).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-new");
}

TEST_F(SignerTest, SignsWithTheNewestKeyAndVerifiesOnlyTheExactStatement) {
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  Add(GenerateKey("MOH", "MOH-old", now - absl::Hours(48)));
  Add(GenerateKey("MOH", "MOH-new", now - absl::Hours(1)));
  Add(GenerateKey("MOH", "MOH-future", now + absl::Hours(1)));  // not valid yet
  Add(GenerateKey("MOF", "MOF-1", now - absl::Hours(1)));
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok()) << signer.status();
  Statement s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, now).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-new");
  EXPECT_EQ(s.signature().value().size(), 64u);
  const auto keys = (*signer)->PublicKeys();
  EXPECT_TRUE(Verify(s, keys).ok());

  Statement tampered = s;
  tampered.set_body(tampered.body() + " ");
  EXPECT_EQ(Verify(tampered, keys).code(), absl::StatusCode::kPermissionDenied);
  tampered = s;
  (*tampered.mutable_signature()->mutable_value())[10] ^= 1;
  EXPECT_FALSE(Verify(tampered, keys).ok());
  tampered = s;
  tampered.mutable_signature()->set_key_id("MOH-old");  // relabelled: the key id is signed too
  EXPECT_FALSE(Verify(tampered, keys).ok());
  // The references the wire read from the text are signed: a cited document changed,
  // added or removed is caught.
  ASSERT_EQ(s.references_size(), 1);
  tampered = s;
  tampered.mutable_references(0)->set_canonical("10/2017/NĐ-CP");
  EXPECT_EQ(Verify(tampered, keys).code(), absl::StatusCode::kPermissionDenied);
  tampered = s;
  tampered.clear_references();
  EXPECT_EQ(Verify(tampered, keys).code(), absl::StatusCode::kPermissionDenied);
  tampered = s;
  *tampered.add_references() = s.references(0);
  EXPECT_EQ(Verify(tampered, keys).code(), absl::StatusCode::kPermissionDenied);
  tampered = s;
  tampered.mutable_versioncreated()->set_seconds(6004146574274819712);  // beyond any Timestamp
  EXPECT_EQ(Verify(tampered, keys).code(), absl::StatusCode::kPermissionDenied);
  // Another agency's key, however valid, does not vouch for an MOH statement.
  Statement mof = Sample();
  mof.mutable_issuer()->set_agency_code("MOF");
  ASSERT_TRUE((*signer)->Sign(&mof, now).ok());
  mof.mutable_issuer()->set_agency_code("MOH");
  EXPECT_NE(Verify(mof, keys).message().find("belongs to MOF"), absl::string_view::npos);
  // Unsigned, and unknown keys.
  EXPECT_FALSE(Verify(Sample(), keys).ok());
  EXPECT_FALSE(Verify(s, {}).ok());
}

TEST_F(SignerTest, AgencyWithoutAKeyCannotPublishUntilOneIsInstalled) {
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok());
  Statement s = Sample();
  EXPECT_EQ((*signer)->Sign(&s, absl::Now()).code(), absl::StatusCode::kFailedPrecondition);
  Add(GenerateKey("MOH", "MOH-live", absl::Now() - absl::Minutes(1)));  // installed while running
  EXPECT_TRUE((*signer)->Sign(&s, absl::Now()).ok());
}

TEST_F(SignerTest, ABrokenKeyFileStopsStartButNotARunningSigner) {
  Add(GenerateKey("MOH", "MOH-live", absl::Now() - absl::Minutes(1)));
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok());
  // A half-written or broken file appears while running: the agencies with good keys go on.
  std::ofstream(dir_.File("MOF-new.key")) << "agency=MOF\nkey_id=MOF-new\nseed=short\n";
  Statement s = Sample();
  EXPECT_TRUE((*signer)->Sign(&s, absl::Now()).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-live");
  // At start the same file is a configuration error naming it.
  auto fresh = Signer::FromDirectory(dir_.path());
  ASSERT_FALSE(fresh.ok());
  EXPECT_NE(fresh.status().message().find("MOF-new.key"), std::string::npos) << fresh.status();
}

TEST_F(SignerTest, ARemovedKeyFileSignsNothingMore) {
  // An operator takes a key out (installed by mistake, or no longer trusted): the running
  // signer stops using it at once, as a restarted one would.
  const absl::Time now = absl::Now();
  Add(GenerateKey("MOH", "MOH-old", now - absl::Hours(48)));
  Add(GenerateKey("MOH", "MOH-new", now - absl::Hours(1)));
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok()) << signer.status();
  Statement s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, now).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-new");

  std::filesystem::remove(dir_.File("MOH-new.key"));
  s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, now).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-old");
  EXPECT_EQ((*signer)->PublicKeys().size(), 1u);

  std::filesystem::remove(dir_.File("MOH-old.key"));
  s = Sample();
  EXPECT_EQ((*signer)->Sign(&s, now).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SignerTest, AKeyIdKeepsItsKeyAndAFileBeingRewrittenKeepsItsKey) {
  const absl::Time now = absl::Now();
  const KeyFile original = GenerateKey("MOH", "MOH-1", now - absl::Hours(1));
  Add(original);
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::vector<AgencyKey> published = (*signer)->PublicKeys();

  // Another seed under the same key id (a key regenerated over the old file): statements
  // signed with it would not verify under the key the registry published for MOH-1, so
  // the id keeps its key.
  KeyFile regenerated = GenerateKey("MOH", "MOH-1", now - absl::Hours(1));
  ASSERT_NE(regenerated.seed, original.seed);
  std::ofstream(dir_.File("MOH-1.key")) << FormatKeyFile(regenerated) << "\n";  // another size too
  Statement s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, now).ok());
  EXPECT_EQ(s.signature().key_id(), "MOH-1");
  EXPECT_TRUE(Verify(s, published).ok());
  ASSERT_EQ((*signer)->PublicKeys().size(), 1u);
  EXPECT_EQ((*signer)->PublicKeys()[0].public_key(), published[0].public_key());

  // The file caught half-written: the agency's only key still signs.
  std::ofstream(dir_.File("MOH-1.key")) << "agency=MOH\nkey_id=MOH-1\nse";
  s = Sample();
  ASSERT_TRUE((*signer)->Sign(&s, now).ok());
  EXPECT_TRUE(Verify(s, published).ok());
}

TEST_F(SignerTest, ReadsAKubernetesSecretMountAndFollowsItsAtomicUpdates) {
  // The kubelet's layout of a mounted Secret: the files live in a timestamped directory,
  // "..data" links to it and each key is a link through "..data". An update writes a new
  // directory and swaps "..data" with one rename.
  namespace fs = std::filesystem;
  const fs::path root = dir_.path();
  auto write_version = [&](const std::string& version, const std::vector<KeyFile>& keys) {
    fs::create_directory(root / version);
    for (const auto& key : keys) std::ofstream(root / version / (key.key_id + ".key")) << FormatKeyFile(key);
    fs::create_directory_symlink(version, root / "..data_tmp");
    fs::rename(root / "..data_tmp", root / "..data");
    for (const auto& key : keys) {
      const fs::path link = root / (key.key_id + ".key");
      if (!fs::is_symlink(link)) fs::create_symlink(fs::path("..data") / (key.key_id + ".key"), link);
    }
  };
  const absl::Time now = absl::Now();
  const KeyFile first = GenerateKey("MOH", "MOH-1", now - absl::Hours(24));
  write_version("..2026_11_26_10_00_00.1", {first});
  auto signer = Signer::FromDirectory(dir_.path());
  ASSERT_TRUE(signer.ok()) << signer.status();
  Statement before = Sample();
  ASSERT_TRUE((*signer)->Sign(&before, now).ok());
  EXPECT_EQ(before.signature().key_id(), "MOH-1");

  // Rotation: the Secret gains MOH-2 and keeps MOH-1.
  write_version("..2026_11_26_11_00_00.2", {first, GenerateKey("MOH", "MOH-2", now - absl::Minutes(1))});
  Statement after = Sample();
  ASSERT_TRUE((*signer)->Sign(&after, now).ok());
  EXPECT_EQ(after.signature().key_id(), "MOH-2");
  const std::vector<AgencyKey> published = (*signer)->PublicKeys();
  EXPECT_EQ(published.size(), 2u);
  EXPECT_TRUE(Verify(before, published).ok());
  EXPECT_TRUE(Verify(after, published).ok());
}

}  // namespace
}  // namespace pressrelay::signing
