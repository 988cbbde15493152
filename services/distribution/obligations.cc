#include "services/distribution/obligations.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/base/time_util.h"

namespace pressrelay::distribution {
namespace {

const absl::TimeZone& Vietnam() {
  static const absl::TimeZone zone = absl::FixedTimeZone(7 * 3600);
  return zone;
}

// The first moment of the calendar month `months` after the one holding `t` (Vietnam time).
absl::Time MonthStart(absl::Time t, int months) {
  const absl::CivilMonth month = absl::ToCivilMonth(t, Vietnam()) + months;
  return absl::FromCivil(absl::CivilSecond(month), Vietnam());
}

std::string MonthName(absl::Time t, int months) {
  const absl::CivilMonth month = absl::ToCivilMonth(t, Vietnam()) + months;
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

// "31/12/2026": the last day before `deadline`, as Vietnamese dates are written.
std::string DayBefore(absl::Time deadline) {
  return absl::FormatTime("%d/%m/%Y", deadline - absl::Seconds(1), Vietnam());
}

}  // namespace

std::string VietnamMonth(absl::Time t) { return MonthName(t, 0); }

v1::AgencyObligations Evaluate(const std::string& agency_code, const std::string& agency_name,
                               const AgencyActivity& activity, absl::Time as_of, absl::Duration window) {
  v1::AgencyObligations out;
  out.set_agency_code(agency_code);
  out.set_agency_name(agency_name);
  if (activity.last_ms > 0) *out.mutable_last_information() = ProtoFromMillis(activity.last_ms);
  if (activity.last_conference_ms > 0) *out.mutable_last_press_conference() = ProtoFromMillis(activity.last_conference_ms);

  auto issued_in = [&](int months) {
    auto it = activity.statements_by_month.find(MonthName(as_of, months));
    return it != activity.statements_by_month.end() && it->second > 0;
  };
  // Monthly information: this month's is due at its end until something is issued in it.
  const bool this_month = issued_in(0);
  const absl::Time information_due = MonthStart(as_of, this_month ? 2 : 1);
  *out.mutable_information_due() = ToProto(information_due);
  out.set_information_overdue(!issued_in(-1));
  for (int m = -12; m <= -1; ++m) {
    if (!issued_in(m)) out.add_missed_months(MonthName(as_of, m));
  }
  if (!this_month && information_due - as_of <= window) {
    const absl::CivilMonth month = absl::ToCivilMonth(as_of, Vietnam());
    out.add_reminders(absl::StrFormat("Chưa cung cấp thông tin cho báo chí trong tháng %02d/%04d (hạn %s)",
                                      month.month(), month.year(), DayBefore(information_due)));
  }

  // Press conference: three calendar months after the last (Vietnam time); never held is due now.
  absl::Time conference_due = as_of;
  if (activity.last_conference_ms > 0) {
    const absl::Time last = absl::FromUnixMillis(activity.last_conference_ms);
    const absl::CivilSecond at = absl::ToCivilSecond(last, Vietnam());
    const absl::CivilMonth due_month = absl::CivilMonth(at) + 3;
    // The same day of the month three months on (the month's last day when it has fewer).
    const absl::CivilDay first_of_next = absl::CivilDay(absl::CivilMonth(due_month + 1));
    absl::CivilDay day = absl::CivilDay(due_month.year(), due_month.month(), at.day());
    if (day >= first_of_next) day = first_of_next - 1;
    conference_due = absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), at.hour(), at.minute(),
                                                       at.second()),
                                     Vietnam());
  }
  *out.mutable_press_conference_due() = ToProto(conference_due);
  out.set_press_conference_overdue(activity.last_conference_ms == 0 || as_of > conference_due);
  if (activity.last_conference_ms > 0 && as_of <= conference_due && conference_due - as_of <= window) {
    out.add_reminders(absl::StrCat("Họp báo định kỳ (ít nhất 3 tháng một lần) đến hạn ",
                                   absl::FormatTime("%d/%m/%Y", conference_due, Vietnam())));
  }
  return out;
}

void AddFollowUpsDue(const AgencyActivity& activity, const std::map<std::string, std::string>& headlines,
                     absl::Time as_of, v1::AgencyObligations* out) {
  std::vector<std::pair<int64_t, std::string>> due;
  for (const auto& [id, ms] : activity.follow_ups_due) due.emplace_back(ms, id);
  std::sort(due.begin(), due.end());
  for (const auto& [ms, id] : due) {
    const absl::Time deadline = absl::FromUnixMillis(ms);
    auto* item = out->add_follow_ups_due();
    item->set_statement_id(id);
    if (auto it = headlines.find(id); it != headlines.end()) item->set_headline(it->second);
    *item->mutable_follow_up_by() = ToProto(deadline);
    item->set_overdue(deadline <= as_of);
    if (!item->overdue()) {
      out->add_reminders(absl::StrCat("Cần cung cấp thông tin tiếp theo về tin khẩn \"", item->headline(),
                                      "\" trước ", absl::FormatTime("%H:%M %d/%m/%Y", deadline, Vietnam())));
    }
  }
}

bool IsOverdue(const v1::AgencyObligations& obligations) {
  if (obligations.information_overdue() || obligations.press_conference_overdue()) return true;
  return std::any_of(obligations.follow_ups_due().begin(), obligations.follow_ups_due().end(),
                     [](const v1::FollowUpDue& f) { return f.overdue(); });
}

}  // namespace pressrelay::distribution
