// Reading a service's Prometheus metrics in a test: one scrape of its /metrics, and the
// value of a series in it.
#pragma once

#include <map>
#include <string>

namespace pressrelay::testing {

// The exposition served at http://<address>/metrics ("127.0.0.1:<port>"), "" if the scrape
// failed.
std::string Scrape(const std::string& address);

// The value of the series `name{labels...}` whose label set contains every `want` pair;
// summed over the matching series. -1 when none matches.
double Value(const std::string& exposition, const std::string& name, const std::map<std::string, std::string>& want = {});

}  // namespace pressrelay::testing
