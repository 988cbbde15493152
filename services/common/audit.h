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
#include "services/common/redis.h"

namespace pressrelay {

using pressrelay::common::v1::AuditEntry;

class AuditLog {
 public:
  AuditLog(redis::Pool* pool, std::string service, int64_t max_entries = 10'000'000)
      : pool_(pool), service_(std::move(service)), max_entries_(max_entries) {}
  const std::string& service() const { return service_; }

  // Appends an entry (its service is filled in).
  absl::Status Record(AuditEntry entry);

  struct Query {
    std::string principal_id;  // empty: anyone
    std::string method;        // empty: any
    std::string target;        // empty: any
    absl::Time since = absl::InfinitePast();
    int limit = 100;
  };
  // Newest first. A query scans at most kMaxScanned entries back from the newest (or from
  // `since`); narrow it with `since` to look further back.
  static constexpr int64_t kMaxScanned = 200'000;
  absl::StatusOr<std::vector<AuditEntry>> Read(const Query& query);

 private:
  redis::Pool* const pool_;
  const std::string service_;
  const int64_t max_entries_;
};

}  // namespace pressrelay
