// How the distribution and subscription services ask the registry. The interface keeps
// their logic free of gRPC; GrpcDirectoryClient is the real thing, tests may fake it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/auth.h"

namespace pressrelay {

namespace registry_v1 = pressrelay::registry::v1;

// The subject codes of the statement text a call issues, for CheckSpeaker; nullopt when it
// issues none (a draft returned or previewed, a kill that leaves the text as it was).
using IssuedTopics = std::optional<std::vector<std::string>>;
// The codes of a draft's `subjects`; null (no text issued) gives nullopt.
IssuedTopics SubjectCodes(const google::protobuf::RepeatedPtrField<pressrelay::common::v1::Subject>* subjects);

class DirectoryClient : public Authenticator, public BatchAuthenticator {
 public:
  // OK with the spokesperson and agency records if the person may speak for the agency at
  // `at` on a statement with these subjects (a person authorised on one matter only on its
  // topics); PERMISSION_DENIED saying why otherwise.
  virtual absl::StatusOr<registry_v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                                         const std::string& agency_code, absl::Time at,
                                                                         const IssuedTopics& topics) = 0;
  // The same for a call that issues no statement text: the person, the agency, the period.
  absl::StatusOr<registry_v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                                 const std::string& agency_code, absl::Time at) {
    return CheckSpeaker(spokesperson_id, agency_code, at, std::nullopt);
  }
  virtual absl::StatusOr<std::vector<registry_v1::AudienceMember>> MatchAudience(
      const registry_v1::StatementAudienceQuery& query) = 0;
  virtual absl::StatusOr<std::vector<registry_v1::RecipientInfo>> GetRecipients(
      const std::vector<std::string>& recipient_ids) = 0;
  virtual absl::StatusOr<registry_v1::Subscription> GetSubscription(const std::string& recipient_id) = 0;
  virtual absl::Status PublishAgencyKeys(const std::vector<registry_v1::AgencyKey>& keys) = 0;
  // Every agency (the obligations report walks them).
  virtual absl::StatusOr<std::vector<registry_v1::Agency>> ListAgencies() = 0;
};

class GrpcDirectoryClient : public DirectoryClient {
 public:
  // `service_token` authenticates this service to the registry.
  GrpcDirectoryClient(std::shared_ptr<grpc::Channel> channel, std::string service_token,
                      absl::Duration deadline = absl::Seconds(5));

  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens) override;
  using DirectoryClient::CheckSpeaker;
  absl::StatusOr<registry_v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                                 const std::string& agency_code, absl::Time at,
                                                                 const IssuedTopics& topics) override;
  absl::StatusOr<std::vector<registry_v1::AudienceMember>> MatchAudience(
      const registry_v1::StatementAudienceQuery& query) override;
  absl::StatusOr<std::vector<registry_v1::RecipientInfo>> GetRecipients(
      const std::vector<std::string>& recipient_ids) override;
  absl::StatusOr<registry_v1::Subscription> GetSubscription(const std::string& recipient_id) override;
  absl::Status PublishAgencyKeys(const std::vector<registry_v1::AgencyKey>& keys) override;
  absl::StatusOr<std::vector<registry_v1::Agency>> ListAgencies() override;

  grpc::Channel& channel() { return *channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<registry_v1::Directory::Stub> stub_;
  std::unique_ptr<registry_v1::RegistryAdmin::Stub> admin_;  // the registry's reads services may make
  const std::string service_token_;
  const absl::Duration deadline_;
};

}  // namespace pressrelay
