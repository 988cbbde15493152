// Logging: spdlog to stderr, one line per event, service name in every line.
// Never log tokens, keys or statement bodies; log ids.
//
// Two formats (--log_format): "json", one object a line for the log pipeline:
//   {"time":"2026-12-05T10:00:00.123Z","level":"info","service":"distribution",
//    "message":"fan-out ...","request_id":"5f0c..."}
// (request_id when the line was written on behalf of a request, request_id.h), and "text"
// for a terminal: "2026-12-05T10:00:00.123Z I distribution [5f0c...] fan-out ...".
// "auto" is text on a terminal and JSON otherwise.
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace pressrelay {

// Sets the format ("json", "text" or "auto") and level ("debug", "info", "warn", "error").
void InitLogging(absl::string_view service, absl::string_view level, absl::string_view format = "auto");

// The JSON line formatter (exposed for its unit test).
std::unique_ptr<spdlog::formatter> MakeJsonFormatter(std::string service);

}  // namespace pressrelay
