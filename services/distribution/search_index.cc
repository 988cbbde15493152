#include "services/distribution/search_index.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/domain/vn_text.h"

namespace pressrelay::distribution {
namespace {

constexpr size_t kMaxQueryBytes = 500;
constexpr size_t kMaxQueryWords = 16;
constexpr int kHeadlineWeight = 3;
// BM25's usual constants: how fast repeated words stop adding, how much length matters.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kPhraseBonus = 1.5;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `pos` back over `chars` code points (not before 0).
size_t BackChars(absl::string_view s, size_t pos, size_t chars) {
  while (pos > 0 && chars > 0) {
    --pos;
    while (pos > 0 && IsContinuation(s[pos])) --pos;
    --chars;
  }
  return pos;
}

// Moves `pos` forward over `chars` code points (not past the end).
size_t ForwardChars(absl::string_view s, size_t pos, size_t chars) {
  while (pos < s.size() && chars > 0) {
    ++pos;
    while (pos < s.size() && IsContinuation(s[pos])) ++pos;
    --chars;
  }
  return pos;
}

}  // namespace

absl::StatusOr<ParsedQuery> ParseQuery(const pressrelay::common::v1::SearchQuery& query) {
  ParsedQuery parsed;
  const std::string& text = query.text();
  if (text.size() > kMaxQueryBytes) {
    return FieldError("query.text", absl::StrCat("must be at most ", kMaxQueryBytes, " bytes"));
  }
  // Outside quotes words stand alone; inside they form a phrase. An unclosed quote runs to
  // the end, as a person typing expects.
  std::vector<absl::string_view> parts = absl::StrSplit(text, '"');
  size_t words = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    // Fold, not Tokenize: a query may come decomposed (NFD) or in compatibility forms.
    std::vector<std::string> terms = absl::StrSplit(vntext::Fold(parts[i]), ' ', absl::SkipEmpty());
    words += terms.size();
    if (i % 2 == 1 && terms.size() >= 2) parsed.phrases.push_back(terms);
    for (auto& term : terms) {
      if (std::find(parsed.terms.begin(), parsed.terms.end(), term) == parsed.terms.end()) {
        parsed.terms.push_back(std::move(term));
      }
    }
  }
  if (words > kMaxQueryWords) {
    return FieldError("query.text", absl::StrCat("must have at most ", kMaxQueryWords, " words"));
  }
  for (int i = 0; i < query.agency_codes_size(); ++i) parsed.narrow.agency_codes.push_back(query.agency_codes(i));
  if (!query.cites().empty()) {
    std::string canonical = legal::CanonicalRef(query.cites());
    if (canonical.empty()) {
      return FieldError("query.cites", "is not a legal document reference (e.g. 09/2017/NĐ-CP, 07/CT-TTg)");
    }
    parsed.narrow.cites.push_back(std::move(canonical));
  }
  if (IsSet(query.published_from())) parsed.from_ms = MillisFromProto(query.published_from());
  if (IsSet(query.published_until())) parsed.until_ms = MillisFromProto(query.published_until());
  if (parsed.until_ms != 0 && parsed.until_ms <= parsed.from_ms) {
    return FieldError("query.published_until", "must be after query.published_from");
  }
  parsed.include_canceled = query.include_canceled();
  parsed.newest_first = query.order() == pressrelay::common::v1::SEARCH_ORDER_NEWEST || parsed.terms.empty();
  return parsed;
}

uint32_t SearchIndex::TermId(const std::string& term) {
  auto [it, inserted] = term_ids_.try_emplace(term, static_cast<uint32_t>(postings_.size()));
  if (inserted) postings_.emplace_back();
  return it->second;
}

void SearchIndex::Put(const pressrelay::common::v1::Statement& s) {
  // Tokenizing is the costly part, done before the lock is taken.
  struct Field {
    std::vector<vntext::Token> tokens;
    int weight;
  };
  const Field fields[] = {
      {vntext::Tokenize(s.headline()), kHeadlineWeight},
      {vntext::Tokenize(s.summary()), 1},
      {vntext::Tokenize(s.body()), 1},
      {vntext::Tokenize(absl::StrCat(s.issuer().agency_name(), " ", s.issuer().agency_code())), 1},
      {vntext::Tokenize(s.issuer().spokesperson_name()), 1},
  };
  absl::MutexLock lock(&mu_);
  auto existing = doc_of_.find(s.id());
  if (existing != doc_of_.end()) {
    Doc& old = docs_[existing->second];
    if (old.version >= s.version()) return;
    old.alive = false;
    total_length_ -= old.sequence.size();
    old.sequence = {};
    ++dead_;
  }
  const uint32_t doc_index = static_cast<uint32_t>(docs_.size());
  Doc& doc = docs_.emplace_back();
  doc.statement_id = s.id();
  doc.version = s.version();
  doc.first_ms = IsSet(s.firstcreated()) ? MillisFromProto(s.firstcreated()) : 0;
  doc.alive = true;
  doc.canceled = s.pubstatus() == pressrelay::common::v1::PUB_STATUS_CANCELED;
  doc.facets = audience::FacetsOf(s);
  absl::flat_hash_map<uint32_t, uint32_t> weights;
  for (const Field& field : fields) {
    if (!doc.sequence.empty()) doc.sequence.push_back(kGap);
    for (const auto& token : field.tokens) {
      const uint32_t id = TermId(token.term);
      doc.sequence.push_back(id);
      weights[id] += field.weight;
    }
  }
  doc.sequence.shrink_to_fit();
  for (const auto& [term, weight] : weights) {
    postings_[term].push_back(Posting{doc_index, static_cast<uint16_t>(std::min<uint32_t>(weight, UINT16_MAX))});
  }
  total_length_ += doc.sequence.size();
  doc_of_[s.id()] = doc_index;
  agency_docs_[doc.facets.agency_code].push_back(doc_index);
  if (dead_ > 1000 && dead_ * 4 > docs_.size()) Compact();
}

void SearchIndex::Compact() {
  std::vector<uint32_t> renumber(docs_.size(), UINT32_MAX);
  std::vector<Doc> live;
  live.reserve(docs_.size() - dead_);
  for (size_t i = 0; i < docs_.size(); ++i) {
    if (!docs_[i].alive) continue;
    renumber[i] = static_cast<uint32_t>(live.size());
    doc_of_[docs_[i].statement_id] = renumber[i];
    live.push_back(std::move(docs_[i]));
  }
  docs_ = std::move(live);
  for (auto& [agency, list] : agency_docs_) {
    std::vector<uint32_t> kept;
    for (uint32_t d : list) {
      if (renumber[d] != UINT32_MAX) kept.push_back(renumber[d]);
    }
    list = std::move(kept);
  }
  for (auto& list : postings_) {
    std::vector<Posting> kept;
    kept.reserve(list.size());
    for (const Posting& p : list) {
      if (renumber[p.doc] != UINT32_MAX) kept.push_back(Posting{renumber[p.doc], p.weight});
    }
    list = std::move(kept);
  }
  dead_ = 0;
}

void SearchIndex::SetAgencyAliases(const absl::flat_hash_map<std::string, std::vector<std::string>>& aliases) {
  absl::flat_hash_map<std::string, std::vector<std::string>> by_term, names;
  for (const auto& [agency, list] : aliases) {
    for (const auto& name : list) {
      const std::string folded = vntext::Fold(name);
      if (folded.empty()) continue;
      names[agency].push_back(folded);
      for (absl::string_view term : absl::StrSplit(folded, ' ', absl::SkipEmpty())) {
        auto& agencies = by_term[std::string(term)];
        if (std::find(agencies.begin(), agencies.end(), agency) == agencies.end()) agencies.push_back(agency);
      }
    }
  }
  absl::MutexLock lock(&mu_);
  alias_agencies_ = std::move(by_term);
  alias_names_ = std::move(names);
}

bool SearchIndex::AliasHasPhrase(const Doc& doc, const std::vector<std::string>& phrase) const {
  auto it = alias_names_.find(doc.facets.agency_code);
  if (it == alias_names_.end()) return false;
  const std::string wanted = absl::StrCat(" ", absl::StrJoin(phrase, " "), " ");
  for (const auto& name : it->second) {
    if (absl::StrCat(" ", name, " ").find(wanted) != std::string::npos) return true;
  }
  return false;
}

size_t SearchIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return docs_.size() - dead_;
}

size_t SearchIndex::MemoryBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t bytes = docs_.capacity() * sizeof(Doc);
  for (const auto& doc : docs_) {
    bytes += doc.sequence.capacity() * sizeof(uint32_t) + doc.statement_id.capacity();
    for (const auto& t : doc.facets.topics) bytes += t.capacity() + sizeof(t);
    for (const auto& c : doc.facets.cites) bytes += c.capacity() + sizeof(c);
  }
  for (const auto& list : postings_) bytes += list.capacity() * sizeof(Posting) + sizeof(list);
  for (const auto& [term, id] : term_ids_) bytes += term.capacity() + sizeof(term) + sizeof(id);
  return bytes;
}

bool SearchIndex::HasPhrase(const Doc& doc, const std::vector<uint32_t>& phrase) const {
  const auto& seq = doc.sequence;
  if (phrase.empty() || seq.size() < phrase.size()) return phrase.empty();
  for (size_t i = 0; i + phrase.size() <= seq.size(); ++i) {
    if (seq[i] == phrase[0] && std::equal(phrase.begin() + 1, phrase.end(), seq.begin() + i + 1)) return true;
  }
  return false;
}

SearchIndex::Page SearchIndex::Search(const ParsedQuery& query, const audience::Filter& entitlement, int offset,
                                      int limit) const {
  absl::ReaderMutexLock lock(&mu_);
  Page page;
  // Every word must be in the text or in the issuing agency's other names; the rarest list
  // drives the intersection.
  static const std::vector<Posting> kNone;
  std::vector<const std::vector<Posting>*> lists;
  std::vector<std::vector<Posting>> merged;  // a word's postings joined with its aliases' agencies
  merged.reserve(query.terms.size());
  for (const auto& term : query.terms) {
    auto it = term_ids_.find(term);
    const std::vector<Posting>& own = it == term_ids_.end() ? kNone : postings_[it->second];
    auto alias = alias_agencies_.find(term);
    if (alias == alias_agencies_.end()) {
      if (own.empty()) return page;
      lists.push_back(&own);
      continue;
    }
    std::vector<Posting> extra;
    for (const auto& agency : alias->second) {
      auto docs = agency_docs_.find(agency);
      if (docs == agency_docs_.end()) continue;
      for (uint32_t d : docs->second) extra.push_back(Posting{d, 1});
    }
    std::sort(extra.begin(), extra.end(), [](const Posting& a, const Posting& b) { return a.doc < b.doc; });
    std::vector<Posting>& joined = merged.emplace_back();
    joined.reserve(own.size() + extra.size());
    size_t i = 0, j = 0;
    while (i < own.size() || j < extra.size()) {
      if (j == extra.size() || (i < own.size() && own[i].doc < extra[j].doc)) {
        joined.push_back(own[i++]);
      } else if (i == own.size() || extra[j].doc < own[i].doc) {
        joined.push_back(extra[j++]);
      } else {
        joined.push_back(own[i++]);
        ++j;
      }
    }
    if (joined.empty()) return page;
    lists.push_back(&joined);
  }
  std::vector<std::vector<uint32_t>> phrases;
  for (const auto& phrase : query.phrases) {
    std::vector<uint32_t>& p = phrases.emplace_back();
    for (const auto& term : phrase) {
      auto it = term_ids_.find(term);
      p.push_back(it == term_ids_.end() ? kUnknownTerm : it->second);  // matches no text
    }
  }
  std::vector<size_t> order(lists.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lists[a]->size() < lists[b]->size(); });

  const size_t n_terms = lists.size();
  std::vector<uint32_t> candidates;
  std::vector<uint16_t> weights;  // n_terms per candidate, in query order
  if (n_terms > 0) {
    const auto& first = *lists[order[0]];
    candidates.reserve(first.size());
    weights.reserve(first.size() * n_terms);
    for (const Posting& p : first) {
      candidates.push_back(p.doc);
      weights.resize(weights.size() + n_terms, 0);
      weights[weights.size() - n_terms + order[0]] = p.weight;
    }
    for (size_t k = 1; k < n_terms && !candidates.empty(); ++k) {
      const auto& list = *lists[order[k]];
      size_t kept = 0;
      auto from = list.begin();
      for (size_t c = 0; c < candidates.size(); ++c) {
        from = std::lower_bound(from, list.end(), candidates[c],
                                [](const Posting& p, uint32_t doc) { return p.doc < doc; });
        if (from == list.end()) break;
        if (from->doc != candidates[c]) continue;
        candidates[kept] = candidates[c];
        std::copy_n(weights.begin() + c * n_terms, n_terms, weights.begin() + kept * n_terms);
        weights[kept * n_terms + order[k]] = from->weight;
        ++kept;
      }
      candidates.resize(kept);
      weights.resize(kept * n_terms);
    }
  }

  const double n_docs = static_cast<double>(std::max<size_t>(1, docs_.size() - dead_));
  const double avg_length = std::max(1.0, static_cast<double>(total_length_) / n_docs);
  std::vector<double> idf(n_terms);
  for (size_t t = 0; t < n_terms; ++t) {
    const double df = static_cast<double>(lists[t]->size());
    idf[t] = std::log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
  }

  struct Scored {
    double score;
    int64_t first_ms;
    uint32_t doc;
  };
  std::vector<Scored> matched;
  auto consider = [&](uint32_t d, const uint16_t* w) {
    const Doc& doc = docs_[d];
    if (!doc.alive || (doc.canceled && !query.include_canceled)) return;
    if (query.from_ms != 0 && doc.first_ms < query.from_ms) return;
    if (query.until_ms != 0 && doc.first_ms >= query.until_ms) return;
    if (!audience::Matches(entitlement, doc.facets) || !audience::Matches(query.narrow, doc.facets)) return;
    for (size_t p = 0; p < phrases.size(); ++p) {
      if (!HasPhrase(doc, phrases[p]) && !AliasHasPhrase(doc, query.phrases[p])) return;
    }
    double score = 0;
    const double norm = kK1 * (1 - kB + kB * static_cast<double>(doc.sequence.size()) / avg_length);
    for (size_t t = 0; t < n_terms; ++t) {
      const double tf = w[t];
      score += idf[t] * tf * (kK1 + 1) / (tf + norm);
    }
    if (!phrases.empty()) score *= kPhraseBonus;
    matched.push_back(Scored{score, doc.first_ms, d});
  };
  if (n_terms == 0) {
    for (uint32_t d = 0; d < docs_.size(); ++d) consider(d, nullptr);
  } else {
    for (size_t c = 0; c < candidates.size(); ++c) consider(candidates[c], &weights[c * n_terms]);
  }

  page.total = static_cast<int>(matched.size());
  const size_t end = std::min(matched.size(), static_cast<size_t>(offset) + static_cast<size_t>(limit));
  if (static_cast<size_t>(offset) >= end) return page;
  auto better = [&](const Scored& a, const Scored& b) {
    if (!query.newest_first && a.score != b.score) return a.score > b.score;
    if (a.first_ms != b.first_ms) return a.first_ms > b.first_ms;
    return docs_[a.doc].statement_id > docs_[b.doc].statement_id;
  };
  std::partial_sort(matched.begin(), matched.begin() + end, matched.end(), better);
  for (size_t i = offset; i < end; ++i) {
    const Doc& doc = docs_[matched[i].doc];
    page.hits.push_back(Hit{doc.statement_id, doc.version, matched[i].score});
  }
  return page;
}

std::string SearchIndex::Snippet(absl::string_view body, const std::vector<std::string>& terms, size_t width) {
  size_t at = 0;
  bool found = false;
  for (const auto& token : vntext::Tokenize(body)) {
    if (std::find(terms.begin(), terms.end(), token.term) != terms.end()) {
      at = token.begin;
      found = true;
      break;
    }
  }
  size_t begin = found ? BackChars(body, at, width / 4) : 0;
  // Start at a word when the cut falls inside one.
  if (begin > 0) {
    const size_t space = body.find(' ', begin);
    if (space != absl::string_view::npos && space < at) begin = space + 1;
  }
  const size_t end = ForwardChars(body, begin, width);
  std::string out;
  if (begin > 0) out += "…";
  out.append(body.data() + begin, end - begin);
  if (end < body.size()) out += "…";
  return out;
}

}  // namespace pressrelay::distribution
