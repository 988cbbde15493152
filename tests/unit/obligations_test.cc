// The obligations of Decree 09/2017 Art. 5-6 as rules: monthly information, a press
// conference every three months, reminders before a deadline, in Vietnam's calendar.
#include "services/distribution/obligations.h"

#include <gtest/gtest.h>

#include "services/common/base/time_util.h"

namespace pressrelay::distribution {
namespace {

const absl::TimeZone kVietnam = absl::FixedTimeZone(7 * 3600);

absl::Time At(int y, int m, int d, int hh = 10) { return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), kVietnam); }

AgencyActivity Activity(std::initializer_list<std::pair<std::string, int64_t>> months, absl::Time last,
                        absl::Time conference = absl::InfinitePast()) {
  AgencyActivity a;
  for (const auto& [month, n] : months) a.statements_by_month[month] = n;
  a.last_ms = absl::ToUnixMillis(last);
  if (conference != absl::InfinitePast()) a.last_conference_ms = absl::ToUnixMillis(conference);
  return a;
}

TEST(Obligations, MonthsAreVietnamsCalendar) {
  // 2026-11-30 20:00 UTC is already 1 December in Hà Nội.
  EXPECT_EQ(VietnamMonth(absl::FromCivil(absl::CivilSecond(2026, 11, 30, 20, 0, 0), absl::UTCTimeZone())), "2026-12");
  EXPECT_EQ(VietnamMonth(At(2026, 11, 30)), "2026-11");
}

TEST(Obligations, AnAgencyThatInformedLastMonthAndThisMonthIsUpToDate) {
  const auto a = Activity({{"2026-11", 3}, {"2026-12", 1}}, At(2026, 12, 2), At(2026, 11, 15));
  const auto o = Evaluate("MOH", "Bộ Y tế", a, At(2026, 12, 10), absl::Hours(24 * 7));
  EXPECT_FALSE(o.information_overdue());
  EXPECT_EQ(FromProto(o.information_due()), At(2027, 2, 1, 0));  // this month done: next month's end
  EXPECT_FALSE(o.press_conference_overdue());
  EXPECT_EQ(FromProto(o.press_conference_due()), At(2027, 2, 15));
  EXPECT_TRUE(o.reminders().empty());
  EXPECT_EQ(o.missed_months_size(), 11);  // only November 2026 of the last twelve had statements
  EXPECT_EQ(o.missed_months(0), "2025-12");
}

TEST(Obligations, AMissedMonthIsOverdueAndTheEndOfAnEmptyMonthIsReminded) {
  const auto a = Activity({{"2026-10", 2}}, At(2026, 10, 20), At(2026, 10, 20));
  const auto o = Evaluate("MOF", "Bộ Tài chính", a, At(2026, 12, 27), absl::Hours(24 * 7));
  EXPECT_TRUE(o.information_overdue());  // nothing in November
  EXPECT_EQ(FromProto(o.information_due()), At(2027, 1, 1, 0));
  ASSERT_EQ(o.reminders_size(), 1);
  EXPECT_EQ(o.reminders(0), "Chưa cung cấp thông tin cho báo chí trong tháng 12/2026 (hạn 31/12/2026)");
  // Outside the window there is no reminder yet.
  EXPECT_TRUE(Evaluate("MOF", "", a, At(2026, 12, 10), absl::Hours(24 * 7)).reminders().empty());
}

TEST(Obligations, APressConferenceIsDueThreeCalendarMonthsAfterTheLast) {
  // 30 November + 3 months is the last day of February.
  const auto a = Activity({{"2026-11", 1}, {"2026-12", 1}, {"2027-01", 1}, {"2027-02", 1}}, At(2027, 2, 1),
                          At(2026, 11, 30));
  auto o = Evaluate("UBND-HN", "UBND thành phố Hà Nội", a, At(2027, 2, 25), absl::Hours(24 * 7));
  EXPECT_EQ(FromProto(o.press_conference_due()), At(2027, 2, 28));
  EXPECT_FALSE(o.press_conference_overdue());
  ASSERT_EQ(o.reminders_size(), 1);
  EXPECT_EQ(o.reminders(0), "Họp báo định kỳ (ít nhất 3 tháng một lần) đến hạn 28/02/2027");
  o = Evaluate("UBND-HN", "", a, At(2027, 3, 1), absl::Hours(24 * 7));
  EXPECT_TRUE(o.press_conference_overdue());
}

TEST(Obligations, AnAgencyThatNeverSpokeIsOverdueOnBoth) {
  const auto o = Evaluate("MOET", "Bộ Giáo dục và Đào tạo", AgencyActivity{}, At(2026, 12, 5), absl::Hours(24 * 7));
  EXPECT_TRUE(o.information_overdue());
  EXPECT_TRUE(o.press_conference_overdue());
  EXPECT_FALSE(o.has_last_information());
  EXPECT_EQ(o.missed_months_size(), 12);
}

TEST(Obligations, UrgentStatementsAwaitingAFollowUpAreListedSoonestFirst) {
  AgencyActivity a = Activity({{"2026-11", 1}, {"2026-12", 2}}, At(2026, 12, 2), At(2026, 11, 15));
  a.follow_ups_due["st_late"] = absl::ToUnixMillis(At(2026, 12, 3, 12));
  a.follow_ups_due["st_early"] = absl::ToUnixMillis(At(2026, 12, 2, 12));
  v1::AgencyObligations o = Evaluate("MOH", "Bộ Y tế", a, At(2026, 12, 3, 0), absl::Hours(24 * 7));
  EXPECT_FALSE(IsOverdue(o));
  AddFollowUpsDue(a, {{"st_early", "Khẩn: ổ dịch"}, {"st_late", "Khẩn: mưa lũ"}}, At(2026, 12, 3, 0), &o);
  ASSERT_EQ(o.follow_ups_due_size(), 2);
  EXPECT_EQ(o.follow_ups_due(0).statement_id(), "st_early");
  EXPECT_TRUE(o.follow_ups_due(0).overdue());
  EXPECT_EQ(o.follow_ups_due(1).headline(), "Khẩn: mưa lũ");
  EXPECT_FALSE(o.follow_ups_due(1).overdue());
  EXPECT_TRUE(IsOverdue(o));
  // Only the one not yet overdue is a reminder, with its deadline in Vietnam time.
  ASSERT_EQ(o.reminders_size(), 1);
  EXPECT_EQ(o.reminders(0), "Cần cung cấp thông tin tiếp theo về tin khẩn \"Khẩn: mưa lũ\" trước 12:00 03/12/2026");
}

}  // namespace
}  // namespace pressrelay::distribution
