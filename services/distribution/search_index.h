// The search index: an inverted index of released statements held in memory by every
// distribution replica, over the words of their text folded by vntext (accents, case and
// normalisation gone). No I/O: statement_search.h feeds it from Redis and answers with it.
//
// Why in memory, not in Redis (README.md, "Search"): a query intersects a few posting lists
// and scores every candidate; in Redis that is a Lua script holding the one Redis thread for
// the whole query (or many round trips), while here it is a read lock and arrays. Redis
// stays the only source of truth: the index is rebuilt from the statements at start and kept
// fresh from the change log ({dist}:st:changes), so replicas need no coordination.
//
// Layout: each term has a posting list (documents ascending, with the term's weighted count:
// headline words count 3); each document keeps its term sequence for phrases, its facets for
// entitlement (audience.h, the same predicate as History) and its first publication time. A
// statement's new version replaces its document: the old one is marked dead and skipped, and
// the lists are compacted once a quarter of them is dead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/search.pb.h"
#include "pressrelay/common/v1/statement.pb.h"
#include "services/common/domain/audience.h"

namespace pressrelay::distribution {

// A query as the index reads it.
struct ParsedQuery {
  std::vector<std::string> terms;                 // distinct folded words, phrases' included
  std::vector<std::vector<std::string>> phrases;  // each of two words or more, in order
  audience::Filter narrow;                        // the query's own agency and cited-document filters
  int64_t from_ms = 0;                            // first published in [from_ms, until_ms)
  int64_t until_ms = 0;                           // 0: no bound
  bool include_canceled = false;
  bool newest_first = false;
};

// INVALID_ARGUMENT naming the field (query.text, query.cites, ...) for what cannot be
// searched: over 500 bytes or 16 words, an unclosed quote is taken to the end of the text.
absl::StatusOr<ParsedQuery> ParseQuery(const pressrelay::common::v1::SearchQuery& query);

class SearchIndex {
 public:
  struct Hit {
    std::string statement_id;
    int version = 0;
    double score = 0;
  };
  struct Page {
    std::vector<Hit> hits;
    int total = 0;  // every match, before paging
  };

  // Indexes `statement` (its latest released version) unless a later version of it is
  // already indexed; replaces an earlier one.
  void Put(const pressrelay::common::v1::Statement& statement);
  // Other names each agency's statements are found by: its former names and the names of
  // agencies merged into it (an administrative change; the statements keep the issuer name
  // they were signed with). Replaces the previous aliases.
  void SetAgencyAliases(const absl::flat_hash_map<std::string, std::vector<std::string>>& aliases);

  // Statements indexed (live documents).
  size_t size() const;
  // Bytes the index holds, roughly (documents, postings, terms): the figure the README's
  // sizing uses.
  size_t MemoryBytes() const;

  // The matches `entitlement` allows, ranked, [offset, offset + limit).
  Page Search(const ParsedQuery& query, const audience::Filter& entitlement, int offset, int limit) const;

  // A piece of `body` around the first word of `terms`, about `width` characters, "…" where
  // cut; the beginning of the body when no word is found.
  static std::string Snippet(absl::string_view body, const std::vector<std::string>& terms, size_t width = 200);

 private:
  struct Posting {
    uint32_t doc;
    uint16_t weight;  // occurrences, headline ones counted 3
  };
  struct Doc {
    std::string statement_id;
    int version = 0;
    int64_t first_ms = 0;
    bool alive = false;
    bool canceled = false;
    audience::Facets facets;
    std::vector<uint32_t> sequence;  // term ids in text order; kGap between fields
  };
  static constexpr uint32_t kGap = UINT32_MAX;
  static constexpr uint32_t kUnknownTerm = UINT32_MAX - 1;

  uint32_t TermId(const std::string& term) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Compact() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasPhrase(const Doc& doc, const std::vector<uint32_t>& phrase) const;
  bool AliasHasPhrase(const Doc& doc, const std::vector<std::string>& phrase) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint32_t> term_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<Posting>> postings_ ABSL_GUARDED_BY(mu_);  // by term id
  std::vector<Doc> docs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> doc_of_ ABSL_GUARDED_BY(mu_);  // statement id -> live doc
  size_t dead_ ABSL_GUARDED_BY(mu_) = 0;
  // Each agency's documents (ascending), and which agencies' aliases hold each folded word.
  absl::flat_hash_map<std::string, std::vector<uint32_t>> agency_docs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<std::string>> alias_agencies_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::vector<std::string>> alias_names_ ABSL_GUARDED_BY(mu_);  // folded
  uint64_t total_length_ ABSL_GUARDED_BY(mu_) = 0;  // of live documents, for BM25's average
};

}  // namespace pressrelay::distribution
