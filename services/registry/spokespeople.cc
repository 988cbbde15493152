#include "services/registry/spokespeople.h"

#include <unicode/coll.h>
#include <unicode/locid.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/domain/validation.h"

namespace pressrelay::registry {
namespace {

// The order of the public list, and the words of the messages.
int Rank(v1::SpokespersonRole role) {
  switch (role) {
    case v1::SPOKESPERSON_ROLE_HEAD:
      return 0;
    case v1::SPOKESPERSON_ROLE_SPOKESPERSON:
      return 1;
    case v1::SPOKESPERSON_ROLE_AUTHORISED:
      return 2;
    default:
      return 3;
  }
}

bool NeedsDocument(v1::SpokespersonRole role) {
  return role == v1::SPOKESPERSON_ROLE_SPOKESPERSON || role == v1::SPOKESPERSON_ROLE_AUTHORISED;
}

// "Tình hình thiên tai" (topics: disaster, weather; 15/QĐ-BNNMT)
std::string Matter(const v1::Spokesperson& s) {
  std::string out = absl::StrCat("\"", s.matter(), "\" (topics: ", absl::StrJoin(s.matter_topics(), ", "));
  if (!s.authorised_by().empty()) absl::StrAppend(&out, "; ", s.authorised_by());
  return absl::StrCat(out, ")");
}

std::string Period(const v1::Spokesperson& s) {
  std::string out;
  if (IsSet(s.valid_from())) absl::StrAppend(&out, "from ", VietnamTime(FromProto(s.valid_from())));
  if (IsSet(s.valid_until())) {
    absl::StrAppend(&out, out.empty() ? "" : " ", "until ", VietnamTime(FromProto(s.valid_until())));
  }
  return out;
}

absl::Status AuthorisedMayIssue(const v1::Spokesperson& s, absl::Time at, const IssuedTopics& topics) {
  const std::string& agency = s.agency_code();
  if (!EntitledAt(s, at)) {
    const bool early = IsSet(s.valid_from()) && at < FromProto(s.valid_from());
    return absl::PermissionDeniedError(absl::StrCat(
        s.full_name(), " is authorised to speak for ", agency, " on ", Matter(s), " only ", Period(s), ": ",
        early ? "the period has not begun" : "the period has ended"));
  }
  if (!topics.has_value()) return absl::OkStatus();  // no statement text issued
  if (s.matter_topics().empty()) {
    // A record kept from before matters had topics: nothing can be shown to be on its matter.
    return absl::PermissionDeniedError(absl::StrCat(
        s.full_name(), "'s authorisation to speak for ", agency, " on \"", s.matter(),
        "\" names no subject codes (matter_topics): an operator must register them first"));
  }
  for (const std::string& code : *topics) {
    if (std::find(s.matter_topics().begin(), s.matter_topics().end(), code) != s.matter_topics().end()) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      s.full_name(), " is authorised to speak for ", agency, " only on ", Matter(s), ": ",
      topics->empty() ? "the statement has no subject"
                      : absl::StrCat("the statement's subjects (", absl::StrJoin(*topics, ", "), ") are none of them")));
}

}  // namespace

std::string VietnamTime(absl::Time t) {
  static const absl::TimeZone kVietnam = absl::FixedTimeZone(7 * 60 * 60);
  return absl::FormatTime(absl::RFC3339_sec, t, kVietnam);
}

void CheckMandate(v1::Spokesperson* s, const std::string& p, FieldViolations* v) {
  const bool authorised = s->role() == v1::SPOKESPERSON_ROLE_AUTHORISED;
  // The entitling document: a number, in its canonical form.
  const std::string document = p + ".authorised_by";
  if (!validation::IsValidUtf8(s->authorised_by())) {
    v->Add(document, "is not valid UTF-8");
  } else if (s->authorised_by().empty()) {
    if (NeedsDocument(s->role())) {
      v->Add(document, authorised ? "is required: the number of the document authorising them, e.g. 15/QĐ-BYT"
                                  : "is required: the number of the decision designating them, e.g. 15/QĐ-BYT");
    }
  } else {
    const std::string canonical = legal::CanonicalRef(validation::ToNfc(s->authorised_by()));
    // A kind and number alone ("Quyết định số 15") do not say who issued it.
    if (canonical.empty() || canonical.find('/') == std::string::npos) {
      v->Add(document, "is not a document number (e.g. 15/QĐ-BYT, 2345/QĐ-UBND)");
    } else {
      s->set_authorised_by(canonical);
    }
  }
  // The matter's topics: subject codes, each once.
  const std::string topics = p + ".matter_topics";
  if (!authorised) {
    if (s->matter_topics_size() > 0) v->Add(topics, "is only for a person authorised on one matter");
  } else if (s->matter_topics_size() == 0) {
    v->Add(topics, "is required for an authorised person: the subject codes the matter covers");
  } else if (s->matter_topics_size() > validation::kSubjectsMax) {
    v->Add(topics, absl::StrCat("has more than ", validation::kSubjectsMax, " entries"));
  } else {
    absl::flat_hash_set<std::string> seen;
    std::vector<std::string> kept;
    for (int i = 0; i < s->matter_topics_size(); ++i) {
      if (!validation::IsTopicCode(s->matter_topics(i))) {
        v->Add(absl::StrCat(topics, "[", i, "]"), "is not a topic code (e.g. disaster, medtop:06000000)");
      } else if (seen.insert(s->matter_topics(i)).second) {
        kept.push_back(s->matter_topics(i));
      }
    }
    s->mutable_matter_topics()->Assign(kept.begin(), kept.end());
  }
  // An authorisation is for a period.
  if (authorised) {
    if (!IsSet(s->valid_from())) v->Add(p + ".valid_from", "is required for an authorised person: the period's start");
    if (!IsSet(s->valid_until())) v->Add(p + ".valid_until", "is required for an authorised person: the period's end");
  }
}

bool EntitledAt(const v1::Spokesperson& s, absl::Time at) {
  if (IsSet(s.valid_from()) && at < FromProto(s.valid_from())) return false;
  if (IsSet(s.valid_until()) && at >= FromProto(s.valid_until())) return false;
  return true;
}

absl::Status MayIssue(const v1::Spokesperson& s, absl::Time at, const IssuedTopics& topics) {
  if (s.role() == v1::SPOKESPERSON_ROLE_AUTHORISED) return AuthorisedMayIssue(s, at, topics);
  const std::string& agency = s.agency_code();
  if (IsSet(s.valid_from()) && at < FromProto(s.valid_from())) {
    return absl::PermissionDeniedError(absl::StrCat(s.full_name(), " may speak for ", agency, " only from ",
                                                    VietnamTime(FromProto(s.valid_from()))));
  }
  if (IsSet(s.valid_until()) && at >= FromProto(s.valid_until())) {
    return absl::PermissionDeniedError(absl::StrCat(s.full_name(), "'s authorisation to speak for ", agency,
                                                    " ended ", VietnamTime(FromProto(s.valid_until()))));
  }
  return absl::OkStatus();
}

v1::PublicSpokesperson PublicEntry(const v1::Spokesperson& s, const v1::Agency& agency) {
  v1::PublicSpokesperson e;
  e.set_agency_code(agency.code());
  e.set_agency_name(agency.name_vi());
  e.set_full_name(s.full_name());
  e.set_title(s.title());
  e.set_role(s.role());
  e.set_authorised_by(s.authorised_by());
  if (s.role() == v1::SPOKESPERSON_ROLE_AUTHORISED) {
    e.set_matter(s.matter());
    *e.mutable_matter_topics() = s.matter_topics();
    if (IsSet(s.valid_from())) *e.mutable_valid_from() = s.valid_from();
    if (IsSet(s.valid_until())) *e.mutable_valid_until() = s.valid_until();
  }
  if (!s.contact().email().empty() || !s.contact().phone().empty()) *e.mutable_contact() = s.contact();
  return e;
}

void SortPublicList(std::vector<v1::PublicSpokesperson>* list) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> vi(icu::Collator::createInstance(icu::Locale("vi"), status));
  if (U_FAILURE(status)) vi.reset();  // without ICU's data: code point order
  auto names = [&](const std::string& a, const std::string& b) -> int {
    if (vi == nullptr) return a.compare(b);
    UErrorCode error = U_ZERO_ERROR;
    const UCollationResult r = vi->compareUTF8(a, b, error);
    return U_FAILURE(error) ? a.compare(b) : static_cast<int>(r);
  };
  std::stable_sort(list->begin(), list->end(), [&](const v1::PublicSpokesperson& a, const v1::PublicSpokesperson& b) {
    if (a.agency_code() != b.agency_code()) return a.agency_code() < b.agency_code();
    if (Rank(a.role()) != Rank(b.role())) return Rank(a.role()) < Rank(b.role());
    if (const int by_name = names(a.full_name(), b.full_name()); by_name != 0) return by_name < 0;
    // The same name twice (two authorisations): the earlier period, then the document.
    return std::make_tuple(FromProto(a.valid_from()), a.authorised_by(), a.title()) <
           std::make_tuple(FromProto(b.valid_from()), b.authorised_by(), b.title());
  });
}

}  // namespace pressrelay::registry
