// Services share Redis but not each other's data: each touches only the keys that
// services/common/redis/keys.h gives it (its own, plus the fan-out queues the distribution service
// writes and the subscription service reads), and reaches the others over gRPC. Shown by
// watching every command Redis executes (MONITOR) while the suite does a bit of everything,
// attributing each to the service whose named connection sent it.
#include <gtest/gtest.h>


#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "tests/support/redis_watch.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);
constexpr char kStopMarker[] = "key-ownership-monitor-stop";

// One command as MONITOR shows it: the client address ("lua" inside a script) and its words.
struct Command {
  std::string client;
  std::vector<std::string> words;
};

// Parses `1732612345.123456 [0 127.0.0.1:53422] "HGET" "reg:agency" "MOH"` (words quoted as
// Redis's sdscatrepr writes them).
bool ParseMonitorLine(const std::string& line, Command* out) {
  const size_t open = line.find('[');
  const size_t close = line.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return false;
  std::vector<std::string> head = absl::StrSplit(line.substr(open + 1, close - open - 1), ' ');
  if (head.size() < 2) return false;
  out->client = head[1];
  out->words.clear();
  size_t i = close + 1;
  while (i < line.size()) {
    if (line[i] != '"') {
      ++i;
      continue;
    }
    std::string word;
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\' || i + 1 >= line.size()) {
        word += line[i];
        continue;
      }
      const char e = line[++i];
      switch (e) {
        case 'n': word += '\n'; break;
        case 'r': word += '\r'; break;
        case 't': word += '\t'; break;
        case 'a': word += '\a'; break;
        case 'b': word += '\b'; break;
        case 'x': {
          int v = 0;
          if (i + 2 < line.size() && absl::SimpleHexAtoi(line.substr(i + 1, 2), &v)) word += static_cast<char>(v);
          i += 2;
          break;
        }
        default: word += e;
      }
    }
    ++i;
    out->words.push_back(std::move(word));
  }
  return !out->words.empty();
}

// Everything Redis executes from Start() until the marker command arrives.

// Who may touch a key, by the table in services/common/redis/keys.h.
std::set<std::string> AllowedServices(const std::string& key) {
  const std::set<std::string> all = {"registry", "distribution", "subscription"};
  if (absl::StartsWith(key, "{reg}:")) return {"registry"};
  if (absl::StartsWith(key, "{dist}:") || absl::StartsWith(key, "fo:prog:{") || absl::StartsWith(key, "seq:{")) {
    return {"distribution"};
  }
  if (absl::StartsWith(key, "q:{") || absl::StartsWith(key, "ev:{") || absl::StartsWith(key, "qtrim:{")) {
    return {"distribution", "subscription"};
  }
  if (absl::StartsWith(key, "ack:{") || absl::StartsWith(key, "dr:") || absl::StartsWith(key, "sl:")) {
    return {"subscription"};
  }
  if (absl::StartsWith(key, "meta:") || key == "audit:log") return all;
  for (const auto& service : all) {
    if (absl::StartsWith(key, absl::StrCat("rl:", service, ":"))) return {service};
  }
  return {};
}

TEST(KeyOwnership, EachServiceTouchesOnlyTheKeysItOwnsOrIsGiven) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  auto redis = suite.redis().Client();
  // Connections opened before the monitor starts: their names from CLIENT LIST.
  std::map<std::string, std::string> names;  // address -> service
  auto list = redis.Run({"CLIENT", "LIST"});
  ASSERT_TRUE(list.ok());
  for (absl::string_view entry : absl::StrSplit(list->str(), '\n', absl::SkipEmpty())) {
    std::string addr, name;
    for (absl::string_view field : absl::StrSplit(entry, ' ')) {
      if (absl::ConsumePrefix(&field, "addr=")) addr = std::string(field);
      if (absl::ConsumePrefix(&field, "name=pressrelay-")) name = std::string(field);
    }
    if (!addr.empty() && !name.empty()) names[addr] = name;
  }
  ASSERT_GE(names.size(), 3u) << list->str();

  RedisMonitor monitor(suite.redis().port());
  ASSERT_TRUE(monitor.Start());
  // A bit of everything: registry administration, publishing, a stream, acks, a kill, the
  // report, history, a revocation.
  auto wire = suite.SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
  ASSERT_TRUE(wire.ok()) << wire.status();
  const reg::IssueTokenResponse* reader = &wire->newsroom;
  const std::string speaker = wire->spokesperson_token;
  TestSubscriber stream(suite.subscription_address(), reader->token());
  stream.Start();
  ASSERT_TRUE(stream.WaitCaughtUp(kWait));
  auto published = suite.Publish(speaker, MakeDraft("MOH", "Thông cáo"));
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(stream.WaitForCount(1, kWait));
  ASSERT_TRUE(stream.AckLast().ok());
  dist::ReviseRequest kill;
  kill.set_statement_id(published->statement().id());
  kill.set_signal(common::v1::VERSION_SIGNAL_KILL);
  kill.set_reason("Thu hồi");
  ASSERT_TRUE(suite.Revise(speaker, kill).ok());
  ASSERT_TRUE(stream.WaitForCount(2, kWait));
  {
    auto stub = suite.Distribution();
    dist::GetDeliveryReportRequest request;
    request.set_statement_id(published->statement().id());
    dist::DeliveryReport report;
    auto ctx = CallContext(speaker, kWait);
    ASSERT_TRUE(stub->GetDeliveryReport(ctx.get(), request, &report).ok());
  }
  {
    auto stub = suite.Subscription();
    sub::HistoryResponse page;
    auto ctx = CallContext(reader->token(), kWait);
    ASSERT_TRUE(stub->History(ctx.get(), sub::HistoryRequest(), &page).ok());
    EXPECT_EQ(page.statements_size(), 1);
  }
  ASSERT_TRUE(suite.RevokeToken(reader->info().token_id()).ok());
  ASSERT_TRUE(stream.WaitEnded(kWait));  // the revocation reached the subscription service
  const std::vector<std::string> lines = monitor.LinesBefore(redis, kStopMarker);

  // Attribute each command: named connections (also those opened meanwhile, which name
  // themselves first), and commands inside a script to the client that ran the script.
  std::vector<std::pair<std::string, Command>> attributed;  // service, command
  std::string last_client;
  std::map<std::string, int> per_service;
  int unattributed = 0;
  for (const auto& line : lines) {
    Command c;
    if (!ParseMonitorLine(line, &c)) continue;
    if (c.client != "lua") last_client = c.client;
    if (c.words.size() == 3 && absl::EqualsIgnoreCase(c.words[0], "CLIENT") &&
        absl::EqualsIgnoreCase(c.words[1], "SETNAME") && absl::StartsWith(c.words[2], "pressrelay-")) {
      names[c.client] = c.words[2].substr(std::string("pressrelay-").size());
      continue;
    }
    auto it = names.find(last_client);
    if (it == names.end()) {
      ++unattributed;  // the test's own connections
      continue;
    }
    ++per_service[it->second];
    attributed.emplace_back(it->second, std::move(c));
  }
  EXPECT_GT(per_service["registry"], 0);
  EXPECT_GT(per_service["distribution"], 0);
  EXPECT_GT(per_service["subscription"], 0);

  // Which keys each command touches, as Redis itself says (COMMAND GETKEYS), in one pipeline.
  std::vector<redis::Args> getkeys;
  for (const auto& [service, c] : attributed) {
    redis::Args args = {"COMMAND", "GETKEYS"};
    getkeys.push_back(std::move(args.AddAll(c.words)));
  }
  auto replies = redis.Pipeline(getkeys);
  ASSERT_TRUE(replies.ok()) << replies.status();
  std::set<std::string> violations;
  int keys_checked = 0;
  for (size_t i = 0; i < attributed.size(); ++i) {
    const auto& reply = (*replies)[i];
    if (reply.is_error() || !reply.is_array()) continue;  // a command without keys
    for (size_t k = 0; k < reply.size(); ++k) {
      const std::string key(reply[k].str());
      ++keys_checked;
      if (!AllowedServices(key).contains(attributed[i].first)) {
        violations.insert(absl::StrCat(attributed[i].first, " touched ", key, " (", attributed[i].second.words[0], ")"));
      }
    }
  }
  EXPECT_GT(keys_checked, 100);
  EXPECT_TRUE(violations.empty()) << absl::StrJoin(violations, "\n");
  RecordProperty("keys_checked", keys_checked);
  RecordProperty("unattributed_commands", unattributed);
}

TEST(KeyOwnership, EveryKeyTheServicesBuildHasAnOwnerHere) {
  // The classification above against the key builders of services/common/redis/keys.h: a key
  // added there without an owner here (or classified wrongly) fails this.
  const std::set<std::string> registry = {"registry"}, distribution = {"distribution"},
                              subscription = {"subscription"}, queues = {"distribution", "subscription"},
                              all = {"registry", "distribution", "subscription"};
  const std::vector<std::pair<std::string, std::set<std::string>>> expected = {
      {std::string(keys::kAgencies), registry},
      {std::string(keys::kSpokespeople), registry},
      {std::string(keys::kOutlets), registry},
      {std::string(keys::kJournalists), registry},
      {std::string(keys::kClients), registry},
      {std::string(keys::kSubscriptions), registry},
      {std::string(keys::kTokens), registry},
      {std::string(keys::kTokenHashes), registry},
      {std::string(keys::kRegistryChanges), registry},
      {std::string(keys::kAgencyKeys), registry},
      {std::string(keys::kRevocations), registry},
      {std::string(keys::kPressOfficers), registry},
      {std::string(keys::kAccounts), registry},
      {keys::AccountSessions("nguyen.van.a@moh.gov.vn"), registry},
      {keys::SessionAlive("tok_3f2a9c1d"), registry},
      {keys::SignInFailures("nguyen.van.a@moh.gov.vn"), registry},
      {keys::SignInAddressFailures("203.0.113.7"), registry},
      {keys::SignInLock("nguyen.van.a@moh.gov.vn"), registry},
      {keys::Statement("01JD3Z6Q8M4T2V5X7Y9A0B1C2D"), distribution},
      {std::string(keys::kStatementIndex), distribution},
      {keys::Idempotency("moh-sp", "k1"), distribution},
      {keys::FanoutJob("01JD3Z6Q8M4T2V5X7Y9A0B1C2D:1:now"), distribution},
      {std::string(keys::kLeases), distribution},
      {std::string(keys::kJobsDone), distribution},
      {keys::FanoutProgress(3), distribution},
      {std::string(keys::kSchedule), distribution},
      {std::string(keys::kSweepLease), distribution},
      {std::string(keys::kUnlistedStatements), distribution},
      {keys::Question("q_01JD3Z6Q8M4T2V5X7Y9A0B1C2D"), distribution},
      {keys::QuestionOutcome("q_01JD3Z6Q8M4T2V5X7Y9A0B1C2D"), distribution},
      {keys::AgencyQuestions("MOH"), distribution},
      {keys::AskerQuestions("journalist:TT-001"), distribution},
      {std::string(keys::kQuestionsDue), distribution},
      {keys::AskIdempotency("journalist:TT-001", "k1"), distribution},
      {keys::Sequence(3), distribution},
      {keys::Queue(3, "client:x", keys::Lane::kRoutine), queues},
      {keys::Events(3), queues},
      {keys::Trimmed(3), queues},
      {keys::Acks(3), subscription},
      {keys::DeliveredSent("01JD3Z6Q8M4T2V5X7Y9A0B1C2D", 1), subscription},
      {keys::DeliveredAcked("01JD3Z6Q8M4T2V5X7Y9A0B1C2D", 1), subscription},
      {keys::StreamLeases("3/tuoitre-ingest"), subscription},
      {std::string(keys::kEpoch), all},
      {std::string(keys::kShards), all},
      {std::string(keys::kAuditLog), all},
      {keys::RateLimit("subscription", "client:x", 29000000), subscription},
      {keys::RateLimit("registry", "operator-1", 29000000), registry},
  };
  for (const auto& [key, owners] : expected) EXPECT_EQ(AllowedServices(key), owners) << key;
  EXPECT_TRUE(AllowedServices("something:else").empty());
}

}  // namespace
}  // namespace pressrelay::testing
