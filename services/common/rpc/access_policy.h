// Who may call what: one table for every RPC of the suite, deny by default.
//
// Handlers call Authorize(principal, "<Service>.<Method>") before doing anything. An RPC
// missing from the table is denied to everyone. Finer rules that depend on the request
// (a spokesperson only for their own agency, a reader only its own queue) are checked by
// the logic after this gate.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/rpc/auth.h"

namespace pressrelay {

// PERMISSION_DENIED unless the principal's role may call the method.
absl::Status Authorize(const Principal& principal, absl::string_view method);

// The roles allowed to call a method (empty if unknown).
std::vector<Role> AllowedRoles(absl::string_view method);

// Whether the method changes state (and so is recorded in the audit trail).
bool Mutates(absl::string_view method);

// Every method in the table, for documentation and tests.
std::vector<absl::string_view> PolicyMethods();

}  // namespace pressrelay
