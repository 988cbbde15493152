// Peer benchmark: MQTT through mosquitto with QoS 1 and persistent sessions.
//
// N subscriber clients (client id "sub-<i>", clean_session=false), each on its own TCP
// connection, subscribe to one topic with QoS 1; one publisher client publishes M payloads
// with QoS 1 and waits for every PUBACK. Every delivery's latency is receive time minus the
// publish time carried in the payload (bench/common/bench.h).
//
// All subscribers live in this one process and are driven by our own epoll loops (two
// threads, each owning half of the clients) through mosquitto_socket / mosquitto_loop_read /
// mosquitto_loop_write / mosquitto_loop_misc / mosquitto_want_write: libmosquitto's
// mosquitto_loop_start would make a thread per client. The publisher has its own poll loop on
// a third thread.
//
// File descriptors: mosquitto_new() opens a socketpair per client (used only to wake
// mosquitto_loop()'s select(), which we never call), so N clients would need 3N fds and
// 10,000 of them would not fit under the 20,000 fd limit. The subscriber clients are
// therefore created while RLIMIT_NOFILE's soft limit is briefly 0: the socketpair fails,
// which libmosquitto treats as a warning ("outgoing publish commands may be delayed", which
// only concerns its own select loop), and each client then costs one fd, its connection.
//
// Usage: bench-mosquitto --mqtt 127.0.0.1:1883 [--subscribers N] [--messages M] [--bytes B]
//          [--rate R] [--timeout_s 120] [--setup_timeout_s 900] [--server_pid PID]
//          [--threads 2] [--topic press/statements] [--keepalive_s 60]
#include <errno.h>
#include <mosquitto.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/common/bench.h"

namespace pressrelay::bench {
namespace {

// Subscribers that are connected (or connecting) but have no SUBACK yet, per thread: keeps
// the broker's accept backlog (100 in mosquitto) from overflowing, which would make a
// blocking connect() wait for a SYN retransmission.
constexpr int kMaxPendingPerThread = 32;

struct Options {
  std::string host;
  int port = 1883;
  std::string topic;
  int keepalive_s = 60;
};

struct Worker;

struct Sub {
  mosquitto* m = nullptr;
  Worker* worker = nullptr;
  int index = 0;
  int fd = -1;              // registered in worker->epfd, or -1
  bool out_armed = false;   // EPOLLOUT requested
  bool started = false;     // first connect attempted
  bool subscribed = false;  // first SUBACK arrived
  bool lost = false;        // on_disconnect fired; reconnect from the misc tick
  int64_t reconnect_at_ns = 0;
};

struct Shared {
  Options options;
  DeliveryTracker* tracker = nullptr;
  std::atomic<int> subscribed{0};
  std::atomic<int> connect_failures{0};
  std::atomic<int> disconnects{0};
  std::atomic<int> reconnects{0};
  std::atomic<int> suback_failures{0};
  std::atomic<int64_t> bad_payloads{0};
  std::atomic<bool> stop{false};
};

struct Worker {
  Shared* shared = nullptr;
  int epfd = -1;
  std::vector<Sub*> subs;
  size_t next_to_start = 0;
  int pending = 0;  // started, not yet subscribed
};

void OnConnect(mosquitto* m, void* obj, int rc) {
  Sub* s = static_cast<Sub*>(obj);
  Shared* shared = s->worker->shared;
  if (rc != 0) {
    std::fprintf(stderr, "mosquitto-qos1: sub-%d CONNACK refused: %s\n", s->index, mosquitto_connack_string(rc));
    return;
  }
  // Queued (we are inside a callback) and written by the caller's loop_write. A resumed
  // persistent session already has the subscription; subscribing again is harmless.
  const int src = mosquitto_subscribe(m, nullptr, shared->options.topic.c_str(), 1);
  if (src != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "mosquitto-qos1: sub-%d subscribe: %s\n", s->index, mosquitto_strerror(src));
  }
}

void OnSubscribe(mosquitto*, void* obj, int, int qos_count, const int* granted) {
  Sub* s = static_cast<Sub*>(obj);
  Shared* shared = s->worker->shared;
  if (qos_count < 1 || granted[0] != 1) {
    shared->suback_failures.fetch_add(1);
    std::fprintf(stderr, "mosquitto-qos1: sub-%d SUBACK granted %d\n", s->index, qos_count < 1 ? -1 : granted[0]);
  }
  if (!s->subscribed) {
    s->subscribed = true;
    --s->worker->pending;
    shared->subscribed.fetch_add(1);
  }
}

void OnMessage(mosquitto*, void* obj, const mosquitto_message* msg) {
  const int64_t now = NowNs();
  Sub* s = static_cast<Sub*>(obj);
  Shared* shared = s->worker->shared;
  int index = 0;
  int64_t published = 0;
  if (!ParsePayload(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen), &index,
                    &published)) {
    shared->bad_payloads.fetch_add(1);
    return;
  }
  shared->tracker->Record(s->index, index, now - published);
}

void OnDisconnect(mosquitto*, void* obj, int rc) {
  Sub* s = static_cast<Sub*>(obj);
  Shared* shared = s->worker->shared;
  if (shared->stop.load()) return;
  s->lost = true;
  s->reconnect_at_ns = NowNs() + 1000000000LL;  // 1 s
  const int n = shared->disconnects.fetch_add(1);
  if (n < 20) std::fprintf(stderr, "mosquitto-qos1: sub-%d disconnected: %s\n", s->index, mosquitto_strerror(rc));
}

// Brings the epoll registration in line with the client's socket and write interest.
void Sync(Worker* w, Sub* s) {
  if (s->lost) {
    // libmosquitto closed the socket, which also removed it from the epoll set.
    s->fd = -1;
    s->out_armed = false;
    return;
  }
  const int fd = mosquitto_socket(s->m);
  if (fd < 0) {
    s->fd = -1;
    return;
  }
  const bool want_out = mosquitto_want_write(s->m);
  if (fd != s->fd) {
    epoll_event ev{};
    ev.events = want_out ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.ptr = s;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      std::fprintf(stderr, "mosquitto-qos1: epoll add: %s\n", std::strerror(errno));
      std::exit(1);
    }
    s->fd = fd;
    s->out_armed = want_out;
    return;
  }
  if (want_out != s->out_armed) {
    epoll_event ev{};
    ev.events = want_out ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.ptr = s;
    epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
    s->out_armed = want_out;
  }
}

// After reads or misc work the client may have queued packets (SUBSCRIBE from inside
// on_connect); write what the socket takes now, and arm EPOLLOUT for the rest.
void Flush(Sub* s) {
  if (!s->lost && mosquitto_want_write(s->m)) mosquitto_loop_write(s->m, 1);
}

bool Connect(Shared* shared, Sub* s, bool reconnect) {
  const Options& o = shared->options;
  const int rc = reconnect ? mosquitto_reconnect(s->m) : mosquitto_connect(s->m, o.host.c_str(), o.port, o.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    const int n = shared->connect_failures.fetch_add(1);
    if (n < 20) std::fprintf(stderr, "mosquitto-qos1: sub-%d connect: %s\n", s->index, mosquitto_strerror(rc));
    s->lost = true;
    s->reconnect_at_ns = NowNs() + 1000000000LL;
    return false;
  }
  s->lost = false;
  return true;
}

void RunWorker(Worker* w) {
  Shared* shared = w->shared;
  std::vector<epoll_event> events(512);
  int64_t next_misc_ns = NowNs() + 1000000000LL;
  while (!shared->stop.load(std::memory_order_relaxed)) {
    // Ramp up: start connections while few are waiting for their SUBACK.
    while (w->next_to_start < w->subs.size() && w->pending < kMaxPendingPerThread) {
      Sub* s = w->subs[w->next_to_start++];
      s->started = true;
      ++w->pending;
      if (Connect(shared, s, /*reconnect=*/false)) Sync(w, s);
    }
    const int n = epoll_wait(w->epfd, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) {
      std::fprintf(stderr, "mosquitto-qos1: epoll_wait: %s\n", std::strerror(errno));
      std::exit(1);
    }
    for (int i = 0; i < n; ++i) {
      Sub* s = static_cast<Sub*>(events[i].data.ptr);
      if (s->lost || s->fd < 0) continue;
      if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        mosquitto_loop_read(s->m, 1);
      }
      if (!s->lost && (events[i].events & EPOLLOUT)) {
        mosquitto_loop_write(s->m, 1);
      }
      Flush(s);
      Sync(w, s);
    }
    const int64_t now = NowNs();
    if (now >= next_misc_ns) {
      next_misc_ns = now + 1000000000LL;
      for (size_t i = 0; i < w->next_to_start; ++i) {
        Sub* s = w->subs[i];
        if (s->lost) {
          if (now >= s->reconnect_at_ns && Connect(shared, s, /*reconnect=*/true)) {
            shared->reconnects.fetch_add(1);
            Sync(w, s);
          }
          continue;
        }
        mosquitto_loop_misc(s->m);
        Flush(s);
        Sync(w, s);
      }
    }
  }
}

// The publisher, on its own thread: M QoS 1 publishes (back to back or paced), then waits for
// the remaining PUBACKs.
struct Publisher {
  mosquitto* m = nullptr;
  std::atomic<int> acked{0};
  int64_t first_publish_ns = 0;
  int64_t last_publish_ns = 0;
  int64_t all_acked_ns = 0;
};

void OnPublisherPuback(mosquitto*, void* obj, int) {
  Publisher* p = static_cast<Publisher*>(obj);
  p->acked.fetch_add(1);
}

void RunPublisher(Publisher* p, const LoadShape& shape, const std::string& topic, Shared* shared,
                  int64_t deadline_ns) {
  const int fd = mosquitto_socket(p->m);
  const int64_t start = NowNs();
  int published = 0;
  while (!shared->stop.load() && NowNs() < deadline_ns) {
    const int64_t now = NowNs();
    if (published < shape.messages) {
      const int64_t due =
          shape.rate > 0 ? start + static_cast<int64_t>(published * 1e9 / shape.rate) : now;
      if (now >= due) {
        const int64_t t = NowNs();
        const std::string payload = MakePayload(published, t, shape.message_bytes);
        const int rc = mosquitto_publish(p->m, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                         payload.data(), 1, false);
        if (rc != MOSQ_ERR_SUCCESS) {
          std::fprintf(stderr, "mosquitto-qos1: publish %d: %s\n", published, mosquitto_strerror(rc));
          std::exit(1);
        }
        if (published == 0) p->first_publish_ns = t;
        p->last_publish_ns = t;
        ++published;
      }
    } else if (p->acked.load() >= shape.messages) {
      p->all_acked_ns = NowNs();
      return;
    }
    int timeout_ms = 100;
    if (published < shape.messages) {
      const int64_t due = shape.rate > 0 ? start + static_cast<int64_t>(published * 1e9 / shape.rate) : NowNs();
      timeout_ms = static_cast<int>(std::clamp<int64_t>((due - NowNs()) / 1000000, 0, 100));
    }
    pollfd pfd{fd, static_cast<short>(POLLIN | (mosquitto_want_write(p->m) ? POLLOUT : 0)), 0};
    if (poll(&pfd, 1, timeout_ms) > 0) {
      if (pfd.revents & (POLLIN | POLLERR | POLLHUP)) {
        const int rc = mosquitto_loop_read(p->m, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
          std::fprintf(stderr, "mosquitto-qos1: publisher read: %s\n", mosquitto_strerror(rc));
          std::exit(1);
        }
      }
      if (pfd.revents & POLLOUT) mosquitto_loop_write(p->m, 1);
    }
    mosquitto_loop_misc(p->m);
  }
}

int Main(int argc, char** argv) {
  const LoadShape shape = ParseShape(argc, argv);
  RaiseFdLimit(shape.subscribers + 64, "mosquitto-qos1");
  const std::string address = Flag(argc, argv, "mqtt", "127.0.0.1:1883");
  const double timeout_s = std::stod(Flag(argc, argv, "timeout_s", "120"));
  const double setup_timeout_s = std::stod(Flag(argc, argv, "setup_timeout_s", "900"));
  const int server_pid = std::stoi(Flag(argc, argv, "server_pid", "0"));
  const int threads = std::max(1, std::stoi(Flag(argc, argv, "threads", "2")));

  Shared shared;
  shared.options.topic = Flag(argc, argv, "topic", "press/statements");
  shared.options.keepalive_s = std::stoi(Flag(argc, argv, "keepalive_s", "60"));
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "mosquitto-qos1: --mqtt wants host:port, got %s\n", address.c_str());
    return 2;
  }
  shared.options.host = address.substr(0, colon);
  shared.options.port = std::stoi(address.substr(colon + 1));

  DeliveryTracker tracker(shape.subscribers, shape.messages);
  shared.tracker = &tracker;
  mosquitto_lib_init();

  // The publisher first (it keeps its socketpair; it is one client).
  Publisher publisher;
  publisher.m = mosquitto_new("pub", /*clean_session=*/true, &publisher);
  if (publisher.m == nullptr) {
    std::fprintf(stderr, "mosquitto-qos1: mosquitto_new(pub) failed\n");
    return 1;
  }
  mosquitto_int_option(publisher.m, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_int_option(publisher.m, MOSQ_OPT_SEND_MAXIMUM, 0);  // no client-side inflight cap
  mosquitto_publish_callback_set(publisher.m, OnPublisherPuback);

  // Subscribers, created without their socketpairs (see the file comment).
  std::vector<std::unique_ptr<Sub>> subs(shape.subscribers);
  std::vector<Worker> workers(threads);
  {
    rlimit saved;
    getrlimit(RLIMIT_NOFILE, &saved);
    rlimit none = saved;
    none.rlim_cur = 0;
    setrlimit(RLIMIT_NOFILE, &none);
    for (int i = 0; i < shape.subscribers; ++i) {
      auto s = std::make_unique<Sub>();
      s->index = i;
      s->worker = &workers[i % threads];
      s->m = mosquitto_new(absl::StrCat("sub-", i).c_str(), /*clean_session=*/false, s.get());
      if (s->m == nullptr) {
        setrlimit(RLIMIT_NOFILE, &saved);
        std::fprintf(stderr, "mosquitto-qos1: mosquitto_new(sub-%d) failed\n", i);
        return 1;
      }
      subs[i] = std::move(s);
    }
    setrlimit(RLIMIT_NOFILE, &saved);
  }
  for (auto& s : subs) {
    mosquitto_int_option(s->m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(s->m, OnConnect);
    mosquitto_subscribe_callback_set(s->m, OnSubscribe);
    mosquitto_message_callback_set(s->m, OnMessage);
    mosquitto_disconnect_callback_set(s->m, OnDisconnect);
    s->worker->subs.push_back(s.get());
  }

  // Connect and subscribe all N before publishing (not measured).
  const int64_t setup_start = NowNs();
  std::vector<std::thread> worker_threads;
  for (Worker& w : workers) {
    w.shared = &shared;
    w.epfd = epoll_create1(EPOLL_CLOEXEC);
    worker_threads.emplace_back(RunWorker, &w);
  }
  const int64_t setup_deadline = setup_start + static_cast<int64_t>(setup_timeout_s * 1e9);
  int last_report = 0;
  while (shared.subscribed.load() < shape.subscribers && NowNs() < setup_deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    const int now_subscribed = shared.subscribed.load();
    if (now_subscribed >= last_report + 2000) {
      last_report = now_subscribed;
      std::fprintf(stderr, "mosquitto-qos1: %d/%d subscribed (%.1f s)\n", now_subscribed, shape.subscribers,
                   (NowNs() - setup_start) / 1e9);
    }
  }
  const double setup_s = (NowNs() - setup_start) / 1e9;
  const int subscribed = shared.subscribed.load();
  std::fprintf(stderr, "mosquitto-qos1: %d/%d subscribed in %.1f s\n", subscribed, shape.subscribers, setup_s);

  int rc = mosquitto_connect(publisher.m, shared.options.host.c_str(), shared.options.port, shared.options.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "mosquitto-qos1: publisher connect: %s\n", mosquitto_strerror(rc));
    return 1;
  }
  // Wait for the publisher's CONNACK before the clock starts.
  {
    bool connected = false;
    mosquitto_user_data_set(publisher.m, &connected);
    mosquitto_connect_callback_set(publisher.m, [](mosquitto*, void* obj, int rc) {
      if (rc == 0) *static_cast<bool*>(obj) = true;
    });
    const int64_t deadline = NowNs() + 30000000000LL;
    while (!connected && NowNs() < deadline) {
      pollfd pfd{mosquitto_socket(publisher.m), POLLIN, 0};
      if (poll(&pfd, 1, 100) > 0) mosquitto_loop_read(publisher.m, 1);
    }
    if (!connected) {
      std::fprintf(stderr, "mosquitto-qos1: publisher got no CONNACK\n");
      return 1;
    }
    mosquitto_user_data_set(publisher.m, &publisher);
  }

  const int64_t server_rss_before_publish = server_pid > 0 ? RssKib(server_pid) : -1;

  // Measured part: publish, then wait for every delivery or the timeout.
  PhaseCost cost({{"server", server_pid}, {"client", static_cast<int>(getpid())}});
  cost.Start();
  const int64_t run_deadline = NowNs() + static_cast<int64_t>(timeout_s * 1e9);
  std::thread publisher_thread(RunPublisher, &publisher, shape, shared.options.topic, &shared, run_deadline);
  const bool complete = tracker.WaitComplete(absl::Nanoseconds(run_deadline - NowNs()));
  cost.Stop();
  // The figures are what arrived by now; anything later does not count.
  Result result;
  result.system = "mosquitto-qos1";
  result.scenario = "fanout";
  result.shape = shape;
  Summarise(tracker, &result);
  cost.AddTo(result.delivered, &result);
  shared.stop.store(true);
  publisher_thread.join();
  for (auto& t : worker_threads) t.join();

  result.extra["client_peak_rss_kib"] = static_cast<double>(PeakRssKib(getpid()));
  if (server_pid > 0) result.extra["server_peak_rss_kib"] = static_cast<double>(PeakRssKib(server_pid));
  if (server_pid > 0) result.extra["server_rss_before_publish_kib"] = static_cast<double>(server_rss_before_publish);
  result.extra["setup_s"] = setup_s;
  result.extra["subscribed"] = subscribed;
  result.extra["pubacks"] = publisher.acked.load();
  if (publisher.all_acked_ns > 0 && publisher.first_publish_ns > 0) {
    result.extra["publish_all_acked_s"] = (publisher.all_acked_ns - publisher.first_publish_ns) / 1e9;
  }
  result.extra["disconnects"] = shared.disconnects.load();
  result.extra["reconnects"] = shared.reconnects.load();
  result.notes = absl::StrCat("QoS 1, persistent sessions, broker persistence on; ", shape.subscribers,
                              " clients each on its own connection, driven by ", threads,
                              " epoll threads in one process");
  if (!complete) absl::StrAppend(&result.notes, "; timed out after ", timeout_s, " s");
  if (subscribed < shape.subscribers) {
    absl::StrAppend(&result.notes, "; only ", subscribed, " of ", shape.subscribers, " subscribed before publishing");
  }
  result.NoteCount(shared.disconnects.load(), "subscriber disconnects");
  result.NoteCount(shared.suback_failures.load(), "SUBACKs not granting QoS 1");
  result.NoteCount(shared.bad_payloads.load(), "unparsable payloads");
  PrintResult(result);

  // Leave without tearing down 10,000 clients one by one: the sockets close with the process
  // and the broker keeps the persistent sessions.
  std::fflush(stderr);
  std::_Exit(0);
}

}  // namespace
}  // namespace pressrelay::bench

int main(int argc, char** argv) { return pressrelay::bench::Main(argc, argv); }
