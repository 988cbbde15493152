#include "services/distribution/catalog.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/domain/audience.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/distribution/page_token.h"
#include "services/distribution/publisher.h"
#include "services/distribution/read_access.h"

namespace pressrelay::distribution {
namespace {

constexpr int kScanLimit = 5000;  // index entries looked at per call, at most

}  // namespace

absl::StatusOr<Statement> Catalog::GetStatement(const Principal& caller, const std::string& statement_id,
                                                int version) {
  if (statement_id.empty()) return FieldError("statement_id", "is required");
  if (version < 0) return FieldError("version", "must not be negative");
  std::optional<Statement> statement;
  int wanted = version;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(auto numbers, StatementStore::LoadVersionNumbers(*redis, statement_id));
    if (numbers.first == 0) return absl::NotFoundError(absl::StrCat("no statement \"", statement_id, "\""));
    if (wanted == 0) wanted = numbers.first;
    PR_ASSIGN_OR_RETURN(statement, StatementStore::LoadVersion(*redis, statement_id, wanted));
  }
  if (!statement) {
    return absl::NotFoundError(absl::StrCat("statement \"", statement_id, "\" has no version ", wanted));
  }
  PR_RETURN_IF_ERROR(MayReadAgency(caller, statement->issuer().agency_code(), *directory_, absl::Now()));
  return *statement;
}

absl::StatusOr<v1::StatementHistory> Catalog::GetStatementHistory(const Principal& caller,
                                                                   const std::string& statement_id) {
  if (statement_id.empty()) return FieldError("statement_id", "is required");
  StatementStore::Summary summary;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, {statement_id}));
    summary = std::move(summaries[0]);
  }
  if (!summary.head) return absl::NotFoundError(absl::StrCat("no statement \"", statement_id, "\""));
  PR_RETURN_IF_ERROR(MayReadAgency(caller, summary.head->agency_code(), *directory_, absl::Now()));
  v1::StatementHistory history;
  history.set_statement_id(statement_id);
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto records, StatementStore::LoadProvenance(*redis, statement_id, summary.latest));
  // Versions committed before records were kept: only Publish and Revise issued them then,
  // so their issuer wrote and issued them.
  std::vector<std::pair<std::string, int>> legacy;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i]) legacy.emplace_back(statement_id, static_cast<int>(i) + 1);
  }
  PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(*redis, legacy));
  for (const auto& version : versions) {
    if (version) records[version->version() - 1] = VersionRecordOf(*version, version->issuer().spokesperson_id(), "", "");
  }
  for (auto& record : records) {
    if (record) *history.add_versions() = std::move(*record);
  }
  return history;
}

template <typename Keep>
absl::StatusOr<std::pair<std::vector<Statement>, std::string>> Catalog::Walk(const std::string& page_token,
                                                                             int page_size, Keep keep) {
  PR_ASSIGN_OR_RETURN(const PagePosition position, ParsePageToken(page_token));
  int64_t before_ms = position.before_ms;
  std::string before_id = position.before_id;
  std::vector<Statement> found;
  int scanned = 0;
  std::string next_token;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  while (static_cast<int>(found.size()) < page_size && scanned < kScanLimit) {
    PR_ASSIGN_OR_RETURN(auto page, StatementStore::IndexPage(*redis, before_ms, before_id, 200));
    if (page.empty()) return std::make_pair(std::move(found), std::string());
    std::vector<std::string> ids;
    for (const auto& [id, ms] : page) ids.push_back(id);
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, ids));
    std::vector<std::pair<std::string, int>> refs;
    std::vector<size_t> positions;
    for (size_t i = 0; i < page.size(); ++i) {
      const int version = keep.Version(summaries[i]);
      if (version > 0 && summaries[i].head && keep.Head(*summaries[i].head)) {
        refs.emplace_back(page[i].first, version);
        positions.push_back(i);
      }
    }
    PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(*redis, refs));
    size_t used = page.size();
    for (size_t k = 0; k < versions.size(); ++k) {
      if (!versions[k] || !keep.Statement(*versions[k])) continue;
      found.push_back(std::move(*versions[k]));
      if (static_cast<int>(found.size()) == page_size) {
        used = positions[k] + 1;
        break;
      }
    }
    scanned += static_cast<int>(used);
    before_ms = page[used - 1].second;
    before_id = page[used - 1].first;
    next_token = FormatPageToken({before_ms, before_id});
  }
  return std::make_pair(std::move(found), next_token);
}

absl::StatusOr<v1::ListStatementsResponse> Catalog::ListStatements(const Principal& caller,
                                                                   const v1::ListStatementsRequest& request) {
  if (!request.thread_of().empty()) return ListThread(caller, request.thread_of());
  PR_ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  std::string agency = request.agency_code();
  if (agency.empty()) {
    PR_ASSIGN_OR_RETURN(agency, DefaultListAgency(caller));
  }
  if (!agency.empty()) PR_RETURN_IF_ERROR(MayReadAgency(caller, agency, *directory_, absl::Now()));
  struct Keep {
    const std::string& agency;
    int Version(const StatementStore::Summary& s) const { return s.latest; }
    bool Head(const store::StatementHead& h) const { return agency.empty() || h.agency_code() == agency; }
    bool Statement(const pressrelay::common::v1::Statement&) const { return true; }
  };
  PR_ASSIGN_OR_RETURN(auto page, Walk(request.page_token(), page_size, Keep{agency}));
  v1::ListStatementsResponse response;
  for (auto& s : page.first) *response.add_statements() = std::move(s);
  response.set_next_page_token(page.second);
  return response;
}

absl::StatusOr<v1::ListStatementsResponse> Catalog::ListThread(const Principal& caller,
                                                               const std::string& statement_id) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, {statement_id}));
  // A statement the caller may not read is reported as missing, like GetStatement's.
  const auto& head = summaries[0].head;
  if (!head || !MayReadAgency(caller, head->agency_code(), *directory_, absl::Now()).ok()) {
    return absl::NotFoundError(absl::StrCat("thread_of: no statement \"", statement_id, "\""));
  }
  PR_ASSIGN_OR_RETURN(auto follow_ups, StatementStore::LoadThread(*redis, head->agency_code(), statement_id));
  std::vector<std::string> ids = {statement_id};
  ids.insert(ids.end(), follow_ups.begin(), follow_ups.end());
  PR_ASSIGN_OR_RETURN(auto thread, StatementStore::LoadSummaries(*redis, ids));
  std::vector<std::pair<std::string, int>> refs;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (thread[i].head && thread[i].latest > 0) refs.emplace_back(ids[i], thread[i].latest);
  }
  PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(*redis, refs));
  v1::ListStatementsResponse response;
  for (auto& v : versions) {
    if (v) *response.add_statements() = std::move(*v);
  }
  return response;
}

absl::StatusOr<v1::QueryHistoryResponse> Catalog::QueryHistory(const v1::QueryHistoryRequest& request) {
  PR_ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  // The request's cited document narrows what the subscription allows, never widens it.
  audience::Filter filter = audience::FilterOf(request.filter());
  audience::Filter cited;
  if (!request.cites().empty()) cited.cites.push_back(request.cites());
  struct Keep {
    audience::Filter filter;
    audience::Filter cited;
    int Version(const StatementStore::Summary& s) const { return s.released; }
    bool Head(const store::StatementHead&) const { return true; }
    bool Statement(const pressrelay::common::v1::Statement& s) const {
      const audience::Facets facets = audience::FacetsOf(s);
      return audience::Matches(filter, facets) && audience::Matches(cited, facets);
    }
  };
  PR_ASSIGN_OR_RETURN(auto page, Walk(request.page_token(), page_size, Keep{std::move(filter), std::move(cited)}));
  v1::QueryHistoryResponse response;
  for (auto& s : page.first) *response.add_statements() = std::move(s);
  response.set_next_page_token(page.second);
  return response;
}

absl::StatusOr<v1::BatchGetVersionsResponse> Catalog::BatchGetVersions(const v1::BatchGetVersionsRequest& request) {
  if (request.refs_size() > 10000) return FieldError("refs", "at most 10000 per call");
  std::vector<std::pair<std::string, int>> refs;
  for (const auto& ref : request.refs()) refs.emplace_back(ref.statement_id(), ref.version());
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(*redis, refs));
  v1::BatchGetVersionsResponse response;
  for (auto& v : versions) {
    if (v) *response.add_statements() = std::move(*v);
  }
  return response;
}

}  // namespace pressrelay::distribution
