// Peer benchmark "redis-pubsub": plain Redis pub/sub through hiredis, under the shared load
// shape (bench/common/bench.h). N subscribers, each on its own TCP connection, SUBSCRIBE to one
// channel; one publisher connection PUBLISHes M payloads back to back (or at --rate).
//
// The subscriber connections are non-blocking hiredis contexts driven by our own epoll loop
// (--threads loops, default 1: on a 2-core machine Redis needs the other core). Sockets are read
// straight into a large buffer and fed to the connection's hiredis reader, which parses the
// replies. Connections are opened at most --connect_window at a time so Redis's accept backlog
// never overflows. Every subscriber is confirmed (its SUBSCRIBE reply, then PUBSUB NUMSUB) before
// the first PUBLISH.
//
// Usage: bench-redis-pubsub --redis HOST:PORT [--server_pid PID] [--subscribers N]
//        [--messages M] [--bytes B] [--rate R] [--timeout_s S] [--threads T]
//        [--connect_window W] [--setup_timeout_s S]
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "bench/common/bench.h"
#include "bench/common/redis_loop.h"

namespace pb = pressrelay::bench;

namespace {

struct Options {
  pb::RedisLoopOptions loop;
  int server_pid = 0;
  double timeout_s = 60;
  double setup_timeout_s = 180;
  int threads = 1;
  std::string channel;
};

// Shared between the main thread and the subscriber loops.
struct Shared {
  pb::RedisLoopCounters loop;  // ready: SUBSCRIBE confirmed
  std::atomic<int> dropped{0};  // subscribed, then lost the connection
};

// Subscribers of one epoll loop: SUBSCRIBE, then every message is a delivery.
class SubscriberLoop final : public pb::RedisSubscriberLoop {
 public:
  SubscriberLoop(const Options& opt, Shared* shared, pb::DeliveryTracker* tracker, std::vector<int> ids)
      : RedisSubscriberLoop(opt.loop, &shared->loop, std::move(ids)), opt_(opt), shared_(shared), tracker_(tracker) {}

 private:
  void OnConnect(int local) override { redisAppendCommand(context(local), "SUBSCRIBE %s", opt_.channel.c_str()); }

  bool OnReply(int local, const redisReply* r) override {
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[0]->type == REDIS_REPLY_STRING) {
      const redisReply* kind = r->element[0];
      const redisReply* body = r->element[2];
      if (kind->len == 7 && std::memcmp(kind->str, "message", 7) == 0 && body->type == REDIS_REPLY_STRING) {
        int index = 0;
        int64_t publish_ns = 0;
        if (pb::ParsePayload(body->str, body->len, &index, &publish_ns)) {
          tracker_->Record(id(local), index, pb::NowNs() - publish_ns);
          return true;
        }
      } else if (kind->len == 9 && std::memcmp(kind->str, "subscribe", 9) == 0) {
        MarkReady(local);
        return true;
      }
    }
    Unexpected(local, r);
    return true;  // counted; the connection carries on
  }

  // Not durable: a subscriber that lost its connection has missed messages; it stays down.
  bool ReconnectAfterLoss(int) override {
    ++shared_->dropped;
    return false;
  }

  const Options& opt_;
  Shared* shared_;
  pb::DeliveryTracker* tracker_;
};

long long NumSub(redisContext* c, const std::string& channel) {
  redisReply* r = static_cast<redisReply*>(redisCommand(c, "PUBSUB NUMSUB %s", channel.c_str()));
  long long n = -1;
  if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_INTEGER) {
    n = r->element[1]->integer;
  }
  if (r != nullptr) freeReplyObject(r);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const pb::LoadShape shape = pb::ParseShape(argc, argv);
  Options opt;
  if (!pb::RedisLoopOptionsFromFlags(argc, argv, "redis-pubsub", &opt.loop)) {
    std::fprintf(stderr, "usage: %s --redis HOST:PORT [--server_pid PID] [--subscribers N] [--messages M] "
                 "[--bytes B] [--rate R] [--timeout_s S] [--threads T]\n", argv[0]);
    return 2;
  }
  opt.server_pid = std::stoi(pb::Flag(argc, argv, "server_pid", "0"));
  opt.timeout_s = std::stod(pb::Flag(argc, argv, "timeout_s", "60"));
  opt.setup_timeout_s = std::stod(pb::Flag(argc, argv, "setup_timeout_s", "180"));
  opt.threads = std::max(1, std::stoi(pb::Flag(argc, argv, "threads", "1")));
  opt.channel = "pressrelay-bench:" + std::to_string(getpid()) + ":" + std::to_string(pb::NowNs());
  pb::RaiseFdLimit(shape.subscribers + 64, "redis-pubsub");

  redisContext* pub = pb::ConnectPublisher(opt.loop, opt.timeout_s);
  if (pub == nullptr) return 1;

  pb::DeliveryTracker tracker(shape.subscribers, shape.messages);
  Shared shared;
  // Connect and subscribe everyone before the first publish.
  const int64_t setup_start = pb::NowNs();
  pb::RedisLoopSet loops(&shared.loop, shape.subscribers, opt.threads, [&](std::vector<int> ids) {
    return std::make_unique<SubscriberLoop>(opt, &shared, &tracker, std::move(ids));
  });
  const int64_t setup_deadline = setup_start + static_cast<int64_t>(opt.setup_timeout_s * 1e9);
  loops.WaitReady(setup_deadline);
  const int ready = shared.loop.ready.load();
  long long numsub = NumSub(pub, opt.channel);
  while (numsub >= 0 && numsub < ready && pb::NowNs() < setup_deadline) {
    usleep(2000);
    numsub = NumSub(pub, opt.channel);
  }
  const double setup_s = (pb::NowNs() - setup_start) / 1e9;
  std::fprintf(stderr, "redis-pubsub: %d/%d subscribers ready (PUBSUB NUMSUB %lld) in %.2f s\n", ready,
               shape.subscribers, numsub, setup_s);

  // Publish.
  long long min_receivers = -1;
  std::string publish_error;
  pb::PhaseCost cost({{"server", opt.server_pid}, {"client", static_cast<int>(getpid())}});
  cost.Start();
  const int64_t publish_start = pb::NowNs();
  for (int m = 0; m < shape.messages; ++m) {
    if (shape.rate > 0) pb::SleepUntilNs(publish_start + static_cast<int64_t>(m * 1e9 / shape.rate));
    const std::string payload = pb::MakePayload(m, pb::NowNs(), shape.message_bytes);
    redisReply* r = static_cast<redisReply*>(
        redisCommand(pub, "PUBLISH %s %b", opt.channel.c_str(), payload.data(), payload.size()));
    if (r == nullptr) {
      publish_error = std::string("publisher: ") + pub->errstr;
      break;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
      min_receivers = min_receivers < 0 ? r->integer : std::min(min_receivers, r->integer);
    } else if (r->type == REDIS_REPLY_ERROR && publish_error.empty()) {
      publish_error = std::string("PUBLISH: ") + r->str;
    }
    freeReplyObject(r);
  }
  const double publish_s = (pb::NowNs() - publish_start) / 1e9;

  tracker.WaitComplete(absl::Seconds(opt.timeout_s));
  cost.Stop();

  double used_memory = -1;
  if (pub->err == 0) used_memory = pb::InfoField(pub, "memory", "used_memory");
  loops.Stop();
  pb::FreeContext(pub);

  pb::Result result;
  result.system = "redis-pubsub";
  result.scenario = "fanout";
  result.shape = shape;
  pb::Summarise(tracker, &result);
  cost.AddTo(result.delivered, &result);
  result.extra["client_peak_rss_kib"] = static_cast<double>(pb::PeakRssKib(getpid()));
  if (opt.server_pid > 0) result.extra["redis_peak_rss_kib"] = static_cast<double>(pb::PeakRssKib(opt.server_pid));
  result.extra["redis_used_memory_bytes"] = used_memory;
  result.extra["setup_s"] = setup_s;
  result.extra["publish_s"] = publish_s;
  result.extra["subscribers_ready"] = ready;
  result.extra["min_publish_receivers"] = static_cast<double>(min_receivers);
  result.extra["connection_errors"] = static_cast<double>(shared.loop.errors.load());
  result.extra["subscriber_threads"] = opt.threads;
  result.notes = "not durable: a subscriber that is disconnected misses messages";
  if (ready < shape.subscribers) {
    result.notes += "; only " + std::to_string(ready) + " of " + std::to_string(shape.subscribers) +
                    " subscribers were subscribed before publishing";
  }
  result.NoteCount(shared.dropped.load(), "subscribers lost their connection");
  if (!publish_error.empty()) result.notes += "; " + publish_error;
  pb::PrintResult(result);
  return 0;
}
