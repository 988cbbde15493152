#include "tests/support/metrics_scrape.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pressrelay::testing {

std::string Scrape(const std::string& address) {
  httplib::Client client("127.0.0.1", std::stoi(address.substr(address.find(':') + 1)));
  client.set_read_timeout(5, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return "";
  EXPECT_TRUE(absl::StartsWith(res->get_header_value("Content-Type"), "text/plain; version=0.0.4"));
  return res->body;
}

double Value(const std::string& exposition, const std::string& name, const std::map<std::string, std::string>& want) {
  double total = -1;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    const absl::string_view series = line.substr(0, space);
    const size_t brace = series.find('{');
    if (series.substr(0, brace) != name) continue;
    bool match = true;
    for (const auto& [label, value] : want) {
      if (!absl::StrContains(series, absl::StrCat(label, "=\"", value, "\""))) match = false;
    }
    double v;
    if (!match || !absl::SimpleAtod(line.substr(space + 1), &v)) continue;
    total = (total < 0 ? 0 : total) + v;
  }
  return total;
}

}  // namespace pressrelay::testing
