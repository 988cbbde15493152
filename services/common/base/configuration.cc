#include "services/common/base/configuration.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status.h"

namespace pressrelay {

std::string FlagEnvName(absl::string_view flag_name) {
  return absl::StrCat("PRESSRELAY_", absl::AsciiStrToUpper(std::string(flag_name)));
}

std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  // The environment first, so that the command line, parsed after, wins.
  for (auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired()) continue;
    const std::string env = FlagEnvName(name);
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::cerr << "bad value in " << env << " for --" << name << ": " << error << "\n";
      std::exit(2);
    }
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  // Every numeric flag's range (flag_range.h), before anything starts.
  if (absl::Status ranges = CheckFlagRanges(); !ranges.ok()) {
    std::cerr << "bad configuration: " << ranges.message() << "\n";
    std::exit(2);
  }
  return rest;
}

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text, absl::string_view flag_name) {
  HostPort out;
  absl::string_view port_text = text;
  const size_t colon = text.rfind(':');
  if (colon != absl::string_view::npos) {
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) out.host = "127.0.0.1";
  if (!absl::SimpleAtoi(port_text, &out.port) || out.port < 0 || out.port > 65535) {
    return FieldError(flag_name, absl::StrCat("expected host:port, got \"", text, "\""));
  }
  return out;
}

absl::Status CheckPeerAddress(absl::string_view text, absl::string_view flag_name) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  for (absl::string_view part : parts) {
    auto hp = ParseHostPort(part, flag_name);
    if (!hp.ok()) return hp.status();
    if (parts.size() > 1) {
      bool ipv4 = !hp->host.empty();
      int dots = 0;
      for (char c : hp->host) {
        if (c == '.') ++dots;
        else if (c < '0' || c > '9') ipv4 = false;
      }
      if (!ipv4 || dots != 3 || hp->port == 0) {
        return FieldError(flag_name, absl::StrCat("several replicas are IPv4 \"a.b.c.d:port\" addresses, comma-separated; got \"",
                                                  part, "\" (or give one DNS name that resolves to them all)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace pressrelay
