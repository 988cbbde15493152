// Folding is decided per code point, never per word: a code point's folded form does not depend
// on its neighbours once every mark is dropped (nothing composes across code points), so a
// table from code point to folded bytes, computed through ICU once, is exact. A folded form is
// UTF-8 in which a space stands for "a word ends here" (⑴ -> " 1 ", … -> " "); marks and
// default ignorables fold to nothing and do not end a word.
#include "services/common/domain/vn_text.h"

#include <unicode/bytestream.h>
#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

namespace pressrelay::vntext {
namespace {

// ---- One code point's folded form, through ICU (slow; the tables below cache it). ----

bool IsDropped(UChar32 c) {
  if (c == 0x200B) return false;  // zero-width space: a word boundary (UAX #29), unlike the joiners
  return (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0 ||
         u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

icu::UnicodeString WithoutDropped(const icu::UnicodeString& s) {
  icu::UnicodeString out;
  for (int32_t i = 0; i < s.length();) {
    const UChar32 c = s.char32At(i);
    if (!IsDropped(c)) out.append(c);
    i += U16_LENGTH(c);
  }
  return out;
}

void AppendUtf8(UChar32 c, std::string* out) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out->append(buf, static_cast<size_t>(n));
}

// The folded form of `c`: "" for a dropped code point; otherwise letters and digits in UTF-8
// with single spaces where words end (a separator is " ").
std::string FoldCodePoint(UChar32 c) {
  std::string out;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return " ";  // no normalisation data: ICU itself is broken
  // Marks go before case folding too, so a precomposed letter folds like its decomposed
  // spelling (U+0345 alone would fold to ι).
  icu::UnicodeString s = WithoutDropped(nfkd->normalize(icu::UnicodeString(c), status));
  s.foldCase(U_FOLD_CASE_DEFAULT);
  s = WithoutDropped(nfkd->normalize(s, status));  // folding can give decomposable letters
  s.findAndReplace(icu::UnicodeString(static_cast<UChar>(0x0111)), icu::UnicodeString(u'd'));  // đ, Đ
  s.findAndReplace(icu::UnicodeString(static_cast<UChar>(0x00F0)), icu::UnicodeString(u'd'));  // ð, Ð
  // With every mark gone only Hangul jamo compose: a syllable stays one letter (가, ㈎ -> 가).
  s = nfc->normalize(s, status);
  if (U_FAILURE(status)) return " ";
  for (int32_t i = 0; i < s.length();) {
    const UChar32 f = s.char32At(i);
    i += U16_LENGTH(f);
    if (u_isalnum(f)) {
      AppendUtf8(f, &out);
    } else if (out.empty() || out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (out.empty() && !IsDropped(c)) out.push_back(' ');
  return out;
}

// ---- The tables. ----

constexpr std::array<char, 128> kAscii = [] {
  std::array<char, 128> t{};  // 0: separator
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) t[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<char>(c - 'A' + 'a');
  return t;
}();

enum Kind : uint8_t {
  kWord = 0,   // bytes[0..len) are letters and digits of a word (len 0: dropped, joins a word)
  kSplit = 1,  // bytes[0..len) hold spaces: word ends (… -> " ", ⑴ -> " 1 ")
  kLong = 2,   // longer than bytes holds: ask FoldCodePoint (a few ligatures and symbols)
};

struct Entry {
  char bytes[14];
  uint8_t len;
  uint8_t kind;
};
static_assert(sizeof(Entry) == 16);

Entry MakeEntry(UChar32 c) {
  Entry e{};
  const std::string f = FoldCodePoint(c);
  if (f.size() > sizeof(e.bytes)) {
    e.kind = kLong;
  } else {
    std::memcpy(e.bytes, f.data(), f.size());
    e.len = static_cast<uint8_t>(f.size());
    e.kind = f.find(' ') == std::string::npos ? kWord : kSplit;
  }
  return e;
}

// U+0080..U+206F: Latin-1, Latin Extended-A/B and Additional (every Vietnamese letter), the
// combining marks of NFD text, and general punctuation (– — “ ” …); 132 KB, ~10 ms to build.
constexpr UChar32 kTableEnd = 0x2070;

const Entry* DirectTable() {
  static const Entry* const table = [] {
    auto* t = new Entry[kTableEnd];
    for (UChar32 c = 0; c < kTableEnd; ++c) {
      t[c] = c < 0x80 ? Entry{} : MakeEntry(c);
    }
    return t;
  }();
  return table;
}

// Other code points (CJK, Hangul, symbols): a direct-mapped cache per thread, so a statement
// quoting a foreign name calls ICU once per distinct character. Code point 0 never reaches it,
// so the zero-initialised key means empty.
struct CacheSlot {
  UChar32 code;
  Entry entry;
};
constexpr size_t kCacheSlots = 512;
thread_local CacheSlot cache[kCacheSlots];

const Entry& Lookup(UChar32 c, const Entry* table) {
  if (c < kTableEnd) return table[c];
  CacheSlot& slot = cache[static_cast<uint32_t>(c) % kCacheSlots];
  if (slot.code != c) {
    slot.entry = MakeEntry(c);
    slot.code = c;
  }
  return slot.entry;
}

// ---- The scanner: one pass over the bytes, writing into an Out. ----
//   std::string& Open(begin): the open word's folded bytes, opening one at `begin` if none is
//   void SetEnd(end):         the open word reaches `end`
//   void Extend(end):         a dropped code point ending at `end` (extends an open word only)
//   void Break():             no word is open after this

template <typename Out>
void Append(const char* p, size_t n, size_t begin, size_t end, Out& out) {
  std::string& term = out.Open(begin);
  if (n == 1) {
    term.push_back(*p);
  } else {
    term.append(p, n);
  }
  out.SetEnd(end);
}

template <typename Out>
void AppendSplit(const char* p, size_t n, size_t begin, size_t end, Out& out) {
  size_t i = 0;
  while (i < n) {
    if (p[i] == ' ') {
      out.Break();
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && p[j] != ' ') ++j;
    Append(p + i, j - i, begin, end, out);
    i = j;
  }
}

template <typename Out>
void Scan(absl::string_view text, Out& out) {
  const Entry* table = DirectTable();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      if (kAscii[s[i]] == 0) {
        out.Break();
        ++i;
        continue;
      }
      size_t j = i + 1;  // the run of ASCII letters and digits, copied in one go
      while (j < n && s[j] < 0x80 && kAscii[s[j]] != 0) ++j;
      std::string& term = out.Open(i);
      const size_t old = term.size();
      term.resize(old + (j - i));
      char* d = term.data() + old;
      for (size_t k = i; k < j; ++k) *d++ = kAscii[s[k]];
      out.SetEnd(j);
      i = j;
      continue;
    }
    const size_t begin = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) {  // ill-formed UTF-8
      out.Break();
      continue;
    }
    const Entry& e = Lookup(c, table);
    if (e.kind == kWord) {
      if (e.len == 0) {
        out.Extend(i);
      } else {
        Append(e.bytes, e.len, begin, i, out);
      }
    } else if (e.kind == kSplit) {
      AppendSplit(e.bytes, e.len, begin, i, out);
    } else {
      const std::string f = FoldCodePoint(c);
      AppendSplit(f.data(), f.size(), begin, i, out);
    }
  }
  out.Break();
}

// Fold's: words joined by single spaces.
struct FoldOut {
  std::string text;
  bool open = false;
  std::string& Open(size_t) {
    if (!open) {
      if (!text.empty()) text.push_back(' ');
      open = true;
    }
    return text;
  }
  void SetEnd(size_t) {}
  void Extend(size_t) {}
  void Break() { open = false; }
};

// Tokenize's: each word written in place into its Token.
struct TokenOut {
  std::vector<Token> tokens;
  bool open = false;
  std::string& Open(size_t begin) {
    if (!open) {
      Token& t = tokens.emplace_back();
      t.begin = begin;
      open = true;
    }
    return tokens.back().term;
  }
  void SetEnd(size_t end) { tokens.back().end = end; }
  void Extend(size_t end) {
    if (open) tokens.back().end = end;
  }
  void Break() { open = false; }
};

struct TermOut {
  std::vector<std::string> terms;
  bool open = false;
  std::string& Open(size_t) {
    if (!open) {
      terms.emplace_back();
      open = true;
    }
    return terms.back();
  }
  void SetEnd(size_t) {}
  void Extend(size_t) {}
  void Break() { open = false; }
};

}  // namespace

std::string Fold(absl::string_view utf8) {
  // NFC first so that a decomposed Hangul syllable folds like the composed one; every other
  // difference between forms is in marks, which fold to nothing anyway.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  const icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  std::string composed;
  if (U_SUCCESS(status) && !nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) {
    icu::StringByteSink<std::string> sink(&composed);
    nfc->normalizeUTF8(0, piece, sink, nullptr, status);
    if (U_SUCCESS(status)) utf8 = composed;
  }
  FoldOut out;
  out.text.reserve(utf8.size());
  Scan(utf8, out);
  return std::move(out.text);
}

std::vector<Token> Tokenize(absl::string_view utf8) {
  TokenOut out;
  out.tokens.reserve(utf8.size() / 4);  // a Vietnamese syllable and its space: ~4-6 bytes
  Scan(utf8, out);
  return std::move(out.tokens);
}

std::vector<std::string> FoldedTerms(absl::string_view utf8) {
  TermOut out;
  out.terms.reserve(utf8.size() / 4);
  Scan(utf8, out);
  return std::move(out.terms);
}

// ---- Collation ----

Collation::Collation() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> collator(icu::Collator::createInstance(icu::Locale("vi"), status));
  static std::once_flag logged;
  if (U_FAILURE(status) || collator == nullptr) {
    std::call_once(logged, [&] {
      spdlog::error("vntext: no ICU collator for \"vi\" ({}); Vietnamese listings sort by bytes",
                    u_errorName(status));
    });
    return;
  }
  if (status == U_USING_DEFAULT_WARNING) {  // no "vi" data: the root order, still better than bytes
    std::call_once(logged, [] {
      spdlog::warn("vntext: ICU has no \"vi\" collation data; listings sort in the root order");
    });
  }
  collator_ = std::move(collator);
}

Collation::~Collation() = default;

const Collation& Collation::Vietnamese() {
  static const Collation* const instance = new Collation();
  return *instance;
}

bool Collation::Less(absl::string_view a, absl::string_view b) const {
  if (collator_ != nullptr) {
    UErrorCode status = U_ZERO_ERROR;
    const UCollationResult r =
        collator_->compareUTF8(icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
                               icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
    if (U_SUCCESS(status) && r != UCOL_EQUAL) return r == UCOL_LESS;
  }
  return a < b;
}

std::string Collation::SortKey(absl::string_view utf8) const {
  std::string key;
  if (collator_ != nullptr) {
    const icu::UnicodeString s =
        icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    key.resize(3 * utf8.size() + 16);
    int32_t n = collator_->getSortKey(s, reinterpret_cast<uint8_t*>(key.data()),
                                      static_cast<int32_t>(key.size()));
    if (n > static_cast<int32_t>(key.size())) {
      key.resize(static_cast<size_t>(n));
      n = collator_->getSortKey(s, reinterpret_cast<uint8_t*>(key.data()), n);
    }
    // ICU's key ends with its only 0x00 byte, so one key is never a prefix of another and the
    // bytes after it decide only between strings the collator holds equal, as Less does.
    key.resize(static_cast<size_t>(n));
  }
  key.append(utf8.data(), utf8.size());
  return key;
}

void SortVietnamese(std::vector<std::string>* strings) {
  const Collation& collation = Collation::Vietnamese();
  // A key per string, then byte comparisons: n ICU calls instead of n log n.
  std::vector<std::pair<std::string, size_t>> keys;
  keys.reserve(strings->size());
  for (size_t i = 0; i < strings->size(); ++i) keys.emplace_back(collation.SortKey((*strings)[i]), i);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> sorted;
  sorted.reserve(strings->size());
  for (auto& [key, i] : keys) sorted.push_back(std::move((*strings)[i]));
  *strings = std::move(sorted);
}

}  // namespace pressrelay::vntext
