#include "services/registry/entity_rules.h"

#include "services/common/domain/legal_refs.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/validation.h"
#include "services/registry/spokespeople.h"

namespace pressrelay::registry {
namespace {

using validation::NormalizeText;

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

void CheckExists(const Exists& exists, const std::string& id, absl::string_view what, const std::string& field,
                 FieldViolations* v) {
  if (!exists(id)) v->Add(field, absl::StrCat("no ", what, " \"", id, "\""));
}

// What a spokesperson and a press officer both are: a slug id, a person of an agency that
// exists, with a visible name and a title.
template <typename Person>
void CheckAgencyPerson(Person* person, const std::string& p, const Exists& agency_exists, FieldViolations* v) {
  if (!validation::IsSlugId(person->id())) v->Add(p + ".id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
  CheckExists(agency_exists, person->agency_code(), "agency", p + ".agency_code", v);
  NormalizeText(person->mutable_full_name(), p + ".full_name", 200, false, v);
  if (!validation::HasVisibleText(person->full_name())) v->Add(p + ".full_name", "is required");
  NormalizeText(person->mutable_title(), p + ".title", 200, false, v);
}

}  // namespace

bool IsCardNumber(absl::string_view card) {
  if (card.empty() || card.size() > 32) return false;
  for (char c : card) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsUsername(absl::string_view username) {
  if (username.size() < 3 || username.size() > 128) return false;
  for (char c : username) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@' ||
          c == '+')) {
      return false;
    }
  }
  return true;
}

std::string ClientRecipientId(absl::string_view client_id) { return absl::StrCat(kClientPrefix, client_id); }
std::string JournalistRecipientId(absl::string_view card_number) {
  return absl::StrCat(kJournalistPrefix, card_number);
}

void CheckAgency(v1::Agency* agency, const std::string& p, const Exists& agency_exists, FieldViolations* v) {
  if (!validation::IsAgencyCode(agency->code())) v->Add(p + ".code", "must be 2-32 characters A-Z, 0-9 or '-'");
  NormalizeText(agency->mutable_name_vi(), p + ".name_vi", 200, false, v);
  if (!validation::HasVisibleText(agency->name_vi())) v->Add(p + ".name_vi", "is required");
  NormalizeText(agency->mutable_name_en(), p + ".name_en", 200, false, v);
  if (!v1::AgencyKind_IsValid(agency->kind()) || agency->kind() == v1::AGENCY_KIND_UNSPECIFIED) {
    v->Add(p + ".kind", "is required (ministry, ministry-level, government agency, provincial committee, other)");
  }
  if (!agency->region_code().empty()) validation::CheckRegion(agency->region_code(), p + ".region_code", v);
  if (!IsHttpsOrEmpty(agency->website())) v->Add(p + ".website", "must be an https URL");
  if (agency->has_urgent_follow_up()) {
    const auto& period = agency->urgent_follow_up();
    if (period.nanos() != 0 || period.seconds() % 60 != 0 || period.seconds() < 60 ||
        period.seconds() > 30 * 24 * 3600) {
      v->Add(p + ".urgent_follow_up", "must be whole minutes, from 1 minute to 30 days");
    }
  }
  if (!agency->parent_code().empty()) {
    if (agency->parent_code() == agency->code()) {
      v->Add(p + ".parent_code", "cannot be the agency itself");
    } else {
      CheckExists(agency_exists, agency->parent_code(), "agency", p + ".parent_code", v);
    }
  }
}

void CheckSpokesperson(v1::Spokesperson* s, const std::string& p, const Exists& agency_exists, FieldViolations* v) {
  CheckAgencyPerson(s, p, agency_exists, v);
  if (!v1::SpokespersonRole_IsValid(s->role()) || s->role() == v1::SPOKESPERSON_ROLE_UNSPECIFIED) {
    v->Add(p + ".role", "is required (head, spokesperson, authorised)");
  }
  NormalizeText(s->mutable_matter(), p + ".matter", 500, false, v);
  if (s->role() == v1::SPOKESPERSON_ROLE_AUTHORISED && !validation::HasVisibleText(s->matter())) {
    v->Add(p + ".matter", "is required for a person authorised on one matter");
  }
  if (IsSet(s->valid_until()) && FromProto(s->valid_until()) <= FromProto(s->valid_from())) {
    v->Add(p + ".valid_until", "must be after valid_from");
  }
  CheckMandate(s, p, v);  // the entitling document, the matter's topics, the period
  CheckContact(s->mutable_contact(), p + ".contact", v);
}

void CheckPressOfficer(v1::PressOfficer* officer, const std::string& p, const Exists& agency_exists,
                       FieldViolations* v) {
  CheckAgencyPerson(officer, p, agency_exists, v);
  CheckContact(officer->mutable_contact(), p + ".contact", v);
}

void CheckAccount(v1::Account* account, const std::string& p, const Exists& spokesperson_exists,
                  const Exists& press_officer_exists, FieldViolations* v) {
  if (!IsUsername(account->username())) {
    v->Add(p + ".username", "must be 3-128 characters a-z, 0-9, '.', '_', '-', '@' or '+'");
  }
  switch (account->subject_kind()) {
    case v1::SUBJECT_KIND_OPERATOR:
      if (!validation::IsSlugId(account->subject_id())) {
        v->Add(p + ".subject_id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
      }
      break;
    case v1::SUBJECT_KIND_SPOKESPERSON:
      CheckExists(spokesperson_exists, account->subject_id(), "spokesperson", p + ".subject_id", v);
      break;
    case v1::SUBJECT_KIND_PRESS_OFFICER:
      CheckExists(press_officer_exists, account->subject_id(), "press officer", p + ".subject_id", v);
      break;
    default:
      v->Add(p + ".subject_kind", "must be an operator, a spokesperson or a press officer");
  }
  NormalizeText(account->mutable_display_name(), p + ".display_name", 200, false, v);
  if (!validation::HasVisibleText(account->display_name())) v->Add(p + ".display_name", "is required");
}

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
  CheckExists(outlet_exists, j->outlet_id(), "outlet", p + ".outlet_id", v);
  if (!IsSet(j->card_expires())) v->Add(p + ".card_expires", "is required");
  CheckContact(j->mutable_contact(), p + ".contact", v);
}

void CheckClient(v1::NewsroomClient* c, const std::string& p, const Exists& outlet_exists, FieldViolations* v) {
  if (!validation::IsSlugId(c->id())) v->Add(p + ".id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
  CheckExists(outlet_exists, c->outlet_id(), "outlet", p + ".outlet_id", v);
  NormalizeText(c->mutable_description(), p + ".description", 200, false, v);
}

void CheckSubscription(v1::Subscription* subscription, const std::string& p, const Exists& recipient_exists,
                       FieldViolations* v) {
  const v1::Subscription& sub = *subscription;
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
  // Cited documents are kept in their canonical form, the form statements carry.
  for (int i = 0; i < sub.cites_size(); ++i) {
    std::string canonical = legal::CanonicalRef(sub.cites(i));
    if (canonical.empty()) {
      v->Add(absl::StrCat(p, ".cites[", i, "]"),
             "is not a legal document reference (e.g. 09/2017/NĐ-CP, 07/CT-TTg, 103/2016/QH13)");
    } else {
      subscription->set_cites(i, std::move(canonical));
    }
  }
}

void CheckAgencyKeys(const std::vector<v1::AgencyKey>& keys, const Exists& agency_exists, FieldViolations* v) {
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string p = absl::StrCat("keys[", i, "]");
    if (keys[i].key_id().empty() || keys[i].key_id().size() > 64) v->Add(p + ".key_id", "must be 1-64 characters");
    if (keys[i].algorithm() != "ed25519") v->Add(p + ".algorithm", "must be ed25519");
    if (keys[i].public_key().size() != 32) v->Add(p + ".public_key", "must be 32 bytes");
    CheckExists(agency_exists, keys[i].agency_code(), "agency", p + ".agency_code", v);
  }
}

std::vector<v1::Revocation> LostAccess(const std::vector<v1::Journalist>& journalists,
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

std::vector<v1::Revocation> LostAccess(const v1::PressOfficer& officer) {
  std::vector<v1::Revocation> out;
  if (!officer.disabled()) return out;
  v1::Revocation& r = out.emplace_back();
  r.set_principal_id(officer.id());
  r.set_role(pressrelay::common::v1::ROLE_PRESS_OFFICER);
  r.set_reason("press officer disabled");
  return out;
}

}  // namespace pressrelay::registry
