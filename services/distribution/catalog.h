// Reading statements: for spokespeople and press officers (their agency's statements and who
// stands behind each version), for the subscription
// service (versions by reference, and history pages filtered by a recipient's
// subscription). No gRPC here; the edge is DistributionService / CatalogService.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {

class Catalog {
 public:
  Catalog(redis::Pool* pool, DirectoryClient* directory) : pool_(pool), directory_(directory) {}

  // Who reads which agency's statements: read_access.h.
  absl::StatusOr<Statement> GetStatement(const Principal& caller, const std::string& statement_id, int version);
  absl::StatusOr<v1::ListStatementsResponse> ListStatements(const Principal& caller,
                                                            const v1::ListStatementsRequest& request);
  // A statement and its follow-ups, oldest first (ListStatementsRequest.thread_of).
  absl::StatusOr<v1::ListStatementsResponse> ListThread(const Principal& caller, const std::string& statement_id);
  // Who wrote, reviewed and issued each version, oldest first.
  absl::StatusOr<v1::StatementHistory> GetStatementHistory(const Principal& caller, const std::string& statement_id);
  absl::StatusOr<v1::BatchGetVersionsResponse> BatchGetVersions(const v1::BatchGetVersionsRequest& request);
  // Released statements matching the filter, newest first.
  absl::StatusOr<v1::QueryHistoryResponse> QueryHistory(const v1::QueryHistoryRequest& request);

 private:
  // Walks the index from a page token, keeping statements `keep` accepts, until `page_size`
  // are found or `scan_limit` were looked at.
  template <typename Keep>
  absl::StatusOr<std::pair<std::vector<Statement>, std::string>> Walk(const std::string& page_token, int page_size,
                                                                      Keep keep);

  redis::Pool* const pool_;
  DirectoryClient* const directory_;
};

}  // namespace pressrelay::distribution
