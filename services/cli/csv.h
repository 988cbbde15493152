// CSV exports of the CLI (RFC 4180): fields quoted when they hold a comma, a quote or a line
// break, quotes doubled, lines ended by CRLF, UTF-8 opened by a byte order mark so that the
// spreadsheet programs press offices use read Vietnamese as Vietnamese.
#pragma once

#include <string>
#include <vector>

#include "pressrelay/registry/v1/registry.pb.h"

namespace pressrelay::cli {

// The byte order mark a CSV export starts with.
inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// One CSV line, CRLF included.
std::string CsvLine(const std::vector<std::string>& fields);

// An agency's public list of spokespeople as the file the agency posts: a header line, then one
// line per person in the list's order. Columns (Vietnamese headers): agency name, agency code,
// full name, title, capacity (Người đứng đầu / Người phát ngôn / Người được ủy quyền phát
// ngôn), the entitling document, matter, matter topics ("; "-separated), from, until
// (RFC 3339, UTC+07:00), email, phone.
std::string SpokespeopleCsv(const pressrelay::registry::v1::ListAgencySpokespeopleResponse& list);

}  // namespace pressrelay::cli
