// Errors inside every service: absl::Status, with the google.rpc details a caller acts on as
// payloads: a google.rpc.BadRequest so that INVALID_ARGUMENT always names the field, a
// google.rpc.RetryInfo so that RESOURCE_EXHAUSTED says when to retry. No gRPC here: the one
// mapping to grpc::Status is rpc/status_mapping.h, used only at the gRPC edge.
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

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

// Adds context to a status while keeping its code and payloads.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace pressrelay
