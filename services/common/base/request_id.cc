#include "services/common/base/request_id.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace pressrelay {
namespace {

thread_local std::string current;

}  // namespace

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x", rng());
}

bool ValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

const std::string& CurrentRequestId() { return current; }

void SetCurrentRequestId(std::string id) { current = std::move(id); }

ScopedRequestId::ScopedRequestId(std::string id) : previous_(std::move(current)) { current = std::move(id); }

ScopedRequestId::~ScopedRequestId() { current = std::move(previous_); }

}  // namespace pressrelay
