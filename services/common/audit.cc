#include "services/common/audit.h"

#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/status_macros.h"
#include "services/common/time_util.h"

namespace pressrelay {

absl::Status AuditLog::Record(AuditEntry entry) {
  entry.set_service(service_);
  auto redis = pool_->Acquire();
  return redis
      ->Run(redis::Args{"XADD", keys::kAuditLog, "MAXLEN", "~"}.Add(max_entries_).Add("*").Add("e").Add(
          entry.SerializeAsString()))
      .status();
}

absl::StatusOr<std::vector<AuditEntry>> AuditLog::Read(const Query& query) {
  auto redis = pool_->Acquire();
  std::vector<AuditEntry> out;
  int64_t scanned = 0;
  std::string end = "+";
  const std::string start =
      query.since == absl::InfinitePast() ? "-" : absl::StrCat(absl::ToUnixMillis(query.since), "-0");
  // Page backwards until enough entries match or the log (since `since`) is exhausted.
  while (static_cast<int>(out.size()) < query.limit && scanned < kMaxScanned) {
    PR_ASSIGN_OR_RETURN(auto page, redis->Run({"XREVRANGE", keys::kAuditLog, end, start, "COUNT", "500"}));
    if (page.size() == 0) break;
    scanned += static_cast<int64_t>(page.size());
    for (size_t i = 0; i < page.size() && static_cast<int>(out.size()) < query.limit; ++i) {
      const auto fields = page[i][1];
      for (size_t f = 0; f + 1 < fields.size(); f += 2) {
        if (fields[f].str() != "e") continue;
        AuditEntry entry;
        if (!entry.ParseFromArray(fields[f + 1].str().data(), static_cast<int>(fields[f + 1].str().size()))) continue;
        if (!query.principal_id.empty() && entry.principal_id() != query.principal_id) continue;
        if (!query.method.empty() && entry.method() != query.method) continue;
        if (!query.target.empty() && entry.target() != query.target) continue;
        out.push_back(std::move(entry));
      }
    }
    end = absl::StrCat("(", page[page.size() - 1][0].str());
    if (page.size() < 500) break;
  }
  return out;
}

}  // namespace pressrelay
