#include "services/registry/registry_service.h"

#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "services/common/time_util.h"

namespace pressrelay::registry {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

// Each handler: RunAuthorized authenticates and applies the access policy on a worker,
// then the lambda calls the logic and fills the response.

ServerUnaryReactor* RegistryAdminService::UpsertAgency(CallbackServerContext* ctx,
                                                       const v1::UpsertAgencyRequest* request,
                                                       v1::UpsertAgencyResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.UpsertAgency", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_agency(), registry_->UpsertAgency(request->agency()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::GetAgency(CallbackServerContext* ctx, const v1::GetAgencyRequest* request,
                                                    v1::Agency* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.GetAgency", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->GetAgency(request->code()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::ListAgencies(CallbackServerContext* ctx, const v1::ListAgenciesRequest*,
                                                       v1::ListAgenciesResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListAgencies", [=, this](const Principal&) {
    for (auto& a : registry_->ListAgencies()) *response->add_agencies() = std::move(a);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertSpokesperson(CallbackServerContext* ctx,
                                                             const v1::UpsertSpokespersonRequest* request,
                                                             v1::UpsertSpokespersonResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.UpsertSpokesperson",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_spokesperson(),
                                             registry_->UpsertSpokesperson(request->spokesperson()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::ListSpokespeople(CallbackServerContext* ctx,
                                                           const v1::ListSpokespeopleRequest* request,
                                                           v1::ListSpokespeopleResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListSpokespeople", [=, this](const Principal&) {
    for (auto& s : registry_->ListSpokespeople(request->agency_code())) *response->add_spokespeople() = std::move(s);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertOutlet(CallbackServerContext* ctx,
                                                       const v1::UpsertOutletRequest* request,
                                                       v1::UpsertOutletResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.UpsertOutlet", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_outlet(), registry_->UpsertOutlet(request->outlet()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::ListOutlets(CallbackServerContext* ctx, const v1::ListOutletsRequest*,
                                                      v1::ListOutletsResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListOutlets", [=, this](const Principal&) {
    for (auto& o : registry_->ListOutlets()) *response->add_outlets() = std::move(o);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertJournalist(CallbackServerContext* ctx,
                                                           const v1::UpsertJournalistRequest* request,
                                                           v1::UpsertJournalistResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.UpsertJournalist",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_journalist(),
                                             registry_->UpsertJournalist(request->journalist()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::ListJournalists(CallbackServerContext* ctx,
                                                          const v1::ListJournalistsRequest* request,
                                                          v1::ListJournalistsResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListJournalists", [=, this](const Principal&) {
    for (auto& j : registry_->ListJournalists(request->outlet_id())) *response->add_journalists() = std::move(j);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertNewsroomClient(CallbackServerContext* ctx,
                                                               const v1::UpsertNewsroomClientRequest* request,
                                                               v1::UpsertNewsroomClientResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.UpsertNewsroomClient",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_client(),
                                             registry_->UpsertNewsroomClient(request->client()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::ListNewsroomClients(CallbackServerContext* ctx,
                                                              const v1::ListNewsroomClientsRequest* request,
                                                              v1::ListNewsroomClientsResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListNewsroomClients", [=, this](const Principal&) {
    for (auto& c : registry_->ListNewsroomClients(request->outlet_id())) *response->add_clients() = std::move(c);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::SetSubscription(CallbackServerContext* ctx,
                                                          const v1::SetSubscriptionRequest* request,
                                                          v1::SetSubscriptionResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.SetSubscription",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_subscription(),
                                             registry_->SetSubscription(request->subscription()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::GetSubscription(CallbackServerContext* ctx,
                                                          const v1::GetSubscriptionRequest* request,
                                                          v1::Subscription* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.GetSubscription",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, registry_->GetSubscription(request->recipient_id()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::ImportRecipients(CallbackServerContext* ctx,
                                                           const v1::ImportRecipientsRequest* request,
                                                           v1::ImportRecipientsResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ImportRecipients",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, registry_->ImportRecipients(*request));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::IssueToken(CallbackServerContext* ctx, const v1::IssueTokenRequest* request,
                                                     v1::IssueTokenResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.IssueToken", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->IssueToken(*request, absl::Now()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::RevokeToken(CallbackServerContext* ctx,
                                                      const v1::RevokeTokenRequest* request,
                                                      v1::RevokeTokenResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.RevokeToken", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_info(), registry_->RevokeToken(request->token_id(), absl::Now()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::ListTokens(CallbackServerContext* ctx, const v1::ListTokensRequest* request,
                                                     v1::ListTokensResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "RegistryAdmin.ListTokens", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(auto tokens, registry_->ListTokens(request->subject_id()));
    for (auto& t : tokens) *response->add_tokens() = std::move(t);
    return absl::OkStatus();
  });
}

// --- Directory ----------------------------------------------------------------------------

ServerUnaryReactor* DirectoryService::Authenticate(CallbackServerContext* ctx, const v1::AuthenticateRequest* request,
                                                   v1::AuthenticateResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.Authenticate", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_principal(), registry_->Authenticate(request->token(), absl::Now()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::CheckSpeaker(CallbackServerContext* ctx, const v1::CheckSpeakerRequest* request,
                                                   v1::CheckSpeakerResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.CheckSpeaker", [=, this](const Principal&) -> absl::Status {
    const absl::Time at = IsSet(request->at()) ? FromProto(request->at()) : absl::Now();
    PR_ASSIGN_OR_RETURN(*response, registry_->CheckSpeaker(request->spokesperson_id(), request->agency_code(), at));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::MatchAudience(CallbackServerContext* ctx,
                                                    const v1::StatementAudienceQuery* request,
                                                    v1::MatchAudienceResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.MatchAudience", [=, this](const Principal&) {
    auto members = registry_->MatchAudience(*request, absl::Now());
    response->mutable_members()->Reserve(static_cast<int>(members.size()));
    for (auto& m : members) *response->add_members() = std::move(m);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::GetRecipients(CallbackServerContext* ctx,
                                                    const v1::GetRecipientsRequest* request,
                                                    v1::GetRecipientsResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.GetRecipients", [=, this](const Principal&) {
    std::vector<std::string> ids(request->recipient_ids().begin(), request->recipient_ids().end());
    for (auto& r : registry_->GetRecipients(ids)) *response->add_recipients() = std::move(r);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::GetSubscription(CallbackServerContext* ctx,
                                                      const v1::GetSubscriptionRequest* request,
                                                      v1::Subscription* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.GetSubscription", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->GetSubscription(request->recipient_id()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::PublishAgencyKeys(CallbackServerContext* ctx,
                                                        const v1::PublishAgencyKeysRequest* request,
                                                        v1::PublishAgencyKeysResponse*) {
  return RunAuthorized(ctx, *pool_, *auth_, "Directory.PublishAgencyKeys", [=, this](const Principal&) {
    return registry_->PublishAgencyKeys(std::vector<v1::AgencyKey>(request->keys().begin(), request->keys().end()));
  });
}

ServerUnaryReactor* KeysService::ListAgencyKeys(CallbackServerContext* ctx, const v1::ListAgencyKeysRequest* request,
                                                v1::ListAgencyKeysResponse* response) {
  return RunAuthorized(ctx, *pool_, *auth_, "Keys.ListAgencyKeys", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(auto keys, registry_->ListAgencyKeys(request->agency_code()));
    for (auto& k : keys) *response->add_keys() = std::move(k);
    return absl::OkStatus();
  });
}

}  // namespace pressrelay::registry
