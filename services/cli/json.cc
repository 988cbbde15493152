#include "services/cli/json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace pressrelay::cli {

absl::Status FromJson(const std::string& text, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(text, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid ", message->GetDescriptor()->name(), " in JSON: ", status.message().as_string()));
  }
  return absl::OkStatus();
}

namespace {

std::string Print(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace

std::string ToJsonLine(const google::protobuf::Message& message) { return Print(message, false); }
std::string ToJsonPretty(const google::protobuf::Message& message) { return Print(message, true); }

absl::StatusOr<pressrelay::distribution::v1::StatementDraft> ParseDraftJson(const std::string& text) {
  pressrelay::distribution::v1::StatementDraft draft;
  if (auto s = FromJson(text, &draft); !s.ok()) return s;
  return draft;
}

}  // namespace pressrelay::cli
