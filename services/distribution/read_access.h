// Who may read an agency's statements and delivery reports: operators any agency's; a
// spokesperson their own agency's; the admin gateway those of the agency the spokesperson it
// acts for (x-pressrelay-act-as) currently speaks for. The access policy has already let the
// caller's role in; this is the per-agency half.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"

namespace pressrelay::distribution {

// The spokesperson a call speaks as: the caller, or the one the admin gateway acts for
// (PERMISSION_DENIED if the gateway names none).
absl::StatusOr<std::string> SpeakerOf(const Principal& caller);

absl::Status MayReadAgency(const Principal& caller, const std::string& agency_code, DirectoryClient& directory,
                           absl::Time now);

// The agency whose statements a list without an agency shows the caller: a spokesperson's
// own; empty (all) for operators. The gateway must name one.
absl::StatusOr<std::string> DefaultListAgency(const Principal& caller);

}  // namespace pressrelay::distribution
