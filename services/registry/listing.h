// How the registry's List calls answer: the entities one field selects, in the order of
// their id, so that every listing is stable from call to call whatever holds the entities
// (a hash map in the view, a Redis hash in the store).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace pressrelay::registry {

// The messages of `all` whose `field` is `filter` (every one for an empty filter), sorted
// by `id`. `field` and `id` are accessors such as &v1::Journalist::outlet_id.
template <typename Msg, typename Field, typename Id>
std::vector<Msg> Listing(std::vector<Msg> all, const std::string& filter, Field field, Id id) {
  if (!filter.empty()) {
    std::erase_if(all, [&](const Msg& msg) { return std::invoke(field, msg) != filter; });
  }
  std::sort(all.begin(), all.end(), [&](const Msg& a, const Msg& b) { return std::invoke(id, a) < std::invoke(id, b); });
  return all;
}

// All of them, sorted by `id`.
template <typename Msg, typename Id>
std::vector<Msg> Listing(std::vector<Msg> all, Id id) {
  return Listing(std::move(all), std::string(), id, id);
}

// The values of a map keyed by id, for Listing.
template <typename Map>
std::vector<typename Map::mapped_type> ValuesOf(const Map& map) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(value);
  return out;
}

}  // namespace pressrelay::registry
