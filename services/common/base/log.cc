#include "services/common/base/log.h"

#include <unistd.h>

#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "services/common/base/request_id.h"

namespace pressrelay {
namespace {

void AppendJsonString(absl::string_view text, spdlog::memory_buf_t& dest) {
  dest.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      default:
        if (c < 0x20) {
          const std::string escaped = absl::StrFormat("\\u%04x", c);
          dest.append(std::string_view(escaped));
        } else {
          dest.push_back(static_cast<char>(c));  // UTF-8 passes as it is
        }
    }
  }
  dest.push_back('"');
}

class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const absl::Time at = absl::FromChrono(msg.time);
    const std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone());
    const auto level = spdlog::level::to_string_view(msg.level);
    dest.append(std::string_view("{\"time\":"));
    AppendJsonString(time, dest);
    dest.append(std::string_view(",\"level\":"));
    AppendJsonString(absl::string_view(level.data(), level.size()), dest);
    dest.append(std::string_view(",\"service\":"));
    AppendJsonString(service_, dest);
    dest.append(std::string_view(",\"message\":"));
    AppendJsonString(absl::string_view(msg.payload.data(), msg.payload.size()), dest);
    if (const std::string& id = CurrentRequestId(); !id.empty()) {
      dest.append(std::string_view(",\"request_id\":"));
      AppendJsonString(id, dest);
    }
    dest.append(std::string_view("}\n"));
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(service_); }

 private:
  const std::string service_;
};

// "[<request id>] " in text lines written on behalf of a request.
class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string& id = CurrentRequestId();
    if (id.empty()) return;
    dest.push_back('[');
    dest.append(std::string_view(id));
    dest.append(std::string_view("] "));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeJsonFormatter(std::string service) {
  return std::make_unique<JsonFormatter>(std::move(service));
}

void InitLogging(absl::string_view service, absl::string_view level, absl::string_view format) {
  auto logger = spdlog::stderr_logger_mt(std::string(service));
  const bool json = format == "json" || (format == "auto" && isatty(STDERR_FILENO) == 0);
  if (json) {
    logger->set_formatter(MakeJsonFormatter(std::string(service)));
  } else {
    auto text = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    text->add_flag<RequestIdFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %L %n %*%v");
    logger->set_formatter(std::move(text));
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace pressrelay
