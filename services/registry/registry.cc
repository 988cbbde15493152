#include "services/registry/registry.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/domain/validation.h"
#include "services/registry/agency_changes.h"
#include "services/registry/listing.h"

namespace pressrelay::registry {

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(RegistryStore* store, SignInPolicy sign_in) {
  std::unique_ptr<Registry> registry(new Registry(store, sign_in));
  PR_RETURN_IF_ERROR(registry->ReloadAll());
  return registry;
}

absl::Status Registry::ReloadAll() {
  EntityBatches all;
  for (Kind kind : {Kind::kAgency, Kind::kSpokesperson, Kind::kOutlet, Kind::kJournalist, Kind::kClient,
                    Kind::kSubscription, Kind::kPressOfficer}) {
    PR_ASSIGN_OR_RETURN(auto entries, store_->GetAll(kind));
    all.emplace_back(kind, std::move(entries));
  }
  view_.Reset(all);
  return absl::OkStatus();
}

absl::Status Registry::ApplyChange(Kind kind, const std::string& id) {
  PR_ASSIGN_OR_RETURN(auto bytes, store_->Get(kind, id));
  if (!bytes) return absl::OkStatus();  // entities are never deleted, only disabled
  view_.Put(kind, id, *bytes);
  return absl::OkStatus();
}

template <typename Msg>
absl::Status Registry::PutEntity(Kind kind, const std::string& id, const Msg& entity,
                                 const std::vector<v1::Revocation>& revocations) {
  PR_RETURN_IF_ERROR(store_->Put(kind, id, entity, revocations));
  return ApplyChange(kind, id);
}

Exists Registry::ExistsIn(Kind kind) const {
  return [this, kind](const std::string& id) { return view_.Has(kind, id); };
}

// --- administration ---------------------------------------------------------------------

absl::StatusOr<v1::Agency> Registry::UpsertAgency(v1::Agency agency) {
  FieldViolations v;
  CheckAgency(&agency, "agency", ExistsIn(Kind::kAgency), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  // An upsert never undoes a renaming, merger or dissolution.
  auto stored = view_.GetAgency(agency.code());
  KeepChange(stored.ok() ? &*stored : nullptr, &agency);
  PR_RETURN_IF_ERROR(PutEntity(Kind::kAgency, agency.code(), agency));
  return agency;
}

absl::StatusOr<v1::Agency> Registry::ChangeAgency(const v1::ChangeAgencyRequest& request, absl::Time now) {
  if (!validation::IsAgencyCode(request.code())) return FieldError("code", "is not an agency code");
  PR_ASSIGN_OR_RETURN(v1::Agency current, view_.GetAgency(request.code()));
  // A snapshot of the others, for the successor and its chain.
  absl::flat_hash_map<std::string, v1::Agency> agencies;
  for (auto& a : view_.ListAgencies()) agencies.emplace(a.code(), std::move(a));
  auto lookup = [&agencies](const std::string& code) -> const v1::Agency* {
    auto it = agencies.find(code);
    return it == agencies.end() ? nullptr : &it->second;
  };
  PR_ASSIGN_OR_RETURN(v1::Agency changed, ApplyAgencyChange(current, request, lookup, now));
  PR_RETURN_IF_ERROR(PutEntity(Kind::kAgency, changed.code(), changed));
  return changed;
}

absl::StatusOr<v1::Spokesperson> Registry::UpsertSpokesperson(v1::Spokesperson s) {
  FieldViolations v;
  CheckSpokesperson(&s, "spokesperson", ExistsIn(Kind::kAgency), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kSpokesperson, s.id(), s));
  return s;
}

absl::StatusOr<v1::PressOfficer> Registry::UpsertPressOfficer(v1::PressOfficer officer) {
  FieldViolations v;
  CheckPressOfficer(&officer, "press_officer", ExistsIn(Kind::kAgency), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kPressOfficer, officer.id(), officer, LostAccess(officer)));
  return officer;
}

absl::StatusOr<v1::Outlet> Registry::UpsertOutlet(v1::Outlet outlet) {
  FieldViolations v;
  CheckOutlet(&outlet, "outlet", &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kOutlet, outlet.id(), outlet));
  return outlet;
}

absl::StatusOr<v1::Journalist> Registry::UpsertJournalist(v1::Journalist j) {
  FieldViolations v;
  CheckJournalist(&j, "journalist", ExistsIn(Kind::kOutlet), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kJournalist, j.card_number(), j, LostAccess({j}, {}, absl::Now())));
  return j;
}

absl::StatusOr<v1::NewsroomClient> Registry::UpsertNewsroomClient(v1::NewsroomClient client) {
  FieldViolations v;
  CheckClient(&client, "client", ExistsIn(Kind::kOutlet), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kClient, client.id(), client, LostAccess({}, {client}, absl::Now())));
  return client;
}

absl::StatusOr<v1::Subscription> Registry::SetSubscription(v1::Subscription sub) {
  FieldViolations v;
  CheckSubscription(&sub, "subscription", [this](const std::string& id) { return view_.HasRecipient(id); }, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kSubscription, sub.recipient_id(), sub));
  return sub;
}

absl::StatusOr<v1::ImportRecipientsResponse> Registry::ImportRecipients(v1::ImportRecipientsRequest request) {
  // What the request brings along counts as existing for the rest of it.
  FieldViolations v;
  absl::flat_hash_set<std::string> outlets, recipients;
  for (int i = 0; i < request.outlets_size(); ++i) {
    CheckOutlet(request.mutable_outlets(i), absl::StrCat("outlets[", i, "]"), &v);
    outlets.insert(request.outlets(i).id());
  }
  auto outlet_exists = [&](const std::string& id) { return outlets.contains(id) || view_.Has(Kind::kOutlet, id); };
  for (int i = 0; i < request.journalists_size(); ++i) {
    CheckJournalist(request.mutable_journalists(i), absl::StrCat("journalists[", i, "]"), outlet_exists, &v);
    recipients.insert(JournalistRecipientId(request.journalists(i).card_number()));
  }
  for (int i = 0; i < request.clients_size(); ++i) {
    CheckClient(request.mutable_clients(i), absl::StrCat("clients[", i, "]"), outlet_exists, &v);
    recipients.insert(ClientRecipientId(request.clients(i).id()));
  }
  auto recipient_exists = [&](const std::string& id) { return recipients.contains(id) || view_.HasRecipient(id); };
  for (int i = 0; i < request.subscriptions_size(); ++i) {
    CheckSubscription(request.mutable_subscriptions(i), absl::StrCat("subscriptions[", i, "]"), recipient_exists, &v);
  }
  PR_RETURN_IF_ERROR(v.ToStatus());

  EntityBatches batches(4);
  batches[0].first = Kind::kOutlet;
  for (const auto& o : request.outlets()) batches[0].second.emplace_back(o.id(), o.SerializeAsString());
  batches[1].first = Kind::kJournalist;
  for (const auto& j : request.journalists()) batches[1].second.emplace_back(j.card_number(), j.SerializeAsString());
  batches[2].first = Kind::kClient;
  for (const auto& c : request.clients()) batches[2].second.emplace_back(c.id(), c.SerializeAsString());
  batches[3].first = Kind::kSubscription;
  for (const auto& s : request.subscriptions()) {
    batches[3].second.emplace_back(s.recipient_id(), s.SerializeAsString());
  }
  PR_RETURN_IF_ERROR(store_->PutMany(batches, LostAccess({request.journalists().begin(), request.journalists().end()},
                                                         {request.clients().begin(), request.clients().end()},
                                                         absl::Now())));
  // Other replicas reload everything; this one puts what it wrote.
  view_.Put(batches);
  v1::ImportRecipientsResponse response;
  response.set_outlets(request.outlets_size());
  response.set_journalists(request.journalists_size());
  response.set_clients(request.clients_size());
  response.set_subscriptions(request.subscriptions_size());
  return response;
}

// --- agencies' keys ---------------------------------------------------------------------

absl::Status Registry::PublishAgencyKeys(const std::vector<v1::AgencyKey>& keys) {
  FieldViolations v;
  CheckAgencyKeys(keys, ExistsIn(Kind::kAgency), &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  for (const auto& key : keys) PR_RETURN_IF_ERROR(store_->PutAgencyKey(key));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AgencyKey>> Registry::ListAgencyKeys(const std::string& agency_code) const {
  PR_ASSIGN_OR_RETURN(auto all, store_->ListAgencyKeys());
  return Listing(all, agency_code, &v1::AgencyKey::agency_code, &v1::AgencyKey::key_id);
}

}  // namespace pressrelay::registry
