// Peer benchmark: NATS JetStream with one durable consumer per subscriber and explicit acks.
//
// A file-storage stream holds one subject. Each of the N subscribers gets its own durable
// push consumer ("sub-<i>", AckExplicit, DeliverAll, server defaults otherwise: AckWait 30 s,
// MaxAckPending 1000) delivering to its own inbox, and acks every message it receives with
// natsMsg_Ack. Push rather than pull: cnats 3.4 only fetches pull consumers with a blocking
// natsSubscription_Fetch, which would take a thread (or a polling loop) per subscriber, while
// push consumers deliver into asynchronous subscriptions that share a thread pool. One
// publisher (its own connection) publishes M payloads with js_PublishAsync and waits for the
// stream's acks.
//
// cnats runs threads per connection, so the N subscriptions share K connections (--connections,
// default 8), and their callbacks run on the library's global delivery pool
// (--delivery_threads, default 2) instead of a thread per subscription. Consumers are created
// before publishing, in parallel (one creating thread per connection), and not measured.
//
// A delivery is a duplicate when the same subscriber gets the same message index twice
// (JetStream redelivers when an ack does not reach the server within AckWait).
//
// Usage: bench-nats-jetstream --nats nats://127.0.0.1:4222 [--subscribers N] [--messages M]
//          [--bytes B] [--rate R] [--timeout_s 120] [--setup_timeout_s 1800] [--server_pid PID]
//          [--connections 8] [--delivery_threads 2]
#include <nats/nats.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
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

constexpr char kStream[] = "PRESS";
constexpr char kSubject[] = "press.statements";

struct Counters {
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> ack_failures{0};
  std::atomic<int64_t> bad_payloads{0};
  std::atomic<int> async_errors{0};
  std::atomic<int> slow_consumer_errors{0};
  std::atomic<int> disconnects{0};
  std::atomic<int> reconnects{0};
  std::atomic<int> pub_acks{0};
  std::atomic<int> pub_errors{0};
};

struct Sub {
  int index = 0;
  DeliveryTracker* tracker = nullptr;
  Counters* counters = nullptr;
  natsSubscription* sub = nullptr;
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const int64_t now = NowNs();
  Sub* s = static_cast<Sub*>(closure);
  int index = 0;
  int64_t published = 0;
  if (ParsePayload(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)), &index, &published)) {
    s->tracker->Record(s->index, index, now - published);
  } else {
    s->counters->bad_payloads.fetch_add(1, std::memory_order_relaxed);
  }
  if (natsMsg_Ack(msg, nullptr) == NATS_OK) {
    s->counters->acked.fetch_add(1, std::memory_order_relaxed);
  } else {
    s->counters->ack_failures.fetch_add(1, std::memory_order_relaxed);
  }
  natsMsg_Destroy(msg);
}

void OnAsyncError(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  Counters* c = static_cast<Counters*>(closure);
  if (err == NATS_SLOW_CONSUMER) c->slow_consumer_errors.fetch_add(1);
  const int n = c->async_errors.fetch_add(1);
  if (n < 10) std::fprintf(stderr, "nats-jetstream: async error: %s\n", natsStatus_GetText(err));
}

void OnDisconnected(natsConnection*, void* closure) {
  Counters* c = static_cast<Counters*>(closure);
  const int n = c->disconnects.fetch_add(1);
  if (n < 10) std::fprintf(stderr, "nats-jetstream: connection lost\n");
}

void OnReconnected(natsConnection*, void* closure) { static_cast<Counters*>(closure)->reconnects.fetch_add(1); }

void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  Counters* c = static_cast<Counters*>(closure);
  if (pa != nullptr) {
    c->pub_acks.fetch_add(1);
  } else {
    c->pub_errors.fetch_add(1);
    if (pae != nullptr) {
      std::fprintf(stderr, "nats-jetstream: publish failed: %s (%d) %s\n", natsStatus_GetText(pae->Err),
                   static_cast<int>(pae->ErrCode), pae->ErrText ? pae->ErrText : "");
    }
  }
  natsMsg_Destroy(msg);
}

[[noreturn]] void Die(const std::string& what, natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  std::fprintf(stderr, "nats-jetstream: %s: %s (js error %d)\n", what.c_str(), natsStatus_GetText(s),
               static_cast<int>(jerr));
  nats_PrintLastErrorStack(stderr);
  std::exit(1);
}

natsConnection* Connect(const std::string& url, const std::string& name, Counters* counters) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts, name.c_str());
  if (s == NATS_OK) s = natsOptions_UseGlobalMessageDelivery(opts, true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, 120);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 500);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 10000);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, OnAsyncError, counters);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, OnDisconnected, counters);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, OnReconnected, counters);
  natsConnection* nc = nullptr;
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) Die("connect " + name, s);
  return nc;
}

int Main(int argc, char** argv) {
  const LoadShape shape = ParseShape(argc, argv);
  RaiseFdLimit(shape.subscribers + 64, "nats-jetstream");
  const std::string url = Flag(argc, argv, "nats", "nats://127.0.0.1:4222");
  const double timeout_s = std::stod(Flag(argc, argv, "timeout_s", "120"));
  const double setup_timeout_s = std::stod(Flag(argc, argv, "setup_timeout_s", "1800"));
  const int server_pid = std::stoi(Flag(argc, argv, "server_pid", "0"));
  const int connections = std::max(1, std::stoi(Flag(argc, argv, "connections", "8")));
  const int delivery_threads = std::max(1, std::stoi(Flag(argc, argv, "delivery_threads", "2")));

  natsStatus s = nats_Open(-1);
  if (s != NATS_OK) Die("nats_Open", s);
  s = nats_SetMessageDeliveryPoolSize(delivery_threads);
  if (s != NATS_OK) Die("nats_SetMessageDeliveryPoolSize", s);

  Counters counters;
  DeliveryTracker tracker(shape.subscribers, shape.messages);

  // The publisher's connection also creates the stream.
  natsConnection* pub_nc = Connect(url, "bench-publisher", &counters);
  jsOptions pub_jo;
  jsOptions_Init(&pub_jo);
  pub_jo.Wait = 30000;
  pub_jo.PublishAsync.AckHandler = OnPubAck;
  pub_jo.PublishAsync.AckHandlerClosure = &counters;
  pub_jo.PublishAsync.MaxPending = 4096;
  jsCtx* pub_js = nullptr;
  s = natsConnection_JetStream(&pub_js, pub_nc, &pub_jo);
  if (s != NATS_OK) Die("JetStream context", s);
  {
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char* subjects[] = {kSubject};
    sc.Name = kStream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    jsStreamInfo* si = nullptr;
    s = js_AddStream(&si, pub_js, &sc, nullptr, &jerr);
    if (s != NATS_OK) Die("add stream", s, jerr);
    jsStreamInfo_Destroy(si);
  }

  // K shared connections; subscriber i lives on connection i % K.
  std::vector<natsConnection*> ncs(connections);
  for (int k = 0; k < connections; ++k) ncs[k] = Connect(url, absl::StrCat("bench-subscribers-", k), &counters);
  std::vector<std::unique_ptr<Sub>> subs(shape.subscribers);
  for (int i = 0; i < shape.subscribers; ++i) {
    subs[i] = std::make_unique<Sub>();
    subs[i]->index = i;
    subs[i]->tracker = &tracker;
    subs[i]->counters = &counters;
  }

  // Create the durable consumers and their subscriptions, one creating thread per connection.
  const int64_t setup_start = NowNs();
  const int64_t setup_deadline = setup_start + static_cast<int64_t>(setup_timeout_s * 1e9);
  std::atomic<int> created{0}, create_errors{0};
  std::vector<std::thread> creators;
  for (int k = 0; k < connections; ++k) {
    creators.emplace_back([&, k] {
      jsOptions jo;
      jsOptions_Init(&jo);
      jo.Wait = 60000;
      jsCtx* js = nullptr;
      if (natsConnection_JetStream(&js, ncs[k], &jo) != NATS_OK) Die("JetStream context", NATS_ERR);
      for (int i = k; i < shape.subscribers; i += connections) {
        Sub* sub = subs[i].get();
        const std::string durable = absl::StrCat("sub-", i);
        for (int attempt = 0; NowNs() < setup_deadline; ++attempt) {
          jsSubOptions so;
          jsSubOptions_Init(&so);
          so.Stream = kStream;
          so.ManualAck = true;
          so.Config.Durable = durable.c_str();
          so.Config.AckPolicy = js_AckExplicit;
          so.Config.DeliverPolicy = js_DeliverAll;
          jsErrCode jerr = static_cast<jsErrCode>(0);
          const natsStatus st = js_Subscribe(&sub->sub, js, kSubject, OnMessage, sub, nullptr, &so, &jerr);
          if (st == NATS_OK) {
            created.fetch_add(1);
            break;
          }
          sub->sub = nullptr;
          const int n = create_errors.fetch_add(1);
          if (n < 20) {
            std::fprintf(stderr, "nats-jetstream: consumer %s (attempt %d): %s (js error %d) %s\n", durable.c_str(),
                         attempt + 1, natsStatus_GetText(st), static_cast<int>(jerr), nats_GetLastError(nullptr));
          }
          absl::SleepFor(absl::Milliseconds(200));
        }
        if (sub->sub == nullptr) break;  // out of setup time
      }
      jsCtx_Destroy(js);
    });
  }
  int last_report = 0;
  for (;;) {
    const int now_created = created.load();
    if (now_created >= last_report + 1000) {
      last_report = now_created;
      std::fprintf(stderr, "nats-jetstream: %d/%d consumers (%.1f s)\n", now_created, shape.subscribers,
                   (NowNs() - setup_start) / 1e9);
    }
    if (now_created >= shape.subscribers || NowNs() >= setup_deadline) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (auto& t : creators) t.join();
  // Make sure every connection's SUB protocol lines reached the server.
  for (natsConnection* nc : ncs) natsConnection_FlushTimeout(nc, 60000);
  const double setup_s = (NowNs() - setup_start) / 1e9;
  const int consumers = created.load();
  std::fprintf(stderr, "nats-jetstream: %d/%d durable consumers in %.1f s (%d create errors)\n", consumers,
               shape.subscribers, setup_s, create_errors.load());

  const int64_t server_rss_before_publish = server_pid > 0 ? RssKib(server_pid) : -1;

  // Measured part: publish, then wait for every delivery or the timeout.
  PhaseCost cost({{"server", server_pid}, {"client", static_cast<int>(getpid())}});
  cost.Start();
  const int64_t start = NowNs();
  const int64_t run_deadline = start + static_cast<int64_t>(timeout_s * 1e9);
  for (int m = 0; m < shape.messages; ++m) {
    if (shape.rate > 0) {
      const int64_t due = start + static_cast<int64_t>(m * 1e9 / shape.rate);
      const int64_t wait = due - NowNs();
      if (wait > 0) absl::SleepFor(absl::Nanoseconds(wait));
    }
    const std::string payload = MakePayload(m, NowNs(), shape.message_bytes);
    s = js_PublishAsync(pub_js, kSubject, payload.data(), static_cast<int>(payload.size()), nullptr);
    if (s != NATS_OK) Die(absl::StrCat("publish ", m), s);
  }
  {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = static_cast<int64_t>(timeout_s * 1000);
    s = js_PublishAsyncComplete(pub_js, &po);
    if (s != NATS_OK) std::fprintf(stderr, "nats-jetstream: waiting for publish acks: %s\n", natsStatus_GetText(s));
  }
  const double publish_acked_s = (NowNs() - start) / 1e9;
  const bool complete = tracker.WaitComplete(absl::Nanoseconds(std::max<int64_t>(0, run_deadline - NowNs())));
  cost.Stop();
  // The figures are what arrived by now; anything later does not count.
  Result result;
  result.system = "nats-jetstream";
  result.scenario = "fanout";
  result.shape = shape;
  Summarise(tracker, &result);
  cost.AddTo(result.delivered, &result);
  result.extra["acks_sent"] = static_cast<double>(counters.acked.load());

  // Not measured: let the last acks leave this process, then ask the server about a sample of
  // consumers, so the result shows the acks were processed (ack pending back to 0) and how
  // many redeliveries the server made.
  const int64_t received = tracker.delivered() + tracker.duplicates();
  for (int i = 0; i < 200 && counters.acked.load() + counters.ack_failures.load() < received; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  for (natsConnection* nc : ncs) natsConnection_FlushTimeout(nc, 10000);
  int64_t stream_consumers = -1;
  {
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, pub_js, kStream, nullptr, nullptr) == NATS_OK) {
      stream_consumers = si->State.Consumers;
      jsStreamInfo_Destroy(si);
    }
  }
  int sampled = 0;
  int64_t sample_ack_pending = 0, sample_redelivered = 0, sample_not_explicit = 0;
  {
    const int samples = std::min(consumers, 20);
    const int64_t settle_deadline = NowNs() + 5000000000LL;
    for (int j = 0; j < samples; ++j) {
      const int i = static_cast<int>(static_cast<int64_t>(j) * shape.subscribers / samples);
      if (subs[i]->sub == nullptr) continue;
      const std::string durable = absl::StrCat("sub-", i);
      for (;;) {
        jsConsumerInfo* ci = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        if (js_GetConsumerInfo(&ci, pub_js, kStream, durable.c_str(), nullptr, &jerr) != NATS_OK) break;
        const bool settled = ci->NumAckPending == 0 || NowNs() >= settle_deadline;
        if (settled) {
          ++sampled;
          sample_ack_pending += ci->NumAckPending;
          sample_redelivered += ci->NumRedelivered;
          if (ci->Config == nullptr || ci->Config->AckPolicy != js_AckExplicit) ++sample_not_explicit;
        }
        jsConsumerInfo_Destroy(ci);
        if (settled) break;
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
  }

  result.extra["client_peak_rss_kib"] = static_cast<double>(PeakRssKib(getpid()));
  if (server_pid > 0) result.extra["server_peak_rss_kib"] = static_cast<double>(PeakRssKib(server_pid));
  if (server_pid > 0) result.extra["server_rss_before_publish_kib"] = static_cast<double>(server_rss_before_publish);
  result.extra["setup_s"] = setup_s;
  result.extra["consumers"] = consumers;
  result.extra["connections"] = connections;
  result.extra["publish_all_acked_s"] = publish_acked_s;
  result.extra["pub_acks"] = counters.pub_acks.load();
  result.extra["disconnects"] = counters.disconnects.load();
  result.extra["reconnects"] = counters.reconnects.load();
  result.extra["slow_consumer_errors"] = counters.slow_consumer_errors.load();
  result.extra["stream_consumers"] = static_cast<double>(stream_consumers);
  result.extra["sampled_consumers"] = sampled;
  result.extra["sample_ack_pending"] = static_cast<double>(sample_ack_pending);
  result.extra["sample_redelivered"] = static_cast<double>(sample_redelivered);
  result.notes = absl::StrCat("durable consumers, explicit ack, ", connections,
                              " connections; push consumers, one durable per subscriber, file-storage stream, ",
                              "callbacks on a ", delivery_threads, "-thread delivery pool");
  if (!complete) absl::StrAppend(&result.notes, "; timed out after ", timeout_s, " s");
  if (consumers < shape.subscribers) {
    absl::StrAppend(&result.notes, "; only ", consumers, " of ", shape.subscribers,
                    " durable consumers could be created (", create_errors.load(), " errors), the rest count as lost");
  }
  result.NoteCount(counters.pub_errors.load(), "publish errors");
  result.NoteCount(counters.disconnects.load(), "connection losses");
  result.NoteCount(sample_not_explicit, "sampled consumers not AckExplicit");
  result.NoteCount(counters.ack_failures.load(), "acks failed to send");
  result.NoteCount(counters.bad_payloads.load(), "unparsable payloads");
  PrintResult(result);

  // Leave without unsubscribing 10,000 subscriptions one by one: the connections close with
  // the process and the durable consumers stay on the server, as durables do.
  std::fflush(stderr);
  std::_Exit(0);
}

}  // namespace
}  // namespace pressrelay::bench

int main(int argc, char** argv) { return pressrelay::bench::Main(argc, argv); }
