#include "services/distribution/read_access.h"

#include "absl/strings/str_cat.h"
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

absl::Status MayReadAgency(const Principal& caller, const std::string& agency_code, DirectoryClient& directory,
                           absl::Time now) {
  switch (caller.role()) {
    case ROLE_OPERATOR:
      return absl::OkStatus();
    case ROLE_SPOKESPERSON:
    case ROLE_PRESS_OFFICER:
      if (caller.agency_code() == agency_code) return absl::OkStatus();
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
