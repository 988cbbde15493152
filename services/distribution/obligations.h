// The agencies' obligations to the press under Decree 09/2017/NĐ-CP (Art. 5-6), as rules over
// what each agency has issued. No I/O: obligation_desk.h reads the activity from Redis and the
// agencies from the registry.
//
//   - information to the press at least once every calendar month (Vietnam time, UTC+7):
//     any statement issued counts;
//   - a press conference at least once every three months: a press-conference notice counts
//     (STATEMENT_KIND_PRESS_CONFERENCE_NOTICE), due three calendar months after the last;
//   - a reminder when a deadline not yet met is within the agency's reminder window;
//   - an urgent statement (urgency 1-2) is followed up by its deadline (Statement.follow_up_by,
//     the agency's period after release): every one still awaiting its follow-up is listed,
//     overdue or with a reminder.
// An agency that has never issued the kind of statement an obligation needs is overdue for it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"

namespace pressrelay::distribution {

// What one agency has issued, as the store keeps it.
struct AgencyActivity {
  int64_t last_ms = 0;             // newest statement first published (0: none)
  int64_t last_conference_ms = 0;  // newest press-conference notice (0: none)
  std::map<std::string, int64_t> statements_by_month;  // "2026-12" (Vietnam time) -> count
  std::map<std::string, int64_t> follow_ups_due;       // urgent statement id -> follow-up deadline ms
};

// The calendar month of `t` in Vietnam: "2026-12".
std::string VietnamMonth(absl::Time t);

// The agency's obligations as of `as_of`, with reminders for deadlines within `window`.
v1::AgencyObligations Evaluate(const std::string& agency_code, const std::string& agency_name,
                               const AgencyActivity& activity, absl::Time as_of, absl::Duration window);

// Adds the agency's urgent statements awaiting a follow-up (soonest deadline first; their
// headlines from `headlines`, by id) to `out`, with a reminder for each not yet overdue.
void AddFollowUpsDue(const AgencyActivity& activity, const std::map<std::string, std::string>& headlines,
                     absl::Time as_of, v1::AgencyObligations* out);

// Whether the agency is overdue on anything: the monthly information, the quarterly press
// conference or an urgent statement's follow-up.
bool IsOverdue(const v1::AgencyObligations& obligations);

}  // namespace pressrelay::distribution
