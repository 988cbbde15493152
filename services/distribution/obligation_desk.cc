#include "services/distribution/obligation_desk.h"

#include <algorithm>

#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/vn_text.h"
#include "services/distribution/obligations.h"
#include "services/distribution/read_access.h"
#include "services/distribution/statement_store.h"

namespace pressrelay::distribution {

absl::StatusOr<std::map<std::string, std::string>> ObligationDesk::HeadlinesAwaitingFollowUp(
    const std::vector<AgencyActivity>& activity) {
  std::vector<std::string> ids;
  for (const auto& a : activity) {
    for (const auto& [id, ms] : a.follow_ups_due) ids.push_back(id);
  }
  std::map<std::string, std::string> headlines;
  if (ids.empty()) return headlines;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, ids));
  std::vector<std::pair<std::string, int>> refs;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (summaries[i].latest > 0) refs.emplace_back(ids[i], summaries[i].latest);
  }
  PR_ASSIGN_OR_RETURN(auto versions, StatementStore::LoadVersions(*redis, refs));
  for (const auto& v : versions) {
    if (v) headlines[v->id()] = v->headline();
  }
  return headlines;
}

absl::StatusOr<v1::ObligationsReport> ObligationDesk::Report(const Principal& caller,
                                                             const v1::GetObligationsReportRequest& request,
                                                             absl::Time now) {
  const absl::Time as_of = IsSet(request.as_of()) ? FromProto(request.as_of()) : now;
  // A spokesperson or press officer sees their own agency; operators any or all.
  std::string agency = request.agency_code();
  if (agency.empty()) {
    PR_ASSIGN_OR_RETURN(agency, DefaultListAgency(caller));
  }
  if (!agency.empty()) PR_RETURN_IF_ERROR(MayReadAgency(caller, agency, *directory_, now));

  PR_ASSIGN_OR_RETURN(auto agencies, directory_->ListAgencies());
  if (!agency.empty()) {
    agencies.erase(std::remove_if(agencies.begin(), agencies.end(),
                                  [&](const registry_v1::Agency& a) { return a.code() != agency; }),
                   agencies.end());
    if (agencies.empty()) return absl::NotFoundError(absl::StrCat("no agency \"", agency, "\""));
  }
  // A report people read: agencies in Vietnamese alphabetical order of their names.
  const vntext::Collation& vietnamese = vntext::Collation::Vietnamese();
  std::sort(agencies.begin(), agencies.end(), [&](const registry_v1::Agency& a, const registry_v1::Agency& b) {
    if (vietnamese.Less(a.name_vi(), b.name_vi())) return true;
    if (vietnamese.Less(b.name_vi(), a.name_vi())) return false;
    return a.code() < b.code();
  });
  std::vector<std::string> codes;
  for (const auto& a : agencies) codes.push_back(a.code());
  std::vector<AgencyActivity> activity;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(activity, StatementStore::LoadActivity(*redis, codes));
  }
  PR_ASSIGN_OR_RETURN(const auto headlines, HeadlinesAwaitingFollowUp(activity));
  v1::ObligationsReport report;
  *report.mutable_as_of() = ToProto(as_of);
  for (size_t i = 0; i < agencies.size(); ++i) {
    v1::AgencyObligations obligations =
        Evaluate(agencies[i].code(), agencies[i].name_vi(), activity[i], as_of, reminder_window_);
    AddFollowUpsDue(activity[i], headlines, as_of, &obligations);
    if (request.overdue_only() && !IsOverdue(obligations)) continue;
    *report.add_agencies() = std::move(obligations);
  }
  return report;
}

}  // namespace pressrelay::distribution
