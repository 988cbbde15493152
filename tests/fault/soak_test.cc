// The soak: publishes, revisions, delivery reports, subscribes, acks and history reads from
// many threads while a random service replica is SIGKILLed and restarted every few seconds.
// At the end every call has answered within its deadline or with a clear status, and every
// newsroom has exactly every version of every statement it is entitled to: nothing lost,
// nothing doubled.
//
// Seeded and bounded: about a minute in the test command; by hand
//   build/bin/soak_test --minutes 10 --seed 7
// (or PRESSRELAY_SOAK_MINUTES / PRESSRELAY_SOAK_SEED).
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/time_util.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

double soak_minutes = 0.75;  // of load, then the suite settles and is checked
uint64_t soak_seed = 20261205;

constexpr absl::Duration kCallDeadline = absl::Seconds(20);
constexpr absl::Duration kSettle = absl::Seconds(120);
constexpr int kNewsroomsPerFilter = 8;

// Codes that say clearly what happened: the caller knows to retry, or why not.
bool Clear(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::CANCELLED:
      return true;
    default:
      return false;
  }
}

bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::ABORTED;
}

// Every call's outcome, by kind of call and code.
class Ledger {
 public:
  void Note(const std::string& what, const grpc::Status& status, absl::Duration took) {
    absl::MutexLock lock(&mu_);
    ++counts_[absl::StrCat(what, " ", status.error_code())];
    if (!Clear(status.error_code()) || took > kCallDeadline + absl::Seconds(1)) {
      unclear_.push_back(absl::StrCat(what, ": ", status.error_code(), " ", status.error_message(), " after ",
                                      absl::FormatDuration(took)));
    }
  }
  std::vector<std::string> unclear() const {
    absl::MutexLock lock(&mu_);
    return unclear_;
  }
  std::string Summary() const {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> parts;
    for (const auto& [k, n] : counts_) parts.push_back(absl::StrCat(k, "=", n));
    return absl::StrJoin(parts, ", ");
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> unclear_ ABSL_GUARDED_BY(mu_);
};

// Statements a spokesperson issued (as far as answers said), and which may be revised.
struct Issued {
  absl::Mutex mu;
  std::vector<std::string> revisable ABSL_GUARDED_BY(mu);  // published now, not killed
  std::vector<std::string> all ABSL_GUARDED_BY(mu);
};

class Soak : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    ASSERT_TRUE(suite_.StartDistribution(1).ok());
    ASSERT_TRUE(suite_.StartSubscription(1).ok());
    for (const auto& [code, name] : std::vector<std::pair<std::string, std::string>>{{"MOH", "Bộ Y tế"},
                                                                                    {"MOF", "Bộ Tài chính"}}) {
      speakers_[code] = *suite_.AddSpeaker(code, name);
      issued_[code];
    }
    ASSERT_TRUE(suite_.PutOutlet("wire", "Test wire").ok());
    // Newsrooms of three kinds: MOH's statements, MOF's, everything.
    for (const std::string filter : {"MOH", "MOF", ""}) {
      reg::Subscription s;
      if (!filter.empty()) s.add_agency_codes(filter);
      auto ids = suite_.ImportClients(absl::StrCat("newsroom-", filter.empty() ? "all" : absl::AsciiStrToLower(filter)), kNewsroomsPerFilter,
                                      "wire", s);
      ASSERT_TRUE(ids.ok()) << ids.status();
      for (const auto& rid : *ids) {
        Newsroom n;
        n.recipient_id = rid;
        n.agency = filter;
        n.token = *suite_.IssueToken(reg::SUBJECT_KIND_NEWSROOM_CLIENT, rid.substr(rid.find(':') + 1));
        newsrooms_.push_back(std::move(n));
      }
    }
  }

  std::string Replica(std::mt19937_64& rng, bool distribution) {
    const int i = static_cast<int>(rng() % 2);
    return distribution ? suite_.distribution_address(i) : suite_.subscription_address(i);
  }

  // One publish or revision, retried with the same idempotency key until it answers, on
  // either replica; every attempt is noted.
  template <typename Request>
  absl::StatusOr<dist::PublishResponse> Issue(std::mt19937_64& rng, const std::string& token, Request request,
                                              const std::string& what, absl::Time give_up) {
    grpc::Status status;
    while (absl::Now() < give_up) {
      auto stub = dist::Distribution::NewStub(OpenChannel(Replica(rng, true)));
      dist::PublishResponse response;
      auto ctx = CallContext(token, kCallDeadline);
      const absl::Time start = absl::Now();
      if constexpr (std::is_same_v<Request, dist::PublishRequest>) {
        status = stub->Publish(ctx.get(), request, &response);
      } else {
        status = stub->Revise(ctx.get(), request, &response);
      }
      ledger_.Note(what, status, absl::Now() - start);
      if (status.ok()) return response;
      if (!Retryable(status.error_code())) break;
    }
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }

  void Speak(const std::string& agency, uint64_t seed, absl::Time until) {
    std::mt19937_64 rng(seed);
    Issued& issued = issued_[agency];
    for (int n = 0; absl::Now() < until; ++n) {
      std::vector<std::string> revisable;
      {
        absl::MutexLock lock(&issued.mu);
        revisable = issued.revisable;
      }
      const std::string key = absl::StrCat(agency, "-", seed, "-", n);
      if (revisable.empty() || rng() % 10 < 6) {
        dist::PublishRequest request;
        *request.mutable_draft() = MakeDraft(agency, absl::StrCat("Thông cáo ", agency, " số ", n));
        request.set_idempotency_key(key);
        // Some are embargoed for a moment (released by the job runner); they are not revised,
        // so that every version of every statement reaches everyone entitled to it.
        const bool embargoed = rng() % 10 == 0;
        if (embargoed) *request.mutable_draft()->mutable_embargoed() = ToProto(absl::Now() + absl::Seconds(2));
        auto r = Issue(rng, speakers_[agency], request, "Publish", until + absl::Seconds(30));
        if (!r.ok()) continue;
        absl::MutexLock lock(&issued.mu);
        issued.all.push_back(r->statement().id());
        if (!embargoed) issued.revisable.push_back(r->statement().id());
        continue;
      }
      const std::string id = revisable[rng() % revisable.size()];
      dist::ReviseRequest request;
      request.set_statement_id(id);
      request.set_idempotency_key(key);
      const int pick = static_cast<int>(rng() % 10);
      request.set_signal(pick < 4   ? common::v1::VERSION_SIGNAL_UPDATE
                         : pick < 7 ? common::v1::VERSION_SIGNAL_CORRECTION
                         : pick < 9 ? common::v1::VERSION_SIGNAL_WITHHOLD
                                    : common::v1::VERSION_SIGNAL_KILL);
      request.set_reason(absl::StrCat("Lý do ", n));
      if (pick < 7) *request.mutable_draft() = MakeDraft(agency, absl::StrCat("Bản sửa ", n, " của ", id));
      auto r = Issue(rng, speakers_[agency], request, "Revise", until + absl::Seconds(30));
      if (r.ok() && request.signal() == common::v1::VERSION_SIGNAL_KILL) {
        absl::MutexLock lock(&issued.mu);
        std::erase(issued.revisable, id);
      }
    }
  }

  void Report(uint64_t seed, absl::Time until) {
    std::mt19937_64 rng(seed);
    while (absl::Now() < until) {
      std::string agency = rng() % 2 ? "MOH" : "MOF", id;
      {
        absl::MutexLock lock(&issued_[agency].mu);
        if (!issued_[agency].all.empty()) id = issued_[agency].all[rng() % issued_[agency].all.size()];
      }
      if (id.empty()) continue;
      auto stub = dist::Distribution::NewStub(OpenChannel(Replica(rng, true)));
      dist::GetDeliveryReportRequest request;
      request.set_statement_id(id);
      dist::DeliveryReport report;
      auto ctx = CallContext(speakers_[agency], kCallDeadline);
      const absl::Time start = absl::Now();
      ledger_.Note("GetDeliveryReport", stub->GetDeliveryReport(ctx.get(), request, &report), absl::Now() - start);
    }
  }

  void ReadHistory(uint64_t seed, absl::Time until) {
    std::mt19937_64 rng(seed);
    while (absl::Now() < until) {
      const Newsroom& n = newsrooms_[rng() % newsrooms_.size()];
      auto stub = sub::Subscription::NewStub(OpenChannel(Replica(rng, false)));
      sub::HistoryRequest request;
      request.set_page_size(20);
      sub::HistoryResponse response;
      auto ctx = CallContext(n.token, kCallDeadline);
      const absl::Time start = absl::Now();
      ledger_.Note("History", stub->History(ctx.get(), request, &response), absl::Now() - start);
    }
  }

  // Every version of every statement each agency has, read back from the wire once it settled.
  std::map<std::string, std::set<std::pair<std::string, int>>> VersionsByAgency() {
    std::map<std::string, std::set<std::pair<std::string, int>>> out;
    for (const auto& [agency, token] : speakers_) {
      std::string page_token;
      do {
        dist::ListStatementsRequest request;
        request.set_agency_code(agency);
        request.set_page_size(500);
        request.set_page_token(page_token);
        dist::ListStatementsResponse response;
        auto ctx = CallContext(token, kCallDeadline);
        grpc::Status status = suite_.Distribution()->ListStatements(ctx.get(), request, &response);
        EXPECT_TRUE(status.ok()) << status.error_message();
        if (!status.ok()) break;
        for (const auto& s : response.statements()) {
          for (int v = 1; v <= s.version(); ++v) out[agency].insert({s.id(), v});
        }
        page_token = response.next_page_token();
      } while (!page_token.empty());
    }
    return out;
  }

  struct Newsroom {
    std::string recipient_id, agency, token;  // agency "": everything
  };

  Suite suite_{SuiteOptions{.registry_flags = {"--rate_limits="},
                            .distribution_flags = {"--rate_limits=", "--job_lease", "2s"},
                            .subscription_flags = {"--rate_limits="}}};
  std::map<std::string, std::string> speakers_;  // agency -> spokesperson token
  std::map<std::string, Issued> issued_;  // by agency; both made in SetUp, never after
  std::vector<Newsroom> newsrooms_;
  Ledger ledger_;
};

TEST_F(Soak, EverythingAnswersAndEveryNewsroomGetsEveryVersionOnceWhileReplicasDie) {
  std::cout << "soak: seed " << soak_seed << ", " << soak_minutes << " min of load\n";
  std::mt19937_64 chaos(soak_seed);
  // Newsrooms stream from either replica and resume from their cursors (exactly once); a
  // third of them also acknowledge as they go.
  std::vector<std::unique_ptr<ResilientSubscriber>> readers;
  for (size_t i = 0; i < newsrooms_.size(); ++i) {
    std::vector<std::string> addresses = {suite_.subscription_address(0), suite_.subscription_address(1)};
    if (i % 2) std::swap(addresses[0], addresses[1]);
    readers.push_back(std::make_unique<ResilientSubscriber>(addresses, newsrooms_[i].token,
                                                             ResilientSubscriber::Resume::kFromCursor,
                                                             i % 3 == 0 ? 3 : 0));
    readers.back()->Start();
  }

  const absl::Time until = absl::Now() + absl::Seconds(soak_minutes * 60);
  std::vector<std::thread> load;
  load.emplace_back([&] { Speak("MOH", soak_seed + 1, until); });
  load.emplace_back([&] { Speak("MOF", soak_seed + 2, until); });
  load.emplace_back([&] { Report(soak_seed + 3, until); });
  load.emplace_back([&] { ReadHistory(soak_seed + 4, until); });

  // The chaos, on this thread (children die with the thread that started them).
  int kills = 0;
  while (absl::Now() < until) {
    const absl::Duration pause = absl::Milliseconds(2000 + chaos() % 2000);
    absl::SleepFor(std::min(pause, until - absl::Now()));  // the chaos's own clock, not a wait
    if (absl::Now() >= until) break;
    const int victim = static_cast<int>(chaos() % 5);
    absl::Status restarted;
    switch (victim) {
      case 0:
        restarted = suite_.RestartRegistry();
        break;
      case 1:
      case 2:
        restarted = suite_.RestartDistribution(victim - 1);
        break;
      default:
        restarted = suite_.RestartSubscription(victim - 3);
    }
    ASSERT_TRUE(restarted.ok()) << "victim " << victim << ": " << restarted;
    ++kills;
  }
  for (auto& t : load) t.join();
  std::cout << "soak: " << kills << " replicas killed; calls: " << ledger_.Summary() << "\n";

  const auto unclear = ledger_.unclear();
  EXPECT_TRUE(unclear.empty()) << unclear.size() << " calls without a clear answer in time, first: " << unclear[0];
  EXPECT_GE(kills, static_cast<int>(soak_minutes * 60 / 4) - 1);

  // Settled: every newsroom has every version it is entitled to, once.
  const auto versions = VersionsByAgency();
  size_t total = 0;
  for (const auto& [agency, set] : versions) total += set.size();
  EXPECT_GT(total, 20u);
  for (size_t i = 0; i < newsrooms_.size(); ++i) {
    std::set<std::pair<std::string, int>> expected;
    for (const auto& [agency, set] : versions) {
      if (newsrooms_[i].agency.empty() || newsrooms_[i].agency == agency) expected.insert(set.begin(), set.end());
    }
    ASSERT_TRUE(readers[i]->WaitForCount(expected.size(), kSettle))
        << newsrooms_[i].recipient_id << " has " << readers[i]->deliveries().size() << " of " << expected.size();
    std::map<std::pair<std::string, int>, int> got;
    for (const auto& d : readers[i]->deliveries()) ++got[{d.statement().id(), d.statement().version()}];
    std::vector<std::string> doubled, missing, extra;
    for (const auto& [key, n] : got) {
      if (n > 1) doubled.push_back(absl::StrCat(key.first, ":", key.second, " x", n));
      if (!expected.contains(key)) extra.push_back(absl::StrCat(key.first, ":", key.second));
    }
    for (const auto& key : expected) {
      if (!got.contains(key)) missing.push_back(absl::StrCat(key.first, ":", key.second));
    }
    EXPECT_TRUE(doubled.empty()) << newsrooms_[i].recipient_id << " doubled: " << absl::StrJoin(doubled, " ");
    EXPECT_TRUE(missing.empty()) << newsrooms_[i].recipient_id << " missing: " << absl::StrJoin(missing, " ");
    EXPECT_TRUE(extra.empty()) << newsrooms_[i].recipient_id << " not entitled: " << absl::StrJoin(extra, " ");
  }
  for (auto& r : readers) r->Stop();
}

}  // namespace
}  // namespace pressrelay::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* m = std::getenv("PRESSRELAY_SOAK_MINUTES")) (void)absl::SimpleAtod(m, &pressrelay::testing::soak_minutes);
  if (const char* s = std::getenv("PRESSRELAY_SOAK_SEED")) (void)absl::SimpleAtoi(s, &pressrelay::testing::soak_seed);
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--minutes") (void)absl::SimpleAtod(argv[i + 1], &pressrelay::testing::soak_minutes);
    if (std::string(argv[i]) == "--seed") (void)absl::SimpleAtoi(argv[i + 1], &pressrelay::testing::soak_seed);
  }
  return RUN_ALL_TESTS();
}
