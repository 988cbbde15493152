#include "bench/common/redis_loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "bench/common/bench.h"

namespace pressrelay::bench {
namespace {

constexpr size_t kReadBytes = 256 * 1024;
// Fed in slices so that each connection's reader buffer stays small (hiredis frees it once it
// is empty and larger than its 16 KiB maxbuf).
constexpr ssize_t kFeedBytes = 16 * 1024;

}  // namespace

void FreeContext(redisContext* c) {
  if (c == nullptr) return;
  if (c->fd >= 0) {
    linger lg{1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  redisFree(c);
}

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

RedisSubscriberLoop::RedisSubscriberLoop(const RedisLoopOptions& options, RedisLoopCounters* counters,
                                         std::vector<int> ids)
    : options_(options), counters_(counters) {
  subs_.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) subs_[i].id = ids[i];
  for (size_t i = ids.size(); i > 0; --i) pending_.push_back(static_cast<int>(i - 1));
}

void RedisSubscriberLoop::Run() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    std::perror("epoll_create1");
    counters_->gave_up += static_cast<int>(subs_.size());
    return;
  }
  std::vector<epoll_event> events(1024);
  buf_.resize(kReadBytes);
  while (!counters_->stop.load(std::memory_order_relaxed)) {
    while (!pending_.empty() && connecting_ < options_.connect_window) {
      const int local = pending_.back();
      pending_.pop_back();
      Start(local);
    }
    const int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), 10);
    for (int i = 0; i < n; ++i) {
      const int local = static_cast<int>(events[i].data.u64);
      if (subs_[local].c == nullptr) continue;
      if (events[i].events & EPOLLOUT) Flush(local);
      if (subs_[local].c != nullptr && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) Read(local);
    }
  }
  for (Sub& s : subs_) {
    FreeContext(s.c);
    s.c = nullptr;
  }
  close(epfd_);
}

void RedisSubscriberLoop::Start(int local) {
  Sub& s = subs_[local];
  ++s.attempts;
  redisContext* c = redisConnectNonBlock(options_.host.c_str(), options_.port);
  if (c == nullptr || c->err) {
    if (c != nullptr && counters_->errors.load() < 5) std::fprintf(stderr, "%s: connect: %s\n", options_.name.c_str(), c->errstr);
    FreeContext(c);
    ++counters_->errors;
    GiveUpOrRetry(local);
    return;
  }
  s.c = c;
  s.state = State::kConnecting;
  ++connecting_;
  OnConnect(local);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = static_cast<uint64_t>(local);
  s.want_out = true;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
    std::perror("epoll_ctl");
    Fail(local);
  }
}

void RedisSubscriberLoop::MarkReady(int local) {
  Sub& s = subs_[local];
  if (s.state != State::kConnecting) return;
  s.state = State::kEstablished;
  s.attempts = 0;
  --connecting_;
  if (!s.ever_ready) {
    s.ever_ready = true;
    ++counters_->ready;
  }
}

void RedisSubscriberLoop::GiveUpOrRetry(int local) {
  Sub& s = subs_[local];
  if (s.attempts < options_.connect_attempts) {
    s.state = State::kIdle;
    pending_.insert(pending_.begin(), local);  // retry after the others
  } else {
    s.state = State::kDead;
    ++counters_->gave_up;
  }
}

void RedisSubscriberLoop::Fail(int local) {
  Sub& s = subs_[local];
  if (s.c != nullptr && counters_->errors.load() < 5) {
    std::fprintf(stderr, "%s: subscriber %d: %s\n", options_.name.c_str(), s.id, s.c->errstr[0] ? s.c->errstr : "error");
  }
  ++counters_->errors;
  if (s.c != nullptr) {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, s.c->fd, nullptr);
    FreeContext(s.c);
    s.c = nullptr;
  }
  if (s.state == State::kConnecting) {
    --connecting_;
    GiveUpOrRetry(local);
  } else if (s.state == State::kEstablished) {
    if (ReconnectAfterLoss(local)) {
      s.attempts = 0;
      GiveUpOrRetry(local);
    } else {
      s.state = State::kDead;
    }
  }
}

void RedisSubscriberLoop::Flush(int local) {
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

void RedisSubscriberLoop::Read(int local) {
  Sub& s = subs_[local];
  for (;;) {
    const ssize_t n = read(s.c->fd, buf_.data(), buf_.size());
    if (n > 0) {
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

bool RedisSubscriberLoop::Drain(int local) {
  Sub& s = subs_[local];
  for (;;) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(s.c, &raw) != REDIS_OK) {
      Fail(local);
      return false;
    }
    if (raw == nullptr) return true;
    const bool ok = OnReply(local, static_cast<redisReply*>(raw));
    freeReplyObject(raw);
    if (!ok) {
      Fail(local);
      return false;
    }
    if (s.c == nullptr) return false;  // failed while writing its next command
  }
}

bool RedisSubscriberLoop::Unexpected(int local, const redisReply* r) {
  if (counters_->bad_replies.fetch_add(1) < 5) {
    std::fprintf(stderr, "%s: subscriber %d: unexpected reply type %d%s%s\n", options_.name.c_str(), subs_[local].id,
                 r->type, r->type == REDIS_REPLY_ERROR ? ": " : "", r->type == REDIS_REPLY_ERROR ? r->str : "");
  }
  return false;
}

bool RedisLoopOptionsFromFlags(int argc, char** argv, const std::string& name, RedisLoopOptions* out) {
  const std::string redis = Flag(argc, argv, "redis", "");
  const size_t colon = redis.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(redis.substr(colon + 1), &port)) return false;
  out->name = name;
  out->host = redis.substr(0, colon);
  out->port = port;
  out->connect_window = std::max(1, std::stoi(Flag(argc, argv, "connect_window", "256")));
  return true;
}

redisContext* ConnectPublisher(const RedisLoopOptions& options, double timeout_s) {
  timeval tv{static_cast<time_t>(std::max(5.0, timeout_s)), 0};
  redisContext* c = redisConnectWithTimeout(options.host.c_str(), options.port, tv);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "%s: cannot connect to %s:%d: %s\n", options.name.c_str(), options.host.c_str(), options.port,
                 c != nullptr ? c->errstr : "out of memory");
    FreeContext(c);
    return nullptr;
  }
  redisSetTimeout(c, tv);
  return c;
}

RedisLoopSet::RedisLoopSet(RedisLoopCounters* counters, int subscribers, int threads, const MakeLoop& make)
    : counters_(counters), subscribers_(subscribers) {
  for (int t = 0; t < threads; ++t) {
    std::vector<int> ids;
    for (int i = t; i < subscribers; i += threads) ids.push_back(i);
    loops_.push_back(make(std::move(ids)));
  }
  for (auto& loop : loops_) threads_.emplace_back([&loop] { loop->Run(); });
}

void RedisLoopSet::WaitReady(int64_t deadline_ns) const {
  while (counters_->ready.load() + counters_->gave_up.load() < subscribers_ && NowNs() < deadline_ns) usleep(2000);
}

void RedisLoopSet::Stop() {
  counters_->stop = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace pressrelay::bench
