#include "services/common/rpc/audit.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"

namespace pressrelay {

absl::Status AuditLog::Record(AuditEntry entry) {
  entry.set_service(service_);
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return redis
      ->Run(redis::Args{"XADD", keys::kAuditLog, "MAXLEN", "~"}.Add(max_entries_).Add("*").Add("e").Add(
          entry.SerializeAsString()))
      .status();
}

namespace {

// A page token is the id of the last entry the previous page looked at ("<ms>-<seq>", the
// stream's own ids); the next page starts just before it.
bool IsStreamId(absl::string_view id) {
  auto number = [](absl::string_view digits) {
    uint64_t n = 0;
    return !digits.empty() && absl::c_all_of(digits, absl::ascii_isdigit) && absl::SimpleAtoi(digits, &n);
  };
  const size_t dash = id.find('-');
  return dash != absl::string_view::npos && number(id.substr(0, dash)) && number(id.substr(dash + 1));
}

bool Matches(const AuditLog::Query& query, const AuditEntry& entry) {
  return (query.principal_id.empty() || entry.principal_id() == query.principal_id) &&
         (query.method.empty() || entry.method() == query.method) &&
         (query.target.empty() || entry.target() == query.target);
}

}  // namespace

absl::StatusOr<AuditLog::Page> AuditLog::Read(const Query& query) {
  if (!query.page_token.empty() && !IsStreamId(query.page_token)) {
    return FieldError("page_token", "is not a token this service issued");
  }
  constexpr int64_t kBatch = 500;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  Page page;
  std::string end = query.page_token.empty() ? "+" : absl::StrCat("(", query.page_token);
  const std::string start =
      query.since == absl::InfinitePast() ? "-" : absl::StrCat(absl::ToUnixMillis(query.since), "-0");
  std::string last_looked_at;  // the oldest entry looked at so far
  int64_t scanned = 0;
  // Page backwards until enough entries match, the trail (since `since`) ends, or scan_limit
  // entries have been looked at; each round trip asks for what is left of it, at most kBatch.
  while (static_cast<int>(page.entries.size()) < query.limit && scanned < scan_limit_) {
    const int64_t want = std::min(kBatch, scan_limit_ - scanned);
    PR_ASSIGN_OR_RETURN(auto batch,
                        redis->Run({"XREVRANGE", keys::kAuditLog, end, start, "COUNT", absl::StrCat(want)}));
    size_t i = 0;
    for (; i < batch.size() && static_cast<int>(page.entries.size()) < query.limit; ++i) {
      ++scanned;
      last_looked_at = std::string(batch[i][0].str());
      const auto fields = batch[i][1];
      for (size_t f = 0; f + 1 < fields.size(); f += 2) {
        if (fields[f].str() != "e") continue;
        AuditEntry entry;
        if (!entry.ParseFromArray(fields[f + 1].str().data(), static_cast<int>(fields[f + 1].str().size()))) continue;
        if (Matches(query, entry)) page.entries.push_back(std::move(entry));
      }
    }
    // A short answer, all of it looked at: nothing older is left.
    if (static_cast<int64_t>(batch.size()) < want && i == batch.size()) return page;
    end = absl::StrCat("(", last_looked_at);
  }
  // The page is full or the scan limit reached: older entries may match too.
  page.next_page_token = last_looked_at;
  return page;
}

}  // namespace pressrelay
