#include "services/common/status.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pressrelay {
namespace {

constexpr absl::string_view kTypePrefix = "type.googleapis.com/";
const std::string kBadRequestUrl = absl::StrCat(kTypePrefix, "google.rpc.BadRequest");
const std::string kRetryInfoUrl = absl::StrCat(kTypePrefix, "google.rpc.RetryInfo");

}  // namespace


void FieldViolations::Add(absl::string_view field, absl::string_view description) {
  fields_.emplace_back(std::string(field), std::string(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (fields_.empty()) return absl::OkStatus();
  std::string message = absl::StrCat(fields_[0].first, ": ", fields_[0].second);
  if (fields_.size() > 1) absl::StrAppend(&message, " (and ", fields_.size() - 1, " more)");
  absl::Status status(absl::StatusCode::kInvalidArgument, message);
  google::rpc::BadRequest bad;
  for (const auto& [field, description] : fields_) {
    auto* violation = bad.add_field_violations();
    violation->set_field(field);
    violation->set_description(description);
  }
  status.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
  return status;
}

absl::Status FieldError(absl::string_view field, absl::string_view description) {
  FieldViolations violations;
  violations.Add(field, description);
  return violations.ToStatus();
}

std::string ErrorField(const absl::Status& status) {
  auto payload = status.GetPayload(kBadRequestUrl);
  if (!payload) return "";
  google::rpc::BadRequest bad;
  if (!bad.ParseFromString(std::string(*payload)) || bad.field_violations_size() == 0) return "";
  return bad.field_violations(0).field();
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t ms = absl::ToInt64Milliseconds(delay);
  info.mutable_retry_delay()->set_seconds(ms / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
  status.SetPayload(kRetryInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(message);
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    auto* any = rich.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(payload));
  });
  if (rich.details_size() == 0) return grpc::Status(code, message);
  return grpc::Status(code, message, rich.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace pressrelay
