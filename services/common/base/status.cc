#include "services/common/base/status.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace pressrelay {
namespace {

constexpr absl::string_view kTypePrefix = "type.googleapis.com/";
const std::string kBadRequestUrl = absl::StrCat(kTypePrefix, "google.rpc.BadRequest");
const std::string kRetryInfoUrl = absl::StrCat(kTypePrefix, "google.rpc.RetryInfo");

// Cuts UTF-8 text to at most `max` bytes, at a character boundary.
std::string Clip(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), "…");
}

}  // namespace

void FieldViolations::Add(absl::string_view field, absl::string_view description) {
  fields_.emplace_back(std::string(field), std::string(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (fields_.empty()) return absl::OkStatus();
  std::string message =
      absl::StrCat(Clip(fields_[0].first, kMaxFieldBytes), ": ", Clip(fields_[0].second, kMaxDescriptionBytes));
  const size_t listed = std::min(fields_.size(), kMaxListed);
  if (fields_.size() > 1) absl::StrAppend(&message, " (and ", fields_.size() - 1, " more)");
  if (listed < fields_.size()) {
    absl::StrAppend(&message, "; the details list the first ", listed, " of ", fields_.size());
  }
  absl::Status status(absl::StatusCode::kInvalidArgument, message);
  // The details travel in a response header: keep them well inside the 8 KiB a default
  // client accepts (gRPC's default max metadata size), whatever was sent.
  google::rpc::BadRequest bad;
  for (size_t i = 0; i < listed; ++i) {
    auto* violation = bad.add_field_violations();
    violation->set_field(Clip(fields_[i].first, kMaxFieldBytes));
    violation->set_description(Clip(fields_[i].second, kMaxDescriptionBytes));
  }
  if (listed < fields_.size()) {
    auto* more = bad.add_field_violations();
    more->set_field(Clip(fields_[listed].first, kMaxFieldBytes));
    more->set_description(absl::StrCat("and ", fields_.size() - listed, " more violations not listed"));
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

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace pressrelay
