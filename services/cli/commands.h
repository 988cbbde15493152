// The `pressrelay` command: registry administration, publishing and revising statements,
// reading them, and subscribing as a newsroom. Every command talks gRPC to the services;
// errors print the server's status and message and exit non-zero.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pressrelay::cli {

struct Endpoints {
  std::string registry = "127.0.0.1:7401";
  std::string distribution = "127.0.0.1:7402";
  std::string subscription = "127.0.0.1:7403";
  std::string token;
  std::string ca_file, cert_file, key_file, server_name;
};

// Runs one command (argv without the program name). Returns the exit code.
int RunCommand(const Endpoints& endpoints, const std::vector<std::string>& words, std::istream& in,
               std::ostream& out, std::ostream& err);

// The usage text.
std::string Usage();

}  // namespace pressrelay::cli
