// Subscribe's completion-queue transport (stream_loop.h) in a real in-process gRPC server on
// port 0, with a fake hub and ledger: writes start and complete on the loop that owns the
// call, work posted from other threads runs there in order, a status from another thread
// ends the call (after the write in flight), and a client that goes away is unregistered.
#include <gtest/gtest.h>

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "pressrelay/subscription/v1/subscription.grpc.pb.h"
#include "services/common/redis/fanout_queue.h"
#include "services/subscription/stream_loop.h"

namespace pressrelay::subscription {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

class FakeHost : public StreamHost {
 public:
  std::vector<absl::Status> Reserve(absl::Span<const Slot> slots) override {
    return std::vector<absl::Status>(slots.size(), absl::OkStatus());
  }
  void Unreserve(uint64_t) override {}
  absl::Status Register(StreamMachine* stream) override {
    absl::MutexLock lock(&mu);
    stream->Ref();
    streams.push_back(stream);
    return absl::OkStatus();
  }
  void Unregister(StreamMachine* stream) override {
    absl::MutexLock lock(&mu);
    unregistered.insert(stream->id());
  }
  void WantCatchUp(uint64_t) override {}
  void ScheduleFlush(StreamMachine*, absl::Time) override {}

  // The n-th stream that began (referenced until the host goes).
  StreamMachine* WaitForStream(size_t n) {
    absl::MutexLock lock(&mu);
    auto ready = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return streams.size() > n; };
    if (!mu.AwaitWithTimeout(absl::Condition(&ready), kWait)) return nullptr;
    return streams[n];
  }
  bool WaitUnregistered(uint64_t id) {
    absl::MutexLock lock(&mu);
    auto ready = [this, id]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return unregistered.contains(id); };
    return mu.AwaitWithTimeout(absl::Condition(&ready), kWait);
  }
  ~FakeHost() override {
    for (auto* s : streams) s->Unref();
  }

  absl::Mutex mu;
  std::vector<StreamMachine*> streams ABSL_GUARDED_BY(mu);
  std::set<uint64_t> unregistered ABSL_GUARDED_BY(mu);
};

// Notes the thread each message was built on (the machine records a write just before it
// asks the transport to send it).
class ThreadRecorder : public SentRecorder {
 public:
  void RecordSent(const std::shared_ptr<const std::string>&, absl::Span<const std::shared_ptr<const StatementFrame>>,
                  int64_t) override {
    absl::MutexLock lock(&mu);
    threads.insert(std::this_thread::get_id());
    ++messages;
  }
  absl::Mutex mu;
  std::set<std::thread::id> threads ABSL_GUARDED_BY(mu);
  int messages ABSL_GUARDED_BY(mu) = 0;
};

// Begins every stream at once, live from an empty queue.
class Acceptor final : public v1::Subscription::WithRawMethod_Subscribe<v1::Subscription::Service>,
                       public StreamAcceptor {
 public:
  void RequestCall(grpc::ServerContext* ctx, grpc::ByteBuffer* request,
                   grpc::ServerAsyncWriter<grpc::ByteBuffer>* writer, grpc::CompletionQueue* call_cq,
                   grpc::ServerCompletionQueue* notification_cq, void* tag) override {
    RequestSubscribe(ctx, request, writer, call_cq, notification_cq, tag);
  }
  void Open(StreamMachine* stream, const grpc::ServerContext&, const grpc::ByteBuffer&) override {
    stream->Begin(StreamOwner{"p", common::v1::ROLE_NEWSROOM_CLIENT, "t", "tok", absl::InfiniteFuture()}, "r", 0,
                  Cursor{"e1", {0, 0}});
    stream->DeliverRead({}, /*at_tail=*/true);  // caught up: live from here
  }
};

std::shared_ptr<const StatementFrame> Frame(const std::string& id, size_t body_bytes = 0) {
  common::v1::Statement s;
  s.set_id(id);
  s.set_version(1);
  s.set_headline(id);
  s.set_body(std::string(body_bytes, 'x'));
  return std::make_shared<const StatementFrame>(s);
}

class StreamLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&acceptor_);
    loops_.AddQueues(builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    loops_.Start(&acceptor_, &host_, &recorder_, StreamOptions{});
    stub_ = v1::Subscription::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now());
    loops_.Stop();
  }

  // Opens a stream and reads its first message (caught_up).
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> Open(grpc::ClientContext* ctx) {
    auto reader = stub_->Subscribe(ctx, v1::SubscribeRequest());
    v1::SubscribeResponse first;
    EXPECT_TRUE(reader->Read(&first));
    EXPECT_TRUE(first.caught_up());
    return reader;
  }
  PendingDelivery Delivery(int i, size_t body_bytes = 0) {
    return PendingDelivery{fanout::SeqFloor(absl::Now()) + i, keys::Lane::kRoutine,
                           Frame(absl::StrCat("S", i), body_bytes)};
  }

  FakeHost host_;
  ThreadRecorder recorder_;
  Acceptor acceptor_;
  static constexpr int kLoops = 2, kRequests = 4, kQueues = 3;
  StreamLoops loops_{kLoops, kRequests, kQueues};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Subscription::Stub> stub_;
};

TEST_F(StreamLoopTest, PostedDeliveriesAreWrittenByTheLoopThatOwnsTheCall) {
  grpc::ClientContext ctx;
  auto reader = Open(&ctx);
  StreamMachine* stream = host_.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  ASSERT_NE(stream->home(), nullptr);
  // The loop's thread, as seen by work posted to it.
  std::thread::id loop_thread;
  absl::Notification seen;
  std::vector<StreamExecutor::Task> probe;
  probe.emplace_back([&] {
    loop_thread = std::this_thread::get_id();
    seen.Notify();
  });
  stream->home()->Post(std::move(probe));
  ASSERT_TRUE(seen.WaitForNotificationWithTimeout(kWait));
  ASSERT_NE(loop_thread, std::this_thread::get_id());

  // Posted to the loop, as the hub does: the message is built and written on the loop.
  std::vector<StreamExecutor::Task> offer;
  offer.emplace_back([stream, d = std::vector<PendingDelivery>{Delivery(1), Delivery(2)}] { stream->OfferLive(d); });
  stream->home()->Post(std::move(offer));
  std::vector<std::string> got;
  v1::SubscribeResponse response;
  while (got.size() < 2 && reader->Read(&response)) {
    for (const auto& d : response.deliveries()) got.push_back(d.statement().headline());
  }
  {
    absl::MutexLock lock(&recorder_.mu);
    EXPECT_EQ(recorder_.threads, (std::set<std::thread::id>{loop_thread}));
  }
  // Offered from another thread: the write itself is still handed to the loop.
  std::vector<PendingDelivery> direct{Delivery(3)};
  stream->OfferLive(direct);
  while (got.size() < 3 && reader->Read(&response)) {
    for (const auto& d : response.deliveries()) got.push_back(d.statement().headline());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"S1", "S2", "S3"}));
}

TEST_F(StreamLoopTest, AStatusFromAnotherThreadEndsTheCallAfterWhatWasOffered) {
  grpc::ClientContext ctx;
  auto reader = Open(&ctx);
  StreamMachine* stream = host_.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::vector<PendingDelivery> last{Delivery(1)};
  stream->OfferLive(last);
  stream->End(absl::PermissionDeniedError("the press card was revoked"));
  v1::SubscribeResponse response;
  int read = 0;
  while (reader->Read(&response)) read += response.deliveries_size();
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "the press card was revoked");
  EXPECT_LE(read, 1);
  EXPECT_TRUE(host_.WaitUnregistered(stream->id()));
}

TEST_F(StreamLoopTest, AClientThatGoesAwayIsUnregisteredAndOtherStreamsGoOn) {
  auto gone_ctx = std::make_unique<grpc::ClientContext>();
  auto gone = Open(gone_ctx.get());
  grpc::ClientContext stays_ctx;
  auto stays = Open(&stays_ctx);
  // Each opened (and was caught up) before the next: they began in that order.
  StreamMachine* first = host_.WaitForStream(0);
  StreamMachine* live = host_.WaitForStream(1);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(live, nullptr);
  gone_ctx->TryCancel();
  gone.reset();
  EXPECT_TRUE(host_.WaitUnregistered(first->id()));
  std::vector<PendingDelivery> d{Delivery(7)};
  live->OfferLive(d);
  v1::SubscribeResponse response;
  ASSERT_TRUE(stays->Read(&response));
  ASSERT_EQ(response.deliveries_size(), 1);
  EXPECT_EQ(response.deliveries(0).statement().headline(), "S7");
}

TEST_F(StreamLoopTest, WorkPostedFromManyThreadsAtOnceAllRunsOnTheLoopInEachPostersOrder) {
  grpc::ClientContext ctx;
  auto reader = Open(&ctx);
  StreamMachine* stream = host_.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  StreamExecutor* home = stream->home();
  constexpr int kPosters = 8, kEach = 2000;
  std::vector<int> last(kPosters, -1);  // touched by the loop thread only
  std::atomic<int> ran{0}, out_of_order{0};
  absl::Notification all_ran;
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        std::vector<StreamExecutor::Task> tasks;
        tasks.emplace_back([&, p, i] {
          if (last[p] != i - 1) out_of_order.fetch_add(1);
          last[p] = i;
          if (ran.fetch_add(1) + 1 == kPosters * kEach) all_ran.Notify();
        });
        home->Post(std::move(tasks));
      }
    });
  }
  for (auto& t : posters) t.join();
  ASSERT_TRUE(all_ran.WaitForNotificationWithTimeout(kWait));
  EXPECT_EQ(ran.load(), kPosters * kEach);
  EXPECT_EQ(out_of_order.load(), 0);
}

TEST_F(StreamLoopTest, NoQueueHoldsEveryStreamTheyAreDealtRoundTheLoopsQueues) {
  // Each stream keeps an operation outstanding for life, and each completion costs a scan of
  // its queue's outstanding operations (Debian's libgrpc): a loop spreads its streams over
  // its stream queues.
  constexpr int kStreams = 12;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>> readers;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(Open(contexts.back().get()));
  }
  ASSERT_NE(host_.WaitForStream(kStreams - 1), nullptr);
  const std::vector<int> held = loops_.StreamsPerQueue();
  ASSERT_EQ(held.size(), static_cast<size_t>(kLoops * kQueues));
  int total = 0;
  for (int loop = 0; loop < kLoops; ++loop) {
    const auto first = held.begin() + loop * kQueues;
    const auto [least, most] = std::minmax_element(first, first + kQueues);
    EXPECT_LE(*most - *least, 1) << "loop " << loop;  // none has ended: dealt evenly
    for (auto it = first; it != first + kQueues; ++it) total += *it;
  }
  // The open streams, and the calls each loop keeps requested.
  EXPECT_EQ(total, kStreams + kLoops * kRequests);
  EXPECT_LT(*std::max_element(held.begin(), held.end()), kStreams);

  // A stream that ends leaves its queue.
  StreamMachine* first = host_.WaitForStream(0);
  ASSERT_NE(first, nullptr);
  contexts[0]->TryCancel();
  readers[0].reset();
  ASSERT_TRUE(host_.WaitUnregistered(first->id()));
  int after = 0;
  for (int n : loops_.StreamsPerQueue()) after += n;
  EXPECT_EQ(after, total - 1);
}

TEST_F(StreamLoopTest, AWriteThatWaitsForTheClientCompletesWhenItReadsAndTheRestFollow) {
  // The client reads nothing while far more than its window and the socket's buffers are
  // offered, so a write stays in flight until it reads: its completion comes later, on a
  // stream queue the loop is not waiting on, and must still be seen and followed.
  grpc::ClientContext ctx;
  auto reader = Open(&ctx);
  StreamMachine* stream = host_.WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  constexpr int kDeliveries = 48;
  constexpr size_t kBody = 1024 * 1024;  // 48 MiB in all, a message each
  int before = 0;
  {
    absl::MutexLock lock(&recorder_.mu);
    before = recorder_.messages;
  }
  for (int i = 1; i <= kDeliveries; ++i) {
    std::vector<StreamExecutor::Task> offer;
    offer.emplace_back([stream, d = std::vector<PendingDelivery>{Delivery(i, kBody)}] { stream->OfferLive(d); });
    stream->home()->Post(std::move(offer));
  }
  // Once the loop has taken every offer, a write is held by the client's window: far from
  // all of them have been written.
  absl::Notification taken;
  std::vector<StreamExecutor::Task> probe;
  probe.emplace_back([&taken] { taken.Notify(); });
  stream->home()->Post(std::move(probe));
  ASSERT_TRUE(taken.WaitForNotificationWithTimeout(kWait));
  {
    absl::MutexLock lock(&recorder_.mu);
    EXPECT_GE(recorder_.messages - before, 1);
    EXPECT_LT(recorder_.messages - before, kDeliveries / 2);
  }
  std::vector<std::string> got;
  v1::SubscribeResponse response;
  while (got.size() < kDeliveries && reader->Read(&response)) {
    for (const auto& d : response.deliveries()) got.push_back(d.statement().headline());
  }
  ASSERT_EQ(got.size(), static_cast<size_t>(kDeliveries));
  for (int i = 1; i <= kDeliveries; ++i) EXPECT_EQ(got[i - 1], absl::StrCat("S", i));
}

}  // namespace
}  // namespace pressrelay::subscription
