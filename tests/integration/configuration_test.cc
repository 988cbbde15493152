// Settings that would start a broken service are refused at start-up, before any thread
// starts, naming the flag and its range; a Redis that does not answer is waited for with
// readiness NOT_SERVING, for a bounded time; and liveness tells when a replica can no longer
// do its work. Against the real binaries.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/server.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

struct FlagHelp {
  std::string name, help, default_value;
};

// The flags `binary --helpfull` lists from the services' own sources.
std::vector<FlagHelp> ServiceFlags(const std::string& binary, const std::string& log) {
  auto [code, out] = RunProgram({BinaryPath(binary), "--helpfull"}, log);
  // absl prints the help on stdout and exits 1.
  const std::string text = out.empty() ? ReadFile(log) : out;
  std::vector<FlagHelp> flags;
  bool ours = false;
  std::string entry;
  auto flush = [&] {
    if (!ours || entry.empty()) return;
    static const std::regex kEntry(R"(--([a-z0-9_]+) \((.*)\); default: (.*);)");
    std::smatch m;
    if (std::regex_search(entry, m, kEntry)) flags.push_back({m[1], m[2], m[3]});
    entry.clear();
  };
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "  Flags from ")) {
      flush();
      entry.clear();
      ours = absl::StrContains(line, "services/");
      continue;
    }
    if (absl::StartsWith(line, "    --")) {
      flush();
      entry = std::string(absl::StripLeadingAsciiWhitespace(line));
    } else if (!entry.empty()) {
      absl::StrAppend(&entry, " ", absl::StripLeadingAsciiWhitespace(line));
    }
  }
  flush();
  return flags;
}

bool IsNumber(const std::string& s) { return std::regex_match(s, std::regex(R"(-?[0-9]+)")); }
bool IsDuration(const std::string& s) {
  absl::Duration d;
  return !IsNumber(s) && absl::ParseDuration(s, &d);
}

class ConfigurationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("token"), "a-service-token");
    keys_ = dir_.File("keys");
    std::filesystem::create_directories(keys_);
  }
  // The flags every binary needs to have a complete configuration.
  std::vector<std::string> Needed(const std::string& binary) {
    if (binary == "pressrelay-distribution") {
      return {"--service_token_file", dir_.File("token"), "--signing_keys_dir", keys_};
    }
    if (binary == "pressrelay-subscription") return {"--service_token_file", dir_.File("token")};
    if (binary == "pressrelay-gateway") return {"--gateway_token_file", dir_.File("token")};
    return {};
  }
  // Runs `binary --check_config <flags>`; returns (exit code, what it printed).
  std::pair<int, std::string> Check(const std::string& binary, const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {BinaryPath(binary), "--check_config"};
    for (const auto& f : Needed(binary)) argv.push_back(f);
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string log = dir_.File(absl::StrCat("check-", ++checks_, ".log"));
    auto [code, out] = RunProgram(argv, log, {}, kWait);
    return {code, out + ReadFile(log)};
  }

  TempDir dir_;
  std::string keys_;
  int checks_ = 0;
};

const std::vector<std::string> kBinaries = {"pressrelay-registry", "pressrelay-distribution",
                                            "pressrelay-subscription"};
// The services and the admin gateway: every binary whose numeric flags have ranges.
const std::vector<std::string> kBinariesWithRanges = {"pressrelay-registry", "pressrelay-distribution",
                                                      "pressrelay-subscription", "pressrelay-gateway"};

// Only 2 of 14 bad settings were refused: --workers=0 hung the registry and left the others
// SERVING while every call timed out; --chunk_size=0 left a publish unanswered; -5 aborted.
TEST_F(ConfigurationTest, EveryNumericFlagHasARangeCheckedAtStartUp) {
  int checked = 0;
  for (const std::string& binary : kBinariesWithRanges) {
    const auto flags = ServiceFlags(binary, dir_.File("help.log"));
    ASSERT_GT(flags.size(), 10u) << binary << ": --helpfull not understood";
    for (const FlagHelp& flag : flags) {
      if (!IsNumber(flag.default_value) && !IsDuration(flag.default_value)) continue;
      // The range is documented in the flag's help...
      std::smatch m;
      const std::regex kRange(R"(\(range ([^ )]+)-([^ )]+)\))");
      ASSERT_TRUE(std::regex_search(flag.help, m, kRange)) << binary << " --" << flag.name << " has no range: "
                                                             << flag.help;
      const std::string min = m[1], max = m[2];
      const bool numeric_range = IsNumber(min) && IsNumber(max);
      // ...its ends are accepted...
      for (const std::string& ok : {min, max, flag.default_value}) {
        auto [code, out] = Check(binary, {absl::StrCat("--", flag.name, "=", ok)});
        EXPECT_EQ(code, 0) << binary << " --" << flag.name << "=" << ok << ": " << out;
      }
      // ...and what lies outside is refused, naming the flag and the range.
      std::vector<std::string> outside;
      if (numeric_range) {
        outside = {absl::StrCat(std::stoll(min) - 1), absl::StrCat(std::stoll(max) + 1)};
      } else {
        absl::Duration dmin, dmax;
        ASSERT_TRUE(absl::ParseDuration(min, &dmin) && absl::ParseDuration(max, &dmax));
        outside = {absl::FormatDuration(dmax + absl::Seconds(1))};
        if (dmin > absl::ZeroDuration()) outside.push_back(absl::FormatDuration(dmin - absl::Milliseconds(1)));
        outside.push_back("-1s");
      }
      for (const std::string& bad : outside) {
        auto [code, out] = Check(binary, {absl::StrCat("--", flag.name, "=", bad)});
        EXPECT_EQ(code, 2) << binary << " --" << flag.name << "=" << bad << ": " << out;
        EXPECT_TRUE(absl::StrContains(out, absl::StrCat("--", flag.name, "=")) &&
                    absl::StrContains(out, absl::StrCat("range ", min, "-", max)))
            << binary << " --" << flag.name << "=" << bad << ": " << out;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
}

TEST_F(ConfigurationTest, TheSettingsThatOnceStartedBrokenServicesStopThemAtStart) {
  struct Case {
    std::string binary, flag;
  };
  const std::vector<Case> cases = {
      {"pressrelay-registry", "--workers=0"},     {"pressrelay-distribution", "--workers=0"},
      {"pressrelay-subscription", "--workers=0"}, {"pressrelay-distribution", "--chunk_size=0"},
      {"pressrelay-distribution", "--chunk_size=-5"}, {"pressrelay-subscription", "--shards=0"},
  };
  for (const Case& c : cases) {
    // Started for real, not only checked: it must stop before it listens or touches Redis.
    ChildProcess process;
    std::vector<std::string> argv = {BinaryPath(c.binary), c.flag, "--listen", "127.0.0.1:0",
                                     "--redis", absl::StrCat("127.0.0.1:", FreePort())};
    for (const auto& f : Needed(c.binary)) argv.push_back(f);
    ASSERT_TRUE(process.Start(argv, dir_.File("bad.log")).ok());
    auto exited = process.Wait(kWait);
    ASSERT_TRUE(exited.ok()) << c.binary << " " << c.flag << " did not stop";
    EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 2) << c.binary << " " << c.flag;
    const std::string log = ReadFile(dir_.File("bad.log"));
    EXPECT_TRUE(absl::StrContains(log, c.flag) && absl::StrContains(log, "is outside its range"))
        << c.binary << " " << c.flag << ": " << log;
    EXPECT_FALSE(absl::StrContains(process.output(), "LISTENING")) << c.binary << " " << c.flag;
  }
}

// A Redis that does not answer: the service listens, readiness stays NOT_SERVING, calls are
// UNAVAILABLE, one clear line says what it waits for, and it gives up after --startup_timeout.
TEST_F(ConfigurationTest, ARedisThatDoesNotAnswerIsWaitedForNotServingAndForABoundedTime) {
  for (const std::string& binary : kBinaries) {
    ChildProcess process;
    std::vector<std::string> argv = {BinaryPath(binary), "--listen", "127.0.0.1:0", "--redis",
                                     absl::StrCat("127.0.0.1:", FreePort()), "--startup_timeout=4s"};
    for (const auto& f : Needed(binary)) argv.push_back(f);
    const std::string log = dir_.File(binary + ".log");
    ASSERT_TRUE(process.Start(argv, log).ok());
    auto line = process.WaitForLine("LISTENING ", kWait);
    ASSERT_TRUE(line.ok()) << ReadFile(log);
    const std::string address = absl::StrCat("127.0.0.1:", line->substr(line->find("port=") + 5));
    EXPECT_TRUE(WaitHealthOf(address, "", false, kWait).ok()) << binary;
    EXPECT_TRUE(WaitHealthOf(address, std::string(kLivenessService), true, kWait).ok()) << binary;
    EXPECT_TRUE(process.WaitForLog("waiting for Redis (readiness stays NOT_SERVING)", kWait).ok()) << ReadFile(log);
    auto exited = process.Wait(kWait);
    ASSERT_TRUE(exited.ok()) << binary << " waited without end";
    EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 1) << binary;
    EXPECT_TRUE(absl::StrContains(ReadFile(log), "gave up after --startup_timeout=4s")) << ReadFile(log);
    EXPECT_FALSE(absl::StrContains(process.output(), "READY")) << binary;
  }
}

// A Redis of the other kind than --redis_cluster says does not get better by waiting: each
// service stops at start (exit 2) with a line naming the flag, both ways round.
TEST_F(ConfigurationTest, ARedisOfTheOtherKindThanRedisClusterSaysStopsTheServiceNamingTheFlag) {
  TempDir standalone_dir, cluster_dir;
  RedisServer standalone(standalone_dir.path());
  ASSERT_TRUE(standalone.Start().ok());
  RedisCluster cluster(cluster_dir.path());
  ASSERT_TRUE(cluster.Start(3, 0).ok());
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--redis", standalone.address(), "--redis_cluster"}, "is a standalone Redis (cluster support disabled)"},
      {{"--redis", absl::StrCat("127.0.0.1:", cluster.ports()[0])},
       "is a Redis Cluster node: start with --redis_cluster"},
  };
  for (const std::string& binary : kBinaries) {
    for (const Case& c : cases) {
      ChildProcess process;
      std::vector<std::string> argv = {BinaryPath(binary), "--listen", "127.0.0.1:0", "--startup_timeout=60s"};
      argv.insert(argv.end(), c.flags.begin(), c.flags.end());
      for (const auto& f : Needed(binary)) argv.push_back(f);
      const std::string log = dir_.File(binary + ".kind.log");
      ASSERT_TRUE(process.Start(argv, log).ok());
      auto exited = process.Wait(kWait);
      ASSERT_TRUE(exited.ok()) << binary << " " << c.flags.back() << " waited instead of stopping";
      EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 2) << binary << " " << c.flags.back();
      const std::string said = ReadFile(log);
      EXPECT_TRUE(absl::StrContains(said, "cannot start") && absl::StrContains(said, c.says) &&
                  absl::StrContains(said, "--redis_cluster"))
          << binary << ": " << said;
      EXPECT_FALSE(absl::StrContains(process.output(), "READY")) << binary;
    }
  }
}

// Liveness says whether the replica can still do its work: calls stuck waiting for a worker
// past --liveness_stall turn it NOT_SERVING (so Kubernetes restarts a wedged replica), and it
// recovers with the work.
TEST(Liveness, WorkStuckPastTheBoundFailsLivenessAndRecovers) {
  Suite suite(SuiteOptions{.distribution_flags = {"--workers", "1", "--liveness_stall", "2s",
                                                  "--redis_acquire_timeout", "30s", "--rate_limits", ""}});
  ASSERT_TRUE(suite.Start().ok());
  const std::string token = *suite.AddSpeaker("MOH", "Bộ Y tế");
  auto published = suite.Publish(token, MakeDraft("MOH", "Thông cáo"));
  ASSERT_TRUE(published.ok());
  const std::string liveness(kLivenessService);
  ASSERT_TRUE(WaitHealthOf(suite.distribution_address(), liveness, true, kWait).ok());

  // Redis stops answering (a hung host): the one worker waits in a Redis call and the
  // calls behind it wait for the worker.
  suite.redis().process().Signal(SIGSTOP);
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      auto stub = suite.Distribution();
      dist::GetStatementRequest request;
      request.set_statement_id(published->statement().id());
      common::v1::Statement response;
      auto ctx = CallContext(token, absl::Seconds(60));
      (void)stub->GetStatement(ctx.get(), request, &response);
    });
  }
  EXPECT_TRUE(WaitHealthOf(suite.distribution_address(), liveness, false, kWait).ok());
  EXPECT_TRUE(suite.distribution().WaitForLog("liveness: NOT_SERVING: dist-work queue stalled for", kWait).ok());
  suite.redis().process().Signal(SIGCONT);
  for (auto& t : callers) t.join();
  EXPECT_TRUE(WaitHealthOf(suite.distribution_address(), liveness, true, kWait).ok());
}

}  // namespace
}  // namespace pressrelay::testing
