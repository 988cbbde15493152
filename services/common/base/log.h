// Logging: spdlog to stderr, one line per event, service name in every line.
// Never log tokens, keys or statement bodies; log ids.
#pragma once

#include "absl/strings/string_view.h"

#include <spdlog/spdlog.h>

namespace pressrelay {

// Sets the pattern and level ("debug", "info", "warn", "error").
void InitLogging(absl::string_view service, absl::string_view level);

}  // namespace pressrelay
