// The obligations report (Distribution.GetObligationsReport): every agency of the registry
// judged by obligations.h against what it has issued ({dist}:activity:<agency>, kept by the
// commit script). Operators see every agency; a spokesperson or press officer their own,
// with the reminders the desk shows them; agencies in Vietnamese alphabetical order of name.
// No gRPC here.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"
#include "services/distribution/obligations.h"

namespace pressrelay::distribution {

class ObligationDesk {
 public:
  // Reminders are given when a deadline not yet met is within `reminder_window`.
  ObligationDesk(redis::Pool* pool, DirectoryClient* directory, absl::Duration reminder_window)
      : pool_(pool), directory_(directory), reminder_window_(reminder_window) {}

  absl::StatusOr<v1::ObligationsReport> Report(const Principal& caller, const v1::GetObligationsReportRequest& request,
                                               absl::Time now);

 private:
  // The headlines of the urgent statements awaiting a follow-up, by id.
  absl::StatusOr<std::map<std::string, std::string>> HeadlinesAwaitingFollowUp(
      const std::vector<AgencyActivity>& activity);
  redis::Pool* const pool_;
  DirectoryClient* const directory_;
  const absl::Duration reminder_window_;
};

}  // namespace pressrelay::distribution
