// Peer benchmark "redis-streams": the naive durable per-subscriber fan-out with Redis Streams,
// through hiredis, under the shared load shape (bench/common/bench.h). Every subscriber has its
// own stream and its own TCP connection, on which it keeps one XREAD BLOCK 0 STREAMS <its stream>
// <last id> outstanding, re-issued after each reply. One publisher XADDs each message to all N
// streams, pipelined in batches (--batch, default 1000 commands per round trip).
//
// The subscriber connections are non-blocking hiredis contexts driven by our own epoll loop
// (--threads loops, default 1: on a 2-core machine Redis needs the other core). Sockets are read
// straight into a large buffer and fed to the connection's hiredis reader, which parses the
// replies. Connections are opened at most --connect_window at a time (each confirmed with a PING
// before its first XREAD) so Redis's accept backlog never overflows; before the first XADD, INFO
// clients must show every subscriber blocked in its XREAD. A subscriber whose connection fails
// reconnects and resumes from its last id: the streams are durable.
//
// Usage: bench-redis-streams --redis HOST:PORT [--server_pid PID] [--subscribers N]
//        [--messages M] [--bytes B] [--rate R] [--timeout_s S] [--batch K] [--threads T]
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
  int batch = 1000;
  std::string key_prefix;  // stream of subscriber i: key_prefix + i
};

// Shared between the main thread and the subscriber loops.
struct Shared {
  pb::RedisLoopCounters loop;      // ready: first XREAD issued
  std::atomic<int> reconnects{0};  // reconnected after losing an established connection
};

// Subscribers of one epoll loop: PING (Redis accepted the connection), then one XREAD BLOCK
// on the subscriber's own stream at a time, re-issued after each reply from the last id seen.
class SubscriberLoop final : public pb::RedisSubscriberLoop {
 public:
  SubscriberLoop(const Options& opt, Shared* shared, pb::DeliveryTracker* tracker, std::vector<int> ids)
      : RedisSubscriberLoop(opt.loop, &shared->loop, ids), shared_(shared), tracker_(tracker) {
    for (int id : ids) streams_.push_back(Stream{opt.key_prefix + std::to_string(id), "0-0"});
  }

 private:
  struct Stream {
    std::string key;
    std::string last_id;
  };

  void OnConnect(int local) override { redisAppendCommand(context(local), "PING"); }

  // Durable: reconnect and carry on from the last id received.
  bool ReconnectAfterLoss(int) override {
    ++shared_->reconnects;
    return true;
  }

  void IssueRead(int local) {
    const Stream& st = streams_[local];
    redisAppendCommand(context(local), "XREAD BLOCK 0 STREAMS %s %s", st.key.c_str(), st.last_id.c_str());
    Flush(local);
  }

  // PONG, then XREAD replies: [[key, [[id, [field, value, ...]], ...]]], or nil.
  bool OnReply(int local, const redisReply* r) override {
    if (!established(local)) {
      if (r->type != REDIS_REPLY_STATUS) return Unexpected(local, r);
      MarkReady(local);
      IssueRead(local);
      return true;
    }
    if (r->type == REDIS_REPLY_ARRAY) {
      for (size_t k = 0; k < r->elements; ++k) {
        const redisReply* stream = r->element[k];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) {
          return Unexpected(local, r);
        }
        const redisReply* entries = stream->element[1];
        for (size_t e = 0; e < entries->elements; ++e) {
          const redisReply* entry = entries->element[e];
          if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING ||
              entry->element[1]->type != REDIS_REPLY_ARRAY || entry->element[1]->elements < 2) {
            return Unexpected(local, r);
          }
          const redisReply* value = entry->element[1]->element[1];
          int index = 0;
          int64_t publish_ns = 0;
          if (value->type == REDIS_REPLY_STRING && pb::ParsePayload(value->str, value->len, &index, &publish_ns)) {
            tracker_->Record(id(local), index, pb::NowNs() - publish_ns);
          } else {
            Unexpected(local, entry);
          }
          streams_[local].last_id.assign(entry->element[0]->str, entry->element[0]->len);
        }
      }
    } else if (r->type != REDIS_REPLY_NIL) {
      return Unexpected(local, r);
    }
    IssueRead(local);
    return true;
  }

  Shared* shared_;
  pb::DeliveryTracker* tracker_;
  std::vector<Stream> streams_;  // by local index
};

// Appends one XADD <key> * d <payload> in wire format; `bulk` is the payload's "$len\r\n...\r\n".
void AppendXadd(std::string* out, const std::string& key, const std::string& bulk) {
  out->append("*5\r\n$4\r\nXADD\r\n$");
  out->append(std::to_string(key.size()));
  out->append("\r\n");
  out->append(key);
  out->append("\r\n$1\r\n*\r\n$1\r\nd\r\n");
  out->append(bulk);
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const pb::LoadShape shape = pb::ParseShape(argc, argv);
  Options opt;
  if (!pb::RedisLoopOptionsFromFlags(argc, argv, "redis-streams", &opt.loop)) {
    std::fprintf(stderr, "usage: %s --redis HOST:PORT [--server_pid PID] [--subscribers N] [--messages M] "
                 "[--bytes B] [--rate R] [--timeout_s S] [--threads T] [--batch K]\n", argv[0]);
    return 2;
  }
  opt.server_pid = std::stoi(pb::Flag(argc, argv, "server_pid", "0"));
  opt.timeout_s = std::stod(pb::Flag(argc, argv, "timeout_s", "60"));
  opt.setup_timeout_s = std::stod(pb::Flag(argc, argv, "setup_timeout_s", "180"));
  opt.threads = std::max(1, std::stoi(pb::Flag(argc, argv, "threads", "1")));
  opt.batch = std::max(1, std::stoi(pb::Flag(argc, argv, "batch", "1000")));
  // Fresh keys per run, so a reused server cannot feed old entries to XREAD ... 0-0.
  opt.key_prefix = "prb:" + std::to_string(getpid()) + ":" + std::to_string(pb::NowNs() / 1000000) + ":";
  pb::RaiseFdLimit(shape.subscribers + 64, "redis-streams");

  redisContext* pub = pb::ConnectPublisher(opt.loop, opt.timeout_s);
  if (pub == nullptr) return 1;

  pb::DeliveryTracker tracker(shape.subscribers, shape.messages);
  Shared shared;
  // Connect everyone and have every XREAD blocked in Redis before the first XADD.
  const int64_t setup_start = pb::NowNs();
  pb::RedisLoopSet loops(&shared.loop, shape.subscribers, opt.threads, [&](std::vector<int> ids) {
    return std::make_unique<SubscriberLoop>(opt, &shared, &tracker, std::move(ids));
  });
  const int64_t setup_deadline = setup_start + static_cast<int64_t>(opt.setup_timeout_s * 1e9);
  loops.WaitReady(setup_deadline);
  const int ready = shared.loop.ready.load();
  double blocked = pb::InfoField(pub, "clients", "blocked_clients");
  while (blocked >= 0 && blocked < ready && pb::NowNs() < setup_deadline) {
    usleep(2000);
    blocked = pb::InfoField(pub, "clients", "blocked_clients");
  }
  const double setup_s = (pb::NowNs() - setup_start) / 1e9;
  std::fprintf(stderr, "redis-streams: %d/%d subscribers ready (blocked_clients %.0f) in %.2f s\n", ready,
               shape.subscribers, blocked, setup_s);

  // Publish: each message XADDed to every subscriber's stream, `batch` commands per round trip.
  std::vector<std::string> keys(shape.subscribers);
  for (int i = 0; i < shape.subscribers; ++i) keys[i] = opt.key_prefix + std::to_string(i);
  std::string publish_error;
  int64_t xadd_errors = 0;
  std::string wire;
  pb::PhaseCost cost({{"server", opt.server_pid}, {"client", static_cast<int>(getpid())}});
  cost.Start();
  const int64_t publish_start = pb::NowNs();
  for (int m = 0; m < shape.messages && publish_error.empty(); ++m) {
    if (shape.rate > 0) pb::SleepUntilNs(publish_start + static_cast<int64_t>(m * 1e9 / shape.rate));
    const std::string payload = pb::MakePayload(m, pb::NowNs(), shape.message_bytes);
    const std::string bulk = "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
    for (int first = 0; first < shape.subscribers && publish_error.empty(); first += opt.batch) {
      const int last = std::min(shape.subscribers, first + opt.batch);
      wire.clear();
      for (int i = first; i < last; ++i) AppendXadd(&wire, keys[i], bulk);
      redisAppendFormattedCommand(pub, wire.data(), wire.size());
      for (int i = first; i < last; ++i) {
        void* raw = nullptr;
        if (redisGetReply(pub, &raw) != REDIS_OK) {
          publish_error = std::string("publisher: ") + pub->errstr;
          break;
        }
        const redisReply* r = static_cast<redisReply*>(raw);
        if (r->type == REDIS_REPLY_ERROR && xadd_errors++ == 0) publish_error = std::string("XADD: ") + r->str;
        freeReplyObject(raw);
      }
    }
  }
  const double publish_s = (pb::NowNs() - publish_start) / 1e9;

  tracker.WaitComplete(absl::Seconds(opt.timeout_s));
  cost.Stop();

  double used_memory = -1;
  if (pub->err == 0) used_memory = pb::InfoField(pub, "memory", "used_memory");
  loops.Stop();
  pb::FreeContext(pub);

  pb::Result result;
  result.system = "redis-streams";
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
  result.extra["xadd_batch"] = opt.batch;
  result.extra["connection_errors"] = static_cast<double>(shared.loop.errors.load());
  result.extra["reconnects"] = shared.reconnects.load();
  result.extra["subscriber_threads"] = opt.threads;
  result.notes = "durable per-subscriber streams, publisher XADDs N times";
  if (ready < shape.subscribers) {
    result.notes += "; only " + std::to_string(ready) + " of " + std::to_string(shape.subscribers) +
                    " subscribers were reading before publishing";
  }
  if (!publish_error.empty()) result.notes += "; " + publish_error;
  pb::PrintResult(result);
  return 0;
}
