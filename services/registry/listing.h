// How the registry's List calls answer: the entities one field selects, in the order of
// their id, so that every listing is stable from call to call whatever holds the entities
// (a hash map in the view, a Redis hash in the store).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <ranges>
#include <vector>

namespace pressrelay::registry {

// The messages of `all` whose `field` is `filter` (every one for an empty filter), sorted
// by `id`. `field` and `id` are accessors such as &v1::Journalist::outlet_id.
template <typename Range, typename Field, typename Id>
auto Listing(const Range& all, const std::string& filter, Field field, Id id) {
  std::vector<std::ranges::range_value_t<Range>> out;
  for (const auto& msg : all) {
    if (filter.empty() || std::invoke(field, msg) == filter) out.push_back(msg);
  }
  std::ranges::sort(out, std::ranges::less{}, id);
  return out;
}

// All of them, sorted by `id`.
template <typename Range, typename Id>
auto Listing(const Range& all, Id id) {
  return Listing(all, std::string(), id, id);
}

}  // namespace pressrelay::registry
