#include "services/distribution/read_access.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {

using pressrelay::common::v1::ROLE_GATEWAY;
using pressrelay::common::v1::ROLE_OPERATOR;
using pressrelay::common::v1::ROLE_SPOKESPERSON;

absl::StatusOr<std::string> SpeakerOf(const Principal& caller) {
  if (caller.role() != ROLE_GATEWAY) return caller.id();
  if (caller.acting_for().empty()) {
    return absl::PermissionDeniedError(
        "the admin gateway must name the spokesperson it acts for (metadata x-pressrelay-act-as)");
  }
  return caller.acting_for();
}

absl::Status MayReadAgency(const Principal& caller, const std::string& agency_code, DirectoryClient& directory,
                           absl::Time now) {
  switch (caller.role()) {
    case ROLE_OPERATOR:
      return absl::OkStatus();
    case ROLE_SPOKESPERSON:
      if (caller.agency_code() == agency_code) return absl::OkStatus();
      return absl::PermissionDeniedError(
          absl::StrCat("a spokesperson of ", caller.agency_code(), " cannot read what ", agency_code, " issued"));
    case ROLE_GATEWAY: {
      // PERMISSION_DENIED, saying why, unless that person speaks for the agency now.
      PR_ASSIGN_OR_RETURN(const std::string speaker, SpeakerOf(caller));
      return directory.CheckSpeaker(speaker, agency_code, now).status();
    }
    default:
      return absl::PermissionDeniedError(absl::StrCat("a ", RoleName(caller.role()), " cannot read statements here"));
  }
}

absl::StatusOr<std::string> DefaultListAgency(const Principal& caller) {
  switch (caller.role()) {
    case ROLE_SPOKESPERSON:
      return caller.agency_code();
    case ROLE_GATEWAY:
      return FieldError("agency_code", "is required when the admin gateway lists statements");
    default:
      return std::string();
  }
}

}  // namespace pressrelay::distribution
