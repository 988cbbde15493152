// The gateway's JSON API, transcoded from the google.api.http annotations of the public RPCs
// (protos/google/api/http.proto), never written by hand per RPC: adding an RPC to the JSON
// API is one annotation.
//
// At start, a route table is made from the descriptors: one route per binding (an HTTP method
// and a path template such as "/v1/statements/{statement_id}:revise"). For each HTTP request:
//   1. Find: the route whose method, literal segments and custom verb match;
//   2. Fill: the request message from the body (the whole request for body "*", one field for
//      body "<field>"), the path variables and the query parameters (field paths, e.g.
//      "page_size", "filter.agency_codes"), all through protobuf's JSON mapping;
//   3. Call: the RPC over a generic gRPC stub with the caller's metadata (the person's session
//      and the gateway's own token);
//   4. Answer: the response printed with protobuf's JSON mapping (lowerCamelCase names), or
//      the error as Google's google.rpc.Code table maps it to HTTP (HttpStatusOf), its body
//      the google.rpc.Status with its details (a BadRequest names each field).
// No Redis, no service logic: the services check everything as for any other caller.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pressrelay::gateway {

// One HTTP binding of an RPC.
struct Route {
  struct Segment {
    std::string literal;     // set for a literal segment
    std::string field_path;  // set for a variable: the request field it binds ("draft.id")
  };
  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string path;         // the template as annotated
  std::vector<Segment> segments;
  std::string verb;  // the custom verb after the last ':' ("revise"), or ""
  std::string body;  // "" (no body), "*" (the whole request) or a request field
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;  // "/pressrelay.distribution.v1.Distribution/Publish"
  std::string service;    // "pressrelay.distribution.v1.Distribution"
};

// What the caller sends with every call it transcodes: (key, value) pairs of gRPC metadata.
using Metadata = std::vector<std::pair<std::string, std::string>>;

// An HTTP answer: status, JSON body.
struct HttpAnswer {
  int status = 200;
  std::string body;
  // From a google.rpc.RetryInfo detail (a lockout, a busy service): sent as Retry-After.
  int retry_after_seconds = 0;
};

// Google's mapping of a gRPC status code to HTTP (google/rpc/code.proto).
int HttpStatusOf(absl::StatusCode code);
// The HTTP answer of an error: its status, and the google.rpc.Status (with details) as JSON.
HttpAnswer ErrorAnswer(const absl::Status& status);

class Transcoder {
 public:
  // Routes for every annotated method of the named services (full names), each reached over
  // the channel given for its service. FAILED_PRECONDITION for an annotation it cannot serve.
  static absl::StatusOr<std::unique_ptr<Transcoder>> Create(
      const std::map<std::string, std::shared_ptr<grpc::Channel>>& channel_by_service);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> bindings;  // field path -> value (percent-decoded)
  };
  // The route for this method and path (without the query string), if any.
  std::optional<Match> Find(const std::string& http_method, const std::string& path) const;

  // Makes the request message of a match. INVALID_ARGUMENT naming what could not be read.
  absl::Status Fill(const Match& match, const std::multimap<std::string, std::string>& query,
                    const std::string& body, google::protobuf::Message* request) const;

  // The whole round: fill, call, print. Never throws; every failure is an HttpAnswer.
  HttpAnswer Handle(const Match& match, const std::multimap<std::string, std::string>& query,
                    const std::string& body, const Metadata& metadata, absl::Duration deadline) const;

  // Calls one RPC by its route with a ready request; the response or the call's status.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Call(const Route& route,
                                                                  const google::protobuf::Message& request,
                                                                  const Metadata& metadata,
                                                                  absl::Duration deadline) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  Transcoder() = default;
  std::vector<Route> routes_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// protobuf's JSON printing of a message, as every answer uses it (lowerCamelCase names).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace pressrelay::gateway
