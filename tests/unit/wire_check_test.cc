// Why bytes do not parse, named for the client: the field whose text is not UTF-8 (with its
// path and index), nesting past protobuf's limit, and bytes that stop mid-field.
#include "services/common/rpc/wire_check.h"

#include <gtest/gtest.h>

#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/status.h"

namespace pressrelay {
namespace {

namespace dist = pressrelay::distribution::v1;

std::string Corrupt(std::string bytes, const std::string& marker) {
  const size_t at = bytes.find(marker);
  EXPECT_NE(at, std::string::npos);
  for (size_t i = 0; i < marker.size(); ++i) bytes[at + i] = '\xff';
  return bytes;
}

TEST(WireCheck, NamesTheFieldWhoseTextIsNotUtf8WithItsIndex) {
  dist::PublishRequest request;
  request.mutable_draft()->set_headline("Bộ Y tế");
  request.mutable_draft()->add_subjects()->set_code("health");
  request.mutable_draft()->add_subjects()->set_code("MARKER");
  const std::string bytes = Corrupt(request.SerializeAsString(), "MARKER");
  dist::PublishRequest parsed;
  absl::Status status = ParseRequest(bytes, &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(status), "draft.subjects[1].code");
  EXPECT_NE(status.message().find("is not valid UTF-8"), absl::string_view::npos) << status;
}

TEST(WireCheck, GoodBytesParse) {
  dist::PublishRequest request;
  request.mutable_draft()->set_headline("Thông cáo báo chí");
  dist::PublishRequest parsed;
  EXPECT_TRUE(ParseRequest(request.SerializeAsString(), &parsed).ok());
  EXPECT_EQ(parsed.draft().headline(), "Thông cáo báo chí");
}

TEST(WireCheck, TruncatedBytesAreNamedByTheFieldTheyStopIn) {
  dist::PublishRequest request;
  request.mutable_draft()->set_body(std::string(100, 'x'));
  std::string bytes = request.SerializeAsString();
  bytes.resize(bytes.size() - 10);
  dist::PublishRequest parsed;
  absl::Status status = ParseRequest(bytes, &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(status), "draft");
  EXPECT_NE(status.message().find("is truncated"), absl::string_view::npos) << status;
}

TEST(WireCheck, NestingPastTheLimitIsSaid) {
  std::string bytes;
  for (int i = 0; i < 120; ++i) bytes += "\xc3\x3e";  // start group, field 1000 (varint 0x1f43)
  for (int i = 0; i < 120; ++i) bytes += "\xc4\x3e";  // end group
  pressrelay::registry::v1::UpsertAgencyRequest parsed;
  absl::Status status = ParseRequest(bytes, &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(status), "request");
  EXPECT_NE(status.message().find("nests more than 100 levels deep"), absl::string_view::npos) << status;
}

TEST(WireCheck, AnyBytesGetAnAnswerNeverACrash) {
  // A few shapes of garbage: each is either read or refused with INVALID_ARGUMENT.
  for (const std::string& bytes : {std::string("\x0a\xff\xff\xff\xff\x0f", 6), std::string("\x00", 1),
                                   std::string("\x0c", 1), std::string("\x0b\x0b\x0b", 3), std::string("\x0f", 1)}) {
    dist::PublishRequest parsed;
    absl::Status status = ParseRequest(bytes, &parsed);
    EXPECT_TRUE(status.ok() || status.code() == absl::StatusCode::kInvalidArgument) << status;
  }
}

}  // namespace
}  // namespace pressrelay
