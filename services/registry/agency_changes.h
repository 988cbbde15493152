// Administrative change of agencies: renamed, merged into another, or dissolved, by a legal
// decision, from a date (the 2025 merger of 63 provinces into 34, Resolution 202/2025/QH15;
// ministry mergers). Pure rules with no state, storage or gRPC: what a change may be, the
// agency it leaves, and how a change reads at a moment (the name an agency had then, whether
// it had ended, whom it had been merged into).
//
// The rules decided here:
//   - A renaming takes effect when recorded or earlier (never in the future), so the agency's
//     record always carries the name in use; the names before it go to `former_names` with
//     `until`. A statement checked at an earlier moment gets the name valid then (NamedAt).
//   - A merger or dissolution may be dated in the future: the agency speaks until then.
//   - An agency whose end has taken effect cannot be changed again (FAILED_PRECONDITION);
//     while its end is still to come another MERGE_INTO or DISSOLVE replaces it (a corrected
//     date or successor), but it cannot be renamed.
//   - The successor exists, is not the agency itself, and has no end, taken effect or not
//     (so no cycle can form through this call).
//   - UpsertAgency never changes these fields: KeepChange puts back the stored ones.
#pragma once

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.pb.h"

namespace pressrelay::registry {

// Another agency by code; null if there is none.
using AgencyLookup = absl::FunctionRef<const v1::Agency*(const std::string& code)>;

// The agency as `request` leaves it, `current` being the agency as stored (request.code()'s).
// INVALID_ARGUMENT naming the request field (code, kind, name_vi, name_en, successor_code,
// effective_from, decided_by); FAILED_PRECONDITION for an agency that has ended.
absl::StatusOr<v1::Agency> ApplyAgencyChange(const v1::Agency& current, const v1::ChangeAgencyRequest& request,
                                             AgencyLookup lookup, absl::Time now);

// Puts the administrative change of `stored` (null: a new agency, none) into `agency`, in
// place of whatever it carried: an upsert never undoes a change.
void KeepChange(const v1::Agency* stored, v1::Agency* agency);

// Whether the agency's merger or dissolution has taken effect at `at`.
bool EndedAt(const v1::Agency& agency, absl::Time at);

// "UBND-HG was merged into UBND-TQ on 2025-07-01 (decision 202/2025/QH15)", or "... was
// dissolved on ...": why nobody may speak for it. Dates in Vietnam's time (UTC+7).
std::string EndMessage(const v1::Agency& agency);

// The agency with the names it had at `at` (a former name whose `until` had not come yet).
v1::Agency NamedAt(v1::Agency agency, absl::Time at);

// The agencies `code` had been merged into by `at`, nearest first (each merger in the chain
// in effect by then); empty if it had not been merged. A cycle is cut off.
std::vector<std::string> SuccessorsAt(const std::string& code, AgencyLookup lookup, absl::Time at);

}  // namespace pressrelay::registry
