// Who a statement is for: the one predicate behind audience matching (registry) and
// history filtering (distribution), so the two can never disagree.
#pragma once

#include <string>
#include <vector>

#include "pressrelay/common/v1/statement.pb.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"

namespace pressrelay::audience {

// The parts of a statement that decide who receives it.
struct Facets {
  std::string agency_code;
  std::vector<std::string> topics;
  std::string region_code;
  std::string language;
  int urgency = 5;
  int kind = 0;  // pressrelay.common.v1.StatementKind
  std::vector<std::string> cites;  // canonical references of the documents it cites
};

// What a recipient asked for. Empty lists mean "all".
struct Filter {
  std::vector<std::string> agency_codes;
  std::vector<std::string> topics;
  std::vector<std::string> region_codes;
  std::vector<std::string> languages;
  int max_urgency = 9;
  std::vector<int> kinds;
  std::vector<std::string> cites;  // canonical references: the statement cites one of them
};

bool Matches(const Filter& filter, const Facets& facets);

Facets FacetsOf(const pressrelay::common::v1::Statement& statement);
Facets FacetsOf(const pressrelay::registry::v1::StatementAudienceQuery& query);
pressrelay::registry::v1::StatementAudienceQuery QueryOf(const pressrelay::common::v1::Statement& s);

Filter FilterOf(const pressrelay::registry::v1::Subscription& subscription);
Filter FilterOf(const pressrelay::distribution::v1::HistoryFilter& filter);
pressrelay::distribution::v1::HistoryFilter HistoryFilterOf(
    const pressrelay::registry::v1::Subscription& subscription);

}  // namespace pressrelay::audience
