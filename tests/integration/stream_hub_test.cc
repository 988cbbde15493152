// The hub's dispatcher against a real redis-server: which events it offers a stream, and in
// how many passes. The hub runs in this process; its stream's home is a loop the test turns
// by hand (ManualLoop), and the stream's transport records each message it is given.
#include <gtest/gtest.h>

#include <grpcpp/impl/codegen/proto_utils.h>

#include <deque>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "pressrelay/subscription/v1/subscription.pb.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/keys.h"
#include "services/subscription/stream_hub.h"
#include "tests/support/process.h"
#include "tests/support/suite.h"

namespace pressrelay::subscription {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr int kShards = 4;

// A stream loop turned by the test: posted tasks wait until the test runs them.
class ManualLoop final : public StreamExecutor {
 public:
  void Post(std::vector<Task> tasks) override {
    absl::MutexLock lock(&mu_);
    for (auto& task : tasks) tasks_.push_back(std::move(task));
  }
  // Waits for a posted task and runs it here; false if none came.
  bool RunNext() {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      auto posted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !tasks_.empty(); };
      if (!mu_.AwaitWithTimeout(absl::Condition(&posted), kWait)) return false;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    return true;
  }
  // Waits until a task is posted, without running it.
  bool AwaitPosted() {
    absl::MutexLock lock(&mu_);
    auto posted = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !tasks_.empty(); };
    return mu_.AwaitWithTimeout(absl::Condition(&posted), kWait);
  }

 private:
  absl::Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
};

// Every statement exists, with its id as headline.
class NamedStatements final : public StatementSource {
 public:
  absl::StatusOr<std::vector<common::v1::Statement>> BatchGet(
      const std::vector<std::pair<std::string, int>>& refs) override {
    std::vector<common::v1::Statement> out;
    for (const auto& [id, version] : refs) {
      common::v1::Statement s;
      s.set_id(id);
      s.set_version(version);
      s.set_headline(id);
      out.push_back(std::move(s));
    }
    return out;
  }
  absl::StatusOr<distribution::v1::QueryHistoryResponse> QueryHistory(
      const distribution::v1::QueryHistoryRequest&) override {
    return absl::UnimplementedError("not here");
  }
  absl::StatusOr<common::v1::SearchResults> Search(const distribution::v1::CatalogSearchRequest&) override {
    return absl::UnimplementedError("not here");
  }
};

class NoMarks final : public SentRecorder {
 public:
  void RecordSent(const std::shared_ptr<const std::string>&, absl::Span<const std::shared_ptr<const StatementFrame>>,
                  int64_t) override {}
};

// A stream homed on the manual loop; each message it is given is kept as its headlines.
class LoopStream final : public StreamMachine {
 public:
  LoopStream(StreamHost* host, SentRecorder* recorder, StreamExecutor* home)
      : StreamMachine(host, recorder, StreamOptions{}), home_(home) {}
  StreamExecutor* home() const override { return home_; }

  std::vector<std::vector<std::string>> messages;  // headlines per message (loop thread)

 private:
  void TransportWrite(const grpc::ByteBuffer* message) override {
    grpc::ByteBuffer copy(*message);
    v1::SubscribeResponse response;
    EXPECT_TRUE(grpc::SerializationTraits<v1::SubscribeResponse>::Deserialize(&copy, &response).ok());
    std::vector<std::string> headlines;
    for (const auto& d : response.deliveries()) headlines.push_back(d.statement().headline());
    messages.push_back(std::move(headlines));
  }
  void TransportFinish(const absl::Status&) override {}
  void TransportCancel(const absl::Status&) override {}

  StreamExecutor* const home_;
};

// A stream loop on a thread of its own, running tasks as they are posted (as StreamLoop does).
class ThreadLoop final : public StreamExecutor {
 public:
  ThreadLoop() : thread_([this] { Run(); }) {}
  ~ThreadLoop() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }
  void Post(std::vector<Task> tasks) override {
    absl::MutexLock lock(&mu_);
    for (auto& task : tasks) tasks_.push_back(std::move(task));
  }

 private:
  void Run() {
    for (;;) {
      std::deque<Task> batch;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !tasks_.empty() || stopping_; };
        mu_.Await(absl::Condition(&ready));
        if (tasks_.empty()) return;
        batch.swap(tasks_);
      }
      for (auto& task : batch) task();
    }
  }

  absl::Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// A stream on a ThreadLoop whose writes complete on that loop, later, as a transport's do;
// it keeps the headlines it was given, in order, for the test thread to wait on.
class ThreadStream final : public StreamMachine {
 public:
  ThreadStream(StreamHost* host, SentRecorder* recorder, StreamExecutor* home)
      : StreamMachine(host, recorder, StreamOptions{}), home_(home) {}
  StreamExecutor* home() const override { return home_; }

  bool AwaitHeadlines(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return headlines_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
  }
  std::vector<std::string> headlines() {
    absl::MutexLock lock(&mu_);
    return headlines_;
  }

 private:
  void TransportWrite(const grpc::ByteBuffer* message) override {
    grpc::ByteBuffer copy(*message);
    v1::SubscribeResponse response;
    EXPECT_TRUE(grpc::SerializationTraits<v1::SubscribeResponse>::Deserialize(&copy, &response).ok());
    {
      absl::MutexLock lock(&mu_);
      for (const auto& d : response.deliveries()) headlines_.push_back(d.statement().headline());
    }
    std::vector<StreamExecutor::Task> done;
    done.emplace_back([this] { WriteDone(true); });
    home_->Post(std::move(done));
  }
  void TransportFinish(const absl::Status&) override {}
  void TransportCancel(const absl::Status&) override {}

  StreamExecutor* const home_;
  absl::Mutex mu_;
  std::vector<std::string> headlines_ ABSL_GUARDED_BY(mu_);
};

class StreamHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    options_.port = redis_.port();
    pool_ = std::make_unique<redis::Pool>(options_, 2);
    leases_ = std::make_unique<StreamLeases>(pool_.get(), options_, 10, absl::Seconds(30));
    HubOptions hub_options;
    hub_options.shards = kShards;
    // A pass the count lost would wait this long: longer than any test waits, so it fails.
    hub_options.gather_limit = absl::Minutes(5);
    hub_ = std::make_unique<StreamHub>(options_, &cache_, leases_.get(), hub_options);
    ASSERT_TRUE(hub_->Start().ok());
  }
  void TearDown() override {
    hub_->Stop();
    if (stream_ != nullptr) stream_->Done();
  }

  // A live stream of `recipient`: begun at the start of its queues, caught up (the "caught
  // up" message written and completed).
  LoopStream* Open(const std::string& recipient) {
    stream_ = new LoopStream(hub_.get(), &marks_, &loop_);
    StreamOwner owner{recipient, common::v1::ROLE_NEWSROOM_CLIENT, "tok_1", "prt_1", absl::InfiniteFuture()};
    stream_->Begin(std::move(owner), recipient, keys::ShardOf(recipient, kShards), Cursor{hub_->epoch(), {0, 0}});
    EXPECT_TRUE(loop_.RunNext());  // the catch-up read: nothing queued
    EXPECT_EQ(stream_->messages, (std::vector<std::vector<std::string>>{{}}));
    stream_->WriteDone(true);
    return stream_;
  }

  // Queues statement `id` for the recipients, a chunk per shard, as the distribution
  // service's fan-out does.
  void Queue(const std::vector<std::string>& recipients, const std::string& id) {
    std::map<int, fanout::Chunk> by_shard;
    for (const auto& r : recipients) {
      fanout::Chunk& chunk = by_shard[keys::ShardOf(r, kShards)];
      chunk.job_id = absl::StrCat(id, ":1:now");
      chunk.shard = keys::ShardOf(r, kShards);
      chunk.statement_id = id;
      chunk.version = 1;
      chunk.recipients.push_back(r);
    }
    auto client = redis_.Client();
    for (const auto& [shard, chunk] : by_shard) {
      auto queued = fanout::EnqueueChunk(client, chunk, fanout::Retention{});
      ASSERT_TRUE(queued.ok()) << queued.status();
      ASSERT_TRUE(queued->applied);
    }
  }

  pressrelay::testing::TempDir dir_;
  pressrelay::testing::RedisServer redis_{dir_.path()};
  redis::Options options_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<StreamLeases> leases_;
  NamedStatements statements_;
  StatementCache cache_{&statements_, 1 << 20};
  NoMarks marks_;
  std::unique_ptr<StreamHub> hub_;
  // After the hub: a task still waiting here is dropped while the hub it reports to exists.
  ManualLoop loop_;
  LoopStream* stream_ = nullptr;
};

// While the stream loop still works through one pass, the events that arrive meanwhile are
// offered in the next pass together: the stream writes them in one message, not one each.
// (Redis answers the dispatcher's blocked read as soon as S2 is queued, before S3 is: without
// the gathering S2 and S3 would be two passes, two messages.)
TEST_F(StreamHubTest, EventsArrivingWhileTheLoopIsBusyAreOfferedTogetherInTheNextPass) {
  LoopStream* s = Open("client:tuoitre-cms");
  Queue({"client:tuoitre-cms"}, "S1");
  ASSERT_TRUE(loop_.AwaitPosted());  // the first pass, not yet run: the loop is busy
  Queue({"client:tuoitre-cms"}, "S2");
  Queue({"client:tuoitre-cms"}, "S3");
  ASSERT_TRUE(loop_.RunNext());  // the first pass: S1 is written at once
  ASSERT_EQ(s->messages.size(), 2u);
  EXPECT_EQ(s->messages[1], (std::vector<std::string>{"S1"}));
  s->WriteDone(true);  // the stream is idle again: what comes next is written at once
  ASSERT_TRUE(loop_.RunNext());
  ASSERT_EQ(s->messages.size(), 3u);
  EXPECT_EQ(s->messages[2], (std::vector<std::string>{"S2", "S3"}));
}

// With the loop idle nothing waits: each statement is offered as soon as it is queued.
TEST_F(StreamHubTest, WithTheLoopIdleEachEventIsOfferedAtOnce) {
  LoopStream* s = Open("client:tuoitre-cms");
  for (int i = 1; i <= 3; ++i) {
    const std::string id = absl::StrCat("S", i);
    Queue({"client:tuoitre-cms"}, id);
    ASSERT_TRUE(loop_.RunNext()) << id;
    ASSERT_EQ(s->messages.size(), static_cast<size_t>(i + 1));
    EXPECT_EQ(s->messages.back(), (std::vector<std::string>{id}));
    s->WriteDone(true);
  }
}

// Many loops finishing passes at once, on their own threads (the pass count is taken and
// given back from all of them): every stream gets every statement of a burst once, in order,
// and no pass is left waiting.
TEST_F(StreamHubTest, ManyLoopsAtOnceGetEveryStatementOfABurstOnceAndInOrder) {
  constexpr int kLoops = 8;
  constexpr int kStatements = 30;
  std::vector<std::unique_ptr<ThreadLoop>> loops;
  std::vector<ThreadStream*> streams;
  std::vector<std::string> recipients;
  for (int i = 0; i < kLoops; ++i) {
    loops.push_back(std::make_unique<ThreadLoop>());
    recipients.push_back(absl::StrCat("client:newsroom-", i));
    auto* s = new ThreadStream(hub_.get(), &marks_, loops.back().get());
    StreamOwner owner{recipients.back(), common::v1::ROLE_NEWSROOM_CLIENT, absl::StrCat("tok_", i), "prt",
                      absl::InfiniteFuture()};
    s->Begin(std::move(owner), recipients.back(), keys::ShardOf(recipients.back(), kShards),
             Cursor{hub_->epoch(), {0, 0}});
    streams.push_back(s);
  }
  for (auto* s : streams) ASSERT_TRUE(s->AwaitHeadlines(0));
  std::vector<std::string> ids;
  for (int n = 1; n <= kStatements; ++n) {
    ids.push_back(absl::StrCat("S", n));
    Queue(recipients, ids.back());
  }
  for (auto* s : streams) {
    ASSERT_TRUE(s->AwaitHeadlines(ids.size())) << s->headlines().size();
    EXPECT_EQ(s->headlines(), ids);
  }
  hub_->Stop();      // no pass is posted after this
  loops.clear();     // each loop runs what it still holds, then ends
  for (auto* s : streams) s->Done();
}

}  // namespace
}  // namespace pressrelay::subscription
