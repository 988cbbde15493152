// References to legal documents in real Vietnamese text, each written variant, and dates.
#include "services/common/domain/legal_refs.h"

#include <gtest/gtest.h>

#include "services/common/domain/validation.h"

namespace pressrelay::legal {
namespace {

std::vector<std::string> Canonicals(absl::string_view text) {
  std::vector<std::string> out;
  for (const auto& r : FindLegalRefs(text)) out.push_back(r.canonical);
  return out;
}

// In the words of Directive 07/CT-TTg (2023) on policy communication.
constexpr absl::string_view kDirective07 =
    "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, Ủy ban nhân dân các tỉnh, thành phố trực thuộc "
    "trung ương thực hiện nghiêm các quy định của Luật Báo chí, Luật Tiếp cận thông tin, Nghị định số "
    "09/2017/NĐ-CP ngày 17 tháng 02 năm 2017 của Chính phủ quy định chi tiết việc phát ngôn và cung cấp "
    "thông tin cho báo chí của các cơ quan hành chính nhà nước, Quyết định số 407/QĐ-TTg ngày 30/3/2022 "
    "của Thủ tướng Chính phủ phê duyệt Đề án \"Tổ chức các hoạt động truyền thông chính sách có tác động "
    "lớn đến xã hội trong quá trình xây dựng văn bản quy phạm pháp luật giai đoạn 2022 - 2027\".";

TEST(LegalRefs, ADirectiveCitingTwoLawsADecreeAndADecision) {
  const auto refs = FindLegalRefs(kDirective07);
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].canonical, "103/2016/QH13");
  EXPECT_EQ(refs[0].name, "Luật Báo chí");
  EXPECT_EQ(refs[0].kind, DocKind::kLaw);
  EXPECT_EQ(refs[1].canonical, "104/2016/QH13");
  EXPECT_EQ(refs[1].name, "Luật Tiếp cận thông tin");
  EXPECT_EQ(refs[2].canonical, "09/2017/NĐ-CP");
  EXPECT_EQ(refs[2].kind, DocKind::kDecree);
  EXPECT_EQ(refs[2].number, "09");
  EXPECT_EQ(refs[2].year, 2017);
  EXPECT_EQ(refs[2].kind_code, "NĐ");
  EXPECT_EQ(refs[2].issuer, "CP");
  EXPECT_EQ(refs[2].issued_on, "2017-02-17");
  EXPECT_EQ(kDirective07.substr(refs[2].begin, refs[2].end - refs[2].begin), "09/2017/NĐ-CP");
  EXPECT_EQ(refs[3].canonical, "407/QĐ-TTg");
  EXPECT_EQ(refs[3].kind, DocKind::kDecision);
  EXPECT_EQ(refs[3].year, 0);  // administrative: told apart by its date
  EXPECT_EQ(refs[3].issued_on, "2022-03-30");
  EXPECT_EQ(kDirective07.substr(refs[0].begin, refs[0].end - refs[0].begin), "Luật Báo chí");
}

TEST(LegalRefs, BothOfficialFormsOfEveryKind) {
  EXPECT_EQ(Canonicals("Thông tư 63/2023/TT-BTC hướng dẫn"), std::vector<std::string>{"63/2023/TT-BTC"});
  EXPECT_EQ(Canonicals("Luật số 103/2016/QH13"), std::vector<std::string>{"103/2016/QH13"});
  EXPECT_EQ(Canonicals("theo 01/2014/TTLT-BTP-BTC"), std::vector<std::string>{"01/2014/TTLT-BTP-BTC"});
  EXPECT_EQ(Canonicals("Chỉ thị 07/CT-TTg"), std::vector<std::string>{"07/CT-TTg"});
  EXPECT_EQ(Canonicals("Nghị quyết 175/NQ-CP"), std::vector<std::string>{"175/NQ-CP"});
  EXPECT_EQ(Canonicals("Công điện 13/CĐ-TTg"), std::vector<std::string>{"13/CĐ-TTg"});
  EXPECT_EQ(Canonicals("Thông báo 114/TB-VPCP"), std::vector<std::string>{"114/TB-VPCP"});
  const auto letter = FindLegalRefs("Công văn số 73/TTg-CN của Thủ tướng");
  ASSERT_EQ(letter.size(), 1u);
  EXPECT_EQ(letter[0].canonical, "73/TTg-CN");
  EXPECT_EQ(letter[0].kind, DocKind::kOfficialLetter);
  EXPECT_EQ(letter[0].issuer, "TTg");
  EXPECT_EQ(letter[0].unit, "CN");
  const auto joint = FindLegalRefs("01/2014/TTLT-BTP-BTC");
  EXPECT_EQ(joint[0].kind, DocKind::kJointCircular);
  EXPECT_EQ(joint[0].issuer, "BTP-BTC");
}

TEST(LegalRefs, TheVariantsOfRealTextGiveOneCanonicalForm) {
  // ASCII D, Ð (U+00D0) typed for Đ (U+0110), lower case, spaces and en/em dashes around the
  // separators, the year joined by a dash, a one-digit number.
  for (absl::string_view typed :
       {"09/2017/NĐ-CP", "09/2017/ND-CP", "09/2017/nd-cp", "09/2017/N\u00d0-CP", "09/2017/nđ-cp",
        "09 / 2017 / NĐ - CP", "09/2017/NĐ\u2013CP", "09/2017/NĐ \u2014 CP", "09/2017-ND-CP", "9/2017/NĐ-CP"}) {
    EXPECT_EQ(CanonicalRef(typed), "09/2017/NĐ-CP") << typed;
  }
  EXPECT_EQ(CanonicalRef("407/qd-ttg"), "407/QĐ-TTg");
  EXPECT_EQ(CanonicalRef("07/ct-TTG"), "07/CT-TTg");
  EXPECT_EQ(CanonicalRef("13/CD-TTg"), "13/CĐ-TTg");
  // Not references: dates, fractions, unknown codes, a kind without its issuer, a number glued
  // to the word before it.
  for (absl::string_view not_a_ref : {"30/3/2022", "1/2", "12/ABC", "09/2017/XY-CP", "07/CT", "a09/2017/NĐ-CP"}) {
    EXPECT_EQ(CanonicalRef(not_a_ref), "") << not_a_ref;
  }
}

TEST(LegalRefs, AKindAndNumberAloneTakeTheFullFormCitedNearby) {
  const auto refs = FindLegalRefs("Nghị định số 09/2017/NĐ-CP quy định ... Theo Nghị định số 09, người phát ngôn ...");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[1].canonical, "09/2017/NĐ-CP");
  const auto alone = FindLegalRefs("theo nghị định số 9 của Chính phủ");
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].canonical, "NĐ số 09");
  EXPECT_EQ(alone[0].kind, DocKind::kDecree);
}

TEST(LegalRefs, ANamedLawWithItsNumberIsOneReference) {
  const auto refs = FindLegalRefs("Luật Báo chí số 103/2016/QH13 ngày 05/4/2016");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].canonical, "103/2016/QH13");
  EXPECT_EQ(refs[0].name, "Luật Báo chí");
  EXPECT_EQ(refs[0].issued_on, "2016-04-05");
  EXPECT_EQ(refs[0].begin, 0u);
}

TEST(LegalRefs, NfdInputFindsTheSameOnceNormalised) {
  const std::string nfd = "Lu\u1eadt Ba\u0301o chi\u0301 va\u0300 Nghi\u0323 \u0111i\u0323nh 09/2017/ND-CP";
  const std::string nfc = validation::ToNfc(nfd);
  EXPECT_EQ(Canonicals(nfc), (std::vector<std::string>{"103/2016/QH13", "09/2017/NĐ-CP"}));
}

}  // namespace
}  // namespace pressrelay::legal
