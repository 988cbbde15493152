#include "services/registry/directory_view.h"


#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/time_util.h"
#include "services/registry/agency_changes.h"
#include "services/registry/entity_rules.h"
#include "services/registry/listing.h"

namespace pressrelay::registry {
namespace {

using pressrelay::common::v1::Principal;
using pressrelay::common::v1::Role;

const std::string& DisplayName(const v1::NewsroomClient& c) {
  return c.description().empty() ? c.id() : c.description();
}

}  // namespace

void DirectoryView::Reset(const EntityBatches& all) {
  absl::MutexLock lock(&mu_);
  agencies_.clear();
  spokespeople_.clear();
  outlets_.clear();
  journalists_.clear();
  clients_.clear();
  subscriptions_.clear();
  press_officers_.clear();
  recipients_.clear();
  for (const auto& [kind, entries] : all) {
    for (const auto& [id, bytes] : entries) StoreLocked(kind, id, bytes);
  }
  // Every recipient once (a subscription joins its recipient's record).
  for (const auto& [id, j] : journalists_) RebuildRecipientLocked(JournalistRecipientId(id));
  for (const auto& [id, c] : clients_) RebuildRecipientLocked(ClientRecipientId(id));
}

void DirectoryView::Put(const EntityBatches& batches) {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_set<std::string> outlets;
  for (const auto& [kind, entries] : batches) {
    for (const auto& [id, bytes] : entries) StoreLocked(kind, id, bytes);
  }
  for (const auto& [kind, entries] : batches) {
    for (const auto& [id, bytes] : entries) {
      switch (kind) {
        case Kind::kJournalist:
          RebuildRecipientLocked(JournalistRecipientId(id));
          break;
        case Kind::kClient:
          RebuildRecipientLocked(ClientRecipientId(id));
          break;
        case Kind::kSubscription:
          RebuildRecipientLocked(id);
          break;
        case Kind::kOutlet:
          outlets.insert(id);
          break;
        default:
          break;
      }
    }
  }
  // Every recipient of a changed outlet: their records carry its trust.
  if (outlets.empty()) return;
  std::vector<std::string> affected;
  for (const auto& [rid, r] : recipients_) {
    if (outlets.contains(r.outlet_id)) affected.push_back(rid);
  }
  for (const auto& rid : affected) RebuildRecipientLocked(rid);
}

void DirectoryView::Put(Kind kind, const std::string& id, const std::string& bytes) {
  Put(EntityBatches{{kind, {{id, bytes}}}});
}

template <typename Self, typename F>
auto DirectoryView::OnMapOf(Self& self, Kind kind, F f) {
  switch (kind) {
    case Kind::kAgency:
      return f(self.agencies_);
    case Kind::kSpokesperson:
      return f(self.spokespeople_);
    case Kind::kOutlet:
      return f(self.outlets_);
    case Kind::kJournalist:
      return f(self.journalists_);
    case Kind::kClient:
      return f(self.clients_);
    case Kind::kPressOfficer:
      return f(self.press_officers_);
    case Kind::kSubscription:
      break;
  }
  return f(self.subscriptions_);
}

void DirectoryView::StoreLocked(Kind kind, const std::string& id, const std::string& bytes) {
  OnMapOf(*this, kind, [&](auto& map) { map[id].ParseFromString(bytes); });
}

void DirectoryView::RebuildRecipientLocked(const std::string& recipient_id) {
  Recipient r;
  r.id = recipient_id;
  if (absl::StartsWith(recipient_id, kClientPrefix)) {
    auto it = clients_.find(recipient_id.substr(kClientPrefix.size()));
    if (it == clients_.end()) return;
    r.display_name = DisplayName(it->second);
    r.outlet_id = it->second.outlet_id();
    r.disabled = it->second.disabled();
  } else if (absl::StartsWith(recipient_id, kJournalistPrefix)) {
    auto it = journalists_.find(recipient_id.substr(kJournalistPrefix.size()));
    if (it == journalists_.end()) return;
    r.display_name = it->second.full_name();
    r.outlet_id = it->second.outlet_id();
    r.valid_until = FromProto(it->second.card_expires());
  } else {
    return;
  }
  if (auto o = outlets_.find(r.outlet_id); o != outlets_.end()) r.trusted = o->second.trusted();
  if (auto s = subscriptions_.find(recipient_id); s != subscriptions_.end()) {
    r.subscribed = true;
    r.filter = audience::FilterOf(s->second);
  }
  recipients_[recipient_id] = std::move(r);
}

const v1::Agency* DirectoryView::FindAgencyLocked(const std::string& code) const {
  auto it = agencies_.find(code);
  return it == agencies_.end() ? nullptr : &it->second;
}

// --- lookups ----------------------------------------------------------------------------

bool DirectoryView::Has(Kind kind, const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  return OnMapOf(*this, kind, [&](const auto& map) { return map.contains(id); });
}

bool DirectoryView::HasRecipient(const std::string& recipient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  return recipients_.contains(recipient_id);
}

std::string DirectoryView::AgencyOfPerson(const v1::SubjectKind kind, const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  if (kind == v1::SUBJECT_KIND_SPOKESPERSON) {
    auto it = spokespeople_.find(id);
    return it == spokespeople_.end() ? "" : it->second.agency_code();
  }
  if (kind == v1::SUBJECT_KIND_PRESS_OFFICER) {
    auto it = press_officers_.find(id);
    return it == press_officers_.end() ? "" : it->second.agency_code();
  }
  return "";
}

absl::StatusOr<v1::Agency> DirectoryView::GetAgency(const std::string& code) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = agencies_.find(code);
  if (it == agencies_.end()) return absl::NotFoundError(absl::StrCat("no agency \"", code, "\""));
  return it->second;
}

absl::StatusOr<v1::Subscription> DirectoryView::GetSubscription(const std::string& recipient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = subscriptions_.find(recipient_id);
  if (it == subscriptions_.end()) {
    return absl::NotFoundError(absl::StrCat("no subscription for \"", recipient_id, "\""));
  }
  return it->second;
}

absl::StatusOr<v1::Subscription> DirectoryView::EffectiveSubscription(const std::string& recipient_id,
                                                                      absl::Time now) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = subscriptions_.find(recipient_id);
  if (it == subscriptions_.end()) {
    return absl::NotFoundError(absl::StrCat("no subscription for \"", recipient_id, "\""));
  }
  v1::Subscription sub = it->second;
  absl::flat_hash_set<std::string> codes(sub.agency_codes().begin(), sub.agency_codes().end());
  auto lookup = [this](const std::string& code) ABSL_NO_THREAD_SAFETY_ANALYSIS { return FindAgencyLocked(code); };
  for (const std::string& code : it->second.agency_codes()) {
    for (auto& successor : SuccessorsAt(code, lookup, now)) {
      if (codes.insert(successor).second) sub.add_agency_codes(std::move(successor));
    }
  }
  return sub;
}

std::vector<v1::Agency> DirectoryView::ListAgencies() const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(agencies_), &v1::Agency::code);
}

std::vector<v1::Spokesperson> DirectoryView::ListSpokespeople(const std::string& agency_code) const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(spokespeople_), agency_code, &v1::Spokesperson::agency_code,
                 &v1::Spokesperson::id);
}

std::vector<v1::PressOfficer> DirectoryView::ListPressOfficers(const std::string& agency_code) const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(press_officers_), agency_code, &v1::PressOfficer::agency_code, &v1::PressOfficer::id);
}

std::vector<v1::Outlet> DirectoryView::ListOutlets() const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(outlets_), &v1::Outlet::id);
}

std::vector<v1::Journalist> DirectoryView::ListJournalists(const std::string& outlet_id) const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(journalists_), outlet_id, &v1::Journalist::outlet_id,
                 &v1::Journalist::card_number);
}

std::vector<v1::NewsroomClient> DirectoryView::ListNewsroomClients(const std::string& outlet_id) const {
  absl::ReaderMutexLock lock(&mu_);
  return Listing(ValuesOf(clients_), outlet_id, &v1::NewsroomClient::outlet_id, &v1::NewsroomClient::id);
}

size_t DirectoryView::recipient_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return recipients_.size();
}

// --- the directory's questions ----------------------------------------------------------

absl::StatusOr<v1::CheckSpeakerResponse> DirectoryView::CheckSpeaker(const std::string& spokesperson_id,
                                                                     const std::string& agency_code, absl::Time at,
                                                                     const IssuedTopics& topics) const {
  absl::ReaderMutexLock lock(&mu_);
  auto s = spokespeople_.find(spokesperson_id);
  if (s == spokespeople_.end()) {
    return absl::PermissionDeniedError(absl::StrCat("\"", spokesperson_id, "\" is not a registered spokesperson"));
  }
  const v1::Spokesperson& sp = s->second;
  auto a = agencies_.find(agency_code);
  if (sp.agency_code() != agency_code) {
    // The agency an ended one was merged into answers for its statements: its spokespeople
    // correct, withhold or kill them, issuing the new version as their own agency.
    auto lookup = [this](const std::string& code) ABSL_NO_THREAD_SAFETY_ANALYSIS { return FindAgencyLocked(code); };
    const std::vector<std::string> successors =
        a == agencies_.end() ? std::vector<std::string>() : SuccessorsAt(agency_code, lookup, at);
    if (std::find(successors.begin(), successors.end(), sp.agency_code()) == successors.end()) {
      return absl::PermissionDeniedError(absl::StrCat(sp.full_name(), " speaks for ", sp.agency_code(),
                                                      ", not for ", agency_code));
    }
    a = agencies_.find(sp.agency_code());
  }
  if (a == agencies_.end()) return absl::PermissionDeniedError(absl::StrCat("no agency \"", agency_code, "\""));
  // Nobody speaks for an agency merged or dissolved by then.
  if (EndedAt(a->second, at)) return absl::PermissionDeniedError(EndMessage(a->second));
  // The period, and an authorised person's matter.
  if (absl::Status may = MayIssue(sp, at, topics); !may.ok()) return may;
  v1::CheckSpeakerResponse response;
  *response.mutable_spokesperson() = sp;
  *response.mutable_agency() = NamedAt(a->second, at);  // the issuer name of that moment
  return response;
}

absl::StatusOr<std::vector<v1::PublicSpokesperson>> DirectoryView::PublicSpokespeople(const std::string& agency_code,
                                                                                      absl::Time at) const {
  const bool every_agency = agency_code == "-";
  std::vector<v1::PublicSpokesperson> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!every_agency && !agencies_.contains(agency_code)) {
      return absl::NotFoundError(absl::StrCat("no agency \"", agency_code, "\""));
    }
    for (const auto& [id, s] : spokespeople_) {
      if (!every_agency && s.agency_code() != agency_code) continue;
      if (!EntitledAt(s, at)) continue;
      auto a = agencies_.find(s.agency_code());
      if (a == agencies_.end() || EndedAt(a->second, at)) continue;  // nobody speaks for it now
      out.push_back(PublicEntry(s, a->second));
    }
  }
  SortPublicList(&out);  // collating names is the slow part: outside the lock
  return out;
}

std::vector<v1::AudienceMember> DirectoryView::MatchAudience(const v1::StatementAudienceQuery& query,
                                                             absl::Time now) const {
  const audience::Facets facets = audience::FacetsOf(query);
  std::vector<v1::AudienceMember> out;
  absl::ReaderMutexLock lock(&mu_);
  // The agencies merged (in turn) into the issuer by now: their subscribers follow it. Each
  // is matched as the issuer would be, with its own code in the facets.
  std::vector<audience::Facets> predecessors;
  auto lookup = [this](const std::string& code) ABSL_NO_THREAD_SAFETY_ANALYSIS { return FindAgencyLocked(code); };
  for (const auto& [code, agency] : agencies_) {
    if (agency.end() != v1::AGENCY_END_MERGED || !EndedAt(agency, now)) continue;
    for (const auto& successor : SuccessorsAt(code, lookup, now)) {
      if (successor != facets.agency_code) continue;
      predecessors.push_back(facets);
      predecessors.back().agency_code = code;
      break;
    }
  }
  auto matches = [&](const audience::Filter& filter) {
    if (audience::Matches(filter, facets)) return true;
    if (filter.agency_codes.empty()) return false;  // all agencies: the issuer's own facets decided
    for (const auto& p : predecessors) {
      if (audience::Matches(filter, p)) return true;
    }
    return false;
  };
  out.reserve(recipients_.size());
  for (const auto& [id, r] : recipients_) {
    if (!r.subscribed || r.disabled || r.valid_until <= now) continue;
    if (!matches(r.filter)) continue;
    v1::AudienceMember member;
    member.set_recipient_id(r.id);
    member.set_trusted(r.trusted);
    out.push_back(std::move(member));
  }
  return out;
}

std::vector<v1::RecipientInfo> DirectoryView::GetRecipients(const std::vector<std::string>& recipient_ids) const {
  std::vector<v1::RecipientInfo> out;
  absl::ReaderMutexLock lock(&mu_);
  out.reserve(recipient_ids.size());
  for (const auto& rid : recipient_ids) {
    v1::RecipientInfo info;
    info.set_recipient_id(rid);
    if (auto it = recipients_.find(rid); it != recipients_.end()) {
      info.set_display_name(it->second.display_name);
      info.set_outlet_id(it->second.outlet_id);
      info.set_trusted(it->second.trusted);
      if (auto o = outlets_.find(it->second.outlet_id); o != outlets_.end()) info.set_outlet_name(o->second.name());
    }
    out.push_back(std::move(info));
  }
  return out;
}

absl::StatusOr<Principal> DirectoryView::PrincipalFor(const v1::TokenInfo& info) const {
  Principal p;
  p.set_id(info.subject_id());
  p.set_token_id(info.token_id());
  *p.mutable_token_expires() = info.expires_at();
  absl::ReaderMutexLock lock(&mu_);
  switch (info.subject_kind()) {
    case v1::SUBJECT_KIND_OPERATOR:
      p.set_role(Role::ROLE_OPERATOR);
      p.set_display_name(info.subject_id());
      break;
    case v1::SUBJECT_KIND_SERVICE:
      p.set_role(Role::ROLE_SERVICE);
      p.set_display_name(info.subject_id());
      break;
    case v1::SUBJECT_KIND_GATEWAY:
      p.set_role(Role::ROLE_GATEWAY);
      p.set_display_name(info.subject_id());
      break;
    case v1::SUBJECT_KIND_SPOKESPERSON: {
      auto it = spokespeople_.find(info.subject_id());
      if (it == spokespeople_.end()) return absl::UnauthenticatedError("token's spokesperson no longer exists");
      p.set_role(Role::ROLE_SPOKESPERSON);
      p.set_display_name(it->second.full_name());
      p.set_agency_code(it->second.agency_code());
      break;
    }
    case v1::SUBJECT_KIND_PRESS_OFFICER: {
      auto it = press_officers_.find(info.subject_id());
      if (it == press_officers_.end()) return absl::UnauthenticatedError("token's press officer no longer exists");
      if (it->second.disabled()) return absl::UnauthenticatedError("press officer disabled");
      p.set_role(Role::ROLE_PRESS_OFFICER);
      p.set_display_name(it->second.full_name());
      p.set_agency_code(it->second.agency_code());
      break;
    }
    case v1::SUBJECT_KIND_NEWSROOM_CLIENT: {
      auto it = clients_.find(info.subject_id());
      if (it == clients_.end()) return absl::UnauthenticatedError("token's newsroom client no longer exists");
      if (it->second.disabled()) return absl::UnauthenticatedError("newsroom client disabled");
      p.set_role(Role::ROLE_NEWSROOM_CLIENT);
      p.set_display_name(DisplayName(it->second));
      p.set_outlet_id(it->second.outlet_id());
      p.set_recipient_id(ClientRecipientId(it->second.id()));
      break;
    }
    case v1::SUBJECT_KIND_JOURNALIST: {
      auto it = journalists_.find(info.subject_id());
      if (it == journalists_.end()) return absl::UnauthenticatedError("token's journalist no longer exists");
      p.set_role(Role::ROLE_JOURNALIST);
      p.set_display_name(it->second.full_name());
      p.set_outlet_id(it->second.outlet_id());
      p.set_recipient_id(JournalistRecipientId(it->second.card_number()));
      break;
    }
    default:
      return absl::UnauthenticatedError("token of unknown kind");
  }
  return p;
}

std::optional<absl::Time> DirectoryView::CardExpires(const std::string& card_number) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = journalists_.find(card_number);
  if (it == journalists_.end()) return std::nullopt;
  return FromProto(it->second.card_expires());
}

}  // namespace pressrelay::registry
