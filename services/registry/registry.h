// The registry's logic: who may speak for which agency, who receives what, and who a
// token is. It knows nothing of gRPC; RegistryService (registry_service.h) is its edge.
//
// This is the front room: every write goes through it in one order, the rules
// (entity_rules.h), then the store (registry_store.h), then the in-memory view
// (directory_view.h), which answers the reads, so audience matching for a statement is one
// pass over the recipients with no Redis round trip per recipient. Tokens (tokens.h) are
// read from Redis on each Authenticate: the callers cache. Agencies' public keys, sign-in
// accounts and sessions (accounts.h) live only in the store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/registry/accounts.h"
#include "services/registry/directory_view.h"
#include "services/registry/entity_rules.h"
#include "services/registry/registry_store.h"
#include "services/registry/tokens.h"

namespace pressrelay::registry {

using pressrelay::common::v1::Principal;

class Registry {
 public:
  // Empty until ReloadAll (at start, once Redis answers).
  explicit Registry(RegistryStore* store, SignInPolicy sign_in = {})
      : store_(store), tokens_(store, &view_, sign_in.sessions), accounts_(store, &view_, &tokens_, sign_in) {}
  // Constructs and loads everything from the store.
  static absl::StatusOr<std::unique_ptr<Registry>> Create(RegistryStore* store, SignInPolicy sign_in = {});

  // Administration. Upserts validate, normalise text to NFC and return what was stored.
  // The administrative change (former names, end, successor) is kept from the stored record:
  // only ChangeAgency makes one.
  absl::StatusOr<v1::Agency> UpsertAgency(v1::Agency agency);
  // Renames, merges or dissolves an agency (agency_changes.h); the agency as stored.
  absl::StatusOr<v1::Agency> ChangeAgency(const v1::ChangeAgencyRequest& request, absl::Time now);
  absl::StatusOr<v1::Agency> GetAgency(const std::string& code) const { return view_.GetAgency(code); }
  std::vector<v1::Agency> ListAgencies() const { return view_.ListAgencies(); }
  absl::StatusOr<v1::Spokesperson> UpsertSpokesperson(v1::Spokesperson spokesperson);
  std::vector<v1::Spokesperson> ListSpokespeople(const std::string& agency_code) const {
    return view_.ListSpokespeople(agency_code);
  }
  // Disabling a press officer ends their access at once (announced on the revocation feed).
  absl::StatusOr<v1::PressOfficer> UpsertPressOfficer(v1::PressOfficer officer);
  std::vector<v1::PressOfficer> ListPressOfficers(const std::string& agency_code) const {
    return view_.ListPressOfficers(agency_code);
  }
  absl::StatusOr<v1::Outlet> UpsertOutlet(v1::Outlet outlet);
  std::vector<v1::Outlet> ListOutlets() const { return view_.ListOutlets(); }
  absl::StatusOr<v1::Journalist> UpsertJournalist(v1::Journalist journalist);
  std::vector<v1::Journalist> ListJournalists(const std::string& outlet_id) const {
    return view_.ListJournalists(outlet_id);
  }
  absl::StatusOr<v1::NewsroomClient> UpsertNewsroomClient(v1::NewsroomClient client);
  std::vector<v1::NewsroomClient> ListNewsroomClients(const std::string& outlet_id) const {
    return view_.ListNewsroomClients(outlet_id);
  }
  absl::StatusOr<v1::Subscription> SetSubscription(v1::Subscription subscription);
  // As stored (RegistryAdmin).
  absl::StatusOr<v1::Subscription> GetSubscription(const std::string& recipient_id) const {
    return view_.GetSubscription(recipient_id);
  }
  // As it applies now, following merged agencies' successors (Directory).
  absl::StatusOr<v1::Subscription> EffectiveSubscription(const std::string& recipient_id, absl::Time now) const {
    return view_.EffectiveSubscription(recipient_id, now);
  }
  // All-or-nothing bulk registration (validated entirely before anything is written).
  absl::StatusOr<v1::ImportRecipientsResponse> ImportRecipients(v1::ImportRecipientsRequest request);

  absl::StatusOr<v1::IssueTokenResponse> IssueToken(const v1::IssueTokenRequest& request, absl::Time now) {
    return tokens_.Issue(request, now);
  }
  // Revokes the token and announces it on the revocation feed (Directory.WatchRevocations).
  absl::StatusOr<v1::TokenInfo> RevokeToken(const std::string& token_id, absl::Time now) {
    return tokens_.Revoke(token_id, now);
  }
  absl::StatusOr<std::vector<v1::TokenInfo>> ListTokens(const std::string& subject_id) const {
    return tokens_.List(subject_id);
  }
  // Installs start-up tokens that are not yet known. Idempotent.
  absl::Status InstallBootstrapTokens(const std::vector<BootstrapToken>& tokens, absl::Time now) {
    return tokens_.InstallBootstrap(tokens, now);
  }

  // Sign-in accounts and sessions (accounts.h).
  Accounts& accounts() { return accounts_; }

  // Directory.
  absl::StatusOr<std::vector<absl::StatusOr<Principal>>> AuthenticateBatch(const std::vector<std::string>& tokens,
                                                                            absl::Time now) const {
    return tokens_.AuthenticateBatch(tokens, now);
  }
  absl::StatusOr<Principal> Authenticate(absl::string_view token, absl::Time now) const {
    return tokens_.Authenticate(token, now);
  }
  absl::StatusOr<v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                        const std::string& agency_code, absl::Time at,
                                                        const IssuedTopics& topics) const {
    return view_.CheckSpeaker(spokesperson_id, agency_code, at, topics);
  }
  // Public: each agency's list of spokespeople entitled to speak at `at` ("-": every agency).
  absl::StatusOr<std::vector<v1::PublicSpokesperson>> PublicSpokespeople(const std::string& agency_code,
                                                                         absl::Time at) const {
    return view_.PublicSpokespeople(agency_code, at);
  }
  std::vector<v1::AudienceMember> MatchAudience(const v1::StatementAudienceQuery& query, absl::Time now) const {
    return view_.MatchAudience(query, now);
  }
  std::vector<v1::RecipientInfo> GetRecipients(const std::vector<std::string>& recipient_ids) const {
    return view_.GetRecipients(recipient_ids);
  }

  // Agencies' public keys.
  absl::Status PublishAgencyKeys(const std::vector<v1::AgencyKey>& keys);
  absl::StatusOr<std::vector<v1::AgencyKey>> ListAgencyKeys(const std::string& agency_code) const;

  // Keeps the in-memory view fresh: reloads one entity after a change (ours or another
  // replica's), or everything.
  absl::Status ApplyChange(Kind kind, const std::string& id);
  absl::Status ReloadAll();

  size_t recipient_count() const { return view_.recipient_count(); }

 private:
  template <typename Msg>
  absl::Status PutEntity(Kind kind, const std::string& id, const Msg& entity,
                         const std::vector<v1::Revocation>& revocations = {});
  Exists ExistsIn(Kind kind) const;

  RegistryStore* const store_;
  DirectoryView view_;
  Tokens tokens_;      // reads view_
  Accounts accounts_;  // reads view_, uses tokens_
};

}  // namespace pressrelay::registry
