// pressrelay: the command-line client. Flags before the command; see Usage().
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "services/common/base/request_id.h"
#include "absl/strings/match.h"
#include "services/cli/commands.h"
#include "services/common/base/configuration.h"

namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  pressrelay::cli::Endpoints e;
  e.registry = Env("PRESSRELAY_REGISTRY", e.registry);
  e.distribution = Env("PRESSRELAY_DISTRIBUTION", e.distribution);
  e.subscription = Env("PRESSRELAY_SUBSCRIPTION", e.subscription);
  e.token = Env("PRESSRELAY_TOKEN", "");
  // One request id for the whole command: every call it makes, in every service's log lines
  // and audit entries (README "Operating it"). --request-id or PRESSRELAY_REQUEST_ID sets it.
  std::string request_id = Env("PRESSRELAY_REQUEST_ID", "");
  std::vector<std::string> words;
  int i = 1;
  // Connection options come before the command.
  for (; i < argc; ++i) {
    std::string w = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "error: " << name << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (w == "--registry") {
      e.registry = value("--registry");
    } else if (w == "--distribution") {
      e.distribution = value("--distribution");
    } else if (w == "--subscription") {
      e.subscription = value("--subscription");
    } else if (w == "--token") {
      e.token = value("--token");
    } else if (w == "--token-file") {
      auto token = pressrelay::ReadSecretFile(value("--token-file"));
      if (!token.ok()) {
        std::cerr << "error: " << token.status().message() << "\n";
        return 2;
      }
      e.token = *token;
    } else if (w == "--ca") {
      e.ca_file = value("--ca");
    } else if (w == "--cert") {
      e.cert_file = value("--cert");
    } else if (w == "--key") {
      e.key_file = value("--key");
    } else if (w == "--server-name") {
      e.server_name = value("--server-name");
    } else if (w == "--request-id") {
      request_id = value("--request-id");
    } else {
      break;
    }
  }
  for (; i < argc; ++i) words.emplace_back(argv[i]);
  if (!request_id.empty() && !pressrelay::ValidRequestId(request_id)) {
    std::cerr << "error: --request-id: 1-64 letters, digits or . _ : -\n";
    return 2;
  }
  pressrelay::ScopedRequestId scope(request_id.empty() ? pressrelay::NewRequestId() : request_id);
  return pressrelay::cli::RunCommand(e, words, std::cin, std::cout, std::cerr);
}
