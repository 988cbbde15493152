// Hosts of their own for tests: network namespaces (`ip netns`) joined by a bridge, each with
// its own address, so that replicas can be killed or cut off from the network one by one.
//
// The bridge lives in a private network namespace the test's own thread moves into first
// (unshare), which stands for the client host: nothing is added to the machine's own network,
// and the bridge and every host-side link vanish with the test process. The named namespaces
// ("pr<pid>-<host>") are deleted by the destructor, and any left by a test that died are
// removed by the next one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {

class TestNetwork {
 public:
  // Whether this process may make namespaces (root, `ip` installed, unshare permitted); when
  // not, `why` says what is missing.
  static bool Available(std::string* why);

  TestNetwork() = default;
  ~TestNetwork();
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  // Moves the calling thread (call it from the test's main thread, before any gRPC use) into
  // a private namespace with the bridge at `client_ip`/24, then makes one namespace per host
  // with its address on the bridge.
  absl::Status Start(const std::string& client_ip, const std::vector<std::pair<std::string, std::string>>& hosts);
  // The hosts, as SuiteOptions::hosts takes them.
  const std::map<std::string, Host>& hosts() const { return hosts_; }
  // Takes a host's link down (its packets go nowhere, nothing is told) or up again.
  absl::Status SetLink(const std::string& host, bool up);

 private:
  absl::Status Ip(const std::vector<std::string>& args);
  std::map<std::string, Host> hosts_;
  std::string log_;
};

}  // namespace pressrelay::testing
