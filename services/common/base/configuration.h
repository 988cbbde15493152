// Flags with environment fallbacks, for Kubernetes.
//
// Every flag --foo_bar may also come from PRESSRELAY_FOO_BAR; the command line wins.
// Services read their flags once into a validated options struct at start-up.
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace pressrelay {

// Parses argv, then fills every flag not given on the command line from its
// PRESSRELAY_<NAME> environment variable. Exits with a message on a bad value.
std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, absl::string_view usage);

// The environment variable that backs a flag.
std::string FlagEnvName(absl::string_view flag_name);

// "host:port" split; a bare ":port" or "port" means 127.0.0.1.
struct HostPort {
  std::string host;
  int port = 0;
};
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text, absl::string_view flag_name);
// A peer service's address: one "host:port" (a DNS name that may resolve to every replica),
// or several replicas' "a.b.c.d:port" comma-separated (IPv4 literals: the channel then tries
// them in turn, rpc/grpc_util.h MakeChannel).
absl::Status CheckPeerAddress(absl::string_view text, absl::string_view flag_name);

// Reads a whole file (a token or key file mounted from a Kubernetes secret), trimming
// surrounding whitespace.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

}  // namespace pressrelay
