// The detector works on a stream of symbols, one per code point, each knowing its bytes in
// the text: letters folded for codes (upper case, every D-with-stroke as Đ), dashes as '-',
// spaces as ' ', and a lower-case form for matching words ("nghị định", "ngày").
#include "services/common/domain/legal_refs.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace pressrelay::legal {
namespace {

constexpr UChar32 kDStroke = 0x0110;  // Đ

struct Sym {
  UChar32 code;   // folded for codes: upper case, Đ for Đ/đ/Ð/ð, '-' for dashes, ' ' for spaces
  UChar32 lower;  // lower case, for words
  size_t begin;
  size_t end;
};

std::vector<Sym> Symbols(absl::string_view text) {
  std::vector<Sym> out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t begin = i;
    UChar32 c = 0;
    U8_NEXT(s, i, length, c);
    if (c < 0) c = 0xFFFD;
    UChar32 code = u_toupper(c);
    if (c == 0x0110 || c == 0x0111 || c == 0x00D0 || c == 0x00F0) code = kDStroke;
    if (c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013 || c == 0x2014 || c == 0x2212) code = '-';
    if (c == '\t' || c == 0x00A0 || c == 0x202F) code = ' ';
    UChar32 lower = u_tolower(c);
    if (code == ' ') lower = ' ';
    out.push_back(Sym{code, lower, static_cast<size_t>(begin), static_cast<size_t>(i)});
  }
  return out;
}

bool IsDigit(UChar32 c) { return c >= '0' && c <= '9'; }
bool IsCodeLetter(UChar32 c) { return (c >= 'A' && c <= 'Z') || c == kDStroke; }
bool IsWordChar(UChar32 c) { return u_isalnum(c) != 0; }

size_t SkipSpaces(const std::vector<Sym>& s, size_t i) {
  while (i < s.size() && s[i].code == ' ') ++i;
  return i;
}

// Reads up to `max` digits at i; returns how many.
size_t Digits(const std::vector<Sym>& s, size_t i, size_t max, std::string* out) {
  size_t n = 0;
  while (i + n < s.size() && IsDigit(s[i + n].code) && n < max) {
    out->push_back(static_cast<char>(s[i + n].code));
    ++n;
  }
  return n;
}

void AppendUtf8(std::string* out, UChar32 c) {
  char buf[4];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, c, error);
  if (!error) out->append(buf, static_cast<size_t>(len));
}

// A code word: letters (then digits: QH13), folded; empty if none at i.
size_t CodeWord(const std::vector<Sym>& s, size_t i, std::string* out) {
  size_t n = 0;
  while (i + n < s.size() && IsCodeLetter(s[i + n].code) && n < 10) AppendUtf8(out, s[i + n++].code);
  if (n == 0) return 0;
  while (i + n < s.size() && IsDigit(s[i + n].code) && n < 12) AppendUtf8(out, s[i + n++].code);
  // A code word ends at a word boundary (so "07/CT-TTg2" or "9/2017/NĐ-CPabc" is not read short).
  if (i + n < s.size() && IsWordChar(s[i + n].code)) return 0;
  return n;
}

struct KindCode {
  absl::string_view code;
  DocKind kind;
};
constexpr KindCode kKindCodes[] = {
    {"NĐ", DocKind::kDecree},   {"QĐ", DocKind::kDecision},       {"CT", DocKind::kDirective},
    {"TT", DocKind::kCircular}, {"TTLT", DocKind::kJointCircular}, {"NQ", DocKind::kResolution},
    {"TB", DocKind::kNotice},   {"CĐ", DocKind::kTelegram},       {"KH", DocKind::kPlan},
    {"HD", DocKind::kGuidance},
};

std::optional<DocKind> KindOfCode(const std::string& code) {
  for (const auto& k : kKindCodes) {
    if (k.code == code) return k.kind;
  }
  return std::nullopt;
}

// ASCII D typed for Đ in the codes that have one.
std::string FoldKindCode(std::string code) {
  if (code == "ND") return "NĐ";
  if (code == "QD") return "QĐ";
  if (code == "CD") return "CĐ";
  return code;
}

// Issuers are written in capitals except the Prime Minister's "TTg".
std::string IssuerSpelling(const std::string& folded) { return folded == "TTG" ? "TTg" : folded; }

bool IsNationalAssembly(const std::string& code, absl::string_view prefix) {
  if (code.size() <= prefix.size() || !absl::StartsWith(code, prefix)) return false;
  return std::all_of(code.begin() + prefix.size(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Who signs official letters (number/issuer-unit): the Prime Minister, the Government and
// its Office, ministries (B...), People's Committees.
bool IsLetterIssuer(const std::string& code) {
  return code == "TTG" || code == "CP" || code == "VPCP" || code == "UBND" ||
         (code.size() >= 3 && code.size() <= 6 && code[0] == 'B' &&
          std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
}

std::string PadNumber(std::string number) {
  while (number.size() > 1 && number[0] == '0' && number.size() > 2) number.erase(0, 1);
  if (number.size() < 2) number.insert(0, 2 - number.size(), '0');
  return number;
}

std::string Canonical(const LegalRef& r) {
  if (r.kind == DocKind::kOfficialLetter) return absl::StrCat(r.number, "/", r.issuer, "-", r.unit);
  if (r.issuer.empty()) return absl::StrCat(r.kind_code, " số ", r.number);
  const std::string tail = r.kind_code.empty() ? r.issuer : absl::StrCat(r.kind_code, "-", r.issuer);
  return r.year > 0 ? absl::StrCat(r.number, "/", r.year, "/", tail) : absl::StrCat(r.number, "/", tail);
}

// A numbered reference starting at the digit s[i]; sets *next past it.
std::optional<LegalRef> NumberedAt(const std::vector<Sym>& s, size_t i, size_t* next) {
  LegalRef r;
  std::string number;
  size_t k = i + Digits(s, i, 5, &number);
  k = SkipSpaces(s, k);
  if (k >= s.size() || s[k].code != '/') return std::nullopt;
  k = SkipSpaces(s, k + 1);
  // The year, followed by "/" or (typed) "-".
  std::string year;
  if (size_t n = Digits(s, k, 5, &year); n == 4 && (year[0] == '1' || year[0] == '2')) {
    size_t after = SkipSpaces(s, k + 4);
    if (after < s.size() && (s[after].code == '/' || s[after].code == '-')) {
      (void)absl::SimpleAtoi(year, &r.year);
      k = SkipSpaces(s, after + 1);
    }
  }
  std::vector<std::string> words;
  size_t end = k;
  for (;;) {
    std::string word;
    const size_t n = CodeWord(s, k, &word);
    if (n == 0) break;
    words.push_back(word);
    end = k + n;
    size_t dash = SkipSpaces(s, end);
    if (dash >= s.size() || s[dash].code != '-') break;
    k = SkipSpaces(s, dash + 1);
  }
  if (words.empty()) return std::nullopt;
  r.number = PadNumber(number);
  const std::string first = FoldKindCode(words[0]);
  std::vector<std::string> rest(words.begin() + 1, words.end());
  for (auto& w : rest) w = IssuerSpelling(w);
  if (auto kind = KindOfCode(first); kind && !rest.empty()) {
    r.kind = *kind;
    r.kind_code = first;
    r.issuer = absl::StrJoin(rest, "-");
  } else if (r.year > 0 && words.size() == 1 && IsNationalAssembly(words[0], "QH")) {
    r.kind = DocKind::kLaw;
    r.issuer = words[0];
  } else if (r.year > 0 && words.size() == 1 && IsNationalAssembly(words[0], "UBTVQH")) {
    r.kind = DocKind::kOrdinance;
    r.issuer = words[0];
  } else if (r.year == 0 && words.size() == 2 && IsLetterIssuer(words[0])) {
    r.kind = DocKind::kOfficialLetter;
    r.issuer = IssuerSpelling(words[0]);
    r.unit = words[1];
  } else {
    return std::nullopt;
  }
  r.begin = s[i].begin;
  r.end = s[end - 1].end;
  r.canonical = Canonical(r);
  *next = end;
  return r;
}

// Does the lower-case text at i spell `word` (lower case, UTF-8) ending at a word boundary?
size_t WordAt(const std::vector<Sym>& s, size_t i, absl::string_view word) {
  const auto* w = reinterpret_cast<const uint8_t*>(word.data());
  const int32_t length = static_cast<int32_t>(word.size());
  int32_t at = 0;
  size_t k = i;
  while (at < length) {
    UChar32 c = 0;
    U8_NEXT(w, at, length, c);
    if (k >= s.size()) return 0;
    if (c == ' ') {
      if (s[k].code != ' ') return 0;
      k = SkipSpaces(s, k);
      continue;
    }
    if (s[k].lower != c) return 0;
    ++k;
  }
  if (k < s.size() && IsWordChar(s[k].code)) return 0;
  return k - i;
}

struct KindWord {
  absl::string_view word;
  absl::string_view code;
  DocKind kind;
};
constexpr KindWord kKindWords[] = {
    {"nghị định", "NĐ", DocKind::kDecree},     {"quyết định", "QĐ", DocKind::kDecision},
    {"chỉ thị", "CT", DocKind::kDirective},     {"thông tư", "TT", DocKind::kCircular},
    {"nghị quyết", "NQ", DocKind::kResolution}, {"công điện", "CĐ", DocKind::kTelegram},
    {"thông báo", "TB", DocKind::kNotice},      {"kế hoạch", "KH", DocKind::kPlan},
};

// "Nghị định số 09" (the kind and number, nothing after): at i.
std::optional<LegalRef> KindAndNumberAt(const std::vector<Sym>& s, size_t i, size_t* next) {
  if (i > 0 && IsWordChar(s[i - 1].code)) return std::nullopt;
  for (const auto& kw : kKindWords) {
    const size_t n = WordAt(s, i, kw.word);
    if (n == 0) continue;
    size_t k = SkipSpaces(s, i + n);
    const size_t so = WordAt(s, k, "số");
    if (so == 0) return std::nullopt;
    k = SkipSpaces(s, k + so);
    std::string number;
    const size_t digits = Digits(s, k, 5, &number);
    if (digits == 0) return std::nullopt;
    const size_t after = SkipSpaces(s, k + digits);
    if (after < s.size() && s[after].code == '/') return std::nullopt;  // the full number follows
    LegalRef r;
    r.kind = kw.kind;
    r.kind_code = std::string(kw.code);
    r.number = PadNumber(number);
    r.begin = s[i].begin;
    r.end = s[k + digits - 1].end;
    r.canonical = Canonical(r);
    *next = k + digits;
    return r;
  }
  return std::nullopt;
}

// Laws the text names without their number.
struct NamedLaw {
  absl::string_view name;  // lower case
  absl::string_view display;
  absl::string_view number;
  int year;
  absl::string_view issuer;
};
constexpr NamedLaw kNamedLaws[] = {
    {"luật báo chí", "Luật Báo chí", "103", 2016, "QH13"},
    {"luật tiếp cận thông tin", "Luật Tiếp cận thông tin", "104", 2016, "QH13"},
    {"luật bảo vệ bí mật nhà nước", "Luật Bảo vệ bí mật nhà nước", "29", 2018, "QH14"},
    {"luật an ninh mạng", "Luật An ninh mạng", "24", 2018, "QH14"},
    {"luật ban hành văn bản quy phạm pháp luật", "Luật Ban hành văn bản quy phạm pháp luật", "80", 2015, "QH13"},
    {"luật tố cáo", "Luật Tố cáo", "25", 2018, "QH14"},
    {"luật khiếu nại", "Luật Khiếu nại", "02", 2011, "QH13"},
};

std::optional<LegalRef> NamedLawAt(const std::vector<Sym>& s, size_t i, size_t* next) {
  if (i > 0 && IsWordChar(s[i - 1].code)) return std::nullopt;
  for (const auto& law : kNamedLaws) {
    const size_t n = WordAt(s, i, law.name);
    if (n == 0) continue;
    LegalRef r;
    r.kind = DocKind::kLaw;
    r.number = std::string(law.number);
    r.year = law.year;
    r.issuer = std::string(law.issuer);
    r.name = std::string(law.display);
    r.begin = s[i].begin;
    r.end = s[i + n - 1].end;
    r.canonical = Canonical(r);
    *next = i + n;
    return r;
  }
  return std::nullopt;
}

// "ngày 30/3/2022" or "ngày 30 tháng 3 năm 2022" right after a reference: "2022-03-30".
std::string DateAfter(const std::vector<Sym>& s, size_t i) {
  i = SkipSpaces(s, i);
  if (i < s.size() && s[i].code == ',') i = SkipSpaces(s, i + 1);
  const size_t ngay = WordAt(s, i, "ngày");
  if (ngay == 0) return "";
  size_t k = SkipSpaces(s, i + ngay);
  std::string d, m, y;
  size_t n = Digits(s, k, 2, &d);
  if (n == 0) return "";
  k += n;
  size_t sep = SkipSpaces(s, k);
  if (sep < s.size() && (s[sep].code == '/' || s[sep].code == '-' || s[sep].code == '.')) {
    k = sep + 1;
    n = Digits(s, k, 2, &m);
    if (n == 0 || k + n >= s.size() || (s[k + n].code != '/' && s[k + n].code != '-' && s[k + n].code != '.')) return "";
    k += n + 1;
    if (Digits(s, k, 4, &y) != 4) return "";
  } else {
    const size_t thang = WordAt(s, sep, "tháng");
    if (thang == 0) return "";
    k = SkipSpaces(s, sep + thang);
    n = Digits(s, k, 2, &m);
    if (n == 0) return "";
    k = SkipSpaces(s, k + n);
    const size_t nam = WordAt(s, k, "năm");
    if (nam == 0) return "";
    k = SkipSpaces(s, k + nam);
    if (Digits(s, k, 4, &y) != 4) return "";
  }
  int day = 0, month = 0, year = 0;
  (void)absl::SimpleAtoi(d, &day);
  (void)absl::SimpleAtoi(m, &month);
  (void)absl::SimpleAtoi(y, &year);
  if (day < 1 || day > 31 || month < 1 || month > 12 || year < 1945 || year > 2100) return "";
  return absl::StrCat(year, "-", month < 10 ? "0" : "", month, "-", day < 10 ? "0" : "", day);
}

}  // namespace

absl::string_view KindName(DocKind kind) {
  switch (kind) {
    case DocKind::kLaw: return "Luật";
    case DocKind::kOrdinance: return "Pháp lệnh";
    case DocKind::kResolution: return "Nghị quyết";
    case DocKind::kDecree: return "Nghị định";
    case DocKind::kDecision: return "Quyết định";
    case DocKind::kDirective: return "Chỉ thị";
    case DocKind::kCircular: return "Thông tư";
    case DocKind::kJointCircular: return "Thông tư liên tịch";
    case DocKind::kNotice: return "Thông báo";
    case DocKind::kTelegram: return "Công điện";
    case DocKind::kPlan: return "Kế hoạch";
    case DocKind::kGuidance: return "Hướng dẫn";
    case DocKind::kOfficialLetter: return "Công văn";
    case DocKind::kUnknown: break;
  }
  return "";
}

std::vector<LegalRef> FindLegalRefs(absl::string_view text) {
  const std::vector<Sym> s = Symbols(text);
  std::vector<LegalRef> out;
  for (size_t i = 0; i < s.size();) {
    size_t next = i + 1;
    std::optional<LegalRef> found;
    const bool boundary = i == 0 || !(IsWordChar(s[i - 1].code) || s[i - 1].code == '/');
    if (boundary && IsDigit(s[i].code)) {
      found = NumberedAt(s, i, &next);
    } else if (boundary) {
      found = NamedLawAt(s, i, &next);
      if (!found) found = KindAndNumberAt(s, i, &next);
    }
    if (!found) {
      i = std::max(next, i + 1);
      continue;
    }
    // "Luật Báo chí số 103/2016/QH13": one reference, named and numbered.
    if (!out.empty() && !out.back().name.empty() && found->name.empty() && found->canonical == out.back().canonical) {
      size_t gap = out.back().end;
      if (found->begin - gap <= 8) {
        out.back().end = found->end;
        if (out.back().issued_on.empty()) out.back().issued_on = DateAfter(s, next);
        i = next;
        continue;
      }
    }
    found->issued_on = DateAfter(s, next);
    out.push_back(std::move(*found));
    i = next;
  }
  // A kind and number alone take the full form of the same document cited elsewhere.
  for (auto& r : out) {
    if (!r.issuer.empty() || r.kind == DocKind::kOfficialLetter) continue;
    for (const auto& full : out) {
      if (!full.issuer.empty() && full.kind == r.kind && full.number == r.number) {
        r.year = full.year;
        r.issuer = full.issuer;
        r.canonical = full.canonical;
        if (r.issued_on.empty()) r.issued_on = full.issued_on;
        break;
      }
    }
  }
  return out;
}

std::string CanonicalRef(absl::string_view typed) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(typed);
  const auto refs = FindLegalRefs(trimmed);
  if (refs.size() != 1 || refs[0].begin != 0 || refs[0].end != trimmed.size()) return "";
  return refs[0].canonical;
}

}  // namespace pressrelay::legal

namespace pressrelay::legal {

void AttachReferences(pressrelay::common::v1::Statement* statement) {
  statement->clear_references();
  const std::pair<absl::string_view, const std::string*> fields[] = {
      {"headline", &statement->headline()},
      {"summary", &statement->summary()},
      {"body", &statement->body()},
  };
  for (const auto& [field, text] : fields) {
    for (const LegalRef& ref : FindLegalRefs(*text)) {
      auto* out = statement->add_references();
      out->set_canonical(ref.canonical);
      out->set_type_name(std::string(KindName(ref.kind)));
      out->set_number(ref.number);
      out->set_year(ref.year);
      out->set_type_code(ref.kind_code);
      out->set_issuer(ref.issuer);
      out->set_unit(ref.unit);
      out->set_issued_on(ref.issued_on);
      out->set_name(ref.name);
      out->set_field(std::string(field));
      out->set_begin(static_cast<int32_t>(ref.begin));
      out->set_end(static_cast<int32_t>(ref.end));
    }
  }
}

std::vector<std::string> CitedDocuments(const pressrelay::common::v1::Statement& statement) {
  std::vector<std::string> out;
  out.reserve(statement.references_size());
  for (const auto& ref : statement.references()) out.push_back(ref.canonical());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace pressrelay::legal
