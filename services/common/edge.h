// The gRPC edge every service shares: each unary handler is one RunAuthorized call that, on a
// worker (never on the reactor thread), authenticates the caller, applies the access policy
// (access_policy.h), counts the call against the caller's rate limit, runs the logic, and
// for state-changing calls appends the outcome to the audit trail.
#pragma once

#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/string_view.h"
#include "services/common/access_policy.h"
#include "services/common/audit.h"
#include "services/common/auth.h"
#include "services/common/grpc_util.h"
#include "services/common/rate_limit.h"
#include "services/common/worker_pool.h"

namespace pressrelay {

struct Edge {
  WorkerPool* pool = nullptr;
  Authenticator* auth = nullptr;
  RateLimiter* limits = nullptr;  // null: no limits
  AuditLog* audit = nullptr;      // null: no audit trail
};

// What a call was about: the first id-like field (statement_id, id, code, card_number,
// recipient_id, token_id, subject_id, agency_code) of the response, else of the request, at
// the top level or one level down. Never a token: no such field is named here.
std::string AuditTarget(const google::protobuf::Message* request, const google::protobuf::Message* response);

// The caller as far as it is known, before or after authentication.
struct CallInfo {
  std::string method;
  std::string peer;
  const google::protobuf::Message* request = nullptr;
  const google::protobuf::Message* response = nullptr;
};
void RecordAudit(Edge& edge, const CallInfo& call, const Principal* principal, const absl::Status& outcome);

// Authenticates, authorises and rate-limits the caller, then runs the logic.
absl::StatusOr<Principal> Admit(Edge& edge, const std::string& token, const std::string& act_as,
                                absl::string_view method);

// The unary handler: `work(const Principal&)` returns absl::Status. Pass the request and
// response of state-changing calls so the audit entry names its target.
template <typename Work>
grpc::ServerUnaryReactor* RunAuthorized(grpc::CallbackServerContext* ctx, Edge& edge, absl::string_view method,
                                        Work work, const google::protobuf::Message* request = nullptr,
                                        const google::protobuf::Message* response = nullptr) {
  // Only state-changing calls are audited; reads need no peer address.
  const bool audited = Mutates(method);
  CallInfo call{std::string(method), audited ? ctx->peer() : std::string(), request, response};
  return FinishOnPool(ctx, *edge.pool,
                      [&edge, audited, call = std::move(call), token = BearerToken(*ctx), act_as = ActAs(*ctx),
                       work = std::move(work)]() mutable -> absl::Status {
                        auto principal = Admit(edge, token, act_as, call.method);
                        absl::Status outcome = principal.ok() ? work(*principal) : principal.status();
                        if (audited) RecordAudit(edge, call, principal.ok() ? &*principal : nullptr, outcome);
                        return outcome;
                      });
}

}  // namespace pressrelay
