#include "services/common/domain/audience.h"

#include <algorithm>

#include "services/common/domain/legal_refs.h"

namespace pressrelay::audience {
namespace {

template <typename List, typename Value>
bool Contains(const List& list, const Value& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

template <typename Repeated>
std::vector<std::string> Strings(const Repeated& repeated) {
  return std::vector<std::string>(repeated.begin(), repeated.end());
}

template <typename Repeated>
std::vector<int> Ints(const Repeated& repeated) {
  return std::vector<int>(repeated.begin(), repeated.end());
}

bool Overlaps(const std::vector<std::string>& wanted, const std::vector<std::string>& present) {
  for (const auto& value : present) {
    if (Contains(wanted, value)) return true;
  }
  return false;
}

}  // namespace

bool Matches(const Filter& filter, const Facets& facets) {
  if (!filter.agency_codes.empty() && !Contains(filter.agency_codes, facets.agency_code)) return false;
  if (!filter.languages.empty() && !Contains(filter.languages, facets.language)) return false;
  const int max_urgency = filter.max_urgency <= 0 ? 9 : filter.max_urgency;
  if (facets.urgency > max_urgency) return false;
  if (!filter.kinds.empty() && !Contains(filter.kinds, facets.kind)) return false;
  // A national statement (no region) concerns every region.
  if (!filter.region_codes.empty() && !facets.region_code.empty() &&
      !Contains(filter.region_codes, facets.region_code)) {
    return false;
  }
  if (!filter.topics.empty() && !Overlaps(filter.topics, facets.topics)) return false;
  if (!filter.cites.empty() && !Overlaps(filter.cites, facets.cites)) return false;
  return true;
}

Facets FacetsOf(const pressrelay::common::v1::Statement& statement) {
  Facets f;
  f.agency_code = statement.issuer().agency_code();
  for (const auto& subject : statement.subjects()) f.topics.push_back(subject.code());
  f.region_code = statement.located().region_code();
  f.language = statement.language();
  f.urgency = statement.urgency();
  f.kind = statement.kind();
  f.cites = legal::CitedDocuments(statement);
  return f;
}

Facets FacetsOf(const pressrelay::registry::v1::StatementAudienceQuery& query) {
  Facets f;
  f.agency_code = query.agency_code();
  f.topics = Strings(query.topics());
  f.region_code = query.region_code();
  f.language = query.language();
  f.urgency = query.urgency();
  f.kind = query.kind();
  f.cites = Strings(query.cites());
  return f;
}

pressrelay::registry::v1::StatementAudienceQuery QueryOf(const pressrelay::common::v1::Statement& s) {
  pressrelay::registry::v1::StatementAudienceQuery q;
  q.set_agency_code(s.issuer().agency_code());
  for (const auto& subject : s.subjects()) q.add_topics(subject.code());
  q.set_region_code(s.located().region_code());
  q.set_language(s.language());
  q.set_urgency(s.urgency());
  q.set_kind(s.kind());
  for (auto& cited : legal::CitedDocuments(s)) q.add_cites(std::move(cited));
  return q;
}

Filter FilterOf(const pressrelay::registry::v1::Subscription& subscription) {
  Filter f;
  f.agency_codes = Strings(subscription.agency_codes());
  f.topics = Strings(subscription.topics());
  f.region_codes = Strings(subscription.region_codes());
  f.languages = Strings(subscription.languages());
  f.max_urgency = subscription.max_urgency();
  f.kinds = Ints(subscription.kinds());
  f.cites = Strings(subscription.cites());
  return f;
}

Filter FilterOf(const pressrelay::distribution::v1::HistoryFilter& filter) {
  Filter f;
  f.agency_codes = Strings(filter.agency_codes());
  f.topics = Strings(filter.topics());
  f.region_codes = Strings(filter.region_codes());
  f.languages = Strings(filter.languages());
  f.max_urgency = filter.max_urgency();
  f.kinds = Ints(filter.kinds());
  f.cites = Strings(filter.cites());
  return f;
}

pressrelay::distribution::v1::HistoryFilter HistoryFilterOf(
    const pressrelay::registry::v1::Subscription& subscription) {
  pressrelay::distribution::v1::HistoryFilter f;
  *f.mutable_agency_codes() = subscription.agency_codes();
  *f.mutable_topics() = subscription.topics();
  *f.mutable_region_codes() = subscription.region_codes();
  *f.mutable_languages() = subscription.languages();
  f.set_max_urgency(subscription.max_urgency());
  *f.mutable_kinds() = subscription.kinds();
  *f.mutable_cites() = subscription.cites();
  return f;
}

}  // namespace pressrelay::audience
