#include "tests/support/netns.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pressrelay::testing {
namespace {

constexpr char kNetnsDir[] = "/var/run/netns";

// Deletes namespaces "pr<pid>-..." whose test process is gone.
void RemoveLeftovers() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!absl::StartsWith(name, "pr")) continue;
    const size_t dash = name.find('-');
    int pid = 0;
    if (dash == std::string::npos || !absl::SimpleAtoi(name.substr(2, dash - 2), &pid) || pid <= 0) continue;
    if (pid == getpid() || kill(pid, 0) == 0) continue;
    RunProgram({"ip", "netns", "del", name}, "/dev/null");
  }
}

}  // namespace

bool TestNetwork::Available(std::string* why) {
  if (geteuid() != 0) {
    *why = "network namespaces need root (CAP_NET_ADMIN, CAP_SYS_ADMIN); run the test command as root";
    return false;
  }
  auto [code, out] = RunProgram({"ip", "netns", "list"}, "/dev/null");
  if (code != 0) {
    *why = "`ip netns` does not work here (iproute2 missing, or /var/run/netns cannot be made)";
    return false;
  }
  return true;
}

absl::Status TestNetwork::Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto [code, out] = RunProgram(argv, log_);
  if (code != 0) {
    return absl::InternalError(absl::StrCat("`", absl::StrJoin(argv, " "), "` failed (", code, "): ", ReadFile(log_)));
  }
  return absl::OkStatus();
}

absl::Status TestNetwork::Start(const std::string& client_ip,
                                const std::vector<std::pair<std::string, std::string>>& hosts) {
  log_ = absl::StrCat("/tmp/pressrelay-netns-", getpid(), ".log");
  RemoveLeftovers();
  if (unshare(CLONE_NEWNET) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("unshare(CLONE_NEWNET): ", strerror(errno)));
  }
  if (auto s = Ip({"link", "set", "lo", "up"}); !s.ok()) return s;
  if (auto s = Ip({"link", "add", "br-pr", "type", "bridge"}); !s.ok()) return s;
  if (auto s = Ip({"addr", "add", client_ip + "/24", "dev", "br-pr"}); !s.ok()) return s;
  if (auto s = Ip({"link", "set", "br-pr", "up"}); !s.ok()) return s;
  int index = 0;
  for (const auto& [name, ip] : hosts) {
    const std::string ns = absl::StrCat("pr", getpid(), "-", name);
    const std::string outer = absl::StrCat("veth", index++);
    if (auto s = Ip({"netns", "add", ns}); !s.ok()) return s;
    hosts_[name] = Host{ns, ip};
    if (auto s = Ip({"link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", ns}); !s.ok()) return s;
    if (auto s = Ip({"link", "set", outer, "master", "br-pr", "up"}); !s.ok()) return s;
    if (auto s = Ip({"-n", ns, "addr", "add", ip + "/24", "dev", "eth0"}); !s.ok()) return s;
    if (auto s = Ip({"-n", ns, "link", "set", "eth0", "up"}); !s.ok()) return s;
    if (auto s = Ip({"-n", ns, "link", "set", "lo", "up"}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status TestNetwork::SetLink(const std::string& host, bool up) {
  const auto it = hosts_.find(host);
  if (it == hosts_.end()) return absl::NotFoundError(host);
  return Ip({"-n", it->second.netns, "link", "set", "eth0", up ? "up" : "down"});
}

TestNetwork::~TestNetwork() {
  for (const auto& [name, host] : hosts_) RunProgram({"ip", "netns", "del", host.netns}, "/dev/null");
  if (!log_.empty()) std::filesystem::remove(log_);
}

}  // namespace pressrelay::testing
