// Administrative change, end to end: two provinces merged (Resolution 202/2025/QH15) with
// their subscribers following the successor on the stream, in history and in search; a
// merger dated in the future that waits for its date; a ministry renamed; bad changes named.
// Old statements keep the issuer name they were published under and still verify. A real
// redis-server and the three real service binaries.
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/signing.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

bool Has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class AdministrativeChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.PutAgency("UBND-HG", "UBND tỉnh Hà Giang", reg::AGENCY_KIND_PROVINCIAL_COMMITTEE).ok());
    ASSERT_TRUE(suite_.PutAgency("UBND-TQ", "UBND tỉnh Tuyên Quang", reg::AGENCY_KIND_PROVINCIAL_COMMITTEE).ok());
    ASSERT_TRUE(suite_.PutSpokesperson("hg-sp", "UBND-HG").ok());
    ASSERT_TRUE(suite_.PutSpokesperson("tq-sp", "UBND-TQ").ok());
    ASSERT_TRUE(suite_.PutOutlet("baotq", "Báo Tuyên Quang").ok());
    hg_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "hg-sp");
    tq_ = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "tq-sp");
    reader_ = Reader("HG-001", {"UBND-HG"});
  }

  std::string Reader(const std::string& card, std::vector<std::string> agencies) {
    reg::Subscription s;
    for (auto& a : agencies) s.add_agency_codes(a);
    auto token = suite_.AddJournalist(card, "baotq", s);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::unique_ptr<TestSubscriber> Subscribe(const std::string& token) { return SubscribeCaughtUp(suite_, token, kWait); }

  absl::StatusOr<dist::PublishResponse> Publish(const std::string& token, const std::string& agency,
                                                const std::string& headline, const std::string& body) {
    return suite_.PublishText(token, agency, headline, body);
  }

  absl::StatusOr<reg::Agency> Change(const reg::ChangeAgencyRequest& request) {
    auto admin = suite_.Admin();
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + suite_.operator_token());
    reg::Agency agency;
    grpc::Status status = admin->ChangeAgency(&ctx, request, &agency);
    if (!status.ok()) return FromGrpcStatus(status);
    return agency;
  }

  absl::StatusOr<reg::Agency> GetAgency(const std::string& code) {
    auto admin = suite_.Admin();
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + suite_.operator_token());
    reg::GetAgencyRequest request;
    request.set_code(code);
    reg::Agency agency;
    grpc::Status status = admin->GetAgency(&ctx, request, &agency);
    if (!status.ok()) return FromGrpcStatus(status);
    return agency;
  }

  static reg::ChangeAgencyRequest Merge(const std::string& code, const std::string& into,
                                        absl::Time from = absl::InfinitePast()) {
    reg::ChangeAgencyRequest r;
    r.set_code(code);
    r.set_kind(reg::AGENCY_CHANGE_KIND_MERGE_INTO);
    r.set_successor_code(into);
    if (from != absl::InfinitePast()) *r.mutable_effective_from() = ToProto(from);
    r.set_decided_by("202/2025/QH15");  // the National Assembly's resolution on the provinces
    return r;
  }

  std::vector<std::string> History(const std::string& token) {
    auto stub = suite_.Subscription();
    sub::HistoryRequest request;
    sub::HistoryResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Status status = stub->History(&ctx, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const auto& s : response.statements()) ids.push_back(s.id());
    return ids;
  }

  std::vector<std::string> Search(const std::string& token, const std::string& text) {
    auto stub = suite_.Subscription();
    sub::SearchRequest request;
    request.mutable_query()->set_text(text);
    common::v1::SearchResults results;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Status status = stub->Search(&ctx, request, &results);
    std::vector<std::string> ids;
    if (!status.ok()) return ids;
    for (const auto& hit : results.hits()) ids.push_back(hit.statement().id());
    return ids;
  }

  // Search follows releases and refreshes its agencies every 2 s: probes until `text` finds
  // statement `id`, or the wait is over.
  bool WaitFound(const std::string& token, const std::string& text, const std::string& id) {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      if (Has(Search(token, text), id)) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  Suite suite_;
  std::string hg_, tq_, reader_;
};

TEST_F(AdministrativeChangeTest, TwoProvincesMergedTheSubscribersFollowTheSuccessor) {
  auto stream = Subscribe(reader_);
  auto old = Publish(hg_, "UBND-HG", "Hà Giang khắc phục hậu quả mưa lũ trên Quốc lộ 4C",
                     "UBND tỉnh Hà Giang chỉ đạo thông tuyến Quốc lộ 4C.");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_TRUE(stream->WaitForCount(1, kWait));
  // Before the merger, Tuyên Quang reaches nobody here.
  auto before = Publish(tq_, "UBND-TQ", "Tuyên Quang tổ chức lễ hội Thành Tuyên", "Lễ hội rước đèn Trung thu.");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->recipients_matched(), 0);

  auto merged = Change(Merge("UBND-HG", "UBND-TQ"));
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->end(), reg::AGENCY_END_MERGED);
  EXPECT_EQ(merged->successor_code(), "UBND-TQ");
  EXPECT_EQ(merged->ended_by(), "202/2025/QH15");
  EXPECT_TRUE(merged->has_ended_at());

  // Hà Giang's spokesperson can no longer speak for it, and is told why.
  auto refused = Publish(hg_, "UBND-HG", "Thông báo của UBND tỉnh Hà Giang", "Nội dung.");
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_NE(refused.status().message().find("UBND-HG was merged into UBND-TQ on "), std::string::npos)
      << refused.status();
  EXPECT_NE(refused.status().message().find("(decision 202/2025/QH15)"), std::string::npos) << refused.status();

  // Tuyên Quang's statement reaches Hà Giang's subscriber, on the stream and in history.
  auto after = Publish(tq_, "UBND-TQ", "Tuyên Quang vận hành chính quyền địa phương hai cấp",
                       "Từ ngày 01/7/2025, tỉnh mới vận hành chính quyền địa phương hai cấp.");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->recipients_matched(), 1);
  ASSERT_TRUE(stream->WaitForCount(2, kWait));
  const auto deliveries = stream->deliveries();
  EXPECT_EQ(deliveries[1].statement().id(), after->statement().id());
  EXPECT_EQ(deliveries[1].statement().issuer().agency_name(), "UBND tỉnh Tuyên Quang");
  const auto history = History(reader_);
  EXPECT_TRUE(Has(history, old->statement().id()));
  EXPECT_TRUE(Has(history, after->statement().id()));

  // A search for the old name, with accents or without, finds the successor's statement.
  EXPECT_TRUE(WaitFound(reader_, "Hà Giang", after->statement().id()));
  EXPECT_TRUE(WaitFound(reader_, "ha giang", after->statement().id()));

  // The old statement keeps the name it was published under, and still verifies.
  const common::v1::Statement first = deliveries[0].statement();
  EXPECT_EQ(first.id(), old->statement().id());
  EXPECT_EQ(first.issuer().agency_code(), "UBND-HG");
  EXPECT_EQ(first.issuer().agency_name(), "UBND tỉnh Hà Giang");
  auto keys = suite_.AgencyKeys(reader_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(signing::Verify(first, *keys).ok());
  EXPECT_TRUE(signing::Verify(deliveries[1].statement(), *keys).ok());

  // Tuyên Quang answers for Hà Giang's statements: its spokesperson reads and corrects one,
  // and the correction, issued as Tuyên Quang, reaches who had it. Hà Giang's own
  // spokesperson cannot; nor can Tuyên Quang's issue new statements as Hà Giang.
  {
    dist::GetStatementRequest get;
    get.set_statement_id(old->statement().id());
    common::v1::Statement read;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + tq_);
    grpc::Status status = suite_.Distribution()->GetStatement(&ctx, get, &read);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(read.issuer().agency_code(), "UBND-HG");
  }
  dist::ReviseRequest correct;
  correct.set_statement_id(old->statement().id());
  correct.set_signal(common::v1::VERSION_SIGNAL_CORRECTION);
  correct.set_reason("Sửa tên tuyến đường");
  *correct.mutable_draft() = MakeDraft("UBND-HG", "Hà Giang khắc phục hậu quả mưa lũ trên Quốc lộ 34");
  EXPECT_EQ(suite_.Revise(hg_, correct).status().code(), absl::StatusCode::kPermissionDenied);
  auto corrected = suite_.Revise(tq_, correct);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(corrected->statement().version(), 2);
  EXPECT_EQ(corrected->statement().issuer().agency_code(), "UBND-TQ");
  EXPECT_EQ(corrected->statement().issuer().agency_name(), "UBND tỉnh Tuyên Quang");
  ASSERT_TRUE(stream->WaitForCount(3, kWait));
  const common::v1::Statement correction = stream->deliveries()[2].statement();
  EXPECT_EQ(correction.id(), old->statement().id());
  EXPECT_EQ(correction.signal(), common::v1::VERSION_SIGNAL_CORRECTION);
  EXPECT_TRUE(signing::Verify(correction, *keys).ok());
  auto as_old = suite_.Publish(tq_, MakeDraft("UBND-HG", "Thông báo mới mang tên Hà Giang"));
  EXPECT_EQ(as_old.status().code(), absl::StatusCode::kPermissionDenied) << as_old.status();

  // An upsert does not undo the merger; the merger is final.
  ASSERT_TRUE(suite_.PutAgency("UBND-HG", "UBND tỉnh Hà Giang", reg::AGENCY_KIND_PROVINCIAL_COMMITTEE).ok());
  auto stored = GetAgency("UBND-HG");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->end(), reg::AGENCY_END_MERGED);
  EXPECT_EQ(stored->successor_code(), "UBND-TQ");
  auto again = Change(Merge("UBND-HG", "UBND-TQ"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
  stream->Stop();
}

TEST_F(AdministrativeChangeTest, AMergerDatedInTheFutureWaitsForItsDate) {
  auto stream = Subscribe(reader_);
  auto due = Change(Merge("UBND-HG", "UBND-TQ", absl::Now() + absl::Hours(1)));
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->end(), reg::AGENCY_END_MERGED);

  // Tuyên Quang first: if it reached the reader it would come before Hà Giang's.
  auto tq = Publish(tq_, "UBND-TQ", "Tuyên Quang chuẩn bị sắp xếp đơn vị hành chính", "Chuẩn bị.");
  ASSERT_TRUE(tq.ok()) << tq.status();
  EXPECT_EQ(tq->recipients_matched(), 0);
  auto hg = Publish(hg_, "UBND-HG", "Hà Giang bàn giao hồ sơ", "Hà Giang vẫn phát ngôn đến ngày sáp nhập.");
  ASSERT_TRUE(hg.ok()) << hg.status();  // it still speaks until the date
  ASSERT_TRUE(stream->WaitForCount(1, kWait));
  EXPECT_EQ(stream->deliveries()[0].statement().id(), hg->statement().id());
  const auto history = History(reader_);
  EXPECT_TRUE(Has(history, hg->statement().id()));
  EXPECT_FALSE(Has(history, tq->statement().id()));
  stream->Stop();
  EXPECT_EQ(stream->count(), 1u);
}

TEST_F(AdministrativeChangeTest, ARenamedMinistryKeepsItsFormerNameNewStatementsCarryTheNewOne) {
  ASSERT_TRUE(suite_.PutAgency("MARD", "Bộ Nông nghiệp và Phát triển nông thôn").ok());
  ASSERT_TRUE(suite_.PutSpokesperson("mard-sp", "MARD").ok());
  const std::string mard = *suite_.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "mard-sp");
  const std::string reader = Reader("NN-001", {"MARD"});
  auto stream = Subscribe(reader);
  auto old = Publish(mard, "MARD", "Hướng dẫn phòng chống dịch tả lợn châu Phi", "Các địa phương chủ động.");
  ASSERT_TRUE(old.ok()) << old.status();

  reg::ChangeAgencyRequest rename;
  rename.set_code("MARD");
  rename.set_kind(reg::AGENCY_CHANGE_KIND_RENAME);
  rename.set_name_vi("Bộ Nông nghiệp và Môi trường");
  rename.set_name_en("Ministry of Agriculture and Environment");
  rename.set_decided_by("176/2025/qh15");  // typed in lower case: stored canonical
  auto renamed = Change(rename);
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->name_vi(), "Bộ Nông nghiệp và Môi trường");
  ASSERT_EQ(renamed->former_names_size(), 1);
  EXPECT_EQ(renamed->former_names(0).name_vi(), "Bộ Nông nghiệp và Phát triển nông thôn");
  EXPECT_EQ(renamed->former_names(0).decided_by(), "176/2025/QH15");
  EXPECT_TRUE(renamed->former_names(0).has_until());

  auto fresh = Publish(mard, "MARD", "Kế hoạch bảo vệ môi trường nông thôn", "Triển khai từ tháng 3.");
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ASSERT_TRUE(stream->WaitForCount(2, kWait));
  const auto deliveries = stream->deliveries();
  EXPECT_EQ(deliveries[0].statement().issuer().agency_name(), "Bộ Nông nghiệp và Phát triển nông thôn");
  EXPECT_EQ(deliveries[1].statement().issuer().agency_name(), "Bộ Nông nghiệp và Môi trường");
  auto keys = suite_.AgencyKeys(reader);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(signing::Verify(deliveries[0].statement(), *keys).ok());
  EXPECT_TRUE(signing::Verify(deliveries[1].statement(), *keys).ok());
  // The former name finds the renamed ministry's new statement.
  EXPECT_TRUE(WaitFound(reader, "phat trien nong thon", fresh->statement().id()));
  // An upsert with the new name keeps the former one.
  ASSERT_TRUE(suite_.PutAgency("MARD", "Bộ Nông nghiệp và Môi trường").ok());
  EXPECT_EQ(GetAgency("MARD")->former_names_size(), 1);
  stream->Stop();
}

TEST_F(AdministrativeChangeTest, BadChangesNameTheirField) {
  auto field = [&](const reg::ChangeAgencyRequest& r) {
    auto changed = Change(r);
    EXPECT_EQ(changed.status().code(), absl::StatusCode::kInvalidArgument) << changed.status();
    return ErrorField(changed.status());
  };
  EXPECT_EQ(field(Merge("UBND-HG", "UBND-HG")), "successor_code");
  EXPECT_EQ(field(Merge("UBND-HG", "UBND-XX")), "successor_code");
  EXPECT_EQ(field(Merge("UBND-HG", "")), "successor_code");
  auto no_decision = Merge("UBND-HG", "UBND-TQ");
  no_decision.set_decided_by("theo chỉ đạo của tỉnh");
  EXPECT_EQ(field(no_decision), "decided_by");
  auto no_kind = Merge("UBND-HG", "UBND-TQ");
  no_kind.set_kind(reg::AGENCY_CHANGE_KIND_UNSPECIFIED);
  EXPECT_EQ(field(no_kind), "kind");
  reg::ChangeAgencyRequest future_rename;
  future_rename.set_code("UBND-TQ");
  future_rename.set_kind(reg::AGENCY_CHANGE_KIND_RENAME);
  future_rename.set_name_vi("UBND tỉnh Tuyên Quang mới");
  future_rename.set_decided_by("202/2025/QH15");
  *future_rename.mutable_effective_from() = ToProto(absl::Now() + absl::Hours(24));
  EXPECT_EQ(field(future_rename), "effective_from");
  auto unknown = Change(Merge("UBND-XX", "UBND-TQ"));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
  // Nothing was changed by any of them.
  EXPECT_EQ(GetAgency("UBND-HG")->end(), reg::AGENCY_END_NONE);
  EXPECT_EQ(GetAgency("UBND-TQ")->former_names_size(), 0);
}

}  // namespace
}  // namespace pressrelay::testing
