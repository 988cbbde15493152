// Vietnamese folding for search and Vietnamese collation, on real statement text.
#include "services/common/domain/vn_text.h"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace pressrelay::vntext {
namespace {

using Strings = std::vector<std::string>;

// The text in another normalisation form, through ICU (independent of the code under test).
std::string Normalized(absl::string_view text, bool decompose) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      decompose ? icu::Normalizer2::getNFDInstance(status) : icu::Normalizer2::getNFCInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  icu::UnicodeString out = n->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))), status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

std::vector<std::string> Terms(absl::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(text)) out.push_back(t.term);
  return out;
}

// From Directive 07/CT-TTg (2023) on policy communication.
constexpr absl::string_view kDirective07 =
    "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, Ủy ban nhân dân các tỉnh, thành phố trực thuộc "
    "trung ương thực hiện nghiêm các quy định của Luật Báo chí, Luật Tiếp cận thông tin, Nghị định số "
    "09/2017/NĐ-CP ngày 17 tháng 02 năm 2017 của Chính phủ quy định chi tiết việc phát ngôn và cung cấp "
    "thông tin cho báo chí của các cơ quan hành chính nhà nước, Quyết định số 407/QĐ-TTg ngày 30/3/2022 "
    "của Thủ tướng Chính phủ phê duyệt Đề án \"Tổ chức các hoạt động truyền thông chính sách có tác động "
    "lớn đến xã hội trong quá trình xây dựng văn bản quy phạm pháp luật giai đoạn 2022 - 2027\".";

TEST(VnFold, StatementTextFoldsToAscii) {
  EXPECT_EQ(Fold("truyền thông chính sách"), "truyen thong chinh sach");
  EXPECT_EQ(Fold("Ủy ban nhân dân thành phố Hồ Chí Minh"), "uy ban nhan dan thanh pho ho chi minh");
  EXPECT_EQ(Fold("Bộ Thông tin và Truyền thông"), "bo thong tin va truyen thong");
  const std::string folded = Fold(kDirective07);
  EXPECT_TRUE(std::all_of(folded.begin(), folded.end(), [](char c) { return c > 0 && c < 0x80; }))
      << folded;
  EXPECT_EQ(folded.substr(0, 58), "cac bo co quan ngang bo co quan thuoc chinh phu uy ban nha");
}

// Every letter of the alphabet, with every tone, upper and lower case.
TEST(VnFold, EveryVietnameseLetterFoldsToItsBase) {
  const std::string lower =
      "aàảãáạ ăằẳẵắặ âầẩẫấậ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ uùủũúụ ưừửữứự yỳỷỹýỵ đ";
  const std::string upper =
      "AÀẢÃÁẠ ĂẰẲẴẮẶ ÂẦẨẪẤẬ EÈẺẼÉẸ ÊỀỂỄẾỆ IÌỈĨÍỊ OÒỎÕÓỌ ÔỒỔỖỐỘ ƠỜỞỠỚỢ UÙỦŨÚỤ ƯỪỬỮỨỰ YỲỶỸÝỴ Đ";
  const std::string want = "aaaaaa aaaaaa aaaaaa eeeeee eeeeee iiiiii oooooo oooooo oooooo uuuuuu uuuuuu "
                           "yyyyyy d";
  EXPECT_EQ(Fold(lower), want);
  EXPECT_EQ(Fold(upper), want);
  EXPECT_EQ(Fold(Normalized(lower, /*decompose=*/true)), want);
  EXPECT_EQ(Fold(Normalized(upper, /*decompose=*/true)), want);
  EXPECT_EQ(absl::StrJoin(FoldedTerms(lower), " "), want);
  EXPECT_EQ(absl::StrJoin(FoldedTerms(Normalized(upper, true)), " "), want);
}

TEST(VnFold, NfcAndNfdFoldAlike) {
  // Decomposed by hand: base letter, then combining code points.
  EXPECT_EQ(Fold("ho\u0300a"), Fold("hòa"));
  EXPECT_EQ(Fold("hoa\u0300"), Fold("hoà"));
  EXPECT_EQ(Fold("Vie\u0323\u0302t Nam"), Fold("Việt Nam"));
  EXPECT_EQ(Fold("Vie\u0302\u0323t Nam"), Fold("Việt Nam"));  // marks out of canonical order
  EXPECT_EQ(Fold("\u0110a\u0300 Na\u0306\u0303ng"), Fold("Đà Nẵng"));
  EXPECT_EQ(Fold("Thu\u0309 tu\u031Bo\u031B\u0301ng Chi\u0301nh phu\u0309"), Fold("Thủ tướng Chính phủ"));
  EXPECT_EQ(Fold("Thu\u0309 tu\u031Bo\u031B\u0301ng"), "thu tuong");
  // A whole statement in NFD, and in NFC again.
  EXPECT_EQ(Fold(Normalized(kDirective07, /*decompose=*/true)), Fold(kDirective07));
  EXPECT_EQ(Fold(Normalized(Normalized(kDirective07, true), false)), Fold(kDirective07));
  // Hangul decomposes to jamo in NFD; folding composes it back.
  EXPECT_EQ(Fold(Normalized("한국 대사관", true)), "한국 대사관");
  // Tokenize takes NFC, but decomposed Vietnamese gives the same terms (marks join the word).
  EXPECT_EQ(FoldedTerms(Normalized(kDirective07, true)), FoldedTerms(kDirective07));
}

TEST(VnFold, TonePlacementVariantsFoldEqual) {
  EXPECT_EQ(Fold("hoà"), Fold("hòa"));
  EXPECT_EQ(Fold("hoá"), Fold("hóa"));
  EXPECT_EQ(Fold("thuỷ"), Fold("thủy"));
  EXPECT_EQ(Fold("khoẻ"), Fold("khỏe"));
  EXPECT_EQ(Fold("Uỷ ban"), Fold("Ủy ban"));
  EXPECT_EQ(Fold("quý"), Fold("qúy"));  // same letters q-u-y, tone on another vowel
  EXPECT_EQ(Fold("Thuận Hoá"), "thuan hoa");
  // "quý" and "quí" spell the same word with different letters (y, i): folding keeps them
  // apart, as it keeps "Mỹ" and "Mĩ" apart.
  EXPECT_NE(Fold("quý"), Fold("quí"));
  EXPECT_NE(Fold("Mỹ"), Fold("Mĩ"));
}

TEST(VnFold, DWithStrokeFoldsToD) {
  EXPECT_EQ(Fold("Đà Nẵng"), "da nang");
  EXPECT_EQ(Fold("đ"), "d");
  EXPECT_EQ(Fold("Đ"), "d");           // U+0110
  EXPECT_EQ(Fold("\u00D0"), "d");      // Ð, ETH, often typed for Đ
  EXPECT_EQ(Fold("ÐÀ NẴNG"), "da nang");
  EXPECT_EQ(Fold("Điện Biên"), Fold("Dien Bien"));
  EXPECT_EQ(Fold("đường"), Fold("DUONG"));
}

TEST(VnFold, UpperCase) {
  EXPECT_EQ(Fold("CHÍNH PHỦ"), "chinh phu");
  EXPECT_EQ(Fold("ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"), "uy ban nhan dan tinh quang ninh");
  EXPECT_EQ(Fold("THÔNG CÁO BÁO CHÍ"), Fold("Thông cáo báo chí"));
}

TEST(VnFold, PunctuationBecomesOneSpaceAndIsTrimmed) {
  EXPECT_EQ(Fold("  — “Luật Báo chí” (2016)…  "), "luat bao chi 2016");
  EXPECT_EQ(Fold("Hà Nội,\tngày 17/02/2017\n"), "ha noi ngay 17 02 2017");
  EXPECT_EQ(Fold("tăng 0,5%; giảm 45,2%"), "tang 0 5 giam 45 2");
  EXPECT_EQ(Fold(""), "");
  EXPECT_EQ(Fold(" -–— "), "");
  EXPECT_TRUE(Tokenize("").empty());
  EXPECT_TRUE(Tokenize("…, “ ”").empty());
}

TEST(VnFold, LegalNumbersSplitIntoTheirParts) {
  EXPECT_EQ(Terms("09/2017/NĐ-CP"), (Strings{"09", "2017", "nd", "cp"}));
  EXPECT_EQ(Terms("Quyết định số 407/QĐ-TTg"), (Strings{"quyet", "dinh", "so", "407", "qd", "ttg"}));
  EXPECT_EQ(Fold("09/2017/ND-CP"), Fold("09/2017/NĐ-CP"));  // typed without Đ
}

TEST(VnFold, CompatibilityFormsAndOtherScripts) {
  EXPECT_EQ(Fold("ＣＯＶＩＤ－１９"), "covid 19");  // full-width
  EXPECT_EQ(Fold("ﬁnal"), "final");             // ligature
  EXPECT_EQ(Fold("Straße"), "strasse");          // full case folding
  EXPECT_EQ(Fold("Москва"), "москва");
  EXPECT_EQ(Fold("Ελληνικά"), "ελληνικα");
  EXPECT_EQ(Fold("北京 — 서울"), "北京 서울");
}

TEST(VnFold, JoinersStayInsideAWordAndZeroWidthSpaceSplits) {
  EXPECT_EQ(Fold("phát\u00ADngôn"), "phatngon");  // soft hyphen
  EXPECT_EQ(Fold("phát\u200Bngôn"), "phat ngon");
}

TEST(VnFold, InvalidUtf8IsASeparator) {
  EXPECT_EQ(Fold("h\xC3\xB2" "a\xFF\xFEnam\xE1\xBB"), "hoa nam");
  EXPECT_EQ(Terms("h\xC3\xB2" "a\xFF\xFEnam\xE1\xBB"), (Strings{"hoa", "nam"}));
}

TEST(VnTokenize, SpansPointAtTheOriginalBytes) {
  const std::string text = "Đà Nẵng, 09/2017/NĐ-CP: “Thủ tướng”";
  const std::vector<Token> tokens = Tokenize(text);
  ASSERT_EQ(tokens.size(), 8u);
  std::vector<std::string> spans;
  for (const Token& t : tokens) spans.push_back(text.substr(t.begin, t.end - t.begin));
  EXPECT_EQ(spans, (Strings{"Đà", "Nẵng", "09", "2017", "NĐ", "CP", "Thủ", "tướng"}));
  EXPECT_EQ(Terms(text), (Strings{"da", "nang", "09", "2017", "nd", "cp", "thu", "tuong"}));
  EXPECT_EQ(tokens[0].begin, 0u);
  EXPECT_EQ(tokens[0].end, 4u);  // Đ and à, two bytes each
  EXPECT_EQ(tokens[1].begin, 5u);
  EXPECT_EQ(tokens[1].end, 11u);  // N, ẵ (three bytes), n, g
}

TEST(VnTokenize, SpansOfDecomposedTextIncludeTheMarks) {
  const std::string text = "ho\u0300a, hoa\u0300 nam";
  const std::vector<Token> tokens = Tokenize(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].term, "hoa");
  EXPECT_EQ(text.substr(tokens[0].begin, tokens[0].end - tokens[0].begin), "ho\u0300a");
  EXPECT_EQ(tokens[1].term, "hoa");
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "hoa\u0300");
  EXPECT_EQ(text.substr(tokens[2].begin, tokens[2].end - tokens[2].begin), "nam");
}

TEST(VnTokenize, TermsAreFoldsWords) {
  EXPECT_EQ(absl::StrJoin(FoldedTerms(kDirective07), " "), Fold(kDirective07));
  EXPECT_EQ(FoldedTerms(kDirective07), Terms(kDirective07));
  const std::vector<Token> tokens = Tokenize(kDirective07);
  for (const Token& t : tokens) {
    EXPECT_EQ(Fold(kDirective07.substr(t.begin, t.end - t.begin)), t.term);
  }
}

// ---- Collation ----

const std::vector<std::string> kPlaces = {"Đà Nẵng", "Dương", "An Giang", "Ăn", "Bắc Ninh",
                                          "Cà Mau", "Hà Nội", "Hải Phòng"};

TEST(VnCollation, SortsPlacesInVietnameseOrder) {
  ASSERT_FALSE(Collation::Vietnamese().byte_order()) << "ICU has no collator for \"vi\"";
  std::vector<std::string> places = kPlaces;
  SortVietnamese(&places);
  // What ICU's "vi" collation gives: Ă after A, Đ after D, B before Ă.
  EXPECT_EQ(places,
            (Strings{"An Giang", "Ăn", "Bắc Ninh", "Cà Mau", "Dương", "Đà Nẵng", "Hà Nội", "Hải Phòng"}));
  // Byte order puts Ă and Đ (leading byte 0xC4) after every ASCII letter.
  std::vector<std::string> bytes = kPlaces;
  std::sort(bytes.begin(), bytes.end());
  EXPECT_EQ(bytes,
            (Strings{"An Giang", "Bắc Ninh", "Cà Mau", "Dương", "Hà Nội", "Hải Phòng", "Ăn", "Đà Nẵng"}));
  EXPECT_NE(places, bytes);
}

TEST(VnCollation, TheAlphabetInOrder) {
  const Collation& c = Collation::Vietnamese();
  ASSERT_FALSE(c.byte_order());
  const std::vector<std::string> alphabet = {"a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g",
                                             "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p",
                                             "q", "r", "s", "t", "u", "ư", "v", "x", "y"};
  for (size_t i = 0; i + 1 < alphabet.size(); ++i) {
    EXPECT_TRUE(c.Less(alphabet[i], alphabet[i + 1])) << alphabet[i] << " < " << alphabet[i + 1];
    EXPECT_FALSE(c.Less(alphabet[i + 1], alphabet[i])) << alphabet[i + 1] << " !< " << alphabet[i];
  }
  // Letters decide before tones: "đá" after "dạ"; ă after every toned a.
  EXPECT_TRUE(c.Less("dạ", "đá"));
  EXPECT_TRUE(c.Less("ạ", "ă"));
  // Tones in the order ICU (CLDR vi) gives: none, huyền, hỏi, ngã, sắc, nặng; case after tones.
  const std::vector<std::string> tones = {"a", "A", "à", "ả", "ã", "á", "ạ"};
  for (size_t i = 0; i + 1 < tones.size(); ++i) {
    EXPECT_TRUE(c.Less(tones[i], tones[i + 1])) << tones[i] << " < " << tones[i + 1];
  }
}

TEST(VnCollation, SortKeysOrderAsLess) {
  const Collation& c = Collation::Vietnamese();
  std::vector<std::string> words = absl::StrSplit(std::string(kDirective07), ' ');
  words.push_back("ho\u0300a");  // NFD: the collator holds it equal to "hòa"; bytes decide
  words.push_back("hòa");
  words.push_back("");
  std::vector<std::string> by_less = words;
  std::sort(by_less.begin(), by_less.end(),
            [&](const std::string& a, const std::string& b) { return c.Less(a, b); });
  std::vector<std::string> by_key = words;
  std::sort(by_key.begin(), by_key.end(),
            [&](const std::string& a, const std::string& b) { return c.SortKey(a) < c.SortKey(b); });
  EXPECT_EQ(by_less, by_key);
  std::vector<std::string> sorted = words;
  SortVietnamese(&sorted);
  EXPECT_EQ(sorted, by_less);
  // Equal to the collator, still a strict order.
  EXPECT_NE(c.Less("ho\u0300a", "hòa"), c.Less("hòa", "ho\u0300a"));
  EXPECT_FALSE(c.Less("hòa", "hòa"));
  EXPECT_EQ(c.SortKey("hòa"), c.SortKey("hòa"));
}

TEST(VnCollation, OneInstanceSharedByThreads) {
  std::vector<std::string> want = kPlaces;
  SortVietnamese(&want);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) {
    threads.emplace_back([&g] {
      for (int i = 0; i < 200; ++i) {
        g = kPlaces;
        std::reverse(g.begin(), g.end());
        const Collation& c = Collation::Vietnamese();
        std::sort(g.begin(), g.end(),
                  [&](const std::string& a, const std::string& b) { return c.Less(a, b); });
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, want);
}

}  // namespace
}  // namespace pressrelay::vntext
