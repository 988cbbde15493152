// A browser at the admin gateway, as far as the HTTP tests need one: it keeps the session
// cookie the gateway sets (and drops it when told to), and sends the CSRF token the desk's
// page would send (GET /api/session tells it), unless a test asks it not to.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "absl/time/time.h"

namespace pressrelay::testing {

struct HttpReply {
  int status = 0;  // 0: no answer at all (connection refused or cut)
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower case

  // The first value of a header ("" when absent).
  std::string Header(const std::string& name) const;
  // The body parsed as JSON (null value when it is not JSON).
  google::protobuf::Value Json() const;
  // A field of a JSON object body by dotted path, e.g. "principal.agencyCode" ("" if absent;
  // numbers and booleans printed).
  std::string Field(const std::string& path) const;
  // The google.rpc.BadRequest field names in an error body.
  std::vector<std::string> FieldViolations() const;
};

class DeskClient {
 public:
  // `address` is "127.0.0.1:<port>". `forwarded_for`: sent as X-Forwarded-For.
  explicit DeskClient(std::string address, std::string forwarded_for = "");

  // POST /api/session; keeps the cookie and the CSRF token when it succeeds.
  HttpReply SignIn(const std::string& username, const std::string& password, const std::string& totp_code = "");
  // DELETE /api/session with the CSRF token.
  HttpReply SignOut();

  HttpReply Get(const std::string& path);
  // A state-changing request with a JSON body. `csrf`: the header to send (default: the
  // session's token; "" sends none).
  HttpReply Send(const std::string& method, const std::string& path, const std::string& body,
                 std::optional<std::string> csrf = std::nullopt);
  // Raw: any method, path, body and content type, cookie sent, CSRF token sent.
  HttpReply Raw(const std::string& method, const std::string& path, const std::string& body,
                const std::string& content_type);

  const std::string& session() const { return session_; }
  const std::string& csrf() const { return csrf_; }
  void set_session(std::string session) { session_ = std::move(session); }
  void forget() { session_.clear(); csrf_.clear(); }

 private:
  HttpReply Do(const std::string& method, const std::string& path, const std::string& body,
               const std::string& content_type, const std::string& csrf);
  void TakeCookie(const HttpReply& reply);

  std::string host_;
  int port_ = 0;
  std::string forwarded_for_;
  std::string session_;
  std::string csrf_;
};

// Server-sent events from a GET (the delivery report's watch), read on a thread.
class EventStream {
 public:
  EventStream(const std::string& address, const std::string& path, const std::string& session);
  ~EventStream();
  // The data of the next "event: <name>" within `timeout`, or nullopt.
  std::optional<std::string> Next(const std::string& name, absl::Duration timeout);
  // The HTTP status the stream was answered with (0 until known).
  int status();

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace pressrelay::testing
