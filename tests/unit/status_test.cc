// The one mapping between absl::Status and grpc::Status keeps code, message and the
// field a bad request names.
#include "services/common/base/status.h"
#include "services/common/rpc/status_mapping.h"

#include <gtest/gtest.h>

namespace pressrelay {
namespace {

TEST(Status, FieldErrorsSurviveTheWire) {
  absl::Status inside = FieldError("draft.headline", "is required");
  grpc::Status wire = ToGrpcStatus(inside);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "draft.headline: is required");
  EXPECT_FALSE(wire.error_details().empty());
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(back), "draft.headline");
}

TEST(Status, CodesMapOneToOne) {
  for (auto code : {absl::StatusCode::kPermissionDenied, absl::StatusCode::kUnauthenticated,
                    absl::StatusCode::kResourceExhausted, absl::StatusCode::kOutOfRange,
                    absl::StatusCode::kFailedPrecondition, absl::StatusCode::kUnavailable}) {
    grpc::Status wire = ToGrpcStatus(absl::Status(code, "m"));
    EXPECT_EQ(static_cast<int>(wire.error_code()), static_cast<int>(code));
    EXPECT_EQ(FromGrpcStatus(wire).code(), code);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(Status, ViolationsListEveryField) {
  FieldViolations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("a", "bad");
  v.Add("b", "worse");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.message(), "a: bad (and 1 more)");
  EXPECT_EQ(ErrorField(s), "a");
}

TEST(Status, AnnotateKeepsCodeAndField) {
  absl::Status s = Annotate(FieldError("x", "y"), "registry");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "x");
  EXPECT_EQ(s.message(), "registry: x: y");
}

}  // namespace
}  // namespace pressrelay
