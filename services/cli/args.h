// A small command-line reader for the CLI's sub-commands: positional words and
// "--name value" / "--name=value" / "--flag" options.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace pressrelay::cli {

class Args {
 public:
  // `boolean` names options that take no value.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& words, const std::vector<std::string>& boolean);

  const std::vector<std::string>& positional() const { return positional_; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> options_;
};

}  // namespace pressrelay::cli
