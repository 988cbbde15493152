#include "services/common/rpc/directory_client.h"

#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay {

GrpcDirectoryClient::GrpcDirectoryClient(std::shared_ptr<grpc::Channel> channel,
                                         std::string service_token, absl::Duration deadline)
    : channel_(std::move(channel)),
      stub_(registry_v1::Directory::NewStub(channel_)),
      admin_(registry_v1::RegistryAdmin::NewStub(channel_)),
      service_token_(std::move(service_token)),
      deadline_(deadline) {}

absl::StatusOr<Principal> GrpcDirectoryClient::Authenticate(absl::string_view token) {
  registry_v1::AuthenticateRequest request;
  request.set_token(std::string(token));
  registry_v1::AuthenticateResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->Authenticate(ctx.get(), request, &response);
  if (!status.ok()) {
    // Only the registry's verdict on the token is the caller's problem; anything else
    // (registry down) is ours.
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) return FromGrpcStatus(status);
    return Annotate(FromGrpcStatus(status), "registry");
  }
  return response.principal();
}

absl::StatusOr<std::vector<absl::StatusOr<Principal>>> GrpcDirectoryClient::AuthenticateBatch(
    const std::vector<std::string>& tokens) {
  registry_v1::AuthenticateBatchRequest request;
  for (const auto& token : tokens) request.add_tokens(token);
  registry_v1::AuthenticateBatchResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->AuthenticateBatch(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "registry");
  if (response.results_size() != static_cast<int>(tokens.size())) {
    return absl::InternalError("registry: AuthenticateBatch answered for another number of tokens");
  }
  std::vector<absl::StatusOr<Principal>> verdicts;
  verdicts.reserve(tokens.size());
  for (auto& result : *response.mutable_results()) {
    if (result.refused().empty()) {
      verdicts.push_back(std::move(*result.mutable_principal()));
    } else {
      verdicts.push_back(absl::UnauthenticatedError(result.refused()));
    }
  }
  return verdicts;
}

IssuedTopics SubjectCodes(const google::protobuf::RepeatedPtrField<pressrelay::common::v1::Subject>* subjects) {
  if (subjects == nullptr) return std::nullopt;
  std::vector<std::string> codes;
  codes.reserve(subjects->size());
  for (const auto& subject : *subjects) codes.push_back(subject.code());
  return codes;
}

absl::StatusOr<registry_v1::CheckSpeakerResponse> GrpcDirectoryClient::CheckSpeaker(
    const std::string& spokesperson_id, const std::string& agency_code, absl::Time at, const IssuedTopics& topics) {
  registry_v1::CheckSpeakerRequest request;
  request.set_spokesperson_id(spokesperson_id);
  request.set_agency_code(agency_code);
  *request.mutable_at() = ToProto(at);
  if (topics.has_value()) {
    request.mutable_topics()->Assign(topics->begin(), topics->end());
  } else {
    request.set_no_content(true);
  }
  registry_v1::CheckSpeakerResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->CheckSpeaker(ctx.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<std::vector<registry_v1::AudienceMember>> GrpcDirectoryClient::MatchAudience(
    const registry_v1::StatementAudienceQuery& query) {
  registry_v1::MatchAudienceResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->MatchAudience(ctx.get(), query, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "registry");
  // Moved, not copied: a statement for 100,000 recipients carries 100,000 of them.
  auto* members = response.mutable_members();
  return std::vector<registry_v1::AudienceMember>(std::make_move_iterator(members->begin()),
                                                  std::make_move_iterator(members->end()));
}

absl::StatusOr<std::vector<registry_v1::RecipientInfo>> GrpcDirectoryClient::GetRecipients(
    const std::vector<std::string>& recipient_ids) {
  registry_v1::GetRecipientsRequest request;
  for (const auto& id : recipient_ids) request.add_recipient_ids(id);
  registry_v1::GetRecipientsResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->GetRecipients(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "registry");
  return std::vector<registry_v1::RecipientInfo>(response.recipients().begin(),
                                                 response.recipients().end());
}

absl::StatusOr<registry_v1::Subscription> GrpcDirectoryClient::GetSubscription(
    const std::string& recipient_id) {
  registry_v1::GetSubscriptionRequest request;
  request.set_recipient_id(recipient_id);
  registry_v1::Subscription response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = stub_->GetSubscription(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "registry");
  return response;
}

absl::Status GrpcDirectoryClient::PublishAgencyKeys(const std::vector<registry_v1::AgencyKey>& keys) {
  registry_v1::PublishAgencyKeysRequest request;
  for (const auto& k : keys) *request.add_keys() = k;
  registry_v1::PublishAgencyKeysResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  return Annotate(FromGrpcStatus(stub_->PublishAgencyKeys(ctx.get(), request, &response)), "registry");
}

absl::StatusOr<std::vector<registry_v1::Agency>> GrpcDirectoryClient::ListAgencies() {
  registry_v1::ListAgenciesRequest request;
  registry_v1::ListAgenciesResponse response;
  auto ctx = CallContext(service_token_, deadline_);
  grpc::Status status = admin_->ListAgencies(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "registry");
  return std::vector<registry_v1::Agency>(response.agencies().begin(), response.agencies().end());
}

}  // namespace pressrelay
