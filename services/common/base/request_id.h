// The request id: one id per request from a newsroom, a spokesperson's desk or an operator's
// CLI, carried in gRPC metadata (x-request-id, grpc_util.h) through every service the request
// touches, written in every log line (log.h) and in the audit entry of each call it made.
//
// Within a process it is the current thread's: the edge sets it (ScopedRequestId) while a
// worker handles a call, and every outgoing call made from that thread carries it on.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace pressrelay {

// A new id: 16 random hex digits.
std::string NewRequestId();

// Whether a caller's id may be kept as it is: 1-64 of [A-Za-z0-9._:-] (nothing that could
// forge a log line or a metadata value).
bool ValidRequestId(absl::string_view id);

// The current thread's id ("" outside a request).
const std::string& CurrentRequestId();

// Sets the current thread's id until the next call (a server thread that takes one request
// after another: the admin gateway's HTTP threads).
void SetCurrentRequestId(std::string id);

// Sets the current thread's id for its lifetime, then restores the previous one.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

}  // namespace pressrelay
