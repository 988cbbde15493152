// The press office's desk, end to end, against a real redis-server and the three real
// service binaries: a press officer of the Ministry of Health writes a draft, the
// spokesperson sends it back and then approves it, and a newsroom receives exactly what was
// approved, once; who wrote, reviewed and issued it stays on record.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

using common::v1::Statement;
using dist::DRAFT_STATE_IN_REVIEW;
using dist::DRAFT_STATE_PUBLISHED;
using dist::DRAFT_STATE_WRITING;

// The Distribution service as one person uses it.
class Desk {
 public:
  Desk(const Suite& suite, std::string token) : stub_(suite.Distribution()), token_(std::move(token)) {}

  absl::StatusOr<dist::Draft> Create(const dist::StatementDraft& content, bool early = false) {
    dist::CreateDraftRequest request;
    *request.mutable_draft()->mutable_content() = content;
    request.mutable_draft()->set_early_to_trusted(early);
    return Call<dist::Draft>(&Stub::CreateDraft, request);
  }
  absl::StatusOr<dist::Draft> Update(const std::string& id, const dist::StatementDraft& content, int expected) {
    dist::UpdateDraftRequest request;
    request.mutable_draft()->set_id(id);
    *request.mutable_draft()->mutable_content() = content;
    request.set_expected_revision(expected);
    return Call<dist::Draft>(&Stub::UpdateDraft, request);
  }
  absl::StatusOr<dist::Draft> Get(const std::string& id) {
    dist::GetDraftRequest request;
    request.set_draft_id(id);
    return Call<dist::Draft>(&Stub::GetDraft, request);
  }
  absl::StatusOr<dist::ListDraftsResponse> List(const dist::ListDraftsRequest& request) {
    return Call<dist::ListDraftsResponse>(&Stub::ListDrafts, request);
  }
  absl::StatusOr<dist::Draft> Submit(const std::string& id, int expected) {
    return Call<dist::Draft>(&Stub::SubmitDraft, Review(id, expected, ""));
  }
  absl::StatusOr<dist::Draft> Return(const std::string& id, int expected, const std::string& comment) {
    return Call<dist::Draft>(&Stub::ReturnDraft, Review(id, expected, comment));
  }
  absl::StatusOr<dist::ApproveDraftResponse> Approve(const std::string& id, int expected) {
    dist::ApproveDraftRequest request;
    request.set_draft_id(id);
    request.set_expected_revision(expected);
    return Call<dist::ApproveDraftResponse>(&Stub::ApproveDraft, request);
  }
  absl::StatusOr<Statement> Preview(const dist::StatementDraft& content) {
    dist::PreviewDraftRequest request;
    *request.mutable_content() = content;
    return Call<Statement>(&Stub::PreviewDraft, request);
  }
  absl::StatusOr<dist::StatementHistory> History(const std::string& statement_id) {
    dist::GetStatementHistoryRequest request;
    request.set_statement_id(statement_id);
    return Call<dist::StatementHistory>(&Stub::GetStatementHistory, request);
  }
  absl::StatusOr<dist::ListStatementsResponse> Statements() {
    return Call<dist::ListStatementsResponse>(&Stub::ListStatements, dist::ListStatementsRequest());
  }

 private:
  using Stub = dist::Distribution::Stub;
  static dist::ReviewDraftRequest Review(const std::string& id, int expected, const std::string& comment) {
    dist::ReviewDraftRequest request;
    request.set_draft_id(id);
    request.set_expected_revision(expected);
    request.set_comment(comment);
    return request;
  }
  template <typename Response, typename Request>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request) {
    auto ctx = CallContext(token_, kWait);
    Response response;
    absl::Status status = FromGrpcStatus((stub_.get()->*method)(ctx.get(), request, &response));
    if (!status.ok()) return status;
    return response;
  }

  std::unique_ptr<Stub> stub_;
  std::string token_;
};

// A statement written by the press office: Vietnamese with every kind of diacritic.
dist::StatementDraft Content(const std::string& headline, const std::string& body) {
  dist::StatementDraft d;
  d.set_agency_code("MOH");
  d.set_kind(common::v1::STATEMENT_KIND_PRESS_RELEASE);
  d.set_language("vi");
  d.set_headline(headline);
  d.set_summary("Tóm tắt: số ca mắc giảm ở Hà Nội, Đà Nẵng và TP. Hồ Chí Minh.");
  d.set_body(body);
  d.add_subjects()->set_code("health");
  return d;
}

// The Ministry of Health with its spokesperson and a press officer, the Ministry of Finance
// with its spokesperson, and a newsroom subscribed to everything.
class DraftsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    auto wire = suite_.SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
    ASSERT_TRUE(wire.ok()) << wire.status();
    spokesperson_ = wire->spokesperson_token;
    newsroom_ = wire->newsroom.token();
    auto mof = suite_.AddSpeaker("MOF", "Bộ Tài chính");
    ASSERT_TRUE(mof.ok()) << mof.status();
    other_agency_ = *mof;
    ASSERT_TRUE(suite_.PutPressOfficer("moh-press-1", "MOH").ok());
    auto officer = suite_.IssueToken(reg::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1");
    ASSERT_TRUE(officer.ok()) << officer.status();
    officer_ = *officer;
  }

  std::unique_ptr<TestSubscriber> Subscribe() {
    auto s = std::make_unique<TestSubscriber>(suite_.subscription_address(), newsroom_);
    s->Start();
    EXPECT_TRUE(s->WaitCaughtUp(kWait));
    return s;
  }

  // Keys of a pattern in Redis.
  std::vector<std::string> Keys(const std::string& pattern) {
    auto redis = suite_.redis().Client();
    auto reply = redis.Run({"KEYS", pattern});
    std::vector<std::string> out;
    for (size_t i = 0; reply.ok() && i < reply->size(); ++i) out.emplace_back((*reply)[i].str());
    return out;
  }

  // The audit entries of one method and target, as the operator reads them.
  std::vector<common::v1::AuditEntry> Audit(const std::string& method, const std::string& target) {
    reg::QueryAuditRequest request;
    request.set_method(method);
    request.set_target(target);
    reg::QueryAuditResponse response;
    auto ctx = CallContext(suite_.operator_token(), kWait);
    EXPECT_TRUE(suite_.Admin()->QueryAudit(ctx.get(), request, &response).ok());
    return {response.entries().begin(), response.entries().end()};
  }

  Suite suite_;
  std::string spokesperson_, newsroom_, other_agency_, officer_;
};

TEST_F(DraftsTest, APressOfficersDraftIsReviewedApprovedAndReachesNewsroomsOnce) {
  auto newsroom = Subscribe();
  Desk officer(suite_, officer_);
  Desk spokesperson(suite_, spokesperson_);

  // Work in progress is kept incomplete: a headline, nothing else yet.
  dist::StatementDraft start;
  start.set_headline("Thông tin về dịch sốt xuất huyết");
  auto draft = officer.Create(start);
  ASSERT_TRUE(draft.ok()) << draft.status();
  const std::string id = draft->id();
  EXPECT_TRUE(absl::StartsWith(id, "d_")) << id;
  EXPECT_EQ(draft->revision(), 1);
  EXPECT_EQ(draft->state(), DRAFT_STATE_WRITING);
  EXPECT_EQ(draft->content().agency_code(), "MOH");  // the officer's own desk
  EXPECT_EQ(draft->written_by(), "moh-press-1");

  // Completed ("mắc" typed with combining marks, as some keyboards do: kept as NFC).
  const std::string headline = "Bộ Y tế thông tin về dịch sốt xuất huyết tại Hà Nội";
  const std::string body_v1 = "Tuần qua ghi nhận 1.234 ca mắc, giảm 12% so với tuần trước.";
  auto updated = officer.Update(id, Content(headline, "Tuần qua ghi nhận 1.234 ca ma\xCC\x86\xCC\x81" "c, giảm 12% so với tuần trước."), 1);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->revision(), 2);
  EXPECT_EQ(updated->content().body(), body_v1);  // NFC on save

  // Someone working from revision 1 is told it changed.
  auto stale = officer.Update(id, Content("Tiêu đề cũ", "Cũ"), 1);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(stale.status().message(), "revision 2")) << stale.status();

  auto submitted = officer.Submit(id, 2);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->state(), DRAFT_STATE_IN_REVIEW);
  EXPECT_EQ(submitted->revision(), 3);
  EXPECT_EQ(submitted->content().urgency(), 5);  // as it would be issued

  // A press officer cannot publish or review; nobody edits a draft in review.
  EXPECT_EQ(officer.Approve(id, 3).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(officer.Return(id, 3, "Tự trả lại").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(officer.Update(id, Content(headline, "Sửa"), 3).status().code(), absl::StatusCode::kFailedPrecondition);

  // The spokesperson sends it back, saying why.
  auto no_comment = spokesperson.Return(id, 3, " \u3000 ");
  EXPECT_EQ(no_comment.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(no_comment.status()), "comment");
  auto returned = spokesperson.Return(id, 3, "Đề nghị bổ sung số ca tử vong.");
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(returned->state(), DRAFT_STATE_WRITING);
  EXPECT_EQ(returned->revision(), 4);
  EXPECT_EQ(returned->reviewed_by(), "moh-sp");
  EXPECT_EQ(returned->review_comment(), "Đề nghị bổ sung số ca tử vong.");

  // Edited and sent again.
  const std::string body = "Tuần qua ghi nhận 1.234 ca mắc, giảm 12% so với tuần trước; không có ca tử vong.\n\n"
                           "Người dân cần chủ động diệt lăng quăng, bọ gậy.";
  ASSERT_TRUE(officer.Update(id, Content(headline, body), 4).ok());
  auto resubmitted = officer.Submit(id, 5);
  ASSERT_TRUE(resubmitted.ok()) << resubmitted.status();
  EXPECT_EQ(resubmitted->revision(), 6);

  // Nothing has reached a newsroom, or become a statement.
  auto statements = spokesperson.Statements();
  ASSERT_TRUE(statements.ok()) << statements.status();
  EXPECT_EQ(statements->statements_size(), 0);
  EXPECT_EQ(newsroom->count(), 0u);

  // Approval from a stale revision is refused; from the current one it publishes.
  EXPECT_EQ(spokesperson.Approve(id, 5).status().code(), absl::StatusCode::kFailedPrecondition);
  auto approved = spokesperson.Approve(id, 6);
  ASSERT_TRUE(approved.ok()) << approved.status();
  const Statement& issued = approved->published().statement();
  EXPECT_EQ(approved->draft().state(), DRAFT_STATE_PUBLISHED);
  EXPECT_EQ(approved->draft().revision(), 7);
  EXPECT_EQ(approved->draft().statement_id(), issued.id());
  EXPECT_EQ(approved->draft().written_by(), "moh-press-1");
  EXPECT_EQ(approved->draft().reviewed_by(), "moh-sp");
  EXPECT_EQ(approved->published().recipients_queued(), 1);
  EXPECT_EQ(issued.issuer().spokesperson_id(), "moh-sp");
  EXPECT_FALSE(approved->published().replayed());

  ASSERT_TRUE(newsroom->WaitForCount(1, kWait));
  const std::vector<sub::Delivery> received_all = newsroom->deliveries();
  const Statement& received = received_all[0].statement();
  EXPECT_EQ(received.id(), issued.id());
  EXPECT_EQ(received.headline(), headline);
  EXPECT_EQ(received.body(), body);
  EXPECT_EQ(received.summary(), "Tóm tắt: số ca mắc giảm ở Hà Nội, Đà Nẵng và TP. Hồ Chí Minh.");
  EXPECT_EQ(received.issuer().agency_name(), "Bộ Y tế");
  EXPECT_FALSE(received.signature().value().empty());

  // Who wrote, reviewed and issued it, for everyone who may read the agency's statements.
  for (const std::string& token : {spokesperson_, officer_, suite_.operator_token()}) {
    auto history = Desk(suite_, token).History(issued.id());
    ASSERT_TRUE(history.ok()) << history.status();
    ASSERT_EQ(history->versions_size(), 1);
    const dist::VersionRecord& v1 = history->versions(0);
    EXPECT_EQ(v1.version(), 1);
    EXPECT_EQ(v1.signal(), common::v1::VERSION_SIGNAL_PUBLISH);
    EXPECT_EQ(v1.written_by(), "moh-press-1");
    EXPECT_EQ(v1.reviewed_by(), "moh-sp");
    EXPECT_EQ(v1.published_by(), "moh-sp");
    EXPECT_EQ(v1.draft_id(), id);
    EXPECT_EQ(FromProto(v1.issued_at()), FromProto(issued.versioncreated()));
  }

  // The approval repeated (its answer lost, say) is answered again and issues nothing.
  auto again = spokesperson.Approve(id, 6);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->published().replayed());
  EXPECT_EQ(again->published().statement().id(), issued.id());
  EXPECT_EQ(again->draft().revision(), 7);
  // A published draft changes no more.
  EXPECT_EQ(spokesperson.Approve(id, 7).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(officer.Update(id, Content(headline, body), 7).status().code(), absl::StatusCode::kFailedPrecondition);
  // A later statement arrives second: the repeat queued nothing in between.
  dist::ReviseRequest revise;
  revise.set_statement_id(issued.id());
  revise.set_signal(common::v1::VERSION_SIGNAL_UPDATE);
  *revise.mutable_draft() = Content(headline, absl::StrCat(body, "\n\nCập nhật: thêm 10 ca."));
  ASSERT_TRUE(suite_.Revise(spokesperson_, revise).ok());
  ASSERT_TRUE(newsroom->WaitForCount(2, kWait));
  EXPECT_EQ(newsroom->deliveries()[1].statement().version(), 2);
  EXPECT_EQ(newsroom->count(), 2u);

  // The spokesperson's own revision: written and issued by them, no review, no draft.
  auto history = spokesperson.History(issued.id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->versions_size(), 2);
  const dist::VersionRecord& v2 = history->versions(1);
  EXPECT_EQ(v2.version(), 2);
  EXPECT_EQ(v2.signal(), common::v1::VERSION_SIGNAL_UPDATE);
  EXPECT_EQ(v2.written_by(), "moh-sp");
  EXPECT_EQ(v2.published_by(), "moh-sp");
  EXPECT_EQ(v2.reviewed_by(), "");
  EXPECT_EQ(v2.draft_id(), "");

  // Every change of the draft is audited under its id.
  for (const std::string method : {"CreateDraft", "UpdateDraft", "SubmitDraft", "ReturnDraft"}) {
    const auto entries = Audit(absl::StrCat("Distribution.", method), id);
    EXPECT_FALSE(entries.empty()) << method;
    for (const auto& entry : entries) EXPECT_EQ(entry.target(), id) << method;
  }
}

TEST_F(DraftsTest, APublishedStatementsHistoryNamesItsSpokesperson) {
  auto published = suite_.Publish(spokesperson_, MakeDraft("MOH", "Thông cáo báo chí"));
  ASSERT_TRUE(published.ok()) << published.status();
  auto history = Desk(suite_, spokesperson_).History(published->statement().id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->versions_size(), 1);
  EXPECT_EQ(history->versions(0).written_by(), "moh-sp");
  EXPECT_EQ(history->versions(0).published_by(), "moh-sp");
  EXPECT_EQ(history->versions(0).reviewed_by(), "");
  EXPECT_EQ(history->versions(0).draft_id(), "");
  // Another agency's spokesperson may not read it.
  EXPECT_EQ(Desk(suite_, other_agency_).History(published->statement().id()).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Desk(suite_, spokesperson_).History("01JD3Z6Q8M4T2V5X7Y9A0B1C2D").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DraftsTest, AnotherAgencyCanNeitherSeeNorTouchADraft) {
  Desk officer(suite_, officer_);
  Desk outsider(suite_, other_agency_);
  auto draft = officer.Create(Content("Dự thảo nội bộ", "Chưa công bố."));
  ASSERT_TRUE(draft.ok()) << draft.status();
  ASSERT_TRUE(officer.Submit(draft->id(), 1).ok());
  const std::string id = draft->id();
  const std::string unknown = "d_00000000000000000000";

  // The same answer as for a draft that does not exist: nothing about it is learnt.
  const std::vector<std::pair<std::string, std::function<absl::Status(const std::string&)>>> calls = {
      {"Get", [&](const std::string& d) { return outsider.Get(d).status(); }},
      {"Update", [&](const std::string& d) { return outsider.Update(d, Content("Chiếm", "Chiếm"), 2).status(); }},
      {"Submit", [&](const std::string& d) { return outsider.Submit(d, 2).status(); }},
      {"Return", [&](const std::string& d) { return outsider.Return(d, 2, "Trả lại").status(); }},
      {"Approve", [&](const std::string& d) { return outsider.Approve(d, 2).status(); }},
  };
  for (const auto& [name, call] : calls) {
    const absl::Status theirs = call(id);
    const absl::Status none = call(unknown);
    EXPECT_EQ(theirs.code(), absl::StatusCode::kNotFound) << name << ": " << theirs;
    EXPECT_EQ(none.code(), absl::StatusCode::kNotFound) << name << ": " << none;
    EXPECT_EQ(theirs.message(), absl::StrCat("no draft \"", id, "\"")) << name;
    EXPECT_EQ(none.message(), absl::StrCat("no draft \"", unknown, "\"")) << name;
  }
  // Their desk is their own; MOH's is not theirs to list, and the officer cannot write for MOF.
  dist::ListDraftsRequest mine;
  auto listed = outsider.List(mine);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->drafts_size(), 0);
  dist::ListDraftsRequest theirs;
  theirs.set_agency_code("MOH");
  EXPECT_EQ(outsider.List(theirs).status().code(), absl::StatusCode::kPermissionDenied);
  dist::StatementDraft for_mof = Content("Thay Bộ Tài chính", "Không được phép.");
  for_mof.set_agency_code("MOF");
  EXPECT_EQ(officer.Create(for_mof).status().code(), absl::StatusCode::kPermissionDenied);
  // The draft is untouched.
  auto unchanged = officer.Get(id);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_EQ(unchanged->revision(), 2);
  EXPECT_EQ(unchanged->state(), DRAFT_STATE_IN_REVIEW);
}

TEST_F(DraftsTest, AnEmbargoedDraftApprovedIsScheduledForItsReleaseTime) {
  auto newsroom = Subscribe();
  Desk officer(suite_, officer_);
  dist::StatementDraft content = Content("Công bố kết quả thanh tra", "Kết quả thanh tra công bố lúc phát hành.");
  const absl::Time release = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now() + absl::Seconds(3)));
  *content.mutable_embargoed() = ToProto(release);
  auto draft = officer.Create(content);
  ASSERT_TRUE(draft.ok()) << draft.status();
  ASSERT_TRUE(officer.Submit(draft->id(), 1).ok());
  auto approved = Desk(suite_, spokesperson_).Approve(draft->id(), 2);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_TRUE(approved->published().scheduled());
  EXPECT_EQ(approved->published().recipients_matched(), 1);
  EXPECT_EQ(approved->published().recipients_queued(), 0);
  EXPECT_EQ(approved->draft().state(), DRAFT_STATE_PUBLISHED);
  // It arrives at its release time, not before.
  ASSERT_TRUE(newsroom->WaitForCount(1, kWait));
  EXPECT_GE(newsroom->arrivals()[0], release);
  EXPECT_EQ(FromProto(newsroom->deliveries()[0].statement().embargoed()), release);
}

TEST_F(DraftsTest, APreviewIsTheStatementAsNewsroomsWouldHaveItAndNothingIsStored) {
  dist::StatementDraft content = Content("Thông ba\xCC\x81o khẩn", "Nội dung khẩn.");
  content.set_urgency(0);
  auto preview = Desk(suite_, spokesperson_).Preview(content);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->headline(), "Thông báo khẩn");  // NFC
  EXPECT_EQ(preview->id(), "");
  EXPECT_EQ(preview->version(), 1);
  EXPECT_EQ(preview->urgency(), 5);
  EXPECT_EQ(preview->pubstatus(), common::v1::PUB_STATUS_USABLE);
  EXPECT_TRUE(preview->has_versioncreated());
  EXPECT_FALSE(preview->has_signature());
  EXPECT_EQ(preview->issuer().agency_code(), "MOH");
  EXPECT_EQ(preview->issuer().agency_name(), "Bộ Y tế");
  EXPECT_EQ(preview->issuer().spokesperson_id(), "moh-sp");
  // A press officer speaks for no one: the agency only.
  auto officers = Desk(suite_, officer_).Preview(content);
  ASSERT_TRUE(officers.ok()) << officers.status();
  EXPECT_EQ(officers->issuer().agency_code(), "MOH");
  EXPECT_EQ(officers->issuer().spokesperson_id(), "");
  // What would be refused at publication is refused here, naming the field.
  dist::StatementDraft incomplete = content;
  incomplete.clear_headline();
  auto refused = Desk(suite_, officer_).Preview(incomplete);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(refused.status()), "content.headline");

  EXPECT_TRUE(Keys("{dist}:draft:*").empty());
  EXPECT_TRUE(Keys("{dist}:st:*").empty());
}

TEST_F(DraftsTest, TheDeskListsNewestChangeFirstByPagesAndByState) {
  Desk officer(suite_, officer_);
  std::vector<dist::Draft> drafts;
  for (const std::string headline : {"Một", "Hai", "Ba"}) {
    auto draft = officer.Create(Content(headline, "Nội dung"));
    ASSERT_TRUE(draft.ok()) << draft.status();
    drafts.push_back(*draft);
  }
  auto submitted = officer.Submit(drafts[0].id(), 1);  // the first changes last
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  drafts[0] = *submitted;
  // Newest change first; drafts changed in the same millisecond go by id, the greater first.
  std::sort(drafts.begin(), drafts.end(), [](const dist::Draft& a, const dist::Draft& b) {
    const absl::Time ta = FromProto(a.updated_at()), tb = FromProto(b.updated_at());
    return ta != tb ? ta > tb : a.id() > b.id();
  });
  // The submitted draft changed last: first, unless the last one created was changed in the
  // same millisecond with a greater id (then the rule above puts that one first).
  const bool same_ms = FromProto(drafts[0].updated_at()) == FromProto(submitted->updated_at());
  EXPECT_TRUE(drafts[0].id() == submitted->id() || (same_ms && drafts[0].id() > submitted->id()))
      << drafts[0].id() << " listed before " << submitted->id();
  std::vector<std::string> listed;
  dist::ListDraftsRequest request;
  request.set_page_size(2);
  for (int page = 0; page < 5; ++page) {
    auto answer = officer.List(request);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_LE(answer->drafts_size(), 2);
    for (const auto& d : answer->drafts()) listed.push_back(d.id());
    if (answer->next_page_token().empty()) break;
    request.set_page_token(answer->next_page_token());
  }
  ASSERT_EQ(listed.size(), 3u);
  for (size_t i = 0; i < listed.size(); ++i) EXPECT_EQ(listed[i], drafts[i].id()) << i;

  dist::ListDraftsRequest in_review;
  in_review.set_state(DRAFT_STATE_IN_REVIEW);
  auto reviewing = Desk(suite_, spokesperson_).List(in_review);
  ASSERT_TRUE(reviewing.ok()) << reviewing.status();
  ASSERT_EQ(reviewing->drafts_size(), 1);
  EXPECT_EQ(reviewing->drafts(0).id(), submitted->id());

  request.set_page_token("not-a-token");
  EXPECT_EQ(ErrorField(officer.List(request).status()), "page_token");
}

}  // namespace
}  // namespace pressrelay::testing
