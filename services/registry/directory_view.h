// The registry's in-memory view of the directory: agencies, spokespeople, press officers,
// outlets, journalists, newsroom clients, subscriptions, and one matching record per recipient
// derived from them, behind one mutex. It answers the questions asked on every statement
// (who may speak, who receives it) with no Redis round trip.
//
// It is fed serialized entities, as the store hands them over, and never reads or writes
// the store itself: Registry (registry.h) does, then puts what was written here. Entities
// are never deleted, only disabled, so there is no Remove.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pressrelay/common/v1/principal.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/domain/audience.h"
#include "services/registry/registry_store.h"  // Kind only
#include "services/registry/spokespeople.h"

namespace pressrelay::registry {

// Serialized entities of one kind, as (id, bytes) pairs, batched by kind.
using EntityBatches = std::vector<std::pair<Kind, std::vector<std::pair<std::string, std::string>>>>;

class DirectoryView {
 public:
  // Replaces everything with these entities.
  void Reset(const EntityBatches& all);
  // Adds or replaces entities, and rebuilds the matching records they change: a
  // journalist's, client's or subscription's own, and every recipient of a changed outlet.
  void Put(const EntityBatches& batches);
  void Put(Kind kind, const std::string& id, const std::string& bytes);

  bool Has(Kind kind, const std::string& id) const;
  // "client:<id>" / "journalist:<card>" for a client or journalist that exists.
  bool HasRecipient(const std::string& recipient_id) const;
  // The agency a spokesperson or press officer speaks or writes for; "" for anyone else.
  std::string AgencyOfPerson(v1::SubjectKind kind, const std::string& id) const;
  absl::StatusOr<v1::Agency> GetAgency(const std::string& code) const;
  // The subscription as stored (RegistryAdmin.GetSubscription).
  absl::StatusOr<v1::Subscription> GetSubscription(const std::string& recipient_id) const;
  // The subscription as it applies at `now` (Directory.GetSubscription): the successors of
  // the agencies it names added to agency_codes once their merger has taken effect
  // (agency_changes.h), so history and search follow a merged agency's successor.
  absl::StatusOr<v1::Subscription> EffectiveSubscription(const std::string& recipient_id, absl::Time now) const;
  // Sorted by id; an empty filter lists all.
  std::vector<v1::Agency> ListAgencies() const;
  std::vector<v1::Spokesperson> ListSpokespeople(const std::string& agency_code) const;
  std::vector<v1::PressOfficer> ListPressOfficers(const std::string& agency_code) const;
  std::vector<v1::Outlet> ListOutlets() const;
  std::vector<v1::Journalist> ListJournalists(const std::string& outlet_id) const;
  std::vector<v1::NewsroomClient> ListNewsroomClients(const std::string& outlet_id) const;
  size_t recipient_count() const;

  // The speaker rule: whether the spokesperson may speak for the agency at `at`, on a
  // statement with these subjects (nullopt: no statement text issued; spokespeople.h);
  // PERMISSION_DENIED saying why not, among them an agency merged or dissolved by `at`. A
  // spokesperson of the agency an ended one was merged into (directly or down the chain) may
  // speak on the ended agency's statements: the record returned is then their own agency's,
  // which issues the new version. The agency record returned carries the names it had at
  // `at` (agency_changes.h).
  absl::StatusOr<v1::CheckSpeakerResponse> CheckSpeaker(const std::string& spokesperson_id,
                                                        const std::string& agency_code, absl::Time at,
                                                        const IssuedTopics& topics = std::nullopt) const;
  // The agency's public list of spokespeople: those entitled to speak at `at`, in the list's
  // order (spokespeople.h); "-" for every agency's. NOT_FOUND for an unknown agency.
  absl::StatusOr<std::vector<v1::PublicSpokesperson>> PublicSpokespeople(const std::string& agency_code,
                                                                         absl::Time at) const;
  // The subscribed, enabled, unexpired recipients whose filters let the statement through;
  // a filter naming an agency merged (in turn) into the statement's agency by `now` counts as
  // naming that agency.
  std::vector<v1::AudienceMember> MatchAudience(const v1::StatementAudienceQuery& query, absl::Time now) const;
  // One entry per id asked, in order; unknown ids carry only their id.
  std::vector<v1::RecipientInfo> GetRecipients(const std::vector<std::string>& recipient_ids) const;

  // Who a token's subject is now (UNAUTHENTICATED if it no longer exists or is disabled).
  // Leaves the access times to the caller.
  absl::StatusOr<pressrelay::common::v1::Principal> PrincipalFor(const v1::TokenInfo& info) const;
  // When a journalist's press card expires; nullopt for an unknown card.
  std::optional<absl::Time> CardExpires(const std::string& card_number) const;

 private:
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

  // Calls `f` with the map that holds entities of `kind` (of `self`: this view, const or
  // not), so each kind's map is named in one place. Callers hold mu_.
  template <typename Self, typename F>
  static auto OnMapOf(Self& self, Kind kind, F f);
  void StoreLocked(Kind kind, const std::string& id, const std::string& bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildRecipientLocked(const std::string& recipient_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The agency by code, null if none (for agency_changes.h's lookups). Callers hold mu_.
  const v1::Agency* FindAgencyLocked(const std::string& code) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::Agency> agencies_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Spokesperson> spokespeople_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Outlet> outlets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Journalist> journalists_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::NewsroomClient> clients_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::Subscription> subscriptions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, v1::PressOfficer> press_officers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Recipient> recipients_ ABSL_GUARDED_BY(mu_);  // by recipient id
};

}  // namespace pressrelay::registry
