#include "services/distribution/statement_search.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {
namespace {

constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;
constexpr int kMaxOffset = 10000;  // deeper than any reader pages; refine the query instead
constexpr int kLoadBatch = 500;
constexpr int kChangeBatch = 1000;

// A page token is the offset of the page's first hit: "o<offset>".
absl::StatusOr<int> OffsetOf(const std::string& token) {
  if (token.empty()) return 0;
  int offset = 0;
  if (token[0] != 'o' || !absl::SimpleAtoi(token.substr(1), &offset) || offset < 0 || offset > kMaxOffset) {
    return FieldError("page_token", "is not a token this search gave");
  }
  return offset;
}

}  // namespace

absl::flat_hash_map<std::string, std::vector<std::string>> AgencyAliases(
    const std::vector<pressrelay::registry::v1::Agency>& agencies) {
  absl::flat_hash_map<std::string, const pressrelay::registry::v1::Agency*> by_code;
  for (const auto& a : agencies) by_code[a.code()] = &a;
  absl::flat_hash_map<std::string, std::vector<std::string>> aliases;
  for (const auto& a : agencies) {
    std::vector<std::string> names;
    for (const auto& former : a.former_names()) names.push_back(former.name_vi());
    // Follow the mergers to the agency that carries on now (a cycle is cut off).
    const pressrelay::registry::v1::Agency* heir = &a;
    for (int hops = 0; hops < 16 && heir->end() == pressrelay::registry::v1::AGENCY_END_MERGED; ++hops) {
      auto next = by_code.find(heir->successor_code());
      if (next == by_code.end()) break;
      heir = next->second;
    }
    if (heir != &a) names.push_back(a.name_vi());
    for (auto& name : names) {
      if (!name.empty()) aliases[heir->code()].push_back(std::move(name));
    }
  }
  return aliases;
}

StatementSearch::StatementSearch(redis::Options redis, redis::Pool* pool, DirectoryClient* directory,
                                 Options options)
    : feed_(std::move(redis)), pool_(pool), directory_(directory), options_(options), thread_([this] { Loop(); }) {}

StatementSearch::~StatementSearch() {
  stop_.Notify();
  thread_.join();
}

void StatementSearch::Loop() {
  while (!stop_.HasBeenNotified()) {
    if (directory_ != nullptr && absl::Now() - aliases_at_ >= options_.aliases_refresh) {
      aliases_at_ = absl::Now();
      auto agencies = directory_->ListAgencies();
      if (agencies.ok()) {
        index_.SetAgencyAliases(AgencyAliases(*agencies));
      } else {
        spdlog::warn("search index: agencies: {} (retrying)", agencies.status().ToString());
      }
    }
    absl::Status status = loaded_ ? FollowChanges() : LoadAll();
    if (!status.ok()) spdlog::warn("search index: {} (retrying)", status.ToString());
    if (!loaded_ && !status.ok()) {
      stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
      continue;
    }
    stop_.WaitForNotificationWithTimeout(options_.poll);
  }
}

absl::Status StatementSearch::LoadAll() {
  const absl::Time started = absl::Now();
  // What is released while loading is in the log after this entry: followed afterwards.
  PR_ASSIGN_OR_RETURN(last_change_, StatementStore::LastChange(feed_));
  int64_t before_ms = std::numeric_limits<int64_t>::max();
  std::string before_id;
  while (!stop_.HasBeenNotified()) {
    PR_ASSIGN_OR_RETURN(auto page, StatementStore::IndexPage(feed_, before_ms, before_id, kLoadBatch));
    if (page.empty()) break;
    std::vector<std::string> ids;
    for (const auto& [id, ms] : page) ids.push_back(id);
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(feed_, ids));
    std::vector<std::pair<std::string, int>> refs;
    for (size_t i = 0; i < page.size(); ++i) {
      if (summaries[i].released > 0) refs.emplace_back(page[i].first, summaries[i].released);
    }
    PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(feed_, refs));
    for (const auto& version : versions) {
      if (version) index_.Put(*version);
    }
    before_ms = page.back().second;
    before_id = page.back().first;
  }
  loaded_ = true;
  spdlog::info("search index: {} statements loaded in {} ms, about {} MB", index_.size(),
               absl::ToInt64Milliseconds(absl::Now() - started), index_.MemoryBytes() >> 20);
  return absl::OkStatus();
}

absl::Status StatementSearch::FollowChanges() {
  while (!stop_.HasBeenNotified()) {
    PR_ASSIGN_OR_RETURN(auto changes, StatementStore::ChangesAfter(feed_, last_change_, kChangeBatch));
    if (changes.empty()) return absl::OkStatus();
    std::vector<std::pair<std::string, int>> refs;
    for (const auto& change : changes) refs.emplace_back(change.statement_id, change.version);
    PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(feed_, refs));
    for (const auto& version : versions) {
      if (version) index_.Put(*version);
    }
    last_change_ = changes.back().log_id;
    if (static_cast<int>(changes.size()) < kChangeBatch) return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<pressrelay::common::v1::SearchResults> StatementSearch::Search(
    const v1::CatalogSearchRequest& request) {
  if (request.page_size() < 0) return FieldError("page_size", "must not be negative");
  const int page_size = request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  PR_ASSIGN_OR_RETURN(const int offset, OffsetOf(request.page_token()));
  PR_ASSIGN_OR_RETURN(const ParsedQuery query, ParseQuery(request.query()));
  if (!loaded_) {
    return WithRetryDelay(
        absl::UnavailableError(absl::StrCat("the search index is loading (", index_.size(), " statements so far)")),
        absl::Seconds(1));
  }
  const SearchIndex::Page page = index_.Search(query, audience::FilterOf(request.filter()), offset, page_size);
  pressrelay::common::v1::SearchResults results;
  results.set_total(page.total);
  if (offset + static_cast<int>(page.hits.size()) < page.total && offset + page_size <= kMaxOffset) {
    results.set_next_page_token(absl::StrCat("o", offset + page_size));
  }
  if (page.hits.empty()) return results;
  std::vector<std::pair<std::string, int>> refs;
  for (const auto& hit : page.hits) refs.emplace_back(hit.statement_id, hit.version);
  std::vector<std::optional<Statement>> versions;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(versions, StatementStore::LoadVersions(*redis, refs));
  }
  for (size_t i = 0; i < page.hits.size(); ++i) {
    if (!versions[i]) continue;  // gone from Redis since indexed: not shown
    auto* hit = results.add_hits();
    hit->set_score(page.hits[i].score);
    hit->set_snippet(SearchIndex::Snippet(versions[i]->body(), query.terms));
    *hit->mutable_statement() = std::move(*versions[i]);
  }
  return results;
}

}  // namespace pressrelay::distribution
