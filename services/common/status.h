// Errors: absl::Status inside every service, grpc::Status only at the gRPC edge.
//
// ToGrpcStatus is the one mapping from the inside to the wire; handlers call it and
// nothing else builds a grpc::Status. FromGrpcStatus is its inverse for clients that call
// other services. Field errors travel as a google.rpc.BadRequest payload so that
// INVALID_ARGUMENT always names the field.
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include <grpcpp/support/status.h>

namespace pressrelay {

// INVALID_ARGUMENT naming `field` (a request path such as "draft.headline").
absl::Status FieldError(absl::string_view field, absl::string_view description);

// Collects every field error of a request, so one answer lists them all: the message names
// the first and counts the rest; the BadRequest details list at most kMaxListed (then one
// entry saying how many more), each clipped, so they fit a default client's 8 KiB of
// response headers.
class FieldViolations {
 public:
  static constexpr size_t kMaxListed = 20;
  static constexpr size_t kMaxFieldBytes = 128;
  static constexpr size_t kMaxDescriptionBytes = 200;

  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return fields_.empty(); }
  // OK if none; else INVALID_ARGUMENT naming the first field in the message and all of
  // them in the BadRequest details.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// The field a FieldError names, or "" for other statuses.
std::string ErrorField(const absl::Status& status);

// RESOURCE_EXHAUSTED (or UNAVAILABLE) carrying a google.rpc.RetryInfo hint.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The mapping to the wire: same code and message, payloads as google.rpc details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse, for a client reading another service's answer: code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Adds context to a status while keeping its code and payloads.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace pressrelay
