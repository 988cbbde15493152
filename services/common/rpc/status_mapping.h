// The one mapping between absl::Status (inside every service) and grpc::Status (on the
// wire): same code and message, absl payloads as google.rpc.Status details. The gRPC edge
// (edge.h, the streams) calls ToGrpcStatus to answer; clients of other services call
// FromGrpcStatus on what they get back. Nothing else builds a grpc::Status.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace pressrelay {

// The mapping to the wire: same code and message, payloads as google.rpc details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse, for a client reading another service's answer: code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace pressrelay
