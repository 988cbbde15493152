#include "services/cli/args.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pressrelay::cli {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& words, const std::vector<std::string>& boolean) {
  Args args;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!absl::StartsWith(w, "--") || w == "--") {
      args.positional_.push_back(w);
      continue;
    }
    std::string name = w.substr(2);
    std::string value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (std::find(boolean.begin(), boolean.end(), name) != boolean.end()) {
      value = "true";
    } else {
      if (i + 1 >= words.size()) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      value = words[++i];
    }
    args.options_[name] = value;
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

absl::StatusOr<int64_t> Args::GetInt(const std::string& name, int64_t fallback) const {
  auto v = Get(name);
  if (!v) return fallback;
  int64_t out = 0;
  if (!absl::SimpleAtoi(*v, &out)) return absl::InvalidArgumentError(absl::StrCat("--", name, " must be a number"));
  return out;
}

}  // namespace pressrelay::cli
