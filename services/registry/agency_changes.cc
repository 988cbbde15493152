#include "services/registry/agency_changes.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/domain/validation.h"

namespace pressrelay::registry {
namespace {

constexpr int kMaxChain = 64;  // mergers followed in turn; more is a cycle

// Dates as Vietnamese decisions write them: in Vietnam's time.
std::string Date(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::FixedTimeZone(7 * 3600)); }

// When the agency ends, or is due to; InfiniteFuture if it does not.
absl::Time EndTime(const v1::Agency& a) {
  return a.end() == v1::AGENCY_END_NONE ? absl::InfiniteFuture() : FromProto(a.ended_at());
}

std::string DueMessage(const v1::Agency& a) {
  return absl::StrCat(a.code(), " is due to be ",
                      a.end() == v1::AGENCY_END_MERGED ? absl::StrCat("merged into ", a.successor_code())
                                                       : std::string("dissolved"),
                      " on ", Date(FromProto(a.ended_at())));
}

}  // namespace

bool EndedAt(const v1::Agency& agency, absl::Time at) { return EndTime(agency) <= at; }

std::string EndMessage(const v1::Agency& a) {
  std::string out = a.end() == v1::AGENCY_END_MERGED
                        ? absl::StrCat(a.code(), " was merged into ", a.successor_code())
                        : absl::StrCat(a.code(), " was dissolved");
  absl::StrAppend(&out, " on ", Date(FromProto(a.ended_at())));
  if (!a.ended_by().empty()) absl::StrAppend(&out, " (decision ", a.ended_by(), ")");
  return out;
}

v1::Agency NamedAt(v1::Agency agency, absl::Time at) {
  for (const auto& former : agency.former_names()) {  // oldest first
    if (FromProto(former.until()) > at) {
      agency.set_name_vi(former.name_vi());
      agency.set_name_en(former.name_en());
      break;
    }
  }
  return agency;
}

std::vector<std::string> SuccessorsAt(const std::string& code, AgencyLookup lookup, absl::Time at) {
  std::vector<std::string> out;
  absl::flat_hash_set<std::string> seen = {code};
  const v1::Agency* a = lookup(code);
  while (a != nullptr && a->end() == v1::AGENCY_END_MERGED && EndedAt(*a, at) && out.size() < kMaxChain) {
    if (!seen.insert(a->successor_code()).second) break;
    out.push_back(a->successor_code());
    a = lookup(a->successor_code());
  }
  return out;
}

void KeepChange(const v1::Agency* stored, v1::Agency* agency) {
  agency->clear_former_names();
  agency->clear_end();
  agency->clear_successor_code();
  agency->clear_ended_at();
  agency->clear_ended_by();
  if (stored == nullptr) return;
  *agency->mutable_former_names() = stored->former_names();
  agency->set_end(stored->end());
  agency->set_successor_code(stored->successor_code());
  if (stored->has_ended_at()) *agency->mutable_ended_at() = stored->ended_at();
  agency->set_ended_by(stored->ended_by());
}

absl::StatusOr<v1::Agency> ApplyAgencyChange(const v1::Agency& current, const v1::ChangeAgencyRequest& request,
                                             AgencyLookup lookup, absl::Time now) {
  // An end that has taken effect is final; one still to come may only be replaced.
  if (EndedAt(current, now)) {
    return absl::FailedPreconditionError(
        absl::StrCat(EndMessage(current), ": an agency that has ended cannot be changed again"));
  }
  FieldViolations v;
  const v1::AgencyChangeKind kind = request.kind();
  const bool rename = kind == v1::AGENCY_CHANGE_KIND_RENAME;
  const bool merge = kind == v1::AGENCY_CHANGE_KIND_MERGE_INTO;
  const bool dissolve = kind == v1::AGENCY_CHANGE_KIND_DISSOLVE;
  if (!rename && !merge && !dissolve) v.Add("kind", "is required (rename, merge_into, dissolve)");

  absl::Time effective = now;
  if (IsSet(request.effective_from())) {
    if (!IsValidTimestamp(request.effective_from())) {
      v.Add("effective_from", "is not a valid time");
    } else {
      effective = FromProto(request.effective_from());
    }
  }
  const std::string decided_by = legal::CanonicalRef(request.decided_by());
  if (request.decided_by().empty()) {
    v.Add("decided_by", "is required: the decision or resolution ordering it (e.g. 202/2025/QH15)");
  } else if (decided_by.empty()) {
    v.Add("decided_by", "is not a legal document reference (e.g. 202/2025/QH15, 1234/QĐ-TTg)");
  }

  std::string name_vi = request.name_vi(), name_en = request.name_en();
  if (rename) {
    validation::NormalizeText(&name_vi, "name_vi", 200, false, &v);
    validation::NormalizeText(&name_en, "name_en", 200, false, &v);
    if (!validation::HasVisibleText(name_vi)) {
      v.Add("name_vi", "is required: the agency's new official name");
    } else if (name_vi == current.name_vi() && name_en == current.name_en()) {
      v.Add("name_vi", "is the agency's name already");
    }
    if (!request.successor_code().empty()) v.Add("successor_code", "is for a merger (merge_into) only");
    if (effective > now) {
      v.Add("effective_from", "cannot be in the future for a renaming: record it when it takes effect");
    } else if (current.former_names_size() > 0 &&
               effective < FromProto(current.former_names(current.former_names_size() - 1).until())) {
      v.Add("effective_from", "is before the agency's previous renaming");
    }
  } else if (merge || dissolve) {
    if (!request.name_vi().empty()) v.Add("name_vi", "is for a renaming only");
    if (!request.name_en().empty()) v.Add("name_en", "is for a renaming only");
  }
  const v1::Agency* successor = nullptr;
  if (merge) {
    const std::string& s = request.successor_code();
    if (s.empty()) {
      v.Add("successor_code", "is required: the agency it is merged into");
    } else if (s == current.code()) {
      v.Add("successor_code", "cannot be the agency itself");
    } else if ((successor = lookup(s)) == nullptr) {
      v.Add("successor_code", absl::StrCat("no agency \"", s, "\""));
    } else if (EndedAt(*successor, now)) {
      v.Add("successor_code", absl::StrCat(EndMessage(*successor), ": merge into an agency that carries on"));
    } else if (successor->end() != v1::AGENCY_END_NONE) {
      v.Add("successor_code", absl::StrCat(DueMessage(*successor), ": merge into an agency that carries on"));
    } else {
      // Defensive: no chain from the successor leads back here.
      for (const auto& next : SuccessorsAt(s, lookup, absl::InfiniteFuture())) {
        if (next == current.code()) v.Add("successor_code", "would make a cycle of mergers");
      }
    }
  } else if (dissolve && !request.successor_code().empty()) {
    v.Add("successor_code", "is for a merger (merge_into) only: a dissolved agency has no successor");
  }
  if (absl::Status s = v.ToStatus(); !s.ok()) return s;

  if (rename && current.end() != v1::AGENCY_END_NONE) {
    return absl::FailedPreconditionError(
        absl::StrCat(DueMessage(current), ": it cannot be renamed (change its merger or dissolution instead)"));
  }

  v1::Agency out = current;
  if (rename) {
    v1::FormerName* former = out.add_former_names();
    former->set_name_vi(current.name_vi());
    former->set_name_en(current.name_en());
    *former->mutable_until() = ToProto(effective);
    former->set_decided_by(decided_by);
    out.set_name_vi(std::move(name_vi));
    out.set_name_en(std::move(name_en));
    return out;
  }
  out.set_end(merge ? v1::AGENCY_END_MERGED : v1::AGENCY_END_DISSOLVED);
  out.set_successor_code(merge ? request.successor_code() : "");
  *out.mutable_ended_at() = ToProto(effective);
  out.set_ended_by(decided_by);
  return out;
}

}  // namespace pressrelay::registry
