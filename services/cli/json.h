// JSON in and out of the CLI: protobuf's JSON mapping (field names as in the .proto files,
// lowerCamelCase also accepted), strict about unknown fields so typos are caught.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pressrelay/distribution/v1/distribution.pb.h"

namespace pressrelay::cli {

absl::Status FromJson(const std::string& text, google::protobuf::Message* message);
// One line, snake_case field names.
std::string ToJsonLine(const google::protobuf::Message& message);
// Indented, for people.
std::string ToJsonPretty(const google::protobuf::Message& message);

// A statement draft as a spokesperson writes it (see README "Publishing").
absl::StatusOr<pressrelay::distribution::v1::StatementDraft> ParseDraftJson(const std::string& text);

}  // namespace pressrelay::cli
