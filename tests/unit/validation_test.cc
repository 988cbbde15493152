// Every rule of statement validation: each bad draft is refused with INVALID_ARGUMENT
// naming the field, and text is normalised to NFC.
#include "services/common/domain/validation.h"

#include <gtest/gtest.h>

#include "services/common/base/status.h"
#include "services/common/base/time_util.h"

namespace pressrelay::validation {
namespace {

using pressrelay::distribution::v1::StatementDraft;

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

StatementDraft Valid() {
  StatementDraft d;
  d.set_agency_code("MOH");
  d.set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
  d.set_urgency(4);
  d.set_language("vi");
  d.set_headline("Bộ Y tế thông tin về tình hình dịch bệnh");
  d.set_body("Thực hiện Nghị định 09/2017/NĐ-CP, Bộ Y tế thông tin như sau.");
  return d;
}

// The field the status names, or "" if it is OK.
std::string Rejected(StatementDraft d) {
  absl::Status s = NormalizeDraft(&d, kNow);
  if (s.ok()) return "";
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return ErrorField(s);
}

TEST(Validation, AcceptsAValidDraft) { EXPECT_EQ(Rejected(Valid()), ""); }

TEST(Validation, AgencyCodeIsRequiredAndWellFormed) {
  auto d = Valid();
  d.clear_agency_code();
  EXPECT_EQ(Rejected(d), "draft.agency_code");
  d.set_agency_code("moh");
  EXPECT_EQ(Rejected(d), "draft.agency_code");
}

TEST(Validation, KindMustBeKnown) {
  auto d = Valid();
  d.set_kind(pressrelay::common::v1::STATEMENT_KIND_UNSPECIFIED);
  EXPECT_EQ(Rejected(d), "draft.kind");
  d.set_kind(static_cast<pressrelay::common::v1::StatementKind>(99));
  EXPECT_EQ(Rejected(d), "draft.kind");
}

TEST(Validation, UrgencyIsOneToNineAndDefaultsToFive) {
  auto d = Valid();
  d.set_urgency(10);
  EXPECT_EQ(Rejected(d), "draft.urgency");
  d.set_urgency(-1);
  EXPECT_EQ(Rejected(d), "draft.urgency");
  d.set_urgency(0);
  ASSERT_TRUE(NormalizeDraft(&d, kNow).ok());
  EXPECT_EQ(d.urgency(), 5);
}

TEST(Validation, LanguageIsViOrEn) {
  auto d = Valid();
  d.set_language("fr");
  EXPECT_EQ(Rejected(d), "draft.language");
  d.set_language("en");
  EXPECT_EQ(Rejected(d), "");
}

TEST(Validation, HeadlineRules) {
  auto d = Valid();
  d.clear_headline();
  EXPECT_EQ(Rejected(d), "draft.headline");
  d.set_headline(std::string(301, 'a'));
  EXPECT_EQ(Rejected(d), "draft.headline");
  d.set_headline(std::string(300, 'a'));
  EXPECT_EQ(Rejected(d), "");
  d.set_headline("dòng một\ndòng hai");
  EXPECT_EQ(Rejected(d), "draft.headline");  // no newlines in a headline
  d.set_headline(std::string("bad \xC3\x28 utf8"));
  EXPECT_EQ(Rejected(d), "draft.headline");
}

TEST(Validation, LengthsCountCharactersNotBytes) {
  auto d = Valid();
  std::string vietnamese;
  for (int i = 0; i < 300; ++i) vietnamese += "ộ";  // 3 bytes each
  d.set_headline(vietnamese);
  EXPECT_EQ(Rejected(d), "");
}

TEST(Validation, BodyIsRequiredAndBounded) {
  auto d = Valid();
  d.clear_body();
  EXPECT_EQ(Rejected(d), "draft.body");
  d.set_body(std::string(kBodyMaxBytes + 1, 'x'));
  EXPECT_EQ(Rejected(d), "draft.body");
  d.set_body("đoạn 1\n\nđoạn 2\tcó tab");
  EXPECT_EQ(Rejected(d), "");
  d.set_body(std::string("null \0 byte", 11));
  EXPECT_EQ(Rejected(d), "draft.body");
}

TEST(Validation, NormalisesVietnameseToNfc) {
  auto d = Valid();
  // "Nghị định" written with combining marks (NFD), as some keyboards produce.
  const std::string nfd = "Ngh\x69\xCC\xA3 \x64\xC4\x91\x69\xCC\xA3nh";
  d.set_headline("Ngh" "i\xCC\xA3" " \xC4\x91i\xCC\xA3nh");
  ASSERT_TRUE(NormalizeDraft(&d, kNow).ok());
  EXPECT_EQ(d.headline(), "Nghị định");
  EXPECT_EQ(ToNfc(nfd), ToNfc(ToNfc(nfd)));
}

TEST(Validation, AnswerNamesTheQuestion) {
  auto d = Valid();
  d.set_kind(pressrelay::common::v1::STATEMENT_KIND_ANSWER);
  EXPECT_EQ(Rejected(d), "draft.in_reply_to");
  d.set_in_reply_to("Câu hỏi của báo Tuổi Trẻ ngày 3/3");
  EXPECT_EQ(Rejected(d), "");
}

TEST(Validation, SubjectsAndRegion) {
  auto d = Valid();
  d.add_subjects()->set_code("Health");
  EXPECT_EQ(Rejected(d), "draft.subjects[0].code");
  d.mutable_subjects(0)->set_code("medtop:07000000");
  EXPECT_EQ(Rejected(d), "");
  for (int i = 0; i < kSubjectsMax; ++i) d.add_subjects()->set_code("health");
  EXPECT_EQ(Rejected(d), "draft.subjects");
  d.clear_subjects();
  d.mutable_located()->set_region_code("HN");
  EXPECT_EQ(Rejected(d), "draft.located.region_code");
  d.mutable_located()->set_region_code("VN-HN");
  EXPECT_EQ(Rejected(d), "");
}

TEST(Validation, AttachmentsAreHttpsWithHash) {
  auto d = Valid();
  auto* a = d.add_attachments();
  a->set_href("https://moh.gov.vn/documents/quyet-dinh.pdf");
  a->set_media_type("application/pdf");
  a->set_size_bytes(1024);
  a->set_sha256(std::string(64, 'a'));
  EXPECT_EQ(Rejected(d), "");
  a->set_href("http://moh.gov.vn/x.pdf");
  EXPECT_EQ(Rejected(d), "draft.attachments[0].href");
  a->set_href("https://moh.gov.vn/x y.pdf");
  EXPECT_EQ(Rejected(d), "draft.attachments[0].href");
  a->set_href("https://moh.gov.vn/x.pdf");
  a->set_sha256("ABC");
  EXPECT_EQ(Rejected(d), "draft.attachments[0].sha256");
  a->set_sha256(std::string(64, 'a'));
  a->set_media_type("pdf");
  EXPECT_EQ(Rejected(d), "draft.attachments[0].media_type");
  a->set_media_type("application/pdf");
  a->set_size_bytes(-1);
  EXPECT_EQ(Rejected(d), "draft.attachments[0].size_bytes");
}

TEST(Validation, EmbargoIsSane) {
  auto d = Valid();
  *d.mutable_embargoed() = ToProto(kNow - absl::Hours(1));
  EXPECT_EQ(Rejected(d), "draft.embargoed");
  *d.mutable_embargoed() = ToProto(kNow + absl::Hours(24 * 400));
  EXPECT_EQ(Rejected(d), "draft.embargoed");
  *d.mutable_embargoed() = ToProto(kNow + absl::Hours(1));
  EXPECT_EQ(Rejected(d), "");
}

TEST(Validation, SummaryAndInReplyToAreBounded) {
  auto d = Valid();
  d.set_summary(std::string(kSummaryMax + 1, 's'));
  EXPECT_EQ(Rejected(d), "draft.summary");
  d.set_summary("Tóm tắt\nhai dòng");  // a summary may have paragraphs
  EXPECT_EQ(Rejected(d), "");
  d.set_summary("chuông \x07");
  EXPECT_EQ(Rejected(d), "draft.summary");
  d.clear_summary();
  d.set_in_reply_to(std::string(kInReplyToMax + 1, 'q'));
  EXPECT_EQ(Rejected(d), "draft.in_reply_to");
}

TEST(Validation, ControlCharactersAreRefusedInEveryText) {
  for (const std::string& text : {std::string("a\x01b"), std::string("a\x7f" "b"), std::string("a\x1b[31mb")}) {
    auto d = Valid();
    d.set_headline(text);
    EXPECT_EQ(Rejected(d), "draft.headline") << text;
    d = Valid();
    d.add_subjects()->set_code("health");
    d.mutable_subjects(0)->set_name(text);
    EXPECT_EQ(Rejected(d), "draft.subjects[0].name") << text;
    d = Valid();
    d.mutable_located()->set_name(text);
    EXPECT_EQ(Rejected(d), "draft.located.name") << text;
  }
}

TEST(Validation, NamesAreBounded) {
  auto d = Valid();
  d.add_subjects()->set_code("health");
  d.mutable_subjects(0)->set_name(std::string(kNameMax + 1, 'n'));
  EXPECT_EQ(Rejected(d), "draft.subjects[0].name");
  d.mutable_subjects(0)->set_name(std::string(kNameMax, 'n'));
  EXPECT_EQ(Rejected(d), "");
  d.mutable_located()->set_name(std::string(kNameMax + 1, 'n'));
  EXPECT_EQ(Rejected(d), "draft.located.name");
  d.mutable_located()->set_name("Hà Nội");
  d.add_subjects()->set_code(std::string(65, 'a'));
  EXPECT_EQ(Rejected(d), "draft.subjects[1].code");
}

TEST(Validation, AttachmentLimits) {
  auto d = Valid();
  auto attach = [&d] {
    auto* a = d.add_attachments();
    a->set_href("https://moh.gov.vn/documents/quyet-dinh.pdf");
    a->set_media_type("application/pdf");
    a->set_size_bytes(1024);
    a->set_sha256(std::string(64, 'a'));
    return a;
  };
  for (int i = 0; i < kAttachmentsMax; ++i) attach();
  EXPECT_EQ(Rejected(d), "");
  attach();
  EXPECT_EQ(Rejected(d), "draft.attachments");
  d.clear_attachments();
  auto* a = attach();
  a->set_href("https://moh.gov.vn/" + std::string(kHrefMax, 'x'));
  EXPECT_EQ(Rejected(d), "draft.attachments[0].href");
  a->set_href("https://user@moh.gov.vn/x.pdf");  // credentials in a link
  EXPECT_EQ(Rejected(d), "draft.attachments[0].href");
  a->set_href("https:///x.pdf");  // no host
  EXPECT_EQ(Rejected(d), "draft.attachments[0].href");
  a->set_href("https://moh.gov.vn/x.pdf");
  a->set_size_bytes(kAttachmentMaxBytes + 1);
  EXPECT_EQ(Rejected(d), "draft.attachments[0].size_bytes");
  a->set_size_bytes(kAttachmentMaxBytes);
  EXPECT_EQ(Rejected(d), "");
  a->set_sha256(std::string(64, 'A'));  // upper case is not the canonical form
  EXPECT_EQ(Rejected(d), "draft.attachments[0].sha256");
  a->set_sha256(std::string(64, 'a'));
  a->set_title(std::string(kNameMax + 1, 't'));
  EXPECT_EQ(Rejected(d), "draft.attachments[0].title");
}

TEST(Validation, EmbargoMustBeARealTime) {
  auto d = Valid();
  d.mutable_embargoed()->set_seconds(ToUnixSeconds(kNow + absl::Hours(1)));
  d.mutable_embargoed()->set_nanos(-1);
  EXPECT_EQ(Rejected(d), "draft.embargoed");
  d.mutable_embargoed()->set_nanos(1000000000);
  EXPECT_EQ(Rejected(d), "draft.embargoed");
  d.mutable_embargoed()->set_seconds(int64_t{253402300800});  // year 10000
  d.mutable_embargoed()->set_nanos(0);
  EXPECT_EQ(Rejected(d), "draft.embargoed");
  // Kept to the millisecond, as the wire signs it.
  d.mutable_embargoed()->set_seconds(ToUnixSeconds(kNow + absl::Hours(1)));
  d.mutable_embargoed()->set_nanos(123456789);
  ASSERT_EQ(Rejected(d), "");
  ASSERT_TRUE(NormalizeDraft(&d, kNow).ok());
  EXPECT_EQ(d.embargoed().nanos(), 123000000);
}

TEST(Validation, ReportsEveryViolation) {
  StatementDraft d;
  absl::Status s = NormalizeDraft(&d, kNow);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  // agency_code, kind, language, headline, body
  EXPECT_NE(s.message().find("(and 4 more)"), absl::string_view::npos) << s;
}

TEST(Validation, Identifiers) {
  EXPECT_TRUE(IsAgencyCode("UBND-HN"));
  EXPECT_FALSE(IsAgencyCode("X"));
  EXPECT_TRUE(IsSlugId("tuoitre-cms"));
  EXPECT_FALSE(IsSlugId("Tuoi Tre"));
  EXPECT_TRUE(IsRegionCode("VN-44"));
  EXPECT_FALSE(IsRegionCode("VN-"));
  EXPECT_TRUE(IsTopicCode("health"));
  EXPECT_FALSE(IsTopicCode(""));
}

}  // namespace
}  // namespace pressrelay::validation
