#include "services/registry/registry_service.h"

#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/validation.h"
#include "services/registry/revocation_watch.h"

namespace pressrelay::registry {

RegistryAdminService::RegistryAdminService(Registry* registry, Edge* edge) : EdgeService(edge) {
  AuditLog* audit = edge->audit;
  Unary<v1::UpsertAgencyRequest, v1::UpsertAgencyResponse>(
      "UpsertAgency", [registry](const Principal&, const v1::UpsertAgencyRequest& request, v1::UpsertAgencyResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_agency(), registry->UpsertAgency(request.agency()));
        return absl::OkStatus();
      });
  Unary<v1::GetAgencyRequest, v1::Agency>(
      "GetAgency", [registry](const Principal&, const v1::GetAgencyRequest& request, v1::Agency* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->GetAgency(request.code()));
        return absl::OkStatus();
      });
  Unary<v1::ListAgenciesRequest, v1::ListAgenciesResponse>(
      "ListAgencies", [registry](const Principal&, const v1::ListAgenciesRequest& request, v1::ListAgenciesResponse* response) -> absl::Status {
        for (auto& a : registry->ListAgencies()) *response->add_agencies() = std::move(a);
        return absl::OkStatus();
      });
  Unary<v1::ChangeAgencyRequest, v1::Agency>(
      "ChangeAgency", [registry](const Principal&, const v1::ChangeAgencyRequest& request, v1::Agency* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->ChangeAgency(request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::UpsertSpokespersonRequest, v1::UpsertSpokespersonResponse>(
      "UpsertSpokesperson", [registry](const Principal&, const v1::UpsertSpokespersonRequest& request, v1::UpsertSpokespersonResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_spokesperson(),
        registry->UpsertSpokesperson(request.spokesperson()));
        return absl::OkStatus();
      });
  Unary<v1::ListSpokespeopleRequest, v1::ListSpokespeopleResponse>(
      "ListSpokespeople", [registry](const Principal&, const v1::ListSpokespeopleRequest& request, v1::ListSpokespeopleResponse* response) -> absl::Status {
        for (auto& s : registry->ListSpokespeople(request.agency_code())) *response->add_spokespeople() = std::move(s);
        return absl::OkStatus();
      });
  Unary<v1::UpsertOutletRequest, v1::UpsertOutletResponse>(
      "UpsertOutlet", [registry](const Principal&, const v1::UpsertOutletRequest& request, v1::UpsertOutletResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_outlet(), registry->UpsertOutlet(request.outlet()));
        return absl::OkStatus();
      });
  Unary<v1::ListOutletsRequest, v1::ListOutletsResponse>(
      "ListOutlets", [registry](const Principal&, const v1::ListOutletsRequest& request, v1::ListOutletsResponse* response) -> absl::Status {
        for (auto& o : registry->ListOutlets()) *response->add_outlets() = std::move(o);
        return absl::OkStatus();
      });
  Unary<v1::UpsertJournalistRequest, v1::UpsertJournalistResponse>(
      "UpsertJournalist", [registry](const Principal&, const v1::UpsertJournalistRequest& request, v1::UpsertJournalistResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_journalist(),
        registry->UpsertJournalist(request.journalist()));
        return absl::OkStatus();
      });
  Unary<v1::ListJournalistsRequest, v1::ListJournalistsResponse>(
      "ListJournalists", [registry](const Principal&, const v1::ListJournalistsRequest& request, v1::ListJournalistsResponse* response) -> absl::Status {
        for (auto& j : registry->ListJournalists(request.outlet_id())) *response->add_journalists() = std::move(j);
        return absl::OkStatus();
      });
  Unary<v1::UpsertNewsroomClientRequest, v1::UpsertNewsroomClientResponse>(
      "UpsertNewsroomClient", [registry](const Principal&, const v1::UpsertNewsroomClientRequest& request, v1::UpsertNewsroomClientResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_client(),
        registry->UpsertNewsroomClient(request.client()));
        return absl::OkStatus();
      });
  Unary<v1::ListNewsroomClientsRequest, v1::ListNewsroomClientsResponse>(
      "ListNewsroomClients", [registry](const Principal&, const v1::ListNewsroomClientsRequest& request, v1::ListNewsroomClientsResponse* response) -> absl::Status {
        for (auto& c : registry->ListNewsroomClients(request.outlet_id())) *response->add_clients() = std::move(c);
        return absl::OkStatus();
      });
  Unary<v1::SetSubscriptionRequest, v1::SetSubscriptionResponse>(
      "SetSubscription", [registry](const Principal&, const v1::SetSubscriptionRequest& request, v1::SetSubscriptionResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_subscription(),
        registry->SetSubscription(request.subscription()));
        return absl::OkStatus();
      });
  Unary<v1::GetSubscriptionRequest, v1::Subscription>(
      "GetSubscription", [registry](const Principal&, const v1::GetSubscriptionRequest& request, v1::Subscription* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->GetSubscription(request.recipient_id()));
        return absl::OkStatus();
      });
  Unary<v1::ImportRecipientsRequest, v1::ImportRecipientsResponse>(
      "ImportRecipients", [registry](const Principal&, const v1::ImportRecipientsRequest& request, v1::ImportRecipientsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->ImportRecipients(request));
        return absl::OkStatus();
      });
  Unary<v1::IssueTokenRequest, v1::IssueTokenResponse>(
      "IssueToken", [registry](const Principal&, const v1::IssueTokenRequest& request, v1::IssueTokenResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->IssueToken(request, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::RevokeTokenRequest, v1::RevokeTokenResponse>(
      "RevokeToken", [registry](const Principal&, const v1::RevokeTokenRequest& request, v1::RevokeTokenResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_info(), registry->RevokeToken(request.token_id(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::ListTokensRequest, v1::ListTokensResponse>(
      "ListTokens", [registry](const Principal&, const v1::ListTokensRequest& request, v1::ListTokensResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto tokens, registry->ListTokens(request.subject_id()));
        for (auto& t : tokens) *response->add_tokens() = std::move(t);
        return absl::OkStatus();
      });
  Unary<v1::UpsertPressOfficerRequest, v1::UpsertPressOfficerResponse>(
      "UpsertPressOfficer", [registry](const Principal&, const v1::UpsertPressOfficerRequest& request, v1::UpsertPressOfficerResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_press_officer(), registry->UpsertPressOfficer(request.press_officer()));
        return absl::OkStatus();
      });
  Unary<v1::ListPressOfficersRequest, v1::ListPressOfficersResponse>(
      "ListPressOfficers", [registry](const Principal&, const v1::ListPressOfficersRequest& request, v1::ListPressOfficersResponse* response) -> absl::Status {
        for (auto& p : registry->ListPressOfficers(request.agency_code())) *response->add_press_officers() = std::move(p);
        return absl::OkStatus();
      });
  // Sign-in accounts: operators administer them; a signed-in person keeps their own.
  Accounts* accounts = &registry->accounts();
  Unary<v1::UpsertAccountRequest, v1::Account>(
      "UpsertAccount", [accounts](const Principal&, const v1::UpsertAccountRequest& request, v1::Account* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, accounts->Upsert(request.account(), request.password(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::ListAccountsRequest, v1::ListAccountsResponse>(
      "ListAccounts", [accounts](const Principal&, const v1::ListAccountsRequest& request, v1::ListAccountsResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto all, accounts->List(request.subject_id()));
        for (auto& a : all) *response->add_accounts() = std::move(a);
        return absl::OkStatus();
      });
  Unary<v1::AccountRequest, v1::Account>(
      "ResetTotp", [accounts](const Principal&, const v1::AccountRequest& request, v1::Account* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, accounts->ResetTotp(request.username(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::GetMyAccountRequest, v1::Account>(
      "GetMyAccount", [accounts](const Principal& caller, const v1::GetMyAccountRequest&, v1::Account* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, accounts->Mine(caller));
        return absl::OkStatus();
      });
  Unary<v1::ChangePasswordRequest, v1::Empty>(
      "ChangePassword", [accounts](const Principal& caller, const v1::ChangePasswordRequest& request, v1::Empty*) -> absl::Status {
        return accounts->ChangePassword(caller, request.current_password(), request.new_password(), absl::Now());
      });
  Unary<v1::GetMyAccountRequest, v1::TotpEnrollment>(
      "EnrollTotp", [accounts](const Principal& caller, const v1::GetMyAccountRequest&, v1::TotpEnrollment* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, accounts->EnrollTotp(caller));
        return absl::OkStatus();
      });
  Unary<v1::ConfirmTotpRequest, v1::Account>(
      "ConfirmTotp", [accounts](const Principal& caller, const v1::ConfirmTotpRequest& request, v1::Account* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, accounts->ConfirmTotp(caller, request.code(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::QueryAuditRequest, v1::QueryAuditResponse>(
      "QueryAudit", [registry, audit](const Principal&, const v1::QueryAuditRequest& request, v1::QueryAuditResponse* response) -> absl::Status {
        AuditLog::Query query;
        query.principal_id = request.principal_id();
        query.method = request.method();
        query.target = request.target();
        if (request.has_since()) {
        if (!IsValidTimestamp(request.since())) return FieldError("since", "is not a valid time");
        query.since = FromProto(request.since());
        }
        if (request.limit() < 0 || request.limit() > 1000) return FieldError("limit", "must be 0-1000 (0: 100)");
        query.limit = request.limit() == 0 ? 100 : request.limit();
        query.page_token = request.page_token();
        PR_ASSIGN_OR_RETURN(AuditLog::Page page, audit->Read(query));
        for (auto& e : page.entries) *response->add_entries() = std::move(e);
        response->set_next_page_token(std::move(page.next_page_token));
        return absl::OkStatus();
      });
}

namespace {
constexpr int kMaxAuthenticateBatch = 1000;
}  // namespace

DirectoryService::DirectoryService(Registry* registry, RevocationFeed* revocations, Edge* edge)
    : EdgeService(edge), revocations_(revocations) {
  Unary<v1::AuthenticateRequest, v1::AuthenticateResponse>(
      "Authenticate", [registry](const Principal&, const v1::AuthenticateRequest& request, v1::AuthenticateResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response->mutable_principal(), registry->Authenticate(request.token(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::AuthenticateBatchRequest, v1::AuthenticateBatchResponse>(
      "AuthenticateBatch",
      [registry](const Principal&, const v1::AuthenticateBatchRequest& request,
                 v1::AuthenticateBatchResponse* response) -> absl::Status {
        if (request.tokens_size() > kMaxAuthenticateBatch) {
          return FieldError("tokens", absl::StrCat("at most ", kMaxAuthenticateBatch, " in one call"));
        }
        const std::vector<std::string> tokens(request.tokens().begin(), request.tokens().end());
        PR_ASSIGN_OR_RETURN(auto verdicts, registry->AuthenticateBatch(tokens, absl::Now()));
        for (auto& verdict : verdicts) {
          auto* result = response->add_results();
          if (verdict.ok()) {
            *result->mutable_principal() = std::move(*verdict);
          } else if (absl::IsUnauthenticated(verdict.status())) {
            result->set_refused(std::string(verdict.status().message()));
          } else {
            return verdict.status();  // the store failed for this one: the whole call did
          }
        }
        return absl::OkStatus();
      });
  Unary<v1::CheckSpeakerRequest, v1::CheckSpeakerResponse>(
      "CheckSpeaker", [registry](const Principal&, const v1::CheckSpeakerRequest& request, v1::CheckSpeakerResponse* response) -> absl::Status {
        const absl::Time at = IsSet(request.at()) ? FromProto(request.at()) : absl::Now();
        IssuedTopics topics;
        if (!request.no_content()) topics.emplace(request.topics().begin(), request.topics().end());
        PR_ASSIGN_OR_RETURN(*response,
                            registry->CheckSpeaker(request.spokesperson_id(), request.agency_code(), at, topics));
        return absl::OkStatus();
      });
  Unary<v1::StatementAudienceQuery, v1::MatchAudienceResponse>(
      "MatchAudience", [registry](const Principal&, const v1::StatementAudienceQuery& request, v1::MatchAudienceResponse* response) -> absl::Status {
        auto members = registry->MatchAudience(request, absl::Now());
        response->mutable_members()->Reserve(static_cast<int>(members.size()));
        for (auto& m : members) *response->add_members() = std::move(m);
        return absl::OkStatus();
      });
  Unary<v1::GetRecipientsRequest, v1::GetRecipientsResponse>(
      "GetRecipients", [registry](const Principal&, const v1::GetRecipientsRequest& request, v1::GetRecipientsResponse* response) -> absl::Status {
        std::vector<std::string> ids(request.recipient_ids().begin(), request.recipient_ids().end());
        for (auto& r : registry->GetRecipients(ids)) *response->add_recipients() = std::move(r);
        return absl::OkStatus();
      });
  Unary<v1::GetSubscriptionRequest, v1::Subscription>(
      "GetSubscription", [registry](const Principal&, const v1::GetSubscriptionRequest& request, v1::Subscription* response) -> absl::Status {
        // The effective filter: history and search follow merged agencies' successors.
        PR_ASSIGN_OR_RETURN(*response, registry->EffectiveSubscription(request.recipient_id(), absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::PublishAgencyKeysRequest, v1::PublishAgencyKeysResponse>(
      "PublishAgencyKeys", [registry](const Principal&, const v1::PublishAgencyKeysRequest& request, v1::PublishAgencyKeysResponse* response) -> absl::Status {
        return registry->PublishAgencyKeys(std::vector<v1::AgencyKey>(request.keys().begin(), request.keys().end()));
      });
  // The admin gateway signs people in and out. Every attempt is audited by the edge.
  Unary<v1::SignInRequest, v1::SignInResponse>(
      "SignIn", [registry](const Principal& gateway, const v1::SignInRequest& request, v1::SignInResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(*response, registry->accounts().SignIn(request, gateway, absl::Now()));
        return absl::OkStatus();
      });
  Unary<v1::SignOutRequest, v1::Empty>(
      "SignOut", [registry](const Principal&, const v1::SignOutRequest& request, v1::Empty*) -> absl::Status {
        return registry->accounts().SignOut(request.session_token(), absl::Now());
      });
  Handled("WatchRevocations");
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* DirectoryService::WatchRevocations(grpc::CallbackServerContext* ctx,
                                                                              const grpc::ByteBuffer* request) {
  auto* watch = new RevocationWatch(revocations_);
  watch->Start(*edge(), BearerToken(*ctx), Flatten(*request));
  return watch;
}

KeysService::KeysService(Registry* registry, Edge* edge) : EdgeService(edge) {
  Unary<v1::ListAgencyKeysRequest, v1::ListAgencyKeysResponse>(
      "ListAgencyKeys", [registry](const Principal&, const v1::ListAgencyKeysRequest& request, v1::ListAgencyKeysResponse* response) -> absl::Status {
        PR_ASSIGN_OR_RETURN(auto keys, registry->ListAgencyKeys(request.agency_code()));
        for (auto& k : keys) *response->add_keys() = std::move(k);
        return absl::OkStatus();
      });
}

PublicRegistryService::PublicRegistryService(Registry* registry, Edge* edge) : EdgeService(edge) {
  Unary<v1::ListAgencySpokespeopleRequest, v1::ListAgencySpokespeopleResponse>(
      "ListAgencySpokespeople",
      [registry](const Principal&, const v1::ListAgencySpokespeopleRequest& request,
                 v1::ListAgencySpokespeopleResponse* response) -> absl::Status {
        const std::string& code = request.agency_code();
        if (code.empty()) return FieldError("agency_code", "is required: an agency code such as MOH, or - for every agency");
        if (code != "-" && !validation::IsAgencyCode(code)) return FieldError("agency_code", "is not an agency code");
        const absl::Time now = absl::Now();
        PR_ASSIGN_OR_RETURN(auto list, registry->PublicSpokespeople(code, now));
        for (auto& entry : list) *response->add_spokespeople() = std::move(entry);
        *response->mutable_as_of() = ToProto(now);
        return absl::OkStatus();
      });
}

}  // namespace pressrelay::registry
