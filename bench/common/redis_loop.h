// What the two Redis peers (bench/peers/redis_pubsub.cc, redis_streams.cc) share: many
// non-blocking hiredis subscriber connections driven by one epoll loop per thread. Sockets are
// read straight into a large buffer and fed to each connection's hiredis reader; connections
// are opened at most `connect_window` at a time so Redis's accept backlog never overflows, and
// a failed attempt is retried after the others, up to `connect_attempts` times.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pressrelay::bench {

struct RedisLoopOptions {
  std::string name;  // the peer, for messages
  std::string host;
  int port = 0;
  int connect_window = 256;
  int connect_attempts = 5;
};

// Shared between the main thread and every loop of one peer.
struct RedisLoopCounters {
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};           // subscribers whose first reply confirmed them
  std::atomic<int> gave_up{0};         // could not (re)connect
  std::atomic<int64_t> errors{0};      // connection errors of any kind (including retried ones)
  std::atomic<int64_t> bad_replies{0};
};

// Closes a connection without leaving a TIME_WAIT socket behind (10,000 of them would linger
// for a minute and crowd the next benchmark in the same run).
void FreeContext(redisContext* c);
// A numeric field of INFO <section> (e.g. "used_memory"), or -1.
double InfoField(redisContext* c, const char* section, const std::string& field);

// One epoll loop owning a share of the subscriber connections. A peer says what a
// connection sends first, what each reply means, and whether a lost one reconnects.
class RedisSubscriberLoop {
 public:
  RedisSubscriberLoop(const RedisLoopOptions& options, RedisLoopCounters* counters, std::vector<int> ids);
  virtual ~RedisSubscriberLoop() = default;
  // Until counters->stop.
  void Run();

 protected:
  // Appends the first command of a new connection (it is sent when the socket is writable).
  virtual void OnConnect(int local) = 0;
  // One reply; false drops the connection as failed.
  virtual bool OnReply(int local, const redisReply* reply) = 0;
  // An established connection was lost: true reconnects it (the peer is durable).
  virtual bool ReconnectAfterLoss(int local) = 0;

  // The first reply confirmed the connection: it counts as ready (once per subscriber).
  void MarkReady(int local);
  // Sends what was appended to the connection.
  void Flush(int local);
  // Counts (and reports the first few of) replies a subscriber did not expect; returns false.
  bool Unexpected(int local, const redisReply* reply);
  int id(int local) const { return subs_[local].id; }
  redisContext* context(int local) { return subs_[local].c; }
  bool established(int local) const { return subs_[local].state == State::kEstablished; }

 private:
  enum class State { kIdle, kConnecting, kEstablished, kDead };
  struct Sub {
    int id = 0;
    redisContext* c = nullptr;
    State state = State::kIdle;
    bool want_out = false;
    bool ever_ready = false;
    int attempts = 0;  // since the last established connection
  };

  void Start(int local);
  void GiveUpOrRetry(int local);
  void Fail(int local);
  void Read(int local);
  // Handles every complete reply in the reader; false if the connection failed.
  bool Drain(int local);

  const RedisLoopOptions& options_;
  RedisLoopCounters* const counters_;
  std::vector<Sub> subs_;
  std::vector<int> pending_;  // local indices still to connect, next at the back
  int connecting_ = 0;
  int epfd_ = -1;
  std::vector<char> buf_;
};

// --redis HOST:PORT and --connect_window from the command line; false if --redis is missing
// or malformed.
bool RedisLoopOptionsFromFlags(int argc, char** argv, const std::string& name, RedisLoopOptions* out);
// The publisher's blocking connection (timeouts of `timeout_s`, at least 5 s); null, after
// saying why, if Redis cannot be reached.
redisContext* ConnectPublisher(const RedisLoopOptions& options, double timeout_s);

// The subscriber loops of one peer, each on its own thread, sharing subscribers 0..n-1.
class RedisLoopSet {
 public:
  using MakeLoop = std::function<std::unique_ptr<RedisSubscriberLoop>(std::vector<int> ids)>;
  RedisLoopSet(RedisLoopCounters* counters, int subscribers, int threads, const MakeLoop& make);
  ~RedisLoopSet() { Stop(); }
  // Until every subscriber is ready or gave up, or NowNs() passes `deadline_ns`.
  void WaitReady(int64_t deadline_ns) const;
  // Stops the loops and joins their threads.
  void Stop();

 private:
  RedisLoopCounters* const counters_;
  const int subscribers_;
  std::vector<std::unique_ptr<RedisSubscriberLoop>> loops_;
  std::vector<std::thread> threads_;
};

}  // namespace pressrelay::bench
