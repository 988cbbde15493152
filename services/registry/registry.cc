#include "services/registry/registry.h"

#include <algorithm>
#include <functional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/domain/ids.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/validation.h"

namespace pressrelay::registry {
namespace {

using validation::NormalizeText;

constexpr absl::string_view kClientPrefix = "client:";
constexpr absl::string_view kJournalistPrefix = "journalist:";

bool IsCardNumber(absl::string_view card) {
  if (card.empty() || card.size() > 32) return false;
  for (char c : card) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsHttpsOrEmpty(absl::string_view url) {
  return url.empty() || (absl::StartsWith(url, "https://") && url.size() <= 2048 &&
                         url.find_first_of(" \t\r\n") == absl::string_view::npos);
}

void CheckContact(v1::Contact* contact, absl::string_view prefix, FieldViolations* v) {
  NormalizeText(contact->mutable_email(), absl::StrCat(prefix, ".email"), 254, false, v);
  if (!contact->email().empty() && contact->email().find('@') == std::string::npos) {
    v->Add(absl::StrCat(prefix, ".email"), "is not an email address");
  }
  NormalizeText(contact->mutable_phone(), absl::StrCat(prefix, ".phone"), 32, false, v);
}

template <typename Msg>
std::vector<Msg> Values(const absl::flat_hash_map<std::string, Msg>& map) {
  std::vector<Msg> out;
  out.reserve(map.size());
  for (const auto& [id, msg] : map) out.push_back(msg);
  return out;
}

template <typename Msg, typename Key>
void SortBy(std::vector<Msg>* list, Key key) {
  std::sort(list->begin(), list->end(), [&](const Msg& a, const Msg& b) { return key(a) < key(b); });
}

template <typename Msg>
bool ParseInto(const std::string& bytes, Msg* msg) {
  return msg->ParseFromString(bytes);
}

v1::SubjectKind SubjectKindOfRole(absl::string_view word) {
  if (word == "operator") return v1::SUBJECT_KIND_OPERATOR;
  if (word == "service") return v1::SUBJECT_KIND_SERVICE;
  if (word == "gateway") return v1::SUBJECT_KIND_GATEWAY;
  return v1::SUBJECT_KIND_UNSPECIFIED;
}

using Exists = std::function<bool(const std::string&)>;

void CheckOutlet(v1::Outlet* outlet, const std::string& p, FieldViolations* v) {
  if (!validation::IsSlugId(outlet->id())) v->Add(p + ".id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
  NormalizeText(outlet->mutable_licence_number(), p + ".licence_number", 64, false, v);
  if (!validation::HasVisibleText(outlet->licence_number())) v->Add(p + ".licence_number", "is required");
  NormalizeText(outlet->mutable_name(), p + ".name", 200, false, v);
  if (!validation::HasVisibleText(outlet->name())) v->Add(p + ".name", "is required");
  if (!v1::OutletKind_IsValid(outlet->kind()) || outlet->kind() == v1::OUTLET_KIND_UNSPECIFIED) {
    v->Add(p + ".kind", "is required");
  }
}

void CheckJournalist(v1::Journalist* j, const std::string& p, const Exists& outlet_exists, FieldViolations* v) {
  if (!IsCardNumber(j->card_number())) v->Add(p + ".card_number", "must be 1-32 characters A-Z, a-z, 0-9 or '-'");
  NormalizeText(j->mutable_full_name(), p + ".full_name", 200, false, v);
  if (!validation::HasVisibleText(j->full_name())) v->Add(p + ".full_name", "is required");
  if (!outlet_exists(j->outlet_id())) v->Add(p + ".outlet_id", absl::StrCat("no outlet \"", j->outlet_id(), "\""));
  if (!IsSet(j->card_expires())) v->Add(p + ".card_expires", "is required");
  CheckContact(j->mutable_contact(), p + ".contact", v);
}

void CheckClient(v1::NewsroomClient* c, const std::string& p, const Exists& outlet_exists, FieldViolations* v) {
  if (!validation::IsSlugId(c->id())) v->Add(p + ".id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
  if (!outlet_exists(c->outlet_id())) v->Add(p + ".outlet_id", absl::StrCat("no outlet \"", c->outlet_id(), "\""));
  NormalizeText(c->mutable_description(), p + ".description", 200, false, v);
}

void CheckSubscription(const v1::Subscription& sub, const std::string& p, const Exists& recipient_exists,
                       FieldViolations* v) {
  if (!recipient_exists(sub.recipient_id())) {
    v->Add(p + ".recipient_id",
           absl::StrCat("no recipient \"", sub.recipient_id(), "\" (use client:<id> or journalist:<card>)"));
  }
  for (int i = 0; i < sub.agency_codes_size(); ++i) {
    if (!validation::IsAgencyCode(sub.agency_codes(i))) {
      v->Add(absl::StrCat(p, ".agency_codes[", i, "]"), "is not an agency code");
    }
  }
  for (int i = 0; i < sub.topics_size(); ++i) {
    if (!validation::IsTopicCode(sub.topics(i))) v->Add(absl::StrCat(p, ".topics[", i, "]"), "is not a topic code");
  }
  for (int i = 0; i < sub.region_codes_size(); ++i) {
    validation::CheckRegion(sub.region_codes(i), absl::StrCat(p, ".region_codes[", i, "]"), v);
  }
  for (int i = 0; i < sub.languages_size(); ++i) {
    if (sub.languages(i) != "vi" && sub.languages(i) != "en") {
      v->Add(absl::StrCat(p, ".languages[", i, "]"), "must be \"vi\" or \"en\"");
    }
  }
  if (sub.max_urgency() < 0 || sub.max_urgency() > 9) v->Add(p + ".max_urgency", "must be 0-9");
  for (int i = 0; i < sub.kinds_size(); ++i) {
    if (!pressrelay::common::v1::StatementKind_IsValid(sub.kinds(i)) || sub.kinds(i) == 0) {
      v->Add(absl::StrCat(p, ".kinds[", i, "]"), "is not a statement kind");
    }
  }
}

}  // namespace

std::string ClientRecipientId(absl::string_view client_id) { return absl::StrCat(kClientPrefix, client_id); }
std::string JournalistRecipientId(absl::string_view card_number) {
  return absl::StrCat(kJournalistPrefix, card_number);
}

absl::StatusOr<std::vector<BootstrapToken>> ParseBootstrapTokens(absl::string_view text) {
  std::vector<BootstrapToken> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.size() != 3 || SubjectKindOfRole(words[0]) == v1::SUBJECT_KIND_UNSPECIFIED ||
        !validation::IsSlugId(words[1]) || words[2].size() < 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bootstrap tokens line ", line_no,
          ": expected \"operator|service|gateway <name> <token of 16+ characters>\""));
    }
    out.push_back({SubjectKindOfRole(words[0]), std::string(words[1]), std::string(words[2])});
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Create(RegistryStore* store) {
  std::unique_ptr<Registry> registry(new Registry(store));
  PR_RETURN_IF_ERROR(registry->ReloadAll());
  return registry;
}

absl::Status Registry::ReloadAll() {
  std::vector<std::pair<Kind, std::vector<std::pair<std::string, std::string>>>> all;
  for (Kind kind : {Kind::kAgency, Kind::kSpokesperson, Kind::kOutlet, Kind::kJournalist, Kind::kClient,
                    Kind::kSubscription}) {
    PR_ASSIGN_OR_RETURN(auto entries, store_->GetAll(kind));
    all.emplace_back(kind, std::move(entries));
  }
  absl::MutexLock lock(&mu_);
  agencies_.clear();
  spokespeople_.clear();
  outlets_.clear();
  journalists_.clear();
  clients_.clear();
  subscriptions_.clear();
  recipients_.clear();
  for (const auto& [kind, entries] : all) {
    for (const auto& [id, bytes] : entries) StoreLocked(kind, id, bytes);
  }
  for (const auto& [id, j] : journalists_) RebuildRecipientLocked(JournalistRecipientId(id));
  for (const auto& [id, c] : clients_) RebuildRecipientLocked(ClientRecipientId(id));
  return absl::OkStatus();
}

absl::Status Registry::ApplyChange(Kind kind, const std::string& id) {
  PR_ASSIGN_OR_RETURN(auto bytes, store_->Get(kind, id));
  if (!bytes) return absl::OkStatus();  // entities are never deleted, only disabled
  absl::MutexLock lock(&mu_);
  StoreLocked(kind, id, *bytes);
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
    case Kind::kOutlet: {
      std::vector<std::string> affected;
      for (const auto& [rid, r] : recipients_) {
        if (r.outlet_id == id) affected.push_back(rid);
      }
      for (const auto& rid : affected) RebuildRecipientLocked(rid);
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

void Registry::StoreLocked(Kind kind, const std::string& id, const std::string& bytes) {
  switch (kind) {
    case Kind::kAgency:
      ParseInto(bytes, &agencies_[id]);
      break;
    case Kind::kSpokesperson:
      ParseInto(bytes, &spokespeople_[id]);
      break;
    case Kind::kOutlet:
      ParseInto(bytes, &outlets_[id]);
      break;
    case Kind::kJournalist:
      ParseInto(bytes, &journalists_[id]);
      break;
    case Kind::kClient:
      ParseInto(bytes, &clients_[id]);
      break;
    case Kind::kSubscription:
      ParseInto(bytes, &subscriptions_[id]);
      break;
  }
}

void Registry::RebuildRecipientLocked(const std::string& recipient_id) {
  Recipient r;
  r.id = recipient_id;
  if (absl::StartsWith(recipient_id, kClientPrefix)) {
    auto it = clients_.find(recipient_id.substr(kClientPrefix.size()));
    if (it == clients_.end()) return;
    r.display_name = it->second.description().empty() ? it->second.id() : it->second.description();
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

template <typename Msg>
absl::Status Registry::PutEntity(Kind kind, const std::string& id, const Msg& entity,
                                 const std::vector<v1::Revocation>& revocations) {
  PR_RETURN_IF_ERROR(store_->Put(kind, id, entity, revocations));
  return ApplyChange(kind, id);
}

// --- administration ---------------------------------------------------------------------

absl::StatusOr<v1::Agency> Registry::UpsertAgency(v1::Agency agency) {
  FieldViolations v;
  if (!validation::IsAgencyCode(agency.code())) {
    v.Add("agency.code", "must be 2-32 characters A-Z, 0-9 or '-'");
  }
  NormalizeText(agency.mutable_name_vi(), "agency.name_vi", 200, false, &v);
  if (!validation::HasVisibleText(agency.name_vi())) v.Add("agency.name_vi", "is required");
  NormalizeText(agency.mutable_name_en(), "agency.name_en", 200, false, &v);
  if (!v1::AgencyKind_IsValid(agency.kind()) || agency.kind() == v1::AGENCY_KIND_UNSPECIFIED) {
    v.Add("agency.kind", "is required (ministry, ministry-level, government agency, provincial committee, other)");
  }
  if (!agency.region_code().empty()) validation::CheckRegion(agency.region_code(), "agency.region_code", &v);
  if (!IsHttpsOrEmpty(agency.website())) v.Add("agency.website", "must be an https URL");
  if (!agency.parent_code().empty()) {
    absl::ReaderMutexLock lock(&mu_);
    if (agency.parent_code() == agency.code()) {
      v.Add("agency.parent_code", "cannot be the agency itself");
    } else if (!agencies_.contains(agency.parent_code())) {
      v.Add("agency.parent_code", absl::StrCat("no agency \"", agency.parent_code(), "\""));
    }
  }
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kAgency, agency.code(), agency));
  return agency;
}

absl::StatusOr<v1::Agency> Registry::GetAgency(const std::string& code) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = agencies_.find(code);
  if (it == agencies_.end()) return absl::NotFoundError(absl::StrCat("no agency \"", code, "\""));
  return it->second;
}

std::vector<v1::Agency> Registry::ListAgencies() const {
  absl::ReaderMutexLock lock(&mu_);
  auto out = Values(agencies_);
  SortBy(&out, [](const v1::Agency& a) { return a.code(); });
  return out;
}

absl::StatusOr<v1::Spokesperson> Registry::UpsertSpokesperson(v1::Spokesperson s) {
  FieldViolations v;
  if (!validation::IsSlugId(s.id())) v.Add("spokesperson.id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!agencies_.contains(s.agency_code())) {
      v.Add("spokesperson.agency_code", absl::StrCat("no agency \"", s.agency_code(), "\""));
    }
  }
  NormalizeText(s.mutable_full_name(), "spokesperson.full_name", 200, false, &v);
  if (!validation::HasVisibleText(s.full_name())) v.Add("spokesperson.full_name", "is required");
  NormalizeText(s.mutable_title(), "spokesperson.title", 200, false, &v);
  if (!v1::SpokespersonRole_IsValid(s.role()) || s.role() == v1::SPOKESPERSON_ROLE_UNSPECIFIED) {
    v.Add("spokesperson.role", "is required (head, spokesperson, authorised)");
  }
  NormalizeText(s.mutable_matter(), "spokesperson.matter", 500, false, &v);
  if (s.role() == v1::SPOKESPERSON_ROLE_AUTHORISED && !validation::HasVisibleText(s.matter())) {
    v.Add("spokesperson.matter", "is required for a person authorised on one matter");
  }
  if (IsSet(s.valid_until()) && FromProto(s.valid_until()) <= FromProto(s.valid_from())) {
    v.Add("spokesperson.valid_until", "must be after valid_from");
  }
  CheckContact(s.mutable_contact(), "spokesperson.contact", &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kSpokesperson, s.id(), s));
  return s;
}

std::vector<v1::Spokesperson> Registry::ListSpokespeople(const std::string& agency_code) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Spokesperson> out;
  for (const auto& [id, s] : spokespeople_) {
    if (agency_code.empty() || s.agency_code() == agency_code) out.push_back(s);
  }
  SortBy(&out, [](const v1::Spokesperson& s) { return s.id(); });
  return out;
}

absl::StatusOr<v1::Outlet> Registry::UpsertOutlet(v1::Outlet outlet) {
  FieldViolations v;
  CheckOutlet(&outlet, "outlet", &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kOutlet, outlet.id(), outlet));
  return outlet;
}

std::vector<v1::Outlet> Registry::ListOutlets() const {
  absl::ReaderMutexLock lock(&mu_);
  auto out = Values(outlets_);
  SortBy(&out, [](const v1::Outlet& o) { return o.id(); });
  return out;
}

absl::StatusOr<v1::Journalist> Registry::UpsertJournalist(v1::Journalist j) {
  FieldViolations v;
  CheckJournalist(&j, "journalist", [this](const std::string& id) { return OutletExists(id); }, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kJournalist, j.card_number(), j, LostAccess({j}, {}, absl::Now())));
  return j;
}

std::vector<v1::Journalist> Registry::ListJournalists(const std::string& outlet_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Journalist> out;
  for (const auto& [id, j] : journalists_) {
    if (outlet_id.empty() || j.outlet_id() == outlet_id) out.push_back(j);
  }
  SortBy(&out, [](const v1::Journalist& j) { return j.card_number(); });
  return out;
}

absl::StatusOr<v1::NewsroomClient> Registry::UpsertNewsroomClient(v1::NewsroomClient client) {
  FieldViolations v;
  CheckClient(&client, "client", [this](const std::string& id) { return OutletExists(id); }, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kClient, client.id(), client, LostAccess({}, {client}, absl::Now())));
  return client;
}

std::vector<v1::NewsroomClient> Registry::ListNewsroomClients(const std::string& outlet_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::NewsroomClient> out;
  for (const auto& [id, c] : clients_) {
    if (outlet_id.empty() || c.outlet_id() == outlet_id) out.push_back(c);
  }
  SortBy(&out, [](const v1::NewsroomClient& c) { return c.id(); });
  return out;
}

absl::StatusOr<v1::Subscription> Registry::SetSubscription(v1::Subscription sub) {
  FieldViolations v;
  CheckSubscription(sub, "subscription", [this](const std::string& id) { return RecipientExists(id); }, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());
  PR_RETURN_IF_ERROR(PutEntity(Kind::kSubscription, sub.recipient_id(), sub));
  return sub;
}

bool Registry::OutletExists(const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  return outlets_.contains(id);
}

bool Registry::RecipientExists(const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  return recipients_.contains(id);
}

absl::StatusOr<v1::ImportRecipientsResponse> Registry::ImportRecipients(v1::ImportRecipientsRequest request) {
  FieldViolations v;
  absl::flat_hash_set<std::string> outlets, recipients;
  for (int i = 0; i < request.outlets_size(); ++i) {
    CheckOutlet(request.mutable_outlets(i), absl::StrCat("outlets[", i, "]"), &v);
    outlets.insert(request.outlets(i).id());
  }
  auto outlet_exists = [&](const std::string& id) { return outlets.contains(id) || OutletExists(id); };
  for (int i = 0; i < request.journalists_size(); ++i) {
    CheckJournalist(request.mutable_journalists(i), absl::StrCat("journalists[", i, "]"), outlet_exists, &v);
    recipients.insert(JournalistRecipientId(request.journalists(i).card_number()));
  }
  for (int i = 0; i < request.clients_size(); ++i) {
    CheckClient(request.mutable_clients(i), absl::StrCat("clients[", i, "]"), outlet_exists, &v);
    recipients.insert(ClientRecipientId(request.clients(i).id()));
  }
  auto recipient_exists = [&](const std::string& id) { return recipients.contains(id) || RecipientExists(id); };
  for (int i = 0; i < request.subscriptions_size(); ++i) {
    CheckSubscription(request.subscriptions(i), absl::StrCat("subscriptions[", i, "]"), recipient_exists, &v);
  }
  PR_RETURN_IF_ERROR(v.ToStatus());

  std::vector<std::pair<Kind, std::vector<std::pair<std::string, std::string>>>> batches(4);
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
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [kind, entries] : batches) {
      for (const auto& [id, bytes] : entries) StoreLocked(kind, id, bytes);
    }
    for (const auto& j : request.journalists()) RebuildRecipientLocked(JournalistRecipientId(j.card_number()));
    for (const auto& c : request.clients()) RebuildRecipientLocked(ClientRecipientId(c.id()));
    for (const auto& s : request.subscriptions()) RebuildRecipientLocked(s.recipient_id());
    if (request.outlets_size() > 0) {
      std::vector<std::string> affected;
      for (const auto& [rid, r] : recipients_) {
        if (outlets.contains(r.outlet_id)) affected.push_back(rid);
      }
      for (const auto& rid : affected) RebuildRecipientLocked(rid);
    }
  }
  v1::ImportRecipientsResponse response;
  response.set_outlets(request.outlets_size());
  response.set_journalists(request.journalists_size());
  response.set_clients(request.clients_size());
  response.set_subscriptions(request.subscriptions_size());
  return response;
}

absl::StatusOr<v1::Subscription> Registry::GetSubscription(const std::string& recipient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = subscriptions_.find(recipient_id);
  if (it == subscriptions_.end()) {
    return absl::NotFoundError(absl::StrCat("no subscription for \"", recipient_id, "\""));
  }
  return it->second;
}

// --- tokens -----------------------------------------------------------------------------

absl::StatusOr<v1::IssueTokenResponse> Registry::IssueToken(const v1::IssueTokenRequest& request,
                                                            absl::Time now) {
  FieldViolations v;
  const std::string& id = request.subject_id();
  {
    absl::ReaderMutexLock lock(&mu_);
    switch (request.subject_kind()) {
      case v1::SUBJECT_KIND_SPOKESPERSON:
        if (!spokespeople_.contains(id)) v.Add("subject_id", absl::StrCat("no spokesperson \"", id, "\""));
        break;
      case v1::SUBJECT_KIND_NEWSROOM_CLIENT:
        if (!clients_.contains(id)) v.Add("subject_id", absl::StrCat("no newsroom client \"", id, "\""));
        break;
      case v1::SUBJECT_KIND_JOURNALIST:
        if (!journalists_.contains(id)) v.Add("subject_id", absl::StrCat("no journalist with card \"", id, "\""));
        break;
      case v1::SUBJECT_KIND_OPERATOR:
      case v1::SUBJECT_KIND_SERVICE:
      case v1::SUBJECT_KIND_GATEWAY:
        if (!validation::IsSlugId(id)) v.Add("subject_id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
        break;
      default:
        v.Add("subject_kind", "is required");
    }
  }
  absl::Duration ttl = absl::Seconds(request.ttl_seconds());
  if (request.ttl_seconds() == 0) ttl = kDefaultTokenTtl;
  if (ttl <= absl::ZeroDuration() || ttl > kMaxTokenTtl) v.Add("ttl_seconds", "must be between 1 s and 366 days");
  std::string description = request.description();
  NormalizeText(&description, "description", 200, false, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());

  v1::IssueTokenResponse response;
  response.set_token(ids::NewToken());
  auto* info = response.mutable_info();
  info->set_token_id(ids::NewTokenId());
  info->set_subject_kind(request.subject_kind());
  info->set_subject_id(id);
  info->set_description(description);
  *info->mutable_issued_at() = ToProto(now);
  *info->mutable_expires_at() = ToProto(now + ttl);
  PR_RETURN_IF_ERROR(store_->PutToken({*info, ids::TokenHash(response.token())}));
  return response;
}

absl::StatusOr<v1::TokenInfo> Registry::RevokeToken(const std::string& token_id, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto info, store_->GetToken(token_id));
  if (!info) return absl::NotFoundError(absl::StrCat("no token \"", token_id, "\""));
  v1::Revocation revocation;
  revocation.set_token_id(token_id);
  revocation.set_reason("token revoked");
  if (!IsSet(info->revoked_at())) {
    // The record and its announcement in one transaction.
    *info->mutable_revoked_at() = ToProto(now);
    PR_RETURN_IF_ERROR(store_->UpdateTokenInfo(*info, {revocation}));
  } else {
    // Already revoked: announced again, as every revoke call always has been (a no-op for
    // the services).
    PR_RETURN_IF_ERROR(store_->AppendRevocations({revocation}));
  }
  return *info;
}

absl::StatusOr<std::vector<v1::TokenInfo>> Registry::ListTokens(const std::string& subject_id) const {
  PR_ASSIGN_OR_RETURN(auto all, store_->ListTokens());
  std::vector<v1::TokenInfo> out;
  for (auto& t : all) {
    if (subject_id.empty() || t.subject_id() == subject_id) out.push_back(std::move(t));
  }
  SortBy(&out, [](const v1::TokenInfo& t) { return t.token_id(); });
  return out;
}

absl::Status Registry::InstallBootstrapTokens(const std::vector<BootstrapToken>& tokens, absl::Time now) {
  for (const auto& t : tokens) {
    StoredToken stored;
    stored.hash = ids::TokenHash(t.token);
    // A stable id derived from the hash: installing the same token twice is a no-op.
    stored.info.set_token_id(absl::StrCat("tok_boot_", stored.hash.substr(0, 12)));
    stored.info.set_subject_kind(t.kind);
    stored.info.set_subject_id(t.subject_id);
    stored.info.set_description("installed at start-up");
    *stored.info.mutable_issued_at() = ToProto(now);
    *stored.info.mutable_expires_at() = ToProto(now + kMaxTokenTtl);
    absl::Status s = store_->PutToken(stored);
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;
  }
  return absl::OkStatus();
}

std::vector<v1::Revocation> Registry::LostAccess(const std::vector<v1::Journalist>& journalists,
                                                const std::vector<v1::NewsroomClient>& clients, absl::Time now) {
  std::vector<v1::Revocation> out;
  for (const auto& j : journalists) {
    if (FromProto(j.card_expires()) > now) continue;
    v1::Revocation& r = out.emplace_back();
    r.set_principal_id(j.card_number());
    r.set_role(pressrelay::common::v1::ROLE_JOURNALIST);
    r.set_reason("press card expired");
  }
  for (const auto& c : clients) {
    if (!c.disabled()) continue;
    v1::Revocation& r = out.emplace_back();
    r.set_principal_id(c.id());
    r.set_role(pressrelay::common::v1::ROLE_NEWSROOM_CLIENT);
    r.set_reason("newsroom client disabled");
  }
  return out;
}

// --- directory --------------------------------------------------------------------------

absl::StatusOr<Principal> Registry::Authenticate(absl::string_view token, absl::Time now) const {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  PR_ASSIGN_OR_RETURN(auto info, store_->FindTokenByHash(ids::TokenHash(token)));
  if (!info) return absl::UnauthenticatedError("unknown token");
  if (IsSet(info->revoked_at())) return absl::UnauthenticatedError("token revoked");
  if (FromProto(info->expires_at()) <= now) return absl::UnauthenticatedError("token expired");
  PR_ASSIGN_OR_RETURN(Principal principal, PrincipalFor(*info));
  *principal.mutable_access_until() = info->expires_at();
  if (principal.role() == pressrelay::common::v1::ROLE_JOURNALIST) {
    absl::ReaderMutexLock lock(&mu_);
    auto it = journalists_.find(principal.id());
    if (it != journalists_.end()) {
      const absl::Time card_expires = FromProto(it->second.card_expires());
      if (card_expires <= now) return absl::UnauthenticatedError("press card expired");
      if (card_expires < FromProto(info->expires_at())) *principal.mutable_access_until() = ToProto(card_expires);
    }
  }
  return principal;
}

absl::StatusOr<Principal> Registry::PrincipalFor(const v1::TokenInfo& info) const {
  using pressrelay::common::v1::Role;
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
    case v1::SUBJECT_KIND_NEWSROOM_CLIENT: {
      auto it = clients_.find(info.subject_id());
      if (it == clients_.end()) return absl::UnauthenticatedError("token's newsroom client no longer exists");
      if (it->second.disabled()) return absl::UnauthenticatedError("newsroom client disabled");
      p.set_role(Role::ROLE_NEWSROOM_CLIENT);
      p.set_display_name(it->second.description().empty() ? it->second.id() : it->second.description());
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

absl::StatusOr<v1::CheckSpeakerResponse> Registry::CheckSpeaker(const std::string& spokesperson_id,
                                                                const std::string& agency_code,
                                                                absl::Time at) const {
  absl::ReaderMutexLock lock(&mu_);
  auto s = spokespeople_.find(spokesperson_id);
  if (s == spokespeople_.end()) {
    return absl::PermissionDeniedError(absl::StrCat("\"", spokesperson_id, "\" is not a registered spokesperson"));
  }
  const v1::Spokesperson& sp = s->second;
  if (sp.agency_code() != agency_code) {
    return absl::PermissionDeniedError(absl::StrCat(sp.full_name(), " speaks for ", sp.agency_code(),
                                                    ", not for ", agency_code));
  }
  if (IsSet(sp.valid_from()) && at < FromProto(sp.valid_from())) {
    return absl::PermissionDeniedError(absl::StrCat(sp.full_name(), " may speak for ", agency_code, " only from ",
                                                    absl::FormatTime(FromProto(sp.valid_from()))));
  }
  if (IsSet(sp.valid_until()) && at >= FromProto(sp.valid_until())) {
    return absl::PermissionDeniedError(absl::StrCat(sp.full_name(), "'s authorisation to speak for ", agency_code,
                                                    " ended ", absl::FormatTime(FromProto(sp.valid_until()))));
  }
  auto a = agencies_.find(agency_code);
  if (a == agencies_.end()) return absl::PermissionDeniedError(absl::StrCat("no agency \"", agency_code, "\""));
  v1::CheckSpeakerResponse response;
  *response.mutable_spokesperson() = sp;
  *response.mutable_agency() = a->second;
  return response;
}

std::vector<v1::AudienceMember> Registry::MatchAudience(const v1::StatementAudienceQuery& query,
                                                        absl::Time now) const {
  const audience::Facets facets = audience::FacetsOf(query);
  std::vector<v1::AudienceMember> out;
  absl::ReaderMutexLock lock(&mu_);
  out.reserve(recipients_.size());
  for (const auto& [id, r] : recipients_) {
    if (!r.subscribed || r.disabled || r.valid_until <= now) continue;
    if (!audience::Matches(r.filter, facets)) continue;
    v1::AudienceMember member;
    member.set_recipient_id(r.id);
    member.set_trusted(r.trusted);
    out.push_back(std::move(member));
  }
  return out;
}

std::vector<v1::RecipientInfo> Registry::GetRecipients(const std::vector<std::string>& recipient_ids) const {
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

absl::Status Registry::PublishAgencyKeys(const std::vector<v1::AgencyKey>& keys) {
  FieldViolations v;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string p = absl::StrCat("keys[", i, "]");
    if (keys[i].key_id().empty() || keys[i].key_id().size() > 64) v.Add(p + ".key_id", "must be 1-64 characters");
    if (keys[i].algorithm() != "ed25519") v.Add(p + ".algorithm", "must be ed25519");
    if (keys[i].public_key().size() != 32) v.Add(p + ".public_key", "must be 32 bytes");
    absl::ReaderMutexLock lock(&mu_);
    if (!agencies_.contains(keys[i].agency_code())) {
      v.Add(p + ".agency_code", absl::StrCat("no agency \"", keys[i].agency_code(), "\""));
    }
  }
  PR_RETURN_IF_ERROR(v.ToStatus());
  for (const auto& key : keys) PR_RETURN_IF_ERROR(store_->PutAgencyKey(key));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AgencyKey>> Registry::ListAgencyKeys(const std::string& agency_code) const {
  PR_ASSIGN_OR_RETURN(auto all, store_->ListAgencyKeys());
  std::vector<v1::AgencyKey> out;
  for (auto& k : all) {
    if (agency_code.empty() || k.agency_code() == agency_code) out.push_back(std::move(k));
  }
  SortBy(&out, [](const v1::AgencyKey& k) { return k.key_id(); });
  return out;
}

size_t Registry::recipient_count() const {
  absl::ReaderMutexLock lock(&mu_);
  return recipients_.size();
}

}  // namespace pressrelay::registry
