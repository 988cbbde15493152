// Who may read an agency's statements, drafts and delivery reports: operators any agency's;
// a spokesperson or press officer their own agency's and those of the agencies merged into it
// (through the admin gateway too: there the caller is the signed-in person, with their own
// role). The access policy has already let
// the caller's role in; this is the per-agency half.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/rpc/auth.h"
#include "services/common/rpc/directory_client.h"

namespace pressrelay::distribution {

// The spokesperson a call speaks as: the caller, if a spokesperson (PERMISSION_DENIED for
// any other role).
absl::StatusOr<std::string> SpeakerOf(const Principal& caller);

// Whether `agency_code` had been merged into `successor_code` by `now`, directly or down a
// chain of mergers (from the registry's list of agencies).
absl::StatusOr<bool> MergedInto(const std::string& agency_code, const std::string& successor_code,
                                DirectoryClient& directory, absl::Time now);

absl::Status MayReadAgency(const Principal& caller, const std::string& agency_code, DirectoryClient& directory,
                           absl::Time now);

// The agency whose statements a list without an agency shows the caller: a spokesperson's
// or press officer's own; empty (all) for operators.
absl::StatusOr<std::string> DefaultListAgency(const Principal& caller);

}  // namespace pressrelay::distribution
