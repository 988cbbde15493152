// What every service owes its operators: health that tells the truth about its
// dependencies, server reflection, configuration from the environment, and a clean exit
// on SIGTERM.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/base/configuration.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/server.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

// Runs the CLI to completion; returns its exit code.
int RunCli(const std::vector<std::string>& words, const std::string& dir) {
  std::vector<std::string> argv = {BinaryPath("pressrelay")};
  argv.insert(argv.end(), words.begin(), words.end());
  return RunProgram(argv, dir + "/cli.log", {}, kWait).first;
}

TEST(Cli, CommandLinesWithoutACommandAreUsageErrors) {
  TempDir dir;
  EXPECT_EQ(RunCli({}, dir.path()), 2);
  EXPECT_EQ(RunCli({"--verify"}, dir.path()), 2);  // options only: once a crash (found by reading)
  EXPECT_EQ(RunCli({"--token-only", "--verify"}, dir.path()), 2);
  EXPECT_EQ(RunCli({"help"}, dir.path()), 0);
}

TEST(ServiceHost, HealthIsServingOnlyWhileRedisAnswers) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  const std::vector<std::string> services = {suite.registry_address(), suite.distribution_address(),
                                             suite.subscription_address()};
  suite.redis().Kill();
  for (const auto& address : services) EXPECT_TRUE(WaitHealth(address, false, kWait).ok()) << address;
  // Unready, but alive: liveness probes ("pressrelay.liveness") must not restart it.
  for (const auto& address : services) {
    EXPECT_NE(RunCli({"health", address}, suite.dir()), 0) << address;
    EXPECT_EQ(RunCli({"health", address, "--service", "pressrelay.liveness"}, suite.dir()), 0) << address;
  }
  ASSERT_TRUE(suite.redis().Restart().ok());
  for (const auto& address : services) EXPECT_TRUE(WaitHealth(address, true, kWait).ok()) << address;
}

TEST(ServiceHost, HealthFollowsTheServicesItNeeds) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  suite.registry().Kill();
  EXPECT_TRUE(WaitHealth(suite.distribution_address(), false, kWait).ok());
  EXPECT_TRUE(WaitHealth(suite.subscription_address(), false, kWait).ok());
  ASSERT_TRUE(suite.RestartRegistry().ok());
  EXPECT_TRUE(WaitHealth(suite.distribution_address(), true, kWait).ok());
  EXPECT_TRUE(WaitHealth(suite.subscription_address(), true, kWait).ok());
  suite.distribution().Kill();
  EXPECT_TRUE(WaitHealth(suite.subscription_address(), false, kWait).ok());
}

// Lists the services a server exposes through gRPC server reflection (v1alpha), speaking
// the protocol by hand: ServerReflectionRequest{list_services: ""} is the bytes 3a 00.
std::string ReflectionListing(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  auto call = stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  const char request_bytes[] = {0x3a, 0x00};
  grpc::Slice slice(request_bytes, sizeof(request_bytes));
  grpc::ByteBuffer request(&slice, 1);
  call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  std::string bytes;
  std::vector<grpc::Slice> slices;
  if (ok && response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return bytes;
}

TEST(ServiceHost, ServesReflection) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  const std::string registry = ReflectionListing(suite.registry_address());
  EXPECT_NE(registry.find("pressrelay.registry.v1.RegistryAdmin"), std::string::npos);
  EXPECT_NE(registry.find("pressrelay.registry.v1.Directory"), std::string::npos);
  EXPECT_NE(ReflectionListing(suite.distribution_address()).find("pressrelay.distribution.v1.Distribution"),
            std::string::npos);
  EXPECT_NE(ReflectionListing(suite.subscription_address()).find("pressrelay.subscription.v1.Subscription"),
            std::string::npos);
}

int PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&a)->sin6_port);
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&a)->sin_port);
  return -1;
}

// SO_KEEPALIVE and TCP_KEEPIDLE of every connected socket process `pid` holds whose local
// port (or, with `peer`, remote port) is `port`, read from the process's own descriptors
// (pidfd_getfd: the test started the services, so it may look).
std::vector<std::pair<int, int>> KeepaliveOfConnections(pid_t pid, int port, bool peer = false) {
  std::vector<std::pair<int, int>> found;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  EXPECT_GE(pidfd, 0) << "pidfd_open: " << std::strerror(errno);
  if (pidfd < 0) return found;
  for (const auto& entry : std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/fd"))) {
    int target = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &target)) continue;
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec).string().rfind("socket:", 0) != 0) continue;
    const int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, target, 0));
    if (fd < 0) continue;  // closed meanwhile
    sockaddr_storage local{}, remote{};
    socklen_t local_len = sizeof(local), remote_len = sizeof(remote);
    const bool connected = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 &&
                           getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_len) == 0;
    if (connected && PortOf(peer ? remote : local) == port) {
      int keepalive = -1, idle = -1;
      socklen_t len = sizeof(int);
      getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepalive, &len);
      len = sizeof(int);
      getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len);
      found.emplace_back(keepalive, idle);
    }
    close(fd);
  }
  close(pidfd);
  return found;
}

// Dead newsroom connections are found by the kernel's TCP keepalive, set on every accepted
// connection (server.cc; tcp_keepalive.h says why not HTTP/2 PINGs).
TEST(ServiceHost, AcceptedConnectionsHaveTcpKeepalive) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  const std::vector<std::pair<std::string, pid_t>> services = {
      {suite.registry_address(), suite.registry().pid()},
      {suite.distribution_address(), suite.distribution().pid()},
      {suite.subscription_address(), suite.subscription().pid()}};
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [address, pid] : services) {
    // A connection of our own, surely accepted once a call on it has completed.
    channels.push_back(OpenChannel(address));
    auto stub = grpc::health::v1::Health::NewStub(channels.back());
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(std::string(kLivenessService));
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(stub->Check(&ctx, request, &response).ok()) << address;

    const auto connections = KeepaliveOfConnections(pid, ParseHostPort(address, "address")->port);
    ASSERT_FALSE(connections.empty()) << address;
    for (const auto& [keepalive, idle] : connections) {
      EXPECT_EQ(keepalive, 1) << address << " has a connection without TCP keepalive";
      EXPECT_EQ(idle, 30) << address;
    }
  }
  // Control: the test's own ends of those connections have no keepalive (the check can fail).
  const auto own =
      KeepaliveOfConnections(getpid(), ParseHostPort(suite.subscription_address(), "address")->port, /*peer=*/true);
  ASSERT_FALSE(own.empty());
  for (const auto& [keepalive, idle] : own) EXPECT_EQ(keepalive, 0);
}

// The names of a process's threads (their `comm`), one entry per thread.
std::vector<std::string> ThreadNames(pid_t pid) {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"))) {
    std::ifstream in(task.path() / "comm");
    std::string name;
    std::getline(in, name);
    names.push_back(name);
  }
  return names;
}

// The subscription service uses no gRPC callback API, so gRPC starts none of the threads
// that would poll its newsroom streams' sockets (queued_call.h says why); health, Ack,
// History and the Ledger are still answered (on its stream loops). The distribution service,
// which keeps the callback API, is the control: the check can fail.
TEST(ServiceHost, TheSubscriptionServiceRunsNoCallbackThreads) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  auto wire = suite.SetUpSmallWire("MOH", "Bộ Y tế", "tuoitre", "Báo Tuổi Trẻ");
  ASSERT_TRUE(wire.ok()) << wire.status();
  auto reader = SubscribeCaughtUp(suite, wire->newsroom.token());
  ASSERT_TRUE(suite.PublishText(wire->spokesperson_token, "MOH", "Thông cáo", "Nội dung").ok());
  ASSERT_TRUE(reader->WaitForCount(1, kWait));
  EXPECT_TRUE(reader->AckLast().ok());
  ASSERT_TRUE(CheckHealth(*OpenChannel(suite.subscription_address()), "", absl::Seconds(5)).ok());
  ASSERT_TRUE(WaitHealth(suite.subscription_address(), true, kWait).ok());  // Watch

  const auto callback_threads = [](pid_t pid) {
    const auto names = ThreadNames(pid);
    return std::count(names.begin(), names.end(), "nexting_thread");
  };
  EXPECT_EQ(callback_threads(suite.subscription().pid()), 0);
  EXPECT_GT(callback_threads(suite.distribution().pid()), 0);
  reader->Stop();
}

// A second process given a port that one of ours listens on does not start: gRPC would
// otherwise set SO_REUSEPORT and the kernel would split new connections between the two (once
// in CI a test's Publish reached another test's subscription service and got UNIMPLEMENTED).
// The first keeps its port.
TEST(ServiceHost, ASecondProcessGivenATakenPortRefusesToStartInsteadOfSharingIt) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  ChildProcess second;
  ASSERT_TRUE(second
                  .Start({BinaryPath("pressrelay-registry"), "--listen", suite.distribution_address(), "--redis",
                          suite.redis().address(), "--log_level", "info"},
                         suite.dir() + "/second.log")
                  .ok());
  auto exited = second.Wait(kWait);
  ASSERT_TRUE(exited.ok()) << "a second server started on " << suite.distribution_address();
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) != 0);
  EXPECT_NE(ReadFile(suite.dir() + "/second.log").find("cannot listen on " + suite.distribution_address()),
            std::string::npos)
      << ReadFile(suite.dir() + "/second.log");
  // The distribution keeps its port: a call on a fresh connection is the distribution's own
  // answer to an anonymous caller.
  auto stub = dist::Distribution::NewStub(OpenChannel(suite.distribution_address()));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
  dist::PublishResponse response;
  EXPECT_EQ(stub->Publish(&ctx, dist::PublishRequest(), &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(ServiceHost, ExitsCleanlyOnSigterm) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  for (ChildProcess* p : {&suite.subscription(), &suite.distribution(), &suite.registry()}) {
    p->Signal(SIGTERM);
    auto status = p->Wait(kWait);
    ASSERT_TRUE(status.ok()) << p->log_path();
    EXPECT_TRUE(WIFEXITED(*status)) << p->log_path();
    EXPECT_EQ(WEXITSTATUS(*status), 0) << p->log_path();
  }
}

TEST(ServiceHost, TakesItsConfigurationFromTheEnvironment) {
  TempDir dir;
  RedisServer redis(dir.path());
  ASSERT_TRUE(redis.Start().ok());
  WriteFile(dir.File("tokens"), "operator ops prt_environment_configured_token\n");
  ChildProcess registry;
  // No flags at all: PRESSRELAY_<FLAG> variables configure it.
  ASSERT_TRUE(registry
                  .Start({BinaryPath("pressrelay-registry")}, dir.File("registry.log"),
                         {{"PRESSRELAY_LISTEN", "127.0.0.1:0"},
                          {"PRESSRELAY_REDIS", redis.address()},
                          {"PRESSRELAY_BOOTSTRAP_TOKENS_FILE", dir.File("tokens")},
                          {"PRESSRELAY_PORT_FILE", dir.File("port")}})
                  .ok());
  auto ready = registry.WaitForLine("READY registry port=", kWait);
  ASSERT_TRUE(ready.ok()) << ReadFile(dir.File("registry.log"));
  const std::string port = ready->substr(ready->find('=') + 1);
  EXPECT_EQ(ReadFile(dir.File("port")), port + "\n");
  ASSERT_TRUE(WaitServing("127.0.0.1:" + port, kWait).ok());
  // The bootstrap token from the environment-named file works.
  auto admin = reg::RegistryAdmin::NewStub(grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer prt_environment_configured_token");
  reg::ListAgenciesResponse agencies;
  EXPECT_TRUE(admin->ListAgencies(&ctx, reg::ListAgenciesRequest(), &agencies).ok());
  // A bad value is refused at start with a message naming the variable.
  ChildProcess bad;
  ASSERT_TRUE(bad.Start({BinaryPath("pressrelay-registry")}, dir.File("bad.log"), {{"PRESSRELAY_WORKERS", "many"}}).ok());
  auto exited = bad.Wait(kWait);
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) != 0);
  EXPECT_NE(ReadFile(dir.File("bad.log")).find("PRESSRELAY_WORKERS"), std::string::npos);
}

TEST(ServiceHost, EveryServiceRunsFromTheEnvironmentAndTheCommandLineWins) {
  Suite suite;
  ASSERT_TRUE(suite.Start().ok());
  TempDir dir;
  // A second distribution and subscription replica configured by PRESSRELAY_* variables
  // only; one flag given both ways, where the command line must win.
  const std::map<std::string, std::string> shared = {
      {"PRESSRELAY_LISTEN", "127.0.0.1:0"},
      {"PRESSRELAY_REDIS", suite.redis().address()},
      {"PRESSRELAY_REGISTRY", suite.registry_address()},
      {"PRESSRELAY_SERVICE_TOKEN_FILE", suite.service_token_file()},
      {"PRESSRELAY_SHARDS", std::to_string(SuiteOptions().shards)},
  };
  struct Case {
    std::string binary;
    std::map<std::string, std::string> env;
  };
  std::vector<Case> cases = {
      {"pressrelay-distribution", {{"PRESSRELAY_SIGNING_KEYS_DIR", suite.keys_dir()}}},
      {"pressrelay-subscription", {{"PRESSRELAY_DISTRIBUTION", suite.distribution_address()}}},
  };
  for (auto& c : cases) {
    c.env.insert(shared.begin(), shared.end());
    c.env["PRESSRELAY_PORT_FILE"] = dir.File(c.binary + ".env-port");
    ChildProcess process;
    ASSERT_TRUE(process.Start({BinaryPath(c.binary), "--port_file=" + dir.File(c.binary + ".flag-port")},
                              dir.File(c.binary + ".log"), c.env)
                    .ok());
    auto ready = process.WaitForLine("READY ", kWait);
    ASSERT_TRUE(ready.ok()) << ReadFile(dir.File(c.binary + ".log"));
    const std::string port = ready->substr(ready->find("port=") + 5);
    // Serving means it reached Redis and the services it needs, all named by the environment.
    EXPECT_TRUE(WaitServing("127.0.0.1:" + port, kWait).ok()) << c.binary;
    EXPECT_EQ(ReadFile(dir.File(c.binary + ".flag-port")), port + "\n") << c.binary;
    EXPECT_EQ(ReadFile(dir.File(c.binary + ".env-port")), "") << c.binary << ": the environment won over the flag";
    process.Signal(SIGTERM);
    auto exited = process.Wait(kWait);
    ASSERT_TRUE(exited.ok());
    EXPECT_TRUE(WIFEXITED(*exited) && WEXITSTATUS(*exited) == 0) << c.binary;
  }
}

}  // namespace
}  // namespace pressrelay::testing
