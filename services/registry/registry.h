// The registry's logic: who may speak for which agency, who receives what, and who a
// token is. It knows nothing of gRPC; RegistryService (registry_service.h) is its edge.
//
// Agencies, spokespeople, outlets, journalists, newsroom clients and subscriptions are
// held in memory (read from Redis at start, kept fresh by the change feed) so that
// audience matching for a statement is one pass over the recipients, with no Redis round
// trip per recipient. Tokens are read from Redis on each Authenticate: the callers cache.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/domain/audience.h"
#include "services/registry/registry_store.h"

namespace pressrelay::registry {

using pressrelay::common::v1::Principal;

inline constexpr absl::Duration kDefaultTokenTtl = absl::Hours(24 * 90);
inline constexpr absl::Duration kMaxTokenTtl = absl::Hours(24 * 366);

// A token given to the registry at start-up (from a file or secret) rather than issued
// through the API: the first operator, and the services' own identities.
struct BootstrapToken {
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  std::string subject_id;
  std::string token;
};

// Parses "operator <name> <token>" / "service <name> <token>" / "gateway <name> <token>"
// lines; '#' starts a comment.
absl::StatusOr<std::vector<BootstrapToken>> ParseBootstrapTokens(absl::string_view text);

// "client:<id>" / "journalist:<card number>".
std::string ClientRecipientId(absl::string_view client_id);
std::string JournalistRecipientId(absl::string_view card_number);

class Registry {
 public:
  // Empty until ReloadAll (at start, once Redis answers).
  explicit Registry(RegistryStore* store) : store_(store) {}
  // Constructs and loads everything from the store.
  static absl::StatusOr<std::unique_ptr<Registry>> Create(RegistryStore* store);

  // Administration. Upserts validate, normalise text to NFC and return what was stored.
  absl::StatusOr<v1::Agency> UpsertAgency(v1::Agency agency);
  absl::StatusOr<v1::Agency> GetAgency(const std::string& code) const;
  std::vector<v1::Agency> ListAgencies() const;
  absl::StatusOr<v1::Spokesperson> UpsertSpokesperson(v1::Spokesperson spokesperson);
  std::vector<v1::Spokesperson> ListSpokespeople(const std::string& agency_code) const;
  absl::StatusOr<v1::Outlet> UpsertOutlet(v1::Outlet outlet);
  std::vector<v1::Outlet> ListOutlets() const;
  absl::StatusOr<v1::Journalist> UpsertJournalist(v1::Journalist journalist);
  std::vector<v1::Journalist> ListJournalists(const std::string& outlet_id) const;
  absl::StatusOr<v1::NewsroomClient> UpsertNewsroomClient(v1::NewsroomClient client);
  std::vector<v1::NewsroomClient> ListNewsroomClients(const std::string& outlet_id) const;
  absl::StatusOr<v1::Subscription> SetSubscription(v1::Subscription subscription);
  absl::StatusOr<v1::Subscription> GetSubscription(const std::string& recipient_id) const;
  // All-or-nothing bulk registration (validated entirely before anything is written).
  absl::StatusOr<v1::ImportRecipientsResponse> ImportRecipients(v1::ImportRecipientsRequest request);

  absl::StatusOr<v1::IssueTokenResponse> IssueToken(const v1::IssueTokenRequest& request, absl::Time now);
  // Revokes the token and announces it on the revocation feed (Directory.WatchRevocations).
  absl::StatusOr<v1::TokenInfo> RevokeToken(const std::string& token_id, absl::Time now);
  absl::StatusOr<std::vector<v1::TokenInfo>> ListTokens(const std::string& subject_id) const;
  // Installs start-up tokens that are not yet known. Idempotent.
  absl::Status InstallBootstrapTokens(const std::vector<BootstrapToken>& tokens, absl::Time now);

  // Directory.
  absl::StatusOr<Principal> Authenticate(absl::string_view token, absl::Time now) const;
  absl::StatusOr<v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                        const std::string& agency_code,
                                                        absl::Time at) const;
  std::vector<v1::AudienceMember> MatchAudience(const v1::StatementAudienceQuery& query,
                                                absl::Time now) const;
  std::vector<v1::RecipientInfo> GetRecipients(const std::vector<std::string>& recipient_ids) const;

  // Agencies' public keys.
  absl::Status PublishAgencyKeys(const std::vector<v1::AgencyKey>& keys);
  absl::StatusOr<std::vector<v1::AgencyKey>> ListAgencyKeys(const std::string& agency_code) const;

  // Keeps the in-memory view fresh: reloads one entity after a change (ours or another
  // replica's), or everything.
  absl::Status ApplyChange(Kind kind, const std::string& id);
  absl::Status ReloadAll();

  size_t recipient_count() const;

 private:

  // Revocations for the journalists whose cards have expired and the clients that are
  // disabled among these records.
  static std::vector<v1::Revocation> LostAccess(const std::vector<v1::Journalist>& journalists,
                                                const std::vector<v1::NewsroomClient>& clients, absl::Time now);

  // What matching needs of one recipient, derived from its journalist or client record,
  // its outlet and its subscription.
  struct Recipient {
    std::string id;
    std::string display_name;
    std::string outlet_id;
    bool trusted = false;
    bool disabled = false;
    absl::Time valid_until = absl::InfiniteFuture();
    bool subscribed = false;
    audience::Filter filter;
  };

  template <typename Msg>
  absl::Status PutEntity(Kind kind, const std::string& id, const Msg& entity,
                         const std::vector<v1::Revocation>& revocations = {});
  void StoreLocked(Kind kind, const std::string& id, const std::string& bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildRecipientLocked(const std::string& recipient_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Principal> PrincipalFor(const v1::TokenInfo& info) const;
  bool OutletExists(const std::string& id) const;
  bool RecipientExists(const std::string& id) const;

  RegistryStore* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::Agency> agencies_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Spokesperson> spokespeople_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Outlet> outlets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Journalist> journalists_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::NewsroomClient> clients_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Subscription> subscriptions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Recipient> recipients_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pressrelay::registry
