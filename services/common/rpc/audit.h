// The append-only audit trail: who changed what, when, from where, and how it ended.
//
// Every service appends to one Redis stream, audit:log (keys.h), through this class; the
// registry serves it to operators (RegistryAdmin.QueryAudit). Entries are never edited; the
// stream is capped only at a very large length (--audit_max_entries) as a last resort
// against filling Redis. Tokens are never part of an entry (only token ids).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pressrelay/common/v1/audit.pb.h"
#include "services/common/redis/redis.h"

namespace pressrelay {

using pressrelay::common::v1::AuditEntry;

class AuditLog {
 public:
  // `scan_limit`: the most entries one Read looks at, whatever it finds (the bound on one
  // query's work; it returns where it stopped, to go on from there).
  AuditLog(redis::Pool* pool, std::string service, int64_t max_entries = 10'000'000,
           int64_t scan_limit = kDefaultScanLimit)
      : pool_(pool), service_(std::move(service)), max_entries_(max_entries), scan_limit_(scan_limit) {}
  const std::string& service() const { return service_; }

  // Appends an entry (its service is filled in).
  absl::Status Record(AuditEntry entry);

  struct Query {
    std::string principal_id;  // empty: anyone
    std::string method;        // empty: any
    std::string target;        // empty: any
    absl::Time since = absl::InfinitePast();
    int limit = 100;
    std::string page_token;    // empty: from the newest entry; else a Page::next_page_token
  };
  struct Page {
    std::vector<AuditEntry> entries;  // newest first
    std::string next_page_token;      // empty: nothing older (since `since`) is left to read
  };
  static constexpr int64_t kDefaultScanLimit = 200'000;
  // Reads back from the newest entry (or from where page_token says the last page stopped)
  // until `limit` entries match, the trail since `since` ends, or scan_limit entries have
  // been looked at. A token this class did not issue is INVALID_ARGUMENT naming page_token.
  absl::StatusOr<Page> Read(const Query& query);

 private:
  redis::Pool* const pool_;
  const std::string service_;
  const int64_t max_entries_;
  const int64_t scan_limit_;
};

}  // namespace pressrelay
