// Vietnamese text for search and sorted listings: accent-insensitive folding, words with their
// bytes in the original (for highlighted snippets), and Vietnamese alphabetical order.
//
// Folding is what people type into a search box compared with what spokespeople wrote: one
// writes "hòa", another "hoà" (tone on another vowel), a third "hoa" on a phone without a
// Vietnamese keyboard, and text pasted from other systems comes decomposed (NFD). All of them
// must find each other, so the search form keeps letters and digits only:
//   "Nghị định 09/2017/NĐ-CP về phát ngôn" -> "nghi dinh 09 2017 nd cp ve phat ngon"
// The index and the query are folded by the same code, so what is lost (hoa and hòa are one
// word in search) is lost on both sides alike.
//
// Collation is for what people read: the Vietnamese alphabet (a ă â b c d đ e ê ... ư v x y),
// which byte order and accent-folded order both get wrong.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <unicode/uversion.h>

#include "absl/strings/string_view.h"

U_NAMESPACE_BEGIN
class Collator;
U_NAMESPACE_END

namespace pressrelay::vntext {

// The search form of `utf8`, in any normalisation form (NFC, NFD, NFKC, NFKD give one output):
//   - compatibility forms unfolded (full-width Ａ, ligature ﬁ), so any keyboard finds the words;
//   - every combining mark removed: tones and vowel marks (ò ô ơ ư ă), which also makes the
//     tone-placement variants one (hoà = hòa, thuỷ = thủy, oà = òa), and default-ignorable code
//     points (soft hyphen, zero-width joiners; not the zero-width space, a word boundary)
//     dropped without splitting a word;
//   - đ, Đ and Ð (U+00D0, often typed for Đ; and its lower case ð) become "d";
//   - Unicode full case folding (lower case for Latin: "Đà Nẵng" -> "da nang");
//   - each run of anything that is not a letter or digit becomes one space; trimmed.
// Vietnamese text comes out ASCII; other scripts keep their folded letters (Hangul syllables,
// CJK ideographs, Cyrillic lower case). "quy" and "qui" stay apart: i and y are different
// letters, only where a tone mark sits is spelling-neutral.
// Invalid UTF-8 bytes count as separators.
std::string Fold(absl::string_view utf8);

// One word of a text: its folded form and where it stands in the text (byte offsets into the
// text as given, so a snippet can highlight what the spokesperson wrote).
struct Token {
  std::string term;  // as Fold gives it: "nd" for "NĐ"
  size_t begin = 0;  // [begin, end) in the original text; marks that follow the word's last
  size_t end = 0;    //   letter are inside it (words from one code point, ﷺ, share its bytes)
};

// The words of `utf8` in order: maximal runs of letters and digits (by Unicode property),
// folded as Fold does, so for NFC text the terms joined by spaces are exactly Fold(text).
// Input is expected in NFC (the wire's statements are, validation.h); decomposed Latin text
// gives the same terms too, only decomposed Hangul would not.
// Built for indexing at start-up: ASCII bytes go through a 128-entry table, U+0080..U+206F
// (Latin-1, the Latin Extended blocks of Vietnamese, combining marks, general punctuation)
// through a direct table built once, and other code points through a small per-thread cache;
// ICU is called per distinct code point, never per word.
std::vector<Token> Tokenize(absl::string_view utf8);

// Only the terms of Tokenize, for queries and counting.
std::vector<std::string> FoldedTerms(absl::string_view utf8);

// Vietnamese alphabetical order by ICU's "vi" collation (CLDR): a < ă < â < b ... d < đ < e,
// o < ô < ơ, u < ư; tones compare after letters, and case after tones. Strings the collator
// holds equal (an NFC and an NFD spelling) are ordered by their bytes, so the order is total
// and sorting is deterministic.
//
// Thread-safe without a lock or a clone per call: one collator is made at construction and
// only its const methods are called after that, which ICU documents as safe to use from many
// threads at once (ICU User Guide, "Thread-safe const APIs"). A clone per call would cost an
// allocation per comparison; a mutex would serialise every sort.
//
// If ICU cannot make the collator (missing data), this is byte order, logged once per process,
// never a crash: listings stay usable, only their order is less Vietnamese.
class Collation {
 public:
  Collation();
  ~Collation();
  Collation(const Collation&) = delete;
  Collation& operator=(const Collation&) = delete;

  // One instance for the process, made on first use.
  static const Collation& Vietnamese();

  // Whether `a` sorts before `b`.
  bool Less(absl::string_view a, absl::string_view b) const;

  // Bytes whose byte-wise order (memcmp, std::string's <) is Less's order, to store a sorted
  // listing (a Redis sorted set by lex) or to sort many strings without comparing each pair
  // through ICU. Not printable; the same ICU version gives the same keys.
  std::string SortKey(absl::string_view utf8) const;

  // True when ICU failed and this is byte order.
  bool byte_order() const { return collator_ == nullptr; }

 private:
  std::unique_ptr<const icu::Collator> collator_;  // null: byte order
};

// Sorts `strings` (UTF-8) in Vietnamese order, by Collation::Vietnamese().
void SortVietnamese(std::vector<std::string>* strings);

}  // namespace pressrelay::vntext
