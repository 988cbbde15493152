// How the distribution and subscription services ask the registry. The interface keeps
// their logic free of gRPC; GrpcDirectoryClient is the real thing, tests may fake it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/rpc/auth.h"

namespace pressrelay {

namespace registry_v1 = pressrelay::registry::v1;

class DirectoryClient : public Authenticator, public BatchAuthenticator {
 public:
  // OK with the spokesperson and agency records if the person may speak for the agency at
  // `at`; PERMISSION_DENIED saying why otherwise.
  virtual absl::StatusOr<registry_v1::CheckSpeakerResponse> CheckSpeaker(
      const std::string& spokesperson_id, const std::string& agency_code, absl::Time at) = 0;
  virtual absl::StatusOr<std::vector<registry_v1::AudienceMember>> MatchAudience(
      const registry_v1::StatementAudienceQuery& query) = 0;
  virtual absl::StatusOr<std::vector<registry_v1::RecipientInfo>> GetRecipients(
      const std::vector<std::string>& recipient_ids) = 0;
  virtual absl::StatusOr<registry_v1::Subscription> GetSubscription(const std::string& recipient_id) = 0;
  virtual absl::Status PublishAgencyKeys(const std::vector<registry_v1::AgencyKey>& keys) = 0;
};

class GrpcDirectoryClient : public DirectoryClient {
 public:
  // `service_token` authenticates this service to the registry.
  GrpcDirectoryClient(std::shared_ptr<grpc::Channel> channel, std::string service_token,
                      absl::Duration deadline = absl::Seconds(5));

  absl::StatusOr<Principal> Authenticate(absl::string_view token) override;
  absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(
      const std::vector<std::string>& tokens) override;
  absl::StatusOr<registry_v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                                 const std::string& agency_code,
                                                                 absl::Time at) override;
  absl::StatusOr<std::vector<registry_v1::AudienceMember>> MatchAudience(
      const registry_v1::StatementAudienceQuery& query) override;
  absl::StatusOr<std::vector<registry_v1::RecipientInfo>> GetRecipients(
      const std::vector<std::string>& recipient_ids) override;
  absl::StatusOr<registry_v1::Subscription> GetSubscription(const std::string& recipient_id) override;
  absl::Status PublishAgencyKeys(const std::vector<registry_v1::AgencyKey>& keys) override;

  grpc::Channel& channel() { return *channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<registry_v1::Directory::Stub> stub_;
  const std::string service_token_;
  const absl::Duration deadline_;
};

}  // namespace pressrelay
