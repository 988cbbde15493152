// The registry's gRPC edge: RegistryAdmin for operators and Directory for the other
// services. Each handler authenticates, checks the access policy and hands the work to a
// worker; the logic is in Registry.
#pragma once

#include "pressrelay/registry/v1/registry.grpc.pb.h"
#include "services/common/edge.h"
#include "services/common/worker_pool.h"
#include "services/registry/registry.h"
#include "services/registry/revocation_feed.h"

namespace pressrelay::registry {

class RegistryAdminService final : public v1::RegistryAdmin::CallbackService {
 public:
  RegistryAdminService(Registry* registry, Edge* edge) : registry_(registry), edge_(edge) {}

  grpc::ServerUnaryReactor* UpsertAgency(grpc::CallbackServerContext* ctx, const v1::UpsertAgencyRequest* request,
                                         v1::UpsertAgencyResponse* response) override;
  grpc::ServerUnaryReactor* GetAgency(grpc::CallbackServerContext* ctx, const v1::GetAgencyRequest* request,
                                      v1::Agency* response) override;
  grpc::ServerUnaryReactor* ListAgencies(grpc::CallbackServerContext* ctx, const v1::ListAgenciesRequest* request,
                                         v1::ListAgenciesResponse* response) override;
  grpc::ServerUnaryReactor* UpsertSpokesperson(grpc::CallbackServerContext* ctx,
                                               const v1::UpsertSpokespersonRequest* request,
                                               v1::UpsertSpokespersonResponse* response) override;
  grpc::ServerUnaryReactor* ListSpokespeople(grpc::CallbackServerContext* ctx,
                                             const v1::ListSpokespeopleRequest* request,
                                             v1::ListSpokespeopleResponse* response) override;
  grpc::ServerUnaryReactor* UpsertOutlet(grpc::CallbackServerContext* ctx, const v1::UpsertOutletRequest* request,
                                         v1::UpsertOutletResponse* response) override;
  grpc::ServerUnaryReactor* ListOutlets(grpc::CallbackServerContext* ctx, const v1::ListOutletsRequest* request,
                                        v1::ListOutletsResponse* response) override;
  grpc::ServerUnaryReactor* UpsertJournalist(grpc::CallbackServerContext* ctx,
                                             const v1::UpsertJournalistRequest* request,
                                             v1::UpsertJournalistResponse* response) override;
  grpc::ServerUnaryReactor* ListJournalists(grpc::CallbackServerContext* ctx,
                                            const v1::ListJournalistsRequest* request,
                                            v1::ListJournalistsResponse* response) override;
  grpc::ServerUnaryReactor* UpsertNewsroomClient(grpc::CallbackServerContext* ctx,
                                                 const v1::UpsertNewsroomClientRequest* request,
                                                 v1::UpsertNewsroomClientResponse* response) override;
  grpc::ServerUnaryReactor* ListNewsroomClients(grpc::CallbackServerContext* ctx,
                                                const v1::ListNewsroomClientsRequest* request,
                                                v1::ListNewsroomClientsResponse* response) override;
  grpc::ServerUnaryReactor* SetSubscription(grpc::CallbackServerContext* ctx,
                                            const v1::SetSubscriptionRequest* request,
                                            v1::SetSubscriptionResponse* response) override;
  grpc::ServerUnaryReactor* GetSubscription(grpc::CallbackServerContext* ctx,
                                            const v1::GetSubscriptionRequest* request,
                                            v1::Subscription* response) override;
  grpc::ServerUnaryReactor* ImportRecipients(grpc::CallbackServerContext* ctx,
                                             const v1::ImportRecipientsRequest* request,
                                             v1::ImportRecipientsResponse* response) override;
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* ctx, const v1::IssueTokenRequest* request,
                                       v1::IssueTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* ctx, const v1::RevokeTokenRequest* request,
                                        v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* ctx, const v1::ListTokensRequest* request,
                                       v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* QueryAudit(grpc::CallbackServerContext* ctx, const v1::QueryAuditRequest* request,
                                       v1::QueryAuditResponse* response) override;

 private:
  Registry* const registry_;
  Edge* const edge_;
};

class DirectoryService final : public v1::Directory::CallbackService {
 public:
  DirectoryService(Registry* registry, RevocationFeed* revocations, Edge* edge)
      : registry_(registry), revocations_(revocations), edge_(edge) {}

  grpc::ServerUnaryReactor* Authenticate(grpc::CallbackServerContext* ctx, const v1::AuthenticateRequest* request,
                                         v1::AuthenticateResponse* response) override;
  grpc::ServerUnaryReactor* CheckSpeaker(grpc::CallbackServerContext* ctx, const v1::CheckSpeakerRequest* request,
                                         v1::CheckSpeakerResponse* response) override;
  grpc::ServerUnaryReactor* MatchAudience(grpc::CallbackServerContext* ctx,
                                          const v1::StatementAudienceQuery* request,
                                          v1::MatchAudienceResponse* response) override;
  grpc::ServerUnaryReactor* GetRecipients(grpc::CallbackServerContext* ctx, const v1::GetRecipientsRequest* request,
                                          v1::GetRecipientsResponse* response) override;
  grpc::ServerUnaryReactor* GetSubscription(grpc::CallbackServerContext* ctx,
                                            const v1::GetSubscriptionRequest* request,
                                            v1::Subscription* response) override;
  grpc::ServerUnaryReactor* PublishAgencyKeys(grpc::CallbackServerContext* ctx,
                                              const v1::PublishAgencyKeysRequest* request,
                                              v1::PublishAgencyKeysResponse* response) override;
  grpc::ServerWriteReactor<v1::Revocation>* WatchRevocations(grpc::CallbackServerContext* ctx,
                                                             const v1::WatchRevocationsRequest* request) override;

 private:
  Registry* const registry_;
  RevocationFeed* const revocations_;
  Edge* const edge_;
};

class KeysService final : public v1::Keys::CallbackService {
 public:
  KeysService(Registry* registry, Edge* edge) : registry_(registry), edge_(edge) {}
  grpc::ServerUnaryReactor* ListAgencyKeys(grpc::CallbackServerContext* ctx, const v1::ListAgencyKeysRequest* request,
                                           v1::ListAgencyKeysResponse* response) override;

 private:
  Registry* const registry_;
  Edge* const edge_;
};

// The registry answering token questions about its own callers, without a network hop.
class LocalAuthenticator final : public Authenticator {
 public:
  explicit LocalAuthenticator(Registry* registry) : registry_(registry) {}
  absl::StatusOr<Principal> Authenticate(absl::string_view token) override {
    return registry_->Authenticate(token, absl::Now());
  }

 private:
  Registry* const registry_;
};

}  // namespace pressrelay::registry
