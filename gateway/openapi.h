// The OpenAPI 3 document of the JSON API, made from the same routes as the transcoder (so it
// cannot drift from what is served): one operation per route, its path and query parameters,
// its request body and response as schemas of the messages in protobuf's JSON mapping
// (lowerCamelCase names, int64 as strings, enums by name, Timestamps as date-time strings),
// and the google.rpc.Status every error answers with.
#pragma once

#include <string>

#include "gateway/transcoder.h"

namespace pressrelay::gateway {

// The document, as JSON. `title` and `version` name the API.
std::string OpenApiDocument(const Transcoder& transcoder, const std::string& title, const std::string& version);

}  // namespace pressrelay::gateway
