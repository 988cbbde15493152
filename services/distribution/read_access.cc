#include "services/distribution/read_access.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/time_util.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {

using pressrelay::common::v1::ROLE_OPERATOR;
using pressrelay::common::v1::ROLE_PRESS_OFFICER;
using pressrelay::common::v1::ROLE_SPOKESPERSON;

absl::StatusOr<std::string> SpeakerOf(const Principal& caller) {
  if (caller.role() != ROLE_SPOKESPERSON) {
    return absl::PermissionDeniedError(absl::StrCat("a ", RoleName(caller.role()), " does not speak for an agency"));
  }
  return caller.id();
}

absl::StatusOr<bool> MergedInto(const std::string& agency_code, const std::string& successor_code,
                                DirectoryClient& directory, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto agencies, directory.ListAgencies());
  absl::flat_hash_map<std::string, const registry_v1::Agency*> by_code;
  for (const auto& a : agencies) by_code[a.code()] = &a;
  std::string code = agency_code;
  // Down the chain of mergers in effect by `now`; a chain is never longer than the registry.
  for (size_t step = 0; step <= agencies.size(); ++step) {
    auto it = by_code.find(code);
    if (it == by_code.end()) return false;
    const registry_v1::Agency& agency = *it->second;
    if (agency.end() != registry_v1::AGENCY_END_MERGED || !IsSet(agency.ended_at()) ||
        FromProto(agency.ended_at()) > now) {
      return false;
    }
    code = agency.successor_code();
    if (code == successor_code) return true;
  }
  return false;
}

absl::Status MayReadAgency(const Principal& caller, const std::string& agency_code, DirectoryClient& directory,
                           absl::Time now) {
  switch (caller.role()) {
    case ROLE_OPERATOR:
      return absl::OkStatus();
    case ROLE_SPOKESPERSON:
    case ROLE_PRESS_OFFICER:
      if (caller.agency_code() == agency_code) return absl::OkStatus();
      {
        // The agency an ended one was merged into reads (and answers for) its statements.
        PR_ASSIGN_OR_RETURN(const bool successor, MergedInto(agency_code, caller.agency_code(), directory, now));
        if (successor) return absl::OkStatus();
      }
      return absl::PermissionDeniedError(absl::StrCat("a ", RoleName(caller.role()), " of ", caller.agency_code(),
                                                      " cannot read what ", agency_code, " issued"));
    default:
      return absl::PermissionDeniedError(absl::StrCat("a ", RoleName(caller.role()), " cannot read statements here"));
  }
}

absl::StatusOr<std::string> DefaultListAgency(const Principal& caller) {
  switch (caller.role()) {
    case ROLE_SPOKESPERSON:
    case ROLE_PRESS_OFFICER:
      return caller.agency_code();
    default:
      return std::string();
  }
}

}  // namespace pressrelay::distribution
