// The pressrelay load generator: starts the real suite (redis-server and the three service
// binaries), registers N recipients, opens N Subscribe streams from this one process (each
// on its own TCP connection, as N newsrooms would), publishes M statements through the
// distribution service and measures every delivery from publish to receive.
//
// Scenarios (--scenario):
//   fanout      N streams, M statements back to back (or --rate per second). Also measures
//               the subscription service's memory per idle connected subscriber, Redis
//               memory per queued entry and, with --reconnect, the time for all N to get the
//               statements they missed while the subscription service was down. Its result is
//               named "fanout" ("rate" with --rate) unless --label names it otherwise
//               (bench/run.sh's "alone": one statement at a time to N idle streams).
//   fanout100k  the time to durably queue one statement for 100,000 recipients, and Redis
//               memory per idle recipient.
//
// Streams are read with the generic asynchronous API (Pollers, below): the load generator
// scans each SubscribeResponse for the cursor and the headline (which carries the
// statement's index and publish time) and skips the body, so its own CPU stays small next to
// the services'.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/common/bench.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/rpc/tcp_keepalive.h"
#include "services/common/rpc/status_mapping.h"
#include "tests/support/suite.h"

namespace pressrelay::bench {
namespace {

using pressrelay::testing::Suite;
using pressrelay::testing::SuiteOptions;
namespace reg = pressrelay::registry::v1;
namespace dist = pressrelay::distribution::v1;
namespace sub = pressrelay::subscription::v1;

constexpr char kSubscribeMethod[] = "/pressrelay.subscription.v1.Subscription/Subscribe";

void Die(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// Headline of statement `index`: "bench <index> <publish ns>".
std::string Headline(int index, int64_t publish_ns) { return absl::StrCat("bench ", index, " ", publish_ns); }

bool ParseHeadline(absl::string_view headline, int* index, int64_t* publish_ns) {
  std::vector<absl::string_view> parts = absl::StrSplit(headline, ' ');
  return parts.size() == 3 && parts[0] == "bench" && absl::SimpleAtoi(parts[1], index) &&
         absl::SimpleAtoi(parts[2], publish_ns);
}

// What the load generator needs of a SubscribeResponse, read straight from the wire format.
struct Scanned {
  std::vector<std::pair<std::string, std::string>> deliveries;  // (cursor, headline)
  bool caught_up = false;
};

bool Scan(grpc::ByteBuffer* buffer, Scanned* out) {
  grpc::ProtoBufferReader reader(buffer);
  google::protobuf::io::CodedInputStream in(&reader);
  in.SetTotalBytesLimit(64 << 20);
  while (uint32_t tag = in.ReadTag()) {
    const int field = static_cast<int>(tag >> 3);
    if (field == 1 && (tag & 7) == 2) {  // Delivery
      uint32_t len;
      if (!in.ReadVarint32(&len)) return false;
      auto limit = in.PushLimit(static_cast<int>(len));
      std::string cursor, headline;
      while (uint32_t dtag = in.ReadTag()) {
        const int dfield = static_cast<int>(dtag >> 3);
        if (dfield == 1 && (dtag & 7) == 2) {
          if (!google::protobuf::internal::WireFormatLite::ReadString(&in, &cursor)) return false;
        } else if (dfield == 15 && (dtag & 7) == 2) {  // Statement: headline only
          uint32_t slen;
          if (!in.ReadVarint32(&slen)) return false;
          auto slimit = in.PushLimit(static_cast<int>(slen));
          while (uint32_t stag = in.ReadTag()) {
            if ((stag >> 3) == 13 && (stag & 7) == 2) {
              if (!google::protobuf::internal::WireFormatLite::ReadString(&in, &headline)) return false;
            } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, stag)) {
              return false;
            }
          }
          in.PopLimit(slimit);
        } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, dtag)) {
          return false;
        }
      }
      in.PopLimit(limit);
      out->deliveries.emplace_back(std::move(cursor), std::move(headline));
    } else if (field == 2 && (tag & 7) == 0) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) return false;
      out->caught_up = v != 0;
    } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return true;
}

class Fleet;

// The completion queues the streams run on, each drained by one thread of its own.
//
// The asynchronous API rather than the callback API, for a reason of this process alone:
// gRPC 1.51's callback API runs every call of a process on one shared completion queue, and
// Debian's libgrpc (built without NDEBUG) looks each completed operation up by a linear scan
// of all operations outstanding on its queue. A newsroom with one stream never notices; this
// process of 10,000 streams, each with a read outstanding, scanned 10,000 pointers per
// message received (5.5% of the whole machine at N=10,000, perf). Spread over `count`
// queues, each scan is N / count long. Two by default (--queues), one per core here: more
// threads read more eagerly, so the server's writes carry fewer deliveries each and every
// process spends more per delivery (eight queues: 44,000-52,000 deliveries/s against
// 73,000-80,000 with two, 2026-11-26).
class Pollers {
 public:
  explicit Pollers(int count) {
    for (int i = 0; i < count; ++i) {
      queues_.push_back(std::make_unique<grpc::CompletionQueue>());
      // Detached: the process ends with _Exit while streams are still open.
      std::thread([q = queues_.back().get()] { Drain(q); }).detach();
    }
  }
  grpc::CompletionQueue* For(int stream) { return queues_[stream % queues_.size()].get(); }

 private:
  static void Drain(grpc::CompletionQueue* queue);
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues_;
};

// One newsroom's stream. Reconnects with its last cursor when the stream ends (the
// subscription service was killed or drained), waiting for the server to come back. All of
// a stream's operations complete on one queue, drained by one thread: its events never run
// concurrently and need no lock.
class Stream {
 public:
  enum class Event { kStarted, kWritten, kRead, kFinished };
  struct Tag {
    Stream* stream;
    Event event;
  };

  Stream(Fleet* fleet, int index, std::shared_ptr<grpc::Channel> channel, grpc::CompletionQueue* queue,
         std::string token, std::string cursor);
  void Start();
  void On(Event event, bool ok);

 private:
  void MaybeEnd();

  Fleet* const fleet_;
  const int index_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::CompletionQueue* const queue_;
  const std::string token_;
  std::string cursor_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  Tag started_{this, Event::kStarted}, written_{this, Event::kWritten}, read_{this, Event::kRead},
      finished_{this, Event::kFinished};
  bool write_pending_ = false;
  bool finished_done_ = false;
};

void Pollers::Drain(grpc::CompletionQueue* queue) {
  void* tag;
  bool ok;
  while (queue->Next(&tag, &ok)) {
    auto* t = static_cast<Stream::Tag*>(tag);
    t->stream->On(t->event, ok);
  }
}

// N streams, their tokens and channels, and what they received.
class Fleet {
 public:
  Fleet(std::string address, std::vector<std::string> tokens, int messages, int queues)
      : address_(std::move(address)),
        tokens_(std::move(tokens)),
        tracker_(static_cast<int>(tokens_.size()), messages),
        pollers_(queues) {
    channels_.reserve(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own TCP connection, like a newsroom
      // Dead connections found by the kernel's TCP keepalive, as the services do: with
      // HTTP/2 keepalive every read re-arms a timer, and in Debian's libgrpc each timer
      // change walks a debug hash bucket as long as (connections / 1009), a cost a newsroom
      // with one connection never sees but this process of 10,000 would (tcp_keepalive.h).
      args.SetSocketMutator(NewTcpKeepaliveMutator(TcpKeepalive{}));
      // Said explicitly: left unset, this process's transports still re-armed an HTTP/2
      // keepalive timer on every read (a perf probe on grpc_timer_init counted 17,500 a
      // second at N=10,000, from chttp2's keepalive code; 26 a second with this line).
      args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, std::numeric_limits<int>::max());
      // As recommended to newsroom clients: a statement stream needs no bandwidth probing,
      // whose PINGs would cost both ends a round trip per read.
      args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
      // A generous receive window, so the reader acknowledges data (WINDOW_UPDATE) rarely
      // instead of after every other message.
      args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1 << 20);
      args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 << 20);
      // As recommended to newsroom clients (README, "Reconnecting"): after a replica restarts,
      // be back within seconds, not after gRPC's default backoff that grows to two minutes.
      // gRPC adds its own jitter (±20%), which spreads the storm.
      args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
      args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
      channels_.push_back(grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
    }
  }

  void ConnectAll() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const int index = static_cast<int>(i);
      (new Stream(this, index, channels_[i], pollers_.For(index), tokens_[i], ""))->Start();
    }
  }

  bool WaitCaughtUp(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return caught_up_ >= tokens_.size(); };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }

  // From the streams.
  void OnCaughtUp() {
    absl::MutexLock lock(&mu_);
    ++caught_up_;
  }
  void OnMessage(int stream, const Scanned& scanned) {
    messages_.fetch_add(1, std::memory_order_relaxed);
    const int64_t now = NowNs();
    for (const auto& [cursor, headline] : scanned.deliveries) {
      int index;
      int64_t publish_ns;
      if (ParseHeadline(headline, &index, &publish_ns)) tracker_.Record(stream, index, now - publish_ns);
    }
  }
  void Reconnect(int stream, std::string cursor) {
    if (stopping_.load()) return;
    {
      absl::MutexLock lock(&mu_);
      ++reconnects_;
    }
    (new Stream(this, stream, channels_[stream], pollers_.For(stream), tokens_[stream], std::move(cursor)))->Start();
  }
  int64_t messages() const { return messages_.load(); }
  void Stop() { stopping_.store(true); }

  DeliveryTracker& tracker() { return tracker_; }
  int reconnects() {
    absl::MutexLock lock(&mu_);
    return reconnects_;
  }

 private:
  const std::string address_;
  const std::vector<std::string> tokens_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  DeliveryTracker tracker_;
  Pollers pollers_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  std::atomic<int64_t> messages_{0};
  size_t caught_up_ ABSL_GUARDED_BY(mu_) = 0;
  int reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

Stream::Stream(Fleet* fleet, int index, std::shared_ptr<grpc::Channel> channel, grpc::CompletionQueue* queue,
               std::string token, std::string cursor)
    : fleet_(fleet),
      index_(index),
      channel_(std::move(channel)),
      queue_(queue),
      token_(std::move(token)),
      cursor_(std::move(cursor)) {}

void Stream::Start() {
  ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  ctx_.set_wait_for_ready(true);
  sub::SubscribeRequest request;
  request.set_cursor(cursor_);
  bool own;
  (void)grpc::GenericSerialize<grpc::ProtoBufferWriter, sub::SubscribeRequest>(request, &request_, &own);
  grpc::GenericStub stub(channel_);
  call_ = stub.PrepareCall(&ctx_, kSubscribeMethod, queue_);
  call_->StartCall(&started_);
}

void Stream::On(Event event, bool ok) {
  switch (event) {
    case Event::kStarted:
      if (!ok) {
        call_->Finish(&status_, &finished_);
        return;
      }
      write_pending_ = true;
      call_->WriteLast(request_, grpc::WriteOptions(), &written_);
      call_->Read(&response_, &read_);
      return;
    case Event::kWritten:
      write_pending_ = false;
      MaybeEnd();
      return;
    case Event::kRead: {
      if (!ok) {  // the stream ended: its status next
        call_->Finish(&status_, &finished_);
        return;
      }
      Scanned scanned;
      if (Scan(&response_, &scanned)) {
        if (!scanned.deliveries.empty()) {
          fleet_->OnMessage(index_, scanned);
          cursor_ = scanned.deliveries.back().first;
        }
        if (scanned.caught_up) fleet_->OnCaughtUp();
      }
      call_->Read(&response_, &read_);
      return;
    }
    case Event::kFinished:
      finished_done_ = true;
      MaybeEnd();
      return;
  }
}

// Once the status is in and no write is outstanding, the stream is over: reconnect unless
// it was cancelled.
void Stream::MaybeEnd() {
  if (!finished_done_ || write_pending_) return;
  Fleet* fleet = fleet_;
  const int index = index_;
  std::string cursor = std::move(cursor_);
  const bool again = !status_.ok() && status_.error_code() != grpc::StatusCode::CANCELLED;
  delete this;
  if (again) fleet->Reconnect(index, std::move(cursor));
}

// --- set-up --------------------------------------------------------------------------------

struct Setup {
  std::unique_ptr<Suite> suite;
  std::string spokesperson_token;
};

Setup StartSuite(const std::vector<std::string>& subscription_flags) {
  Setup s;
  SuiteOptions options;
  options.shards = 16;
  options.check_lock_order = false;  // as deployed: no per-mutex lock graph
  options.subscription_flags = subscription_flags;
  // The load generator is one spokesperson publishing far faster than any person would.
  options.registry_flags.push_back("--rate_limits=");
  options.distribution_flags.push_back("--rate_limits=");
  options.subscription_flags.push_back("--rate_limits=");
  // For A/B runs of the subscription service's settings: BENCH_SUBSCRIPTION_FLAGS="--stream_threads=1".
  if (const char* extra = std::getenv("BENCH_SUBSCRIPTION_FLAGS"); extra != nullptr) {
    for (absl::string_view flag : absl::StrSplit(extra, ' ', absl::SkipEmpty())) {
      options.subscription_flags.emplace_back(flag);
    }
  }
  s.suite = std::make_unique<Suite>(options);
  if (auto st = s.suite->Start(); !st.ok()) Die("starting the suite", st);
  for (auto [code, name] : std::vector<std::pair<std::string, std::string>>{{"MOH", "Bộ Y tế"}, {"MOF", "Bộ Tài chính"}}) {
    if (auto st = s.suite->PutAgency(code, name); !st.ok()) Die("agency", st);
  }
  if (auto st = s.suite->PutSpokesperson("bench-sp", "MOH"); !st.ok()) Die("spokesperson", st);
  if (auto st = s.suite->PutSpokesperson("bench-sp-mof", "MOF"); !st.ok()) Die("spokesperson", st);
  if (auto st = s.suite->PutOutlet("bench", "Benchmark outlet"); !st.ok()) Die("outlet", st);
  auto token = s.suite->IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "bench-sp");
  if (!token.ok()) Die("token", token.status());
  s.spokesperson_token = *token;
  return s;
}

// Registers `count` newsroom clients subscribed to `agency` and issues their tokens.
std::vector<std::string> Recipients(Suite& suite, const std::string& prefix, int count, const std::string& agency,
                                    bool tokens) {
  reg::Subscription filter;
  filter.add_agency_codes(agency);
  for (int start = 0; start < count; start += 10000) {
    const int n = std::min(10000, count - start);
    reg::ImportRecipientsRequest request;
    for (int i = start; i < start + n; ++i) {
      auto* c = request.add_clients();
      c->set_id(absl::StrCat(prefix, "-", i));
      c->set_outlet_id("bench");
      auto* s = request.add_subscriptions();
      *s = filter;
      s->set_recipient_id(absl::StrCat("client:", c->id()));
    }
    reg::ImportRecipientsResponse response;
    auto admin = suite.Admin();
    auto ctx = CallContext(suite.operator_token(), absl::Seconds(120));
    if (auto st = FromGrpcStatus(admin->ImportRecipients(ctx.get(), request, &response)); !st.ok()) Die("import", st);
  }
  std::vector<std::string> out;
  if (!tokens) return out;
  out.resize(count);
  // Issue tokens from a few threads: one RPC each.
  std::vector<std::thread> workers;
  std::atomic<int> next{0};
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto token = suite.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, absl::StrCat(prefix, "-", i));
        if (!token.ok()) Die("token", token.status());
        out[i] = *token;
      }
    });
  }
  for (auto& t : workers) t.join();
  return out;
}

int64_t RedisUsedMemory(Suite& suite) {
  auto redis = suite.redis().Client();
  auto info = redis.Run({"INFO", "memory"});
  if (!info.ok()) return -1;
  for (absl::string_view line : absl::StrSplit(info->str(), "\r\n")) {
    if (absl::ConsumePrefix(&line, "used_memory:")) {
      int64_t v = 0;
      if (absl::SimpleAtoi(line, &v)) return v;
    }
  }
  return -1;
}

// Publishes M statements one after the other. Unless `wait_for_fanout`, each Publish returns
// once its statement is durably committed and the fan-out follows in commit order.
void PublishAll(Suite& suite, const std::string& token, const LoadShape& shape, int first_index,
                const std::string& agency = "MOH", bool wait_for_fanout = false) {
  auto stub = suite.Distribution();
  const absl::Duration period = shape.rate > 0 ? absl::Seconds(1.0 / shape.rate) : absl::ZeroDuration();
  const absl::Time start = absl::Now();
  std::vector<double> publish_ms;
  for (int i = 0; i < shape.messages; ++i) {
    if (period > absl::ZeroDuration()) {
      const absl::Time due = start + period * i;
      if (absl::Now() < due) absl::SleepFor(due - absl::Now());  // pacing the publisher, not a test wait
    }
    dist::PublishRequest request;
    request.set_return_when_committed(!wait_for_fanout);
    auto* d = request.mutable_draft();
    d->set_agency_code(agency);
    d->set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
    d->set_language("vi");
    d->set_urgency(5);
    const int64_t t0 = NowNs();
    d->set_headline(Headline(first_index + i, t0));
    d->set_body(MakePayload(first_index + i, t0, shape.message_bytes));
    dist::PublishResponse response;
    auto ctx = CallContext(token, absl::Seconds(60));
    if (auto st = FromGrpcStatus(stub->Publish(ctx.get(), request, &response)); !st.ok()) Die("publish", st);
    publish_ms.push_back((NowNs() - t0) / 1e6);
  }
  std::sort(publish_ms.begin(), publish_ms.end());
  if (!publish_ms.empty()) {
    std::fprintf(stderr, "bench: %zu publishes took %.0f ms in all; median %.1f ms, max %.1f ms\n", publish_ms.size(),
                 absl::ToDoubleMilliseconds(absl::Now() - start), publish_ms[publish_ms.size() / 2], publish_ms.back());
  }
}

void AddProcessMemory(Suite& suite, Result* r) {
  r->extra["registry_peak_rss_kib"] = PeakRssKib(suite.registry().pid());
  r->extra["distribution_peak_rss_kib"] = PeakRssKib(suite.distribution().pid());
  r->extra["subscription_peak_rss_kib"] = PeakRssKib(suite.subscription().pid());
  r->extra["redis_peak_rss_kib"] = PeakRssKib(suite.redis().process().pid());
  r->extra["loadgen_peak_rss_kib"] = PeakRssKib(getpid());
}

// Touches `bytes` of heap and frees it again, so that it stays mapped for reuse. Once
// statements flow, each of the load generator's connections reads into 64 KiB buffers
// (gRPC's large read size): at N=10,000 its heap grows by about 1 GB in the measured
// seconds, and faulting those fresh pages in cost it about a fifth of its CPU (perf:
// `clear_page_erms` under `recvmsg`), on the two cores the services share. Ten thousand
// real newsrooms pay that once each, on their own machines; the load generator pays it
// here, before the clock starts. Needs the single arena and trim threshold set in main().
void WarmHeap(int64_t bytes) {
  constexpr size_t kBlock = 64 << 10;
  std::vector<void*> blocks;
  blocks.reserve(static_cast<size_t>(bytes / kBlock) + 1);
  for (int64_t done = 0; done < bytes; done += kBlock) {
    void* p = std::malloc(kBlock);
    if (p == nullptr) break;
    std::memset(p, 0, kBlock);
    blocks.push_back(p);
  }
  for (void* p : blocks) std::free(p);
}

// --- scenarios -------------------------------------------------------------------------------

int Fanout(const LoadShape& shape, bool reconnect, const std::string& label, bool wait_for_fanout, int queues,
           int prefault_kib_per_stream) {
  Setup setup = StartSuite({});
  Suite& suite = *setup.suite;
  auto tokens = Recipients(suite, "newsroom", shape.subscribers, "MOH", true);

  const int64_t sub_rss_before = RssKib(suite.subscription().pid());
  Fleet fleet(suite.subscription_address(), tokens, reconnect ? shape.messages * 2 : shape.messages, queues);
  fleet.ConnectAll();
  if (!fleet.WaitCaughtUp(absl::Minutes(5))) Die("connecting", absl::DeadlineExceededError("streams not caught up"));
  const int64_t sub_rss_idle = RssKib(suite.subscription().pid());
  WarmHeap(static_cast<int64_t>(shape.subscribers) * prefault_kib_per_stream << 10);
  const int64_t redis_before = RedisUsedMemory(suite);

  std::fprintf(stderr, "bench: %d streams caught up; publishing\n", shape.subscribers);
  const std::vector<std::pair<std::string, int>> processes = {
      {"registry", suite.registry().pid()},       {"distribution", suite.distribution().pid()},
      {"subscription", suite.subscription().pid()}, {"redis", suite.redis().process().pid()},
      {"loadgen", static_cast<int>(getpid())}};
  std::vector<double> cpu_before;
  for (const auto& [name, pid] : processes) cpu_before.push_back(CpuSeconds(pid));
  PhaseCost cost(processes);
  cost.Start();
  PublishAll(suite, setup.spokesperson_token, shape, 0, "MOH", wait_for_fanout);
  fleet.tracker().WaitDelivered(static_cast<int64_t>(shape.subscribers) * shape.messages, absl::Minutes(2));
  cost.Stop();

  Result r;
  r.system = "pressrelay";
  r.scenario = label;
  r.shape = shape;
  // Only the first M messages count for this scenario's figures.
  DeliveryTracker& t = fleet.tracker();
  Summarise(t, &r);
  r.expected = static_cast<int64_t>(shape.subscribers) * shape.messages;
  r.lost = r.expected - r.delivered;
  for (size_t i = 0; i < processes.size(); ++i) {
    r.extra[processes[i].first + "_cpu_s"] = CpuSeconds(processes[i].second) - cpu_before[i];
  }
  cost.AddTo(r.delivered, &r);
  r.extra["deliveries_per_message"] =
      static_cast<double>(t.delivered()) / std::max<int64_t>(1, fleet.messages());
  r.extra["subscription_kib_per_idle_stream"] =
      static_cast<double>(sub_rss_idle - sub_rss_before) / std::max(1, shape.subscribers);
  const int64_t redis_after = RedisUsedMemory(suite);
  r.extra["redis_bytes_per_queued_entry"] =
      static_cast<double>(redis_after - redis_before) / std::max<int64_t>(1, r.expected);
  AddProcessMemory(suite, &r);
  r.notes = absl::StrCat("durable (Redis AOF everysec), ", shape.subscribers, " streams on their own connections; ",
                         wait_for_fanout ? "each Publish returns once its statement is queued for every recipient"
                                         : "each Publish returns once its statement is committed (fan-out follows)");
  if (!wait_for_fanout) r.system = "pressrelay-async";
  PrintResult(r);

  if (reconnect) {
    // Kill the subscription service, publish M more while it is down, restart it: how long
    // until every stream, reconnecting with its cursor, has all of them?
    suite.subscription().Signal(SIGKILL);
    (void)suite.subscription().Wait(absl::Seconds(30));
    LoadShape missed = shape;
    missed.rate = 0;
    PublishAll(suite, setup.spokesperson_token, missed, shape.messages);
    const absl::Time restart = absl::Now();
    if (auto st = suite.RestartSubscription(0); !st.ok()) Die("restart", st);
    // The restarted service's cost of the storm: its pid is new.
    PhaseCost storm({{"registry", suite.registry().pid()}, {"subscription", suite.subscription().pid()},
                     {"redis", suite.redis().process().pid()}, {"loadgen", static_cast<int>(getpid())}});
    storm.Start();
    fleet.tracker().WaitComplete(absl::Minutes(2));
    storm.Stop();
    Result rr;
    rr.system = "pressrelay";
    rr.scenario = "reconnect";
    rr.shape = shape;
    rr.expected = static_cast<int64_t>(shape.subscribers) * shape.messages * 2;
    rr.delivered = fleet.tracker().delivered();
    rr.lost = rr.expected - rr.delivered;
    rr.duplicated = fleet.tracker().duplicates();
    rr.seconds = absl::ToDoubleSeconds(absl::Now() - restart);
    rr.extra["seconds_from_restart_to_all_caught_up"] = rr.seconds;
    rr.extra["reconnects"] = fleet.reconnects();
    // Per reconnected stream (each also catches up M statements).
    storm.AddTo(static_cast<int64_t>(shape.subscribers), &rr);
    rr.notes = "subscription service SIGKILLed, M statements published while down, restarted; time until every "
               "stream has them";
    PrintResult(rr);
  }
  fleet.Stop();
  std::fflush(stdout);
  std::_Exit(0);  // the streams' reactors live on gRPC threads; no orderly teardown needed
}

int Fanout100k(int recipients) {
  Setup setup = StartSuite({});
  Suite& suite = *setup.suite;
  const int64_t before = RedisUsedMemory(suite);
  Recipients(suite, "idle", recipients, "MOF", false);
  const int64_t after_import = RedisUsedMemory(suite);
  auto token = suite.IssueToken(reg::SUBJECT_KIND_SPOKESPERSON, "bench-sp-mof");
  if (!token.ok()) Die("token", token.status());
  // Warm-up statement (first-time Lua script load and key creation are part of the second
  // figure too, reported separately).
  LoadShape one;
  one.messages = 1;
  one.message_bytes = 5000;
  const absl::Time first_start = absl::Now();
  PublishAll(suite, *token, one, 0, "MOF", /*wait_for_fanout=*/true);
  const double first_s = absl::ToDoubleSeconds(absl::Now() - first_start);
  const absl::Time second_start = absl::Now();
  PublishAll(suite, *token, one, 1, "MOF", /*wait_for_fanout=*/true);
  const double second_s = absl::ToDoubleSeconds(absl::Now() - second_start);
  Result r;
  r.system = "pressrelay";
  r.scenario = "fanout100k";
  r.shape.subscribers = recipients;
  r.shape.messages = 1;
  r.extra["publish_to_all_queued_s_first"] = first_s;
  r.extra["publish_to_all_queued_s"] = second_s;
  r.extra["redis_bytes_per_idle_recipient"] = static_cast<double>(after_import - before) / recipients;
  AddProcessMemory(suite, &r);
  r.notes = "Publish returns after the version is committed and queued for every recipient (inline fan-out)";
  PrintResult(r);
  return 0;
}

}  // namespace
}  // namespace pressrelay::bench

int main(int argc, char** argv) {
  using namespace pressrelay::bench;
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Keep freed receive buffers for reuse instead of returning them to the kernel and
  // faulting fresh pages in for the next message.
  // One arena, so that the heap warmed before measuring (WarmHeap) is the one every thread
  // allocates from.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  const std::string scenario = Flag(argc, argv, "scenario", "fanout");
  const LoadShape shape = ParseShape(argc, argv);
  if (scenario == "fanout") {
    const std::string label = Flag(argc, argv, "label", shape.rate > 0 ? "rate" : "fanout");
    return Fanout(shape, Flag(argc, argv, "reconnect", "0") == "1", label,
                  Flag(argc, argv, "publish", "queued") == "queued", std::stoi(Flag(argc, argv, "queues", "2")),
                  std::stoi(Flag(argc, argv, "warm_heap_kib", "128")));
  }
  if (scenario == "fanout100k") return Fanout100k(std::stoi(Flag(argc, argv, "recipients", "100000")));
  std::fprintf(stderr, "unknown --scenario %s\n", scenario.c_str());
  return 2;
}
