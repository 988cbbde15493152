// The Subscribe stream's state machine without gRPC: catch-up, live delivery, a slow
// reader falling back to reading at its own pace, priority overtaking routine, revocation,
// drain, the stall and lag limits, and the per-principal cap. A fake transport records what
// the machine writes and how it ends; a fake hub what it asks of the hub.
#include <gtest/gtest.h>

#include <grpcpp/impl/codegen/proto_utils.h>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/base/time_util.h"
#include "services/common/redis/fanout_queue.h"
#include "services/subscription/subscribe_stream.h"

namespace pressrelay::subscription {
namespace {

constexpr keys::Lane kPriority = keys::Lane::kPriority;
constexpr keys::Lane kRoutine = keys::Lane::kRoutine;

class FakeHost : public StreamHost {
 public:
  std::vector<absl::Status> Reserve(absl::Span<const Slot> slots) override {
    return std::vector<absl::Status>(slots.size(), absl::OkStatus());
  }
  void Unreserve(uint64_t) override { ++unreserved; }
  absl::Status Register(StreamMachine* stream) override {
    registered.insert(stream->id());
    return absl::OkStatus();
  }
  void Unregister(StreamMachine* stream) override { registered.erase(stream->id()); }
  void WantCatchUp(uint64_t id) override { ++catch_up_requests[id]; }
  void ScheduleFlush(StreamMachine*, absl::Time) override {}

  int unreserved = 0;
  std::set<uint64_t> registered;
  std::map<uint64_t, int> catch_up_requests;
};

class FakeRecorder : public SentRecorder {
 public:
  void RecordSent(const std::shared_ptr<const std::string>&, absl::Span<const std::shared_ptr<const StatementFrame>> f,
                  int64_t) override {
    sent += f.size();
  }
  size_t sent = 0;
};

// A stream whose transport is a list of what was written and how the call ended.
class FakeStream final : public StreamMachine {
 public:
  FakeStream(StreamHost* host, SentRecorder* recorder, StreamOptions options)
      : StreamMachine(host, recorder, options) {}

  std::vector<v1::SubscribeResponse> writes;
  std::optional<absl::Status> finished, cancelled;

 private:
  void TransportWrite(const grpc::ByteBuffer* message) override {
    grpc::ByteBuffer copy(*message);
    v1::SubscribeResponse response;
    EXPECT_TRUE(grpc::SerializationTraits<v1::SubscribeResponse>::Deserialize(&copy, &response).ok());
    writes.push_back(std::move(response));
  }
  void TransportFinish(const absl::Status& status) override { finished = status; }
  void TransportCancel(const absl::Status& status) override { cancelled = status; }
};

std::shared_ptr<const StatementFrame> Frame(const std::string& id, int version = 1) {
  common::v1::Statement s;
  s.set_id(id);
  s.set_version(version);
  s.set_headline(id);
  return std::make_shared<const StatementFrame>(s);
}

class StreamMachineTest : public ::testing::Test {
 protected:
  // A stream that has begun: registered, asked for its first read.
  FakeStream* Begin(StreamOptions options = {}, Cursor start = {"e1", {0, 0}}) {
    stream_ = new FakeStream(&host_, &recorder_, options);
    StreamOwner owner{"tuoitre-cms", common::v1::ROLE_NEWSROOM_CLIENT, "tok_1", "prt_x", absl::InfiniteFuture()};
    owner.access_until = access_until_;
    stream_->Begin(std::move(owner), "client:tuoitre-cms", 3, std::move(start));
    return stream_;
  }
  void TearDown() override {
    if (stream_ != nullptr) stream_->Done();  // the transport's reference: deletes it
  }
  // Seq numbers one apart, in the past so that nothing looks late.
  int64_t Seq(int i) { return fanout::SeqFloor(now_) + i; }
  PendingDelivery Delivery(int i, keys::Lane lane = kRoutine) {
    return PendingDelivery{Seq(i), lane, Frame(absl::StrCat("S", i))};
  }
  static std::vector<std::string> Headlines(const v1::SubscribeResponse& r) {
    std::vector<std::string> out;
    for (const auto& d : r.deliveries()) out.push_back(d.statement().headline());
    return out;
  }

  FakeHost host_;
  FakeRecorder recorder_;
  FakeStream* stream_ = nullptr;
  absl::Time now_ = absl::Now();
  absl::Time access_until_ = absl::InfiniteFuture();
};

TEST_F(StreamMachineTest, CatchesUpFromItsCursorThenSaysSoOnceAndTurnsLive) {
  FakeStream* s = Begin({}, Cursor{"e1", {0, Seq(1)}});
  EXPECT_TRUE(host_.registered.contains(s->id()));
  EXPECT_EQ(host_.catch_up_requests[s->id()], 1);
  auto read = s->NextRead();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->recipient_id, "client:tuoitre-cms");
  EXPECT_EQ(read->after[1], Seq(1));  // after the cursor
  s->DeliverRead({Delivery(2), Delivery(3)}, /*at_tail=*/true);
  ASSERT_EQ(s->writes.size(), 1u);
  EXPECT_EQ(Headlines(s->writes[0]), (std::vector<std::string>{"S2", "S3"}));
  EXPECT_TRUE(s->writes[0].caught_up());
  EXPECT_EQ(recorder_.sent, 2u);
  s->WriteDone(true);
  // Live: a new entry is written at once, without reading Redis.
  s->OfferLive({Delivery(4)});
  ASSERT_EQ(s->writes.size(), 2u);
  EXPECT_EQ(Headlines(s->writes[1]), (std::vector<std::string>{"S4"}));
  EXPECT_FALSE(s->writes[1].caught_up());
  EXPECT_FALSE(s->NextRead().has_value());
  // Cursors carry the epoch and both positions.
  auto cursor = DecodeCursor(s->writes[1].deliveries(0).cursor(), "cursor");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->epoch, "e1");
  EXPECT_EQ(cursor->positions[1], Seq(4));
}

TEST_F(StreamMachineTest, AnEventSeenWhileReadingKeepsItCatchingUpUntilTheReadHasIt) {
  FakeStream* s = Begin();
  ASSERT_TRUE(s->NextRead().has_value());
  s->OfferLive({Delivery(5)});  // announced while the read is out: only noted
  EXPECT_TRUE(s->writes.empty());
  s->DeliverRead({Delivery(1)}, /*at_tail=*/true);  // the read ended before 5
  ASSERT_EQ(s->writes.size(), 1u);
  EXPECT_FALSE(s->writes[0].caught_up());  // not yet: 5 is still to read
  s->WriteDone(true);
  auto again = s->NextRead();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->after[1], Seq(1));
  s->DeliverRead({Delivery(5)}, true);
  ASSERT_EQ(s->writes.size(), 2u);
  EXPECT_TRUE(s->writes[1].caught_up());
}

TEST_F(StreamMachineTest, DuplicatesOfWhatWasTakenAreDropped) {
  FakeStream* s = Begin();
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({Delivery(1), Delivery(2)}, true);
  s->WriteDone(true);
  s->OfferLive({Delivery(2), Delivery(3)});  // 2 came from the read already
  ASSERT_EQ(s->writes.size(), 2u);
  EXPECT_EQ(Headlines(s->writes[1]), (std::vector<std::string>{"S3"}));
}

TEST_F(StreamMachineTest, PriorityItemsOvertakeRoutineOnesWaitingForTheSameWrite) {
  FakeStream* s = Begin();
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({}, true);  // empty queue: caught up at once
  ASSERT_EQ(s->writes.size(), 1u);
  // While that write is in flight, routine items wait; a kill arrives after them.
  s->OfferLive({Delivery(1), Delivery(2)});
  s->OfferLive({Delivery(3, kPriority)});
  s->WriteDone(true);
  ASSERT_EQ(s->writes.size(), 2u);
  EXPECT_EQ(Headlines(s->writes[1]), (std::vector<std::string>{"S3", "S1", "S2"}));
}

TEST_F(StreamMachineTest, ASlowReaderStopsBeingBufferedAndReadsAtItsOwnPace) {
  StreamOptions options;
  options.outbox_limit = 4;
  options.message_max_deliveries = 1;
  FakeStream* s = Begin(options);
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({}, true);
  ASSERT_EQ(s->writes.size(), 1u);  // caught_up, in flight and never completed: a stuck reader
  for (int i = 1; i <= 10; ++i) s->OfferLive({Delivery(i)});
  // Four were taken into the outbox; from the fifth on the reader is slow: nothing more is
  // held for it, and it reads from Redis once it has room.
  EXPECT_FALSE(s->NextRead().has_value());
  for (int i = 0; i < 4; ++i) s->WriteDone(true);
  ASSERT_EQ(s->writes.size(), 5u);
  EXPECT_EQ(Headlines(s->writes[4]), (std::vector<std::string>{"S4"}));
  s->WriteDone(true);
  auto read = s->NextRead();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->after[1], Seq(4));  // where the outbox left off
  EXPECT_EQ(read->limit, 2);          // what fits its outbox, per lane
}

TEST_F(StreamMachineTest, ARevocationOrADrainEndsItAndNothingIsWrittenAfter) {
  FakeStream* s = Begin();
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({}, true);
  s->WriteDone(true);
  s->End(absl::UnauthenticatedError("token revoked"));
  ASSERT_TRUE(s->finished.has_value());
  EXPECT_EQ(s->finished->code(), absl::StatusCode::kUnauthenticated);
  s->OfferLive({Delivery(1)});
  s->End(absl::UnavailableError("draining"));  // ends once
  EXPECT_EQ(s->writes.size(), 1u);
  EXPECT_EQ(s->finished->code(), absl::StatusCode::kUnauthenticated);
  s->Done();
  EXPECT_FALSE(host_.registered.contains(s->id()));
  stream_ = nullptr;
}

TEST_F(StreamMachineTest, AWriteWithoutProgressPastTheStallTimeoutIsCancelled) {
  StreamOptions options;
  options.stall_timeout = absl::Seconds(2);
  FakeStream* s = Begin(options);
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({Delivery(1)}, true);  // in flight, never done
  EXPECT_FALSE(s->Overdue(absl::Now() + absl::Seconds(1)));
  EXPECT_TRUE(s->Overdue(absl::Now() + absl::Seconds(3)));
  s->Cancel(absl::ResourceExhaustedError(kTooSlow));
  ASSERT_TRUE(s->cancelled.has_value());
  EXPECT_EQ(s->cancelled->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(s->cancelled->message(), "reading too slowly"));
}

TEST_F(StreamMachineTest, AReaderTooFarBehindIsToldSo) {
  StreamOptions options;
  options.max_lag = absl::Seconds(60);
  options.stall_timeout = absl::Hours(1);  // its write is slow, not stuck
  options.message_max_deliveries = 1;
  FakeStream* s = Begin(options);
  ASSERT_TRUE(s->NextRead().has_value());
  s->DeliverRead({}, true);
  s->OfferLive({Delivery(1), Delivery(2)});  // 1 waits behind the caught_up write
  EXPECT_FALSE(s->Overdue(now_ + absl::Seconds(30)));
  EXPECT_FALSE(s->finished.has_value());
  EXPECT_FALSE(s->Overdue(now_ + absl::Seconds(61)));
  ASSERT_TRUE(s->finished.has_value());
  EXPECT_EQ(s->finished->code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(StreamMachineTest, TheStreamEndsWhenItsTokenOrPressCardDoes) {
  access_until_ = now_ + absl::Minutes(5);
  FakeStream* s = Begin();
  EXPECT_FALSE(s->Overdue(now_ + absl::Minutes(4)));
  EXPECT_FALSE(s->finished.has_value());
  s->Overdue(now_ + absl::Minutes(5));
  ASSERT_TRUE(s->finished.has_value());
  EXPECT_EQ(s->finished->code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace pressrelay::subscription
