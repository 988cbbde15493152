// What the registry's entities may be: checks and text normalisation (to NFC), pure
// functions with no state, no storage and no gRPC. What must already exist (an agency, an
// outlet, a recipient) is asked through a callback, so one upsert and a bulk import (which
// may name what it brings along) share the same rules. Field paths start with the caller's
// prefix ("outlet", "journalists[3]"), and every violation goes to one FieldViolations.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/status.h"

namespace pressrelay::registry {

// Whether an entity with this id or code already exists.
using Exists = std::function<bool(const std::string&)>;

void CheckAgency(v1::Agency* agency, const std::string& p, const Exists& agency_exists, FieldViolations* v);
void CheckSpokesperson(v1::Spokesperson* s, const std::string& p, const Exists& agency_exists, FieldViolations* v);
void CheckOutlet(v1::Outlet* outlet, const std::string& p, FieldViolations* v);
void CheckJournalist(v1::Journalist* j, const std::string& p, const Exists& outlet_exists, FieldViolations* v);
void CheckClient(v1::NewsroomClient* c, const std::string& p, const Exists& outlet_exists, FieldViolations* v);
// A subscription holds codes; cited documents are rewritten in their canonical form.
void CheckSubscription(v1::Subscription* sub, const std::string& p, const Exists& recipient_exists,
                       FieldViolations* v);
void CheckPressOfficer(v1::PressOfficer* officer, const std::string& p, const Exists& agency_exists,
                       FieldViolations* v);
// A sign-in account as an operator writes it: username, who it is (an operator's name, or a
// spokesperson or press officer that exists) and display name. The password, secrets and
// times are the registry's own and not checked here.
void CheckAccount(v1::Account* account, const std::string& p, const Exists& spokesperson_exists,
                  const Exists& press_officer_exists, FieldViolations* v);
// Keys to publish; field paths are "keys[i]...".
void CheckAgencyKeys(const std::vector<v1::AgencyKey>& keys, const Exists& agency_exists, FieldViolations* v);

// A press card number: 1-32 characters A-Z, a-z, 0-9 or '-'.
bool IsCardNumber(absl::string_view card);

// A sign-in name: 3-128 characters a-z, 0-9, '.', '_', '-', '@' or '+'.
bool IsUsername(absl::string_view username);

// "client:<id>" / "journalist:<card number>".
inline constexpr absl::string_view kClientPrefix = "client:";
inline constexpr absl::string_view kJournalistPrefix = "journalist:";
std::string ClientRecipientId(absl::string_view client_id);
std::string JournalistRecipientId(absl::string_view card_number);

// Revocations for the journalists whose cards have expired and the clients that are
// disabled among these records: written with them, so the services drop their access.
std::vector<v1::Revocation> LostAccess(const std::vector<v1::Journalist>& journalists,
                                       const std::vector<v1::NewsroomClient>& clients, absl::Time now);

// The revocation a disabled press officer's record carries (none while enabled).
std::vector<v1::Revocation> LostAccess(const v1::PressOfficer& officer);

}  // namespace pressrelay::registry
