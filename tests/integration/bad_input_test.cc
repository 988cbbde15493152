// Bad input gets the right answer: a clear status naming the field, that a default client
// can read, and nothing about what the caller has no right to know. Against the real suite.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/domain/cursor.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    moh_ = *suite_.AddSpeaker("MOH", "Bộ Y tế");
    mof_ = *suite_.AddSpeaker("MOF", "Bộ Tài chính");
  }

  dist::ReviseRequest Revision(const std::string& id, common::v1::VersionSignal signal) {
    dist::ReviseRequest r;
    r.set_statement_id(id);
    r.set_signal(signal);
    r.set_reason("Lý do");
    return r;
  }

  Suite suite_;
  std::string moh_, mof_;
};

// 100 subjects with bad codes put every violation into the error details, past the 8 KiB of
// response headers a default client takes: it saw RESOURCE_EXHAUSTED "received initial
// metadata size exceeds limit" instead of the answer.
TEST_F(BadInputTest, ManyViolationsStillFitADefaultClient) {
  auto draft = MakeDraft("MOH", "Thông cáo");
  for (int i = 0; i < 100; ++i) draft.add_subjects()->set_code(absl::StrCat("Không Hợp Lệ ", i, std::string(60, '!')));
  auto stub = suite_.Distribution();  // a channel with gRPC's default limits
  dist::PublishRequest request;
  *request.mutable_draft() = draft;
  dist::PublishResponse response;
  auto ctx = CallContext(moh_, kWait);
  grpc::Status status = stub->Publish(ctx.get(), request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "draft.subjects: has more than 20 entries")) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "(and 100 more)")) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "the details list the first 20 of 101"));
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  google::rpc::BadRequest bad;
  ASSERT_EQ(rich.details_size(), 1);
  ASSERT_TRUE(rich.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 21);  // 20 listed, then how many more
  EXPECT_EQ(bad.field_violations(1).field(), "draft.subjects[0].code");
  EXPECT_EQ(bad.field_violations(20).description(), "and 81 more violations not listed");
  EXPECT_LT(status.error_details().size(), 4096u);
}

// A headline of three spaces was accepted and delivered blank.
TEST_F(BadInputTest, RequiredTextMustHaveVisibleContent) {
  for (const std::string& blank : {std::string("   "), std::string("\u00a0\u3000\u200b"), std::string("\u2060")}) {
    auto draft = MakeDraft("MOH", blank);
    auto r = suite_.Publish(moh_, draft);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    EXPECT_EQ(ErrorField(r.status()), "draft.headline") << r.status();
    draft = MakeDraft("MOH", "Thông cáo");
    draft.set_body(" \n\t ");
    r = suite_.Publish(moh_, draft);
    EXPECT_EQ(ErrorField(r.status()), "draft.body") << r.status();
  }
  // A correction, withhold or kill must say why, visibly.
  auto published = suite_.Publish(moh_, MakeDraft("MOH", "Thông cáo"));
  ASSERT_TRUE(published.ok());
  auto kill = Revision(published->statement().id(), common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("  \u200b ");
  auto killed = suite_.Revise(moh_, kill);
  EXPECT_EQ(ErrorField(killed.status()), "reason") << killed.status();
  // So must the registry's names.
  auto agency = suite_.PutAgency("MOIT", "   ");
  EXPECT_EQ(ErrorField(agency), "agency.name_vi") << agency;
}

TEST_F(BadInputTest, RegionCodesAreVietnamsProvinces) {
  auto draft = MakeDraft("MOH", "Thông cáo", {}, "VN-99");
  auto r = suite_.Publish(moh_, draft);
  EXPECT_EQ(ErrorField(r.status()), "draft.located.region_code") << r.status();
  // A province merged in 2025 is told the code of the one it joined.
  draft = MakeDraft("MOH", "Thông cáo", {}, "VN-03");
  r = suite_.Publish(moh_, draft);
  EXPECT_EQ(ErrorField(r.status()), "draft.located.region_code") << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "Hà Giang")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "use VN-07")) << r.status();
  EXPECT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Thông cáo", {}, "VN-07")).ok());
}

// A cursor past the recipient's queue opened a stream that then silently skipped what was
// queued until the queue caught up with it. Ack already refused it; Subscribe does too.
TEST_F(BadInputTest, SubscribeRefusesACursorAheadOfTheQueue) {
  ASSERT_TRUE(suite_.PutOutlet("tuoitre", "Báo Tuổi Trẻ").ok());
  auto rid = suite_.PutClient("tt-cms", "tuoitre");
  ASSERT_TRUE(rid.ok());
  reg::Subscription everything;
  everything.set_recipient_id(*rid);
  ASSERT_TRUE(suite_.SetSubscription(everything).ok());
  const std::string token = *suite_.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, "tt-cms");
  ASSERT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Một")).ok());
  TestSubscriber first(suite_.subscription_address(), token);
  first.Start();
  ASSERT_TRUE(first.WaitForCount(1, kWait));
  Cursor cursor = *DecodeCursor(first.deliveries()[0].cursor(), "cursor");
  first.Stop();
  // The same epoch, a position a minute ahead of anything queued.
  cursor.positions[1] += fanout::SeqFloor(absl::Now() + absl::Minutes(1)) - fanout::SeqFloor(absl::Now());
  TestSubscriber ahead(suite_.subscription_address(), token, EncodeCursor(cursor));
  ahead.Start();
  ASSERT_TRUE(ahead.WaitEnded(kWait));
  EXPECT_EQ(ahead.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT) << ahead.status().error_message();
  EXPECT_TRUE(absl::StartsWith(ahead.status().error_message(), "cursor: is ahead of this recipient's queue"))
      << ahead.status().error_message();
  EXPECT_EQ(ahead.count(), 0u);
}

// Another agency's spokesperson got NOT_FOUND or FAILED_PRECONDITION depending on the
// statement's state, and so learnt whether it was killed. The right comes first now.
TEST_F(BadInputTest, RevisingAnotherAgencysStatementTellsNothingOfItsState) {
  auto live = suite_.Publish(moh_, MakeDraft("MOH", "Còn hiệu lực"));
  auto withheld = suite_.Publish(moh_, MakeDraft("MOH", "Tạm dừng"));
  auto killed = suite_.Publish(moh_, MakeDraft("MOH", "Đã hủy"));
  ASSERT_TRUE(live.ok() && withheld.ok() && killed.ok());
  ASSERT_TRUE(suite_.Revise(moh_, Revision(withheld->statement().id(), common::v1::VERSION_SIGNAL_WITHHOLD)).ok());
  ASSERT_TRUE(suite_.Revise(moh_, Revision(killed->statement().id(), common::v1::VERSION_SIGNAL_KILL)).ok());
  std::set<std::string> messages;
  for (const auto* p : {&*live, &*withheld, &*killed}) {
    for (auto signal : {common::v1::VERSION_SIGNAL_CORRECTION, common::v1::VERSION_SIGNAL_KILL}) {
      auto request = Revision(p->statement().id(), signal);
      request.set_expected_version(7);  // a wrong version is not told either
      auto r = suite_.Revise(mof_, request);
      EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << r.status();
      messages.insert(std::string(r.status().message()));
    }
  }
  EXPECT_EQ(messages.size(), 1u) << "the answer differs with the statement's state";
  // The owner still gets the precise answers.
  auto again = suite_.Revise(moh_, Revision(killed->statement().id(), common::v1::VERSION_SIGNAL_CORRECTION));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
}

// While Redis loads its data after a restart it answers LOADING; Publish passed that on as
// INTERNAL (83 calls seen), which clients do not retry. It is UNAVAILABLE now.
TEST_F(BadInputTest, WhileRedisLoadsItsDataCallsAreUnavailableNotInternal) {
  // Enough data that loading takes seconds at 100 us a key.
  auto redis = suite_.redis().Client();
  std::vector<redis::Args> batch;
  for (int i = 0; i < 30000; ++i) batch.push_back({"SET", absl::StrCat("filler:", i), "x"});
  ASSERT_TRUE(redis.Pipeline(batch).ok());
  ASSERT_TRUE(suite_.redis()
                  .Restart({"--key-load-delay", "100", "--loading-process-events-interval-bytes", "1024"},
                           /*wait_loaded=*/false)
                  .ok());
  int unavailable = 0, other = 0;
  std::string others;
  for (int i = 0; i < 5; ++i) {
    auto r = suite_.Publish(moh_, MakeDraft("MOH", absl::StrCat("Trong lúc nạp ", i)));
    if (absl::IsUnavailable(r.status())) {
      ++unavailable;
    } else if (!r.ok()) {
      ++other;
      absl::StrAppend(&others, r.status().ToString(), "\n");
    }
  }
  EXPECT_GT(unavailable, 0);
  EXPECT_EQ(other, 0) << others;
  // Loaded, the wire publishes again.
  ASSERT_TRUE(WaitHealth(suite_.distribution_address(), true, kWait).ok());
  EXPECT_TRUE(suite_.Publish(moh_, MakeDraft("MOH", "Sau khi nạp")).ok());
}

}  // namespace
}  // namespace pressrelay::testing
