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
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "bench/common/bench.h"

namespace pb = pressrelay::bench;

namespace {

struct Options {
  std::string host;
  int port = 0;
  int server_pid = 0;
  double timeout_s = 60;
  double setup_timeout_s = 180;
  int threads = 1;
  int batch = 1000;
  int connect_window = 256;
  int connect_attempts = 5;
  std::string key_prefix;  // stream of subscriber i: key_prefix + i
};

// Shared between the main thread and the subscriber loops.
struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};       // first XREAD issued
  std::atomic<int> gave_up{0};     // could not (re)connect
  std::atomic<int> reconnects{0};  // reconnected after losing an established connection
  std::atomic<int64_t> errors{0};  // connection errors of any kind (including retried ones)
  std::atomic<int64_t> bad_replies{0};
};

void SleepUntilNs(int64_t target_ns) {
  timespec ts;
  ts.tv_sec = target_ns / 1000000000;
  ts.tv_nsec = target_ns % 1000000000;
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// Closes a connection without leaving a TIME_WAIT socket behind (10,000 of them would linger for a
// minute and crowd the next benchmark in the same run).
void FreeContext(redisContext* c) {
  if (c == nullptr) return;
  if (c->fd >= 0) {
    linger lg{1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  redisFree(c);
}

// One epoll loop owning a share of the subscriber connections.
class SubscriberLoop {
 public:
  SubscriberLoop(const Options& opt, Shared* shared, pb::DeliveryTracker* tracker, std::vector<int> ids)
      : opt_(opt), shared_(shared), tracker_(tracker) {
    subs_.resize(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      subs_[i].id = ids[i];
      subs_[i].key = opt.key_prefix + std::to_string(ids[i]);
    }
    for (size_t i = ids.size(); i > 0; --i) pending_.push_back(static_cast<int>(i - 1));
  }

  void Run() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) {
      std::perror("epoll_create1");
      shared_->gave_up += static_cast<int>(subs_.size());
      return;
    }
    std::vector<epoll_event> events(1024);
    buf_.resize(kReadBytes);
    while (!shared_->stop.load(std::memory_order_relaxed)) {
      while (!pending_.empty() && connecting_ < opt_.connect_window) {
        const int local = pending_.back();
        pending_.pop_back();
        Start(local);
      }
      const int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), 10);
      for (int i = 0; i < n; ++i) {
        const int local = static_cast<int>(events[i].data.u64);
        Sub& s = subs_[local];
        if (s.c == nullptr) continue;
        if (events[i].events & EPOLLOUT) Flush(local);
        if (s.c != nullptr && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) Read(local);
      }
    }
    for (Sub& s : subs_) {
      FreeContext(s.c);
      s.c = nullptr;
    }
    close(epfd_);
  }

 private:
  static constexpr size_t kReadBytes = 256 * 1024;
  static constexpr ssize_t kFeedBytes = 16 * 1024;
  enum class State { kIdle, kConnecting, kReading, kDead };
  struct Sub {
    int id = 0;
    std::string key;
    std::string last_id = "0-0";
    redisContext* c = nullptr;
    State state = State::kIdle;
    bool want_out = false;
    bool ever_ready = false;
    int attempts = 0;  // connection attempts since the last established connection
  };

  void Start(int local) {
    Sub& s = subs_[local];
    ++s.attempts;
    redisContext* c = redisConnectNonBlock(opt_.host.c_str(), opt_.port);
    if (c == nullptr || c->err) {
      if (c != nullptr && shared_->errors.load() < 5) std::fprintf(stderr, "redis-streams: connect: %s\n", c->errstr);
      FreeContext(c);
      ++shared_->errors;
      GiveUpOrRetry(local);
      return;
    }
    s.c = c;
    s.state = State::kConnecting;
    ++connecting_;
    // The PONG says Redis accepted the connection; the XREAD follows it.
    redisAppendCommand(c, "PING");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = static_cast<uint64_t>(local);
    s.want_out = true;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      std::perror("epoll_ctl");
      Fail(local);
    }
  }

  void GiveUpOrRetry(int local) {
    Sub& s = subs_[local];
    if (s.attempts < opt_.connect_attempts) {
      s.state = State::kIdle;
      pending_.insert(pending_.begin(), local);  // retry after the others
    } else {
      s.state = State::kDead;
      ++shared_->gave_up;
    }
  }

  void Fail(int local) {
    Sub& s = subs_[local];
    if (s.c != nullptr && shared_->errors.load() < 5) {
      std::fprintf(stderr, "redis-streams: subscriber %d: %s\n", s.id, s.c->errstr[0] ? s.c->errstr : "error");
    }
    ++shared_->errors;
    if (s.c != nullptr) {
      epoll_ctl(epfd_, EPOLL_CTL_DEL, s.c->fd, nullptr);
      FreeContext(s.c);
      s.c = nullptr;
    }
    if (s.state == State::kConnecting) {
      --connecting_;
      GiveUpOrRetry(local);
    } else if (s.state == State::kReading) {
      // Durable: reconnect and carry on from the last id received.
      ++shared_->reconnects;
      s.attempts = 0;
      GiveUpOrRetry(local);
    }
  }

  void Flush(int local) {
    Sub& s = subs_[local];
    int done = 0;
    if (redisBufferWrite(s.c, &done) != REDIS_OK) {
      Fail(local);
      return;
    }
    if (done == static_cast<int>(s.want_out)) {  // interest must change
      epoll_event ev{};
      ev.events = done ? EPOLLIN : (EPOLLIN | EPOLLOUT);
      ev.data.u64 = static_cast<uint64_t>(local);
      epoll_ctl(epfd_, EPOLL_CTL_MOD, s.c->fd, &ev);
      s.want_out = !done;
    }
  }

  void IssueRead(int local) {
    Sub& s = subs_[local];
    redisAppendCommand(s.c, "XREAD BLOCK 0 STREAMS %s %s", s.key.c_str(), s.last_id.c_str());
    Flush(local);
  }

  void Read(int local) {
    Sub& s = subs_[local];
    for (;;) {
      const ssize_t n = read(s.c->fd, buf_.data(), buf_.size());
      if (n > 0) {
        // Fed in slices so that each connection's reader buffer stays small (hiredis frees it once
        // it is empty and larger than its 16 KiB maxbuf).
        for (ssize_t off = 0; off < n; off += kFeedBytes) {
          const size_t len = static_cast<size_t>(std::min<ssize_t>(kFeedBytes, n - off));
          if (redisReaderFeed(s.c->reader, buf_.data() + off, len) != REDIS_OK) {
            Fail(local);
            return;
          }
          if (!Drain(local)) return;
        }
        if (static_cast<size_t>(n) < buf_.size()) return;
      } else if (n == 0) {
        std::snprintf(s.c->errstr, sizeof(s.c->errstr), "server closed the connection");
        Fail(local);
        return;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else {
        std::snprintf(s.c->errstr, sizeof(s.c->errstr), "read: %s", std::strerror(errno));
        Fail(local);
        return;
      }
    }
  }

  // Handles every complete reply in the reader; false if the connection failed.
  bool Drain(int local) {
    Sub& s = subs_[local];
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(s.c, &raw) != REDIS_OK) {
        Fail(local);
        return false;
      }
      if (raw == nullptr) return true;
      const bool ok = Handle(local, static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      if (!ok) {
        Fail(local);
        return false;
      }
      if (s.c == nullptr) return false;  // failed while writing the next XREAD
    }
  }

  // XREAD reply: [[key, [[id, [field, value, ...]], ...]]], or nil.
  bool Handle(int local, const redisReply* r) {
    Sub& s = subs_[local];
    if (s.state == State::kConnecting) {
      if (r->type != REDIS_REPLY_STATUS) return Unexpected(s, r);
      s.state = State::kReading;
      s.attempts = 0;
      --connecting_;
      if (!s.ever_ready) {
        s.ever_ready = true;
        ++shared_->ready;
      }
      IssueRead(local);
      return true;
    }
    if (r->type == REDIS_REPLY_ARRAY) {
      for (size_t k = 0; k < r->elements; ++k) {
        const redisReply* stream = r->element[k];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) {
          return Unexpected(s, r);
        }
        const redisReply* entries = stream->element[1];
        for (size_t e = 0; e < entries->elements; ++e) {
          const redisReply* entry = entries->element[e];
          if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING ||
              entry->element[1]->type != REDIS_REPLY_ARRAY || entry->element[1]->elements < 2) {
            return Unexpected(s, r);
          }
          const redisReply* value = entry->element[1]->element[1];
          int index = 0;
          int64_t publish_ns = 0;
          if (value->type == REDIS_REPLY_STRING && pb::ParsePayload(value->str, value->len, &index, &publish_ns)) {
            tracker_->Record(s.id, index, pb::NowNs() - publish_ns);
          } else {
            Unexpected(s, entry);
          }
          s.last_id.assign(entry->element[0]->str, entry->element[0]->len);
        }
      }
    } else if (r->type != REDIS_REPLY_NIL) {
      return Unexpected(s, r);
    }
    IssueRead(local);
    return true;
  }

  bool Unexpected(const Sub& s, const redisReply* r) {
    if (shared_->bad_replies.fetch_add(1) < 5) {
      std::fprintf(stderr, "redis-streams: subscriber %d: unexpected reply type %d%s%s\n", s.id, r->type,
                   r->type == REDIS_REPLY_ERROR ? ": " : "", r->type == REDIS_REPLY_ERROR ? r->str : "");
    }
    return false;
  }

  const Options& opt_;
  Shared* shared_;
  pb::DeliveryTracker* tracker_;
  std::vector<Sub> subs_;
  std::vector<int> pending_;  // local indices still to connect, next at the back
  int connecting_ = 0;
  int epfd_ = -1;
  std::vector<char> buf_;
};

void RaiseFdLimit(int wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && static_cast<int64_t>(rl.rlim_cur) < wanted) {
    std::fprintf(stderr, "redis-streams: fd limit %" PRIu64 " is below the %d needed; expect failed connections\n",
                 static_cast<uint64_t>(rl.rlim_cur), wanted);
  }
}

// A numeric field of INFO <section> (e.g. "used_memory"), or -1.
double InfoField(redisContext* c, const char* section, const std::string& field) {
  redisReply* r = static_cast<redisReply*>(redisCommand(c, "INFO %s", section));
  double value = -1;
  if (r != nullptr && r->type == REDIS_REPLY_STRING) {
    const std::string text = "\n" + std::string(r->str, r->len);
    const size_t at = text.find("\n" + field + ":");
    if (at != std::string::npos) value = std::strtod(text.c_str() + at + field.size() + 2, nullptr);
  }
  if (r != nullptr) freeReplyObject(r);
  return value;
}

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
  const std::string redis = pb::Flag(argc, argv, "redis", "");
  const size_t colon = redis.rfind(':');
  if (redis.empty() || colon == std::string::npos || colon == 0) {
    std::fprintf(stderr, "usage: %s --redis HOST:PORT [--server_pid PID] [--subscribers N] [--messages M] "
                 "[--bytes B] [--rate R] [--timeout_s S] [--batch K] [--threads T]\n", argv[0]);
    return 2;
  }
  opt.host = redis.substr(0, colon);
  opt.port = std::stoi(redis.substr(colon + 1));
  opt.server_pid = std::stoi(pb::Flag(argc, argv, "server_pid", "0"));
  opt.timeout_s = std::stod(pb::Flag(argc, argv, "timeout_s", "60"));
  opt.setup_timeout_s = std::stod(pb::Flag(argc, argv, "setup_timeout_s", "180"));
  opt.threads = std::max(1, std::stoi(pb::Flag(argc, argv, "threads", "1")));
  opt.batch = std::max(1, std::stoi(pb::Flag(argc, argv, "batch", "1000")));
  opt.connect_window = std::max(1, std::stoi(pb::Flag(argc, argv, "connect_window", "256")));
  // Fresh keys per run, so a reused server cannot feed old entries to XREAD ... 0-0.
  opt.key_prefix = "prb:" + std::to_string(getpid()) + ":" + std::to_string(pb::NowNs() / 1000000) + ":";
  RaiseFdLimit(shape.subscribers + 64);

  timeval tv{static_cast<time_t>(std::max(5.0, opt.timeout_s)), 0};
  redisContext* pub = redisConnectWithTimeout(opt.host.c_str(), opt.port, tv);
  if (pub == nullptr || pub->err) {
    std::fprintf(stderr, "redis-streams: cannot connect to %s: %s\n", redis.c_str(), pub ? pub->errstr : "out of memory");
    return 1;
  }
  redisSetTimeout(pub, tv);

  pb::DeliveryTracker tracker(shape.subscribers, shape.messages);
  Shared shared;
  std::vector<std::unique_ptr<SubscriberLoop>> loops;
  for (int t = 0; t < opt.threads; ++t) {
    std::vector<int> ids;
    for (int i = t; i < shape.subscribers; i += opt.threads) ids.push_back(i);
    loops.push_back(std::make_unique<SubscriberLoop>(opt, &shared, &tracker, std::move(ids)));
  }

  // Connect everyone and have every XREAD blocked in Redis before the first XADD.
  const int64_t setup_start = pb::NowNs();
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->Run(); });
  const int64_t setup_deadline = setup_start + static_cast<int64_t>(opt.setup_timeout_s * 1e9);
  while (shared.ready.load() + shared.gave_up.load() < shape.subscribers && pb::NowNs() < setup_deadline) {
    usleep(2000);
  }
  const int ready = shared.ready.load();
  double blocked = InfoField(pub, "clients", "blocked_clients");
  while (blocked >= 0 && blocked < ready && pb::NowNs() < setup_deadline) {
    usleep(2000);
    blocked = InfoField(pub, "clients", "blocked_clients");
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
  const int64_t publish_start = pb::NowNs();
  for (int m = 0; m < shape.messages && publish_error.empty(); ++m) {
    if (shape.rate > 0) SleepUntilNs(publish_start + static_cast<int64_t>(m * 1e9 / shape.rate));
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

  double used_memory = -1;
  if (pub->err == 0) used_memory = InfoField(pub, "memory", "used_memory");
  shared.stop = true;
  for (auto& t : threads) t.join();
  FreeContext(pub);

  pb::Result result;
  result.system = "redis-streams";
  result.scenario = "fanout";
  result.shape = shape;
  pb::Summarise(tracker, &result);
  result.extra["client_peak_rss_kib"] = static_cast<double>(pb::PeakRssKib(getpid()));
  if (opt.server_pid > 0) result.extra["redis_peak_rss_kib"] = static_cast<double>(pb::PeakRssKib(opt.server_pid));
  result.extra["redis_used_memory_bytes"] = used_memory;
  result.extra["setup_s"] = setup_s;
  result.extra["publish_s"] = publish_s;
  result.extra["subscribers_ready"] = ready;
  result.extra["xadd_batch"] = opt.batch;
  result.extra["connection_errors"] = static_cast<double>(shared.errors.load());
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
