#include "services/common/rpc/edge.h"

#include "services/common/base/metrics.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"

namespace pressrelay {
namespace {

constexpr absl::string_view kIdFields[] = {"statement_id", "draft_id", "id",         "code",
                                           "card_number",  "username", "recipient_id", "token_id",
                                           "subject_id",   "agency_code"};

std::string FindId(const google::protobuf::Message& message, int depth) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (absl::string_view name : kIdFields) {
    const auto* field = descriptor->FindFieldByName(std::string(name));
    if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !field->is_repeated()) {
      std::string value = reflection->GetString(message, field);
      if (!value.empty()) return value;
    }
  }
  if (depth == 0) return "";
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE || field->is_repeated()) continue;
    if (!reflection->HasField(message, field)) continue;
    std::string value = FindId(reflection->GetMessage(message, field), depth - 1);
    if (!value.empty()) return value;
  }
  return "";
}

}  // namespace

std::string AuditTarget(const google::protobuf::Message* request, const google::protobuf::Message* response) {
  // The response names what was created (a new statement's id); the request what was asked.
  std::string target = response != nullptr ? FindId(*response, 1) : "";
  if (target.empty() && request != nullptr) target = FindId(*request, 1);
  return target;
}

namespace {

// The methods a session may call before its second factor is enrolled.
bool EnrolsSecondFactor(absl::string_view method) {
  return method == "RegistryAdmin.GetMyAccount" || method == "RegistryAdmin.EnrollTotp" ||
         method == "RegistryAdmin.ConfirmTotp";
}

}  // namespace

absl::Status AdmitSession(Edge& edge, const std::string& gateway_token, absl::string_view method,
                          Principal* person) {
  if (gateway_token.empty()) {
    return absl::UnauthenticatedError("a session is accepted only through the admin gateway");
  }
  auto gateway = edge.auth->Authenticate(gateway_token);
  if (!gateway.ok() || gateway->role() != pressrelay::common::v1::ROLE_GATEWAY) {
    return absl::UnauthenticatedError("a session is accepted only through the admin gateway");
  }
  person->set_via_gateway(gateway->id());
  if (person->second_factor_pending() && !EnrolsSecondFactor(method)) {
    return absl::PermissionDeniedError("enrol a second factor (TOTP) first: operators must use one");
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> Admit(Edge& edge, const std::string& token, const std::string& gateway_token,
                                absl::string_view method) {
  if (edge.gate != nullptr && !edge.gate->open()) return absl::UnavailableError("the service is starting; retry shortly");
  auto principal = edge.auth->Authenticate(token);
  if (!principal.ok()) return principal.status();
  PR_ASSIGN_OR_RETURN(Principal admitted, AdmitAuthenticated(edge, *std::move(principal), gateway_token, method));
  if (edge.limits != nullptr) PR_RETURN_IF_ERROR(edge.limits->Admit(admitted));
  return admitted;
}

absl::StatusOr<Principal> AdmitAuthenticated(Edge& edge, Principal principal, const std::string& gateway_token,
                                             absl::string_view method) {
  if (auto s = Authorize(principal, method); !s.ok()) return s;
  if (principal.session()) {
    PR_RETURN_IF_ERROR(AdmitSession(edge, gateway_token, method, &principal));
  } else if (!gateway_token.empty()) {
    // The gateway calls only as a signed-in person: its header beside anything but a session is
    // someone mixing credentials, never the gateway.
    return absl::UnauthenticatedError("through the admin gateway, only a signed-in person's session is accepted");
  }
  return principal;
}

absl::Status Overloaded(const WorkerPool& pool) {
  return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat("the service is at capacity (", pool.backlog(),
                                                                  " calls waiting); retry shortly")),
                        absl::Seconds(1));
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const auto& slice : slices) out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return out;
}

void RecordAudit(Edge& edge, const CallInfo& call, const Principal* principal, const absl::Status& outcome) {
  if (edge.audit == nullptr) return;
  AuditEntry entry;
  *entry.mutable_at() = ToProto(absl::Now());
  entry.set_method(call.method);
  entry.set_request_id(call.request_id);
  if (principal != nullptr) {
    entry.set_principal_id(principal->id());
    entry.set_role(principal->role());
    entry.set_token_id(principal->token_id());
    entry.set_via_gateway(principal->via_gateway());
  }
  entry.set_peer(call.peer);
  entry.set_target(AuditTarget(call.request, outcome.ok() ? call.response : nullptr));
  entry.set_outcome(absl::StatusCodeToString(outcome.code()));
  entry.set_outcome_message(std::string(outcome.message()));
  if (auto s = edge.audit->Record(std::move(entry)); !s.ok()) {
    // The change (if any) is done; what we cannot do is record it. Operators must know.
    spdlog::error("audit: could not record {} by {}: {}", call.method, principal ? principal->id() : "?",
                  s.ToString());
  }
}

namespace {

metrics::Family& RpcRequests() {
  static metrics::Family& family = metrics::Registry::Default().CounterFamily(
      "pressrelay_rpc_requests_total", "calls answered, by method (Service.Method) and gRPC status code",
      {"method", "code"});
  return family;
}

metrics::Family& RpcDurations() {
  static metrics::Family& family = metrics::Registry::Default().HistogramFamily(
      "pressrelay_rpc_duration_seconds", "time from a call's arrival to its answer, by method",
      metrics::LatencyBuckets(), {"method"});
  return family;
}

}  // namespace

void RecordRpc(const std::string& method, absl::StatusCode code, absl::Duration elapsed) {
  RpcRequests().CounterWith({method, absl::StatusCodeToString(code)}).Add();
  RpcDurations().HistogramWith({method}).Observe(absl::ToDoubleSeconds(elapsed));
}

void LogCall(const CallInfo& call, const Principal* principal, const absl::Status& outcome, absl::Duration elapsed) {
  const auto level = Mutates(call.method) ? spdlog::level::info : spdlog::level::debug;
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{} by {}: {} in {:.1f} ms", call.method, principal != nullptr ? principal->id() : "-",
              absl::StatusCodeToString(outcome.code()), absl::ToDoubleMilliseconds(elapsed));
}

void RecordStreamEnd(const std::string& method, absl::StatusCode code) {
  RpcRequests().CounterWith({method, absl::StatusCodeToString(code)}).Add();
}

}  // namespace pressrelay
