#include "services/common/redis/redis.h"

#include "services/common/redis/cluster.h"

#include "services/common/base/metrics.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include <hiredis/hiredis.h>
#include <openssl/sha.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::redis {
namespace {

timeval AsTimeval(absl::Duration d) { return absl::ToTimeval(d); }

// EVALSHA <sha> (or EVAL <source>) <numkeys> <keys...> <argv...>.
Args EvalArgs(const Script& script, bool by_sha, absl::Span<const std::string> keys,
              absl::Span<const std::string> argv) {
  Args args = script.Call(by_sha);
  args.Add(static_cast<int64_t>(keys.size()));
  args.AddAll(keys);
  args.AddAll(argv);
  return args;
}

}  // namespace

bool ReplyView::is_nil() const { return r_ == nullptr || r_->type == REDIS_REPLY_NIL; }
bool ReplyView::is_error() const { return r_ != nullptr && r_->type == REDIS_REPLY_ERROR; }
bool ReplyView::is_string() const {
  return r_ != nullptr && (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS);
}
bool ReplyView::is_integer() const { return r_ != nullptr && r_->type == REDIS_REPLY_INTEGER; }
bool ReplyView::is_array() const { return r_ != nullptr && r_->type == REDIS_REPLY_ARRAY; }

absl::string_view ReplyView::str() const {
  if (r_ == nullptr) return {};
  switch (r_->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return absl::string_view(r_->str, r_->len);
    default:
      return {};
  }
}

long long ReplyView::integer() const {
  if (r_ == nullptr) return 0;
  if (r_->type == REDIS_REPLY_INTEGER) return r_->integer;
  long long v = 0;
  if (is_string() && absl::SimpleAtoi(str(), &v)) return v;
  return 0;
}

size_t ReplyView::size() const { return is_array() ? r_->elements : 0; }

ReplyView ReplyView::operator[](size_t i) const {
  if (!is_array() || i >= r_->elements) return ReplyView(nullptr);
  return ReplyView(r_->element[i]);
}

Reply::Reply(redisReply* r) : ReplyView(r), owner_(r) {}

void Reply::Free::operator()(redisReply* r) const { freeReplyObject(r); }

Args::Args(std::initializer_list<absl::string_view> words) {
  words_.reserve(words.size());
  for (auto w : words) words_.emplace_back(w);
}

Args& Args::Add(absl::string_view word) {
  words_.emplace_back(word);
  return *this;
}

Args& Args::Add(int64_t number) {
  words_.push_back(absl::StrCat(number));
  return *this;
}

bool IsNoScript(const ReplyView& reply) { return reply.is_error() && absl::StartsWith(reply.str(), "NOSCRIPT"); }

Script::Script(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  sha1_.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    sha1_.push_back(kHex[b >> 4]);
    sha1_.push_back(kHex[b & 0xf]);
  }
}

bool IsTransientError(absl::string_view message) {
  for (absl::string_view prefix : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"}) {
    if (absl::StartsWith(message, prefix)) return true;
  }
  return false;
}

absl::Status ReplyStatus(const ReplyView& reply) {
  if (!reply.is_error()) return absl::OkStatus();
  if (IsTransientError(reply.str())) return absl::UnavailableError(absl::StrCat("redis: ", reply.str()));
  return absl::InternalError(absl::StrCat("redis: ", reply.str()));
}

namespace {

// Made at start-up, so that both series are exposed (at 0) before the first event.
metrics::Counter& round_trips =
    metrics::CounterOf("pressrelay_redis_round_trips_total", "requests sent to Redis and answered (a pipeline is one)");
metrics::Counter& errors = metrics::CounterOf(
    "pressrelay_redis_errors_total", "Redis connections that failed or broke, and commands Redis answered with an error");

metrics::Counter& RoundTrips() { return round_trips; }
metrics::Counter& Errors() { return errors; }

}  // namespace

void Interrupter::Interrupt() {
  absl::MutexLock lock(&mu_);
  interrupted_ = true;
  for (Connection* conn : members_) conn->ShutDown();
}

bool Interrupter::Join(Connection* conn) {
  absl::MutexLock lock(&mu_);
  if (interrupted_) return false;
  members_.push_back(conn);
  return true;
}

void Interrupter::Leave(Connection* conn) {
  absl::MutexLock lock(&mu_);
  std::erase(members_, conn);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const Options& options,
                                                                std::shared_ptr<Interrupter> interrupter) {
  redisContext* ctx =
      redisConnectWithTimeout(options.host.c_str(), options.port, AsTimeval(options.connect_timeout));
  if (ctx == nullptr) return absl::UnavailableError("redis: out of memory creating context");
  if (ctx->err != 0) {
    Errors().Add();
    std::string why = ctx->errstr;
    redisFree(ctx);
    return absl::UnavailableError(
        absl::StrCat("redis: cannot connect to ", options.host, ":", options.port, ": ", why));
  }
  redisSetTimeout(ctx, AsTimeval(options.command_timeout));
  redisEnableKeepAlive(ctx);
  std::unique_ptr<Connection> conn(new Connection(ctx, options));
  if (interrupter != nullptr) {
    if (!interrupter->Join(conn.get())) return absl::UnavailableError("redis: interrupted (shutting down)");
    conn->interrupter_ = std::move(interrupter);
  }
  if (!options.password.empty()) {
    auto reply = conn->Run({"AUTH", options.password});
    if (!reply.ok()) return absl::UnauthenticatedError("redis: AUTH failed");
  }
  if (!options.client_name.empty()) {
    auto reply = conn->Run({"CLIENT", "SETNAME", options.client_name});
    if (!reply.ok()) return reply.status();
  }
  return conn;
}


Connection::Connection(redisContext* ctx, Options options)
    : ctx_(ctx), options_(std::move(options)) {}

Connection::~Connection() {
  if (interrupter_ != nullptr) interrupter_->Leave(this);
  redisFree(ctx_);
}

absl::Status Connection::IoError(absl::string_view what) {
  broken_ = true;
  Errors().Add();
  return absl::UnavailableError(absl::StrCat("redis: ", what, ": ", ctx_->errstr));
}

absl::Status Connection::Append(const Args& args) {
  if (unread_ > 0) return absl::UnavailableError("redis: connection out of step (an earlier batch's replies unread)");
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& w : args.words()) {
    argv.push_back(w.data());
    argvlen.push_back(w.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), argvlen.data()) !=
      REDIS_OK) {
    return IoError("append");
  }
  return absl::OkStatus();
}

absl::StatusOr<Reply> Connection::ReadReply() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return IoError("read");
  return Reply(static_cast<redisReply*>(raw));
}

absl::StatusOr<Reply> Connection::Run(const Args& args) {
  if (auto s = Append(args); !s.ok()) return s;
  auto reply = ReadReply();
  if (!reply.ok()) return reply.status();
  RoundTrips().Add();
  if (auto s = ReplyStatus(*reply); !s.ok()) {
    Errors().Add();
    return s;
  }
  return reply;
}

absl::StatusOr<Reply> Connection::RunWithTimeout(const Args& args, absl::Duration timeout) {
  redisSetTimeout(ctx_, AsTimeval(timeout));
  auto reply = Run(args);
  if (!broken_) redisSetTimeout(ctx_, AsTimeval(options_.command_timeout));
  return reply;
}

absl::StatusOr<std::vector<Reply>> Connection::Pipeline(absl::Span<const Args> batch) {
  if (auto s = Send(batch); !s.ok()) return s;
  return Receive(batch.size());
}

absl::Status Connection::Send(absl::Span<const Args> batch) {
  for (const auto& args : batch) {
    if (auto s = Append(args); !s.ok()) return s;
  }
  // hiredis writes on the first read; write now, so that other connections' shares of the
  // same batch go out before this one's replies are awaited.
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) return IoError("write");
  }
  unread_ += batch.size();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Reply>> Connection::Receive(size_t count) {
  std::vector<Reply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto reply = ReadReply();
    if (!reply.ok()) return reply.status();
    replies.push_back(std::move(*reply));
    if (unread_ > 0) --unread_;
  }
  RoundTrips().Add();
  return replies;
}

absl::StatusOr<Reply> Connection::Eval(const Script& script, absl::Span<const std::string> keys,
                                       absl::Span<const std::string> argv) {
  if (auto s = Append(EvalArgs(script, /*by_sha=*/true, keys, argv)); !s.ok()) return s;
  auto reply = ReadReply();
  if (!reply.ok()) return reply.status();
  RoundTrips().Add();
  if (IsNoScript(*reply)) return Run(EvalArgs(script, /*by_sha=*/false, keys, argv));
  if (auto s = ReplyStatus(*reply); !s.ok()) {
    Errors().Add();
    return s;
  }
  return reply;
}

void Connection::ShutDown() {
  if (ctx_ != nullptr && ctx_->fd >= 0) ::shutdown(ctx_->fd, SHUT_RDWR);
}

Client::Client(Options options) : options_(std::move(options)) {
  if (options_.cluster) router_ = std::make_unique<ClusterRouter>(options_, interrupter_);
}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

absl::StatusOr<Connection*> Client::Get() {
  if (conn_ && !conn_->broken()) return conn_.get();
  conn_.reset();
  auto conn = Connection::Connect(options_, interrupter_);
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  return conn_.get();
}

namespace {

// A routed single command's reply as Connection::Run answers it: an error reply is a status.
absl::StatusOr<Reply> OneReply(absl::StatusOr<std::vector<Reply>> replies) {
  if (!replies.ok()) return replies.status();
  Reply reply = std::move(replies->front());
  if (auto s = ReplyStatus(reply); !s.ok()) {
    Errors().Add();
    return s;
  }
  return reply;
}

}  // namespace

absl::StatusOr<Reply> Client::Run(const Args& args) {
  if (router_) return OneReply(router_->Pipeline(absl::MakeConstSpan(&args, 1)));
  auto conn = Get();
  if (!conn.ok()) return conn.status();
  return (*conn)->Run(args);
}

absl::StatusOr<std::vector<Reply>> Client::Pipeline(absl::Span<const Args> batch) {
  if (router_) return router_->Pipeline(batch);
  auto conn = Get();
  if (!conn.ok()) return conn.status();
  return (*conn)->Pipeline(batch);
}

absl::StatusOr<Reply> Client::Eval(const Script& script, absl::Span<const std::string> keys,
                                   absl::Span<const std::string> argv) {
  if (router_) {
    const Args by_sha = EvalArgs(script, /*by_sha=*/true, keys, argv);
    auto replies = router_->Pipeline(absl::MakeConstSpan(&by_sha, 1));
    if (replies.ok() && IsNoScript(replies->front())) {
      const Args by_source = EvalArgs(script, /*by_sha=*/false, keys, argv);
      replies = router_->Pipeline(absl::MakeConstSpan(&by_source, 1));
    }
    return OneReply(std::move(replies));
  }
  auto conn = Get();
  if (!conn.ok()) return conn.status();
  return (*conn)->Eval(script, keys, argv);
}

absl::StatusOr<Reply> Client::RunWithTimeout(const Args& args, absl::Duration timeout) {
  if (router_) return router_->RunWithTimeout(args, timeout);
  auto conn = Get();
  if (!conn.ok()) return conn.status();
  return (*conn)->RunWithTimeout(args, timeout);
}

absl::StatusOr<std::vector<Reply>> Client::PipelineScripts(
    const std::function<std::vector<Args>(bool by_sha)>& build) {
  auto replies = Pipeline(build(/*by_sha=*/true));
  if (!replies.ok()) return replies;
  if (std::none_of(replies->begin(), replies->end(), [](const Reply& r) { return IsNoScript(r); })) return replies;
  return Pipeline(build(/*by_sha=*/false));
}

absl::StatusOr<Client::ScanPage> Client::Scan(absl::string_view cursor, absl::string_view pattern, int count) {
  ScanPage page;
  if (router_) {
    auto got = router_->Scan(cursor, pattern, count);
    if (!got.ok()) return got.status();
    page.cursor = std::move(got->first);
    page.keys = std::move(got->second);
    return page;
  }
  auto reply = Run(Args{"SCAN", cursor, "MATCH", pattern, "COUNT"}.Add(count));
  if (!reply.ok()) return reply.status();
  page.cursor = std::string((*reply)[0].str());
  const ReplyView found = (*reply)[1];
  for (size_t i = 0; i < found.size(); ++i) page.keys.emplace_back(found[i].str());
  return page;
}

absl::Status Client::AwaitReplicas() {
  if (options_.wait_replicas <= 0) return absl::OkStatus();
  const Args wait =
      Args{"WAIT"}.Add(options_.wait_replicas).Add(absl::ToInt64Milliseconds(options_.wait_timeout));
  std::vector<std::pair<Endpoint, Reply>> acks;
  if (router_) {
    PR_ASSIGN_OR_RETURN(acks, router_->OnEveryNodeUsed(wait));
  } else {
    PR_ASSIGN_OR_RETURN(Reply reply, Run(wait));
    acks.emplace_back(Endpoint{options_.host, options_.port}, std::move(reply));
  }
  for (const auto& [node, ack] : acks) {
    if (auto s = ReplyStatus(ack); !s.ok()) return s;
    if (ack.integer() < options_.wait_replicas) {
      return absl::UnavailableError(absl::StrCat(
          "redis: applied on the primary (", node.host, ":", node.port, ") but held by ", ack.integer(), " of ",
          options_.wait_replicas, " replicas after ", absl::FormatDuration(options_.wait_timeout),
          " (--redis_wait_replicas): not yet safe from a failover"));
    }
  }
  return absl::OkStatus();
}

absl::Status Client::CheckKind() {
  // A cluster client reads the slot map first, which a standalone Redis refuses (Refresh).
  if (router_) return Run({"PING"}).status();
  PR_ASSIGN_OR_RETURN(Reply info, Run({"INFO", "cluster"}));
  if (absl::StrContains(info.str(), "cluster_enabled:1")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "redis: ", options_.host, ":", options_.port,
        " is a Redis Cluster node: start with --redis_cluster (and the cluster's nodes in --redis)"));
  }
  return absl::OkStatus();
}

void Client::Interrupt() {
  if (interrupter_ != nullptr) interrupter_->Interrupt();  // null only in a moved-from client
}

namespace {

// The pools whose lease the current thread holds (rarely more than one: different pools).
thread_local std::vector<const Pool*> held_pools;

void Forget(const Pool* pool) {
  auto it = std::find(held_pools.begin(), held_pools.end(), pool);
  if (it != held_pools.end()) held_pools.erase(it);
}

}  // namespace

Pool::Pool(Options options, int size, absl::Duration acquire_timeout)
    : options_(std::move(options)), size_(size), acquire_timeout_(acquire_timeout) {
  for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<Client>(options_));
  if (size == 0) exhausted_since_ = absl::Now();
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  if (std::find(held_pools.begin(), held_pools.end(), this) != held_pools.end()) {
    spdlog::error("redis pool: a thread that holds a connection asked for another; refused");
    return absl::InternalError(
        "redis pool: this thread already holds a connection of the pool (pass it down instead of taking another)");
  }
  std::unique_ptr<Client> client;
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !idle_.empty(); };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), acquire_timeout_)) {
      spdlog::warn("redis pool: all {} connections busy for {}; answering UNAVAILABLE", size_,
                   absl::FormatDuration(acquire_timeout_));
      return absl::UnavailableError(absl::StrCat("redis: all ", size_, " connections busy for ",
                                                 absl::FormatDuration(acquire_timeout_), "; retry"));
    }
    client = std::move(idle_.back());
    idle_.pop_back();
    if (idle_.empty()) exhausted_since_ = absl::Now();
  }
  return Lease(this, std::move(client));
}

absl::Duration Pool::StalledFor(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  if (!idle_.empty() || exhausted_since_ > now) return absl::ZeroDuration();
  return now - exhausted_since_;
}

void Pool::Return(std::unique_ptr<Client> client) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(client));
  exhausted_since_ = absl::InfiniteFuture();
}

Pool::Lease::Lease(Pool* pool, std::unique_ptr<Client> client) : pool_(pool), client_(std::move(client)) {
  held_pools.push_back(pool_);
}

Pool::Lease::~Lease() {
  if (!client_) return;  // moved from
  Forget(pool_);
  pool_->Return(std::move(client_));
}

}  // namespace pressrelay::redis
