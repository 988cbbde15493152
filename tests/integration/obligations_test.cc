// The obligations report end to end: agencies judged by what they really issued through the
// wire (a real redis-server and the real binaries), as of moments an operator chooses.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/signing.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

const absl::TimeZone kVietnam = absl::FixedTimeZone(7 * 3600);

// The first moment of the calendar month `months` after this one, Vietnam time.
absl::Time MonthStart(int months) {
  const absl::CivilMonth m = absl::ToCivilMonth(absl::Now(), kVietnam) + months;
  return absl::FromCivil(absl::CivilSecond(m), kVietnam);
}

class ObligationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("MOH", "Bộ Y tế").ok());
    ASSERT_TRUE(suite_.PutAgency("MOF", "Bộ Tài chính").ok());
    ASSERT_TRUE(suite_.PutAgency("VPCP", "Văn phòng Chính phủ").ok());
    ASSERT_TRUE(suite_.PutAgency("UBDT", "Ủy ban Dân tộc").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("moh-sp", "MOH").ok());
    moh_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "moh-sp");
  }

  absl::StatusOr<dist::ObligationsReport> Report(const std::string& token, absl::Time as_of,
                                                 const std::string& agency = "", bool overdue_only = false) {
    auto stub = suite_.Distribution();
    dist::GetObligationsReportRequest request;
    *request.mutable_as_of() = ToProto(as_of);
    request.set_agency_code(agency);
    request.set_overdue_only(overdue_only);
    dist::ObligationsReport report;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Status status = stub->GetObligationsReport(&ctx, request, &report);
    if (!status.ok()) return FromGrpcStatus(status);
    return report;
  }

  static const dist::AgencyObligations& Of(const dist::ObligationsReport& report, const std::string& code) {
    for (const auto& a : report.agencies()) {
      if (a.agency_code() == code) return a;
    }
    static const dist::AgencyObligations none;
    ADD_FAILURE() << "no " << code << " in the report";
    return none;
  }

  Suite suite_;
  std::string moh_;
};

TEST_F(ObligationsTest, TheReportShowsWhoIsOverdueAndRemindsBeforeADeadline) {
  // MOH informs the press and announces a press conference this month; MOF says nothing.
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Thông tin về tình hình dịch bệnh")).ok());
  dist::StatementDraft notice = MakeDraft("MOH", "Thông báo họp báo định kỳ quý IV");
  notice.set_kind(common::v1::STATEMENT_KIND_PRESS_CONFERENCE_NOTICE);
  ASSERT_TRUE(suite_.Publish(moh_, notice).ok());
  const absl::Time published = absl::Now();

  // Early next month: MOH informed last month and held a conference; MOF did neither.
  auto report = Report(suite_.operator_token(), MonthStart(1) + absl::Hours(24));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->agencies_size(), 4);
  // Listed in Vietnamese alphabetical order (byte order would put "Văn" before "Ủy").
  std::vector<std::string> order;
  for (const auto& a : report->agencies()) order.push_back(a.agency_name());
  EXPECT_EQ(order, (std::vector<std::string>{"Bộ Tài chính", "Bộ Y tế", "Ủy ban Dân tộc", "Văn phòng Chính phủ"}));
  const auto& moh = Of(*report, "MOH");
  EXPECT_EQ(moh.agency_name(), "Bộ Y tế");
  EXPECT_FALSE(moh.information_overdue());
  EXPECT_FALSE(moh.press_conference_overdue());
  EXPECT_LE(absl::AbsDuration(FromProto(moh.last_press_conference()) - published), absl::Seconds(30));
  const auto& mof = Of(*report, "MOF");
  EXPECT_TRUE(mof.information_overdue());
  EXPECT_TRUE(mof.press_conference_overdue());
  // Only the overdue, when asked.
  auto overdue = Report(suite_.operator_token(), MonthStart(1) + absl::Hours(24), "", true);
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->agencies_size(), 3);
  for (const auto& a : overdue->agencies()) EXPECT_NE(a.agency_code(), "MOH");

  // Two days before the end of next month with nothing issued in it: MOH's desk is reminded.
  auto soon = Report(moh_, MonthStart(2) - absl::Hours(48), "MOH");
  ASSERT_TRUE(soon.ok()) << soon.status();
  ASSERT_EQ(soon->agencies_size(), 1);
  ASSERT_GE(soon->agencies(0).reminders_size(), 1);
  EXPECT_NE(soon->agencies(0).reminders(0).find("Chưa cung cấp thông tin cho báo chí"), std::string::npos);
  // The month after that, MOH has missed a month; after three months, its press conference.
  auto later = Report(suite_.operator_token(), MonthStart(3) + absl::Hours(24), "MOH");
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->agencies(0).information_overdue());
  EXPECT_EQ(absl::ToCivilMonth(FromProto(later->agencies(0).press_conference_due()), kVietnam),
            absl::ToCivilMonth(published, kVietnam) + 3);
  auto quarter = Report(suite_.operator_token(), published + absl::Hours(24 * 100), "MOH");
  ASSERT_TRUE(quarter.ok());
  EXPECT_TRUE(quarter->agencies(0).press_conference_overdue());

  // A spokesperson sees their own agency only; a journalist not at all.
  auto own = Report(moh_, absl::Now());
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->agencies_size(), 1);
  EXPECT_EQ(own->agencies(0).agency_code(), "MOH");
  EXPECT_EQ(Report(moh_, absl::Now(), "MOF").status().code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  ASSERT_TRUE(suite_.PutJournalist("TT-001", "tuoitre").ok());
  const std::string journalist = *suite_.IssueToken(reg::SUBJECT_KIND_JOURNALIST, "TT-001");
  EXPECT_EQ(Report(journalist, absl::Now()).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(ObligationsTest, AnUrgentStatementCarriesItsAgencysFollowUpDeadlineAndItsFollowUpsAreThreaded) {
  // MOH undertakes to follow up urgent statements within 2 hours; MOF keeps the wire's 24.
  {
    reg::UpsertAgencyRequest request;
    request.mutable_agency()->set_code("MOH");
    request.mutable_agency()->set_name_vi("Bộ Y tế");
    request.mutable_agency()->set_kind(reg::AGENCY_KIND_MINISTRY);
    request.mutable_agency()->mutable_urgent_follow_up()->set_seconds(2 * 3600);
    reg::UpsertAgencyResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + suite_.operator_token());
    ASSERT_TRUE(suite_.Admin()->UpsertAgency(&ctx, request, &response).ok());
    EXPECT_EQ(response.agency().urgent_follow_up().seconds(), 2 * 3600);
    // Anything but whole minutes from 1 minute to 30 days is refused, naming the field.
    request.mutable_agency()->mutable_urgent_follow_up()->set_seconds(30);
    grpc::ClientContext bad;
    bad.AddMetadata("authorization", "Bearer " + suite_.operator_token());
    grpc::Status refused = suite_.Admin()->UpsertAgency(&bad, request, &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(refused.error_message().find("agency.urgent_follow_up"), std::string::npos) << refused.error_message();
  }
  ASSERT_TRUE(suite_.PutSpokesperson("mof-sp", "MOF").ok());
  const std::string mof = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "mof-sp");

  // An urgent statement (urgency 1) carries its agency's deadline, signed; a routine one none.
  auto urgent = suite_.Publish(moh_, MakeDraft("MOH", "Khẩn: ổ dịch tại Hà Nội", {}, "", 1));
  ASSERT_TRUE(urgent.ok()) << urgent.status();
  const common::v1::Statement& first = urgent->statement();
  ASSERT_TRUE(first.has_follow_up_by());
  EXPECT_EQ(FromProto(first.follow_up_by()) - FromProto(first.firstcreated()), absl::Hours(2));
  auto routine = suite_.Publish(moh_, MakeDraft("MOH", "Lịch tiêm chủng tháng tới", {}, "", 5));
  ASSERT_TRUE(routine.ok());
  EXPECT_FALSE(routine->statement().has_follow_up_by());
  auto mof_urgent = suite_.Publish(mof, MakeDraft("MOF", "Khẩn: điều chỉnh giá xăng dầu", {}, "", 2));
  ASSERT_TRUE(mof_urgent.ok());
  EXPECT_EQ(FromProto(mof_urgent->statement().follow_up_by()) - FromProto(mof_urgent->statement().firstcreated()),
            absl::Hours(24));
  auto keys = suite_.AgencyKeys(moh_);
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(signing::Verify(first, *keys).ok());
  common::v1::Statement moved = first;
  *moved.mutable_follow_up_by() = ToProto(FromProto(first.follow_up_by()) + absl::Hours(1));
  EXPECT_FALSE(signing::Verify(moved, *keys).ok()) << "the deadline is signed";

  // An update keeps the deadline: it is the agency's undertaking from the first release.
  dist::ReviseRequest update;
  update.set_statement_id(first.id());
  update.set_signal(common::v1::VERSION_SIGNAL_UPDATE);
  *update.mutable_draft() = MakeDraft("MOH", "Khẩn: ổ dịch tại Hà Nội (cập nhật số ca)", {}, "", 1);
  auto updated = suite_.Revise(moh_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(FromProto(updated->statement().follow_up_by()), FromProto(first.follow_up_by()));

  // Three hours on, both urgent statements await a follow-up; MOH's is overdue.
  const absl::Time later = absl::Now() + absl::Hours(3);
  auto report = Report(suite_.operator_token(), later, "", true);
  ASSERT_TRUE(report.ok()) << report.status();
  const auto& moh = Of(*report, "MOH");
  ASSERT_EQ(moh.follow_ups_due_size(), 1);
  EXPECT_EQ(moh.follow_ups_due(0).statement_id(), first.id());
  EXPECT_EQ(moh.follow_ups_due(0).headline(), "Khẩn: ổ dịch tại Hà Nội (cập nhật số ca)");
  EXPECT_TRUE(moh.follow_ups_due(0).overdue());
  // MOF's desk is reminded of its own, due later.
  auto mof_report = Report(mof, later, "MOF");
  ASSERT_TRUE(mof_report.ok()) << mof_report.status();
  ASSERT_EQ(mof_report->agencies(0).follow_ups_due_size(), 1);
  EXPECT_FALSE(mof_report->agencies(0).follow_ups_due(0).overdue());
  bool reminded = false;
  for (const auto& r : mof_report->agencies(0).reminders()) {
    reminded |= r.find("Cần cung cấp thông tin tiếp theo về tin khẩn \"Khẩn: điều chỉnh giá xăng dầu\"") !=
                std::string::npos;
  }
  EXPECT_TRUE(reminded);

  // A follow-up names the original: another agency's statement, or no statement, is refused.
  dist::StatementDraft follow = MakeDraft("MOH", "Ổ dịch tại Hà Nội đã được khoanh vùng");
  follow.set_follows_up(mof_urgent->statement().id());
  auto foreign = suite_.Publish(moh_, follow);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(foreign.status().message().find("draft.follows_up"), std::string::npos) << foreign.status();
  follow.set_follows_up("not-a-statement");
  EXPECT_EQ(suite_.Publish(moh_, follow).status().code(), absl::StatusCode::kInvalidArgument);
  follow.set_follows_up(first.id());
  auto followed = suite_.Publish(moh_, follow);
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_EQ(followed->statement().follows_up(), first.id());
  EXPECT_TRUE(signing::Verify(followed->statement(), *keys).ok());
  dist::StatementDraft second = MakeDraft("MOH", "Kết quả xét nghiệm ổ dịch tại Hà Nội");
  second.set_follows_up(first.id());
  auto followed_again = suite_.Publish(moh_, second);
  ASSERT_TRUE(followed_again.ok()) << followed_again.status();
  // A revision may not move a statement to another thread.
  dist::ReviseRequest move;
  move.set_statement_id(followed->statement().id());
  move.set_signal(common::v1::VERSION_SIGNAL_UPDATE);
  *move.mutable_draft() = follow;
  move.mutable_draft()->set_follows_up(routine->statement().id());
  auto moved_thread = suite_.Revise(moh_, move);
  EXPECT_EQ(moved_thread.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(moved_thread.status().message().find("draft.follows_up"), std::string::npos);

  // The follow-up met the deadline: MOH is no longer listed; MOF's still awaits.
  auto after = Report(suite_.operator_token(), later, "MOH");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->agencies(0).follow_ups_due_size(), 0);
  // A kill withdraws the undertaking too.
  dist::ReviseRequest kill;
  kill.set_statement_id(mof_urgent->statement().id());
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thông tin chưa chính xác");
  ASSERT_TRUE(suite_.Revise(mof, kill).ok());
  auto mof_after = Report(mof, later, "MOF");
  ASSERT_TRUE(mof_after.ok());
  EXPECT_EQ(mof_after->agencies(0).follow_ups_due_size(), 0);

  // The thread: the original and its follow-ups, oldest first, to whoever may read MOH's.
  dist::ListStatementsRequest thread;
  thread.set_thread_of(first.id());
  dist::ListStatementsResponse listed;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + moh_);
  ASSERT_TRUE(suite_.Distribution()->ListStatements(&ctx, thread, &listed).ok());
  std::vector<std::string> ids;
  for (const auto& s : listed.statements()) ids.push_back(s.id());
  EXPECT_EQ(ids, (std::vector<std::string>{first.id(), followed->statement().id(),
                                           followed_again->statement().id()}));
  grpc::ClientContext other;
  other.AddMetadata("authorization", "Bearer " + mof);
  EXPECT_EQ(suite_.Distribution()->ListStatements(&other, thread, &listed).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace pressrelay::testing
