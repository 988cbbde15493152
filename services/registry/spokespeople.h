// The spokesperson regime of Decree 09/2017/NĐ-CP (Art. 2-3) as pure functions over the
// registry's records: no state, no storage, no gRPC.
//
//   Who speaks for an agency: its head, by right of office; the spokesperson the head has
//   designated by a decision; a person the head has authorised in writing to speak on one
//   matter for a period. A designation or an authorisation is a document, and the record
//   carries its number (`authorised_by`, canonical: legal_refs.h).
//   What each may publish: the head and a designated spokesperson anything, within their
//   period when one is set; an authorised person only a statement with at least one subject
//   among the matter's topics (`matter_topics`), and only within the period.
//   What the agency makes public: the list of the people entitled to speak now, with how
//   the press reaches them and by which document they speak.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/status.h"

namespace pressrelay::registry {

// What the regime asks of a spokesperson's record beyond what every person of an agency must
// be (entity_rules.h): the entitling document, required for a designated spokesperson and an
// authorised person and rewritten in its canonical form; for an authorised person the matter's
// topics (refused for the other roles) and a period with both ends. Field paths start with `p`.
void CheckMandate(v1::Spokesperson* s, const std::string& p, FieldViolations* v);

// The subject codes of the statement a speaker check is for; nullopt when the call issues no
// statement text (a draft returned or previewed, a kill that leaves the text as it was).
using IssuedTopics = std::optional<std::vector<std::string>>;

// Whether `s` may issue a statement with these subjects at `at`, for their own agency (the
// caller has checked the agency): OK, or PERMISSION_DENIED saying why. For an authorised
// person the message names the matter, its topics, the period and the authorising document.
absl::Status MayIssue(const v1::Spokesperson& s, absl::Time at, const IssuedTopics& topics);

// Whether `at` lies within `s`'s period (from inclusive, until exclusive; an unset end is open).
bool EntitledAt(const v1::Spokesperson& s, absl::Time at);

// `s`, of `agency`, as the agency's public list shows them: no registry id, nothing private;
// the matter, its topics and the period for an authorised person only.
v1::PublicSpokesperson PublicEntry(const v1::Spokesperson& s, const v1::Agency& agency);

// Puts a public list in its order: by agency code; the head, then designated spokespeople,
// then authorised people; then by full name in Vietnamese alphabetical order (ICU "vi").
void SortPublicList(std::vector<v1::PublicSpokesperson>* list);

// A time as the messages and the public list's export write it: RFC 3339 in Vietnam's time
// (UTC+07:00 all year), e.g. "2026-05-02T09:00:00+07:00".
std::string VietnamTime(absl::Time t);

}  // namespace pressrelay::registry
