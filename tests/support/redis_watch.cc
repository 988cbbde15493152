#include "tests/support/redis_watch.h"

#include <sys/socket.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pressrelay::testing {
namespace {

timeval AsTimeval(absl::Duration d) {
  if (d < absl::Milliseconds(1)) d = absl::Milliseconds(1);
  return absl::ToTimeval(d);
}

}  // namespace

RedisMonitor::~RedisMonitor() {
  if (thread_.joinable()) {
    shutdown(ctx_->fd, SHUT_RDWR);  // unblocks the reader
    thread_.join();
  }
  if (ctx_ != nullptr) redisFree(ctx_);
}

bool RedisMonitor::Start() {
  ctx_ = redisConnect("127.0.0.1", port_);
  if (ctx_ == nullptr || ctx_->err != 0) return false;
  auto* reply = static_cast<redisReply*>(redisCommand(ctx_, "MONITOR"));
  if (reply == nullptr) return false;
  freeReplyObject(reply);
  thread_ = std::thread([this] {
    for (;;) {
      void* r = nullptr;
      if (redisGetReply(ctx_, &r) != REDIS_OK || r == nullptr) break;
      std::string line(static_cast<redisReply*>(r)->str, static_cast<redisReply*>(r)->len);
      freeReplyObject(r);
      absl::MutexLock lock(&mu_);
      lines_.push_back(std::move(line));
    }
    absl::MutexLock lock(&mu_);
    ended_ = true;
  });
  return true;
}

std::vector<std::string> RedisMonitor::LinesBefore(redis::Client& other, const std::string& marker,
                                                   absl::Duration timeout) {
  if (!other.Run({"ECHO", marker}).ok()) return {};
  const std::string echo = absl::StrCat("\"ECHO\" \"", marker, "\"");
  absl::MutexLock lock(&mu_);
  size_t at = 0;
  auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (; at < lines_.size(); ++at) {
      if (absl::StrContains(lines_[at], echo)) return true;
    }
    return ended_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&seen), timeout) || at == lines_.size()) return {};
  std::vector<std::string> before(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(at));
  lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  return before;
}

std::unique_ptr<KeyspaceEvents> KeyspaceEvents::Watch(int port, const std::string& key, const std::string& classes) {
  redisContext* ctx = redisConnect("127.0.0.1", port);
  if (ctx == nullptr || ctx->err != 0) {
    if (ctx != nullptr) redisFree(ctx);
    return nullptr;
  }
  auto events = std::unique_ptr<KeyspaceEvents>(new KeyspaceEvents(ctx));
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"CONFIG", "SET", "notify-keyspace-events", classes},
        std::vector<std::string>{"SUBSCRIBE", absl::StrCat("__keyspace@0__:", key)}}) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& word : command) {
      argv.push_back(word.data());
      lens.push_back(word.size());
    }
    auto* reply = static_cast<redisReply*>(redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (reply == nullptr || reply->type == REDIS_REPLY_ERROR) {
      if (reply != nullptr) freeReplyObject(reply);
      return nullptr;
    }
    freeReplyObject(reply);
  }
  return events;
}

KeyspaceEvents::~KeyspaceEvents() { redisFree(ctx_); }

bool KeyspaceEvents::WaitFor(const std::string& event, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    redisSetTimeout(ctx_, AsTimeval(deadline - absl::Now()));
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK || r == nullptr) return false;
    auto* reply = static_cast<redisReply*>(r);
    // ["message", "__keyspace@0__:<key>", "<event>"]
    const bool match = reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                       std::string(reply->element[2]->str, reply->element[2]->len) == event;
    freeReplyObject(reply);
    if (match) return true;
  }
  return false;
}

}  // namespace pressrelay::testing
