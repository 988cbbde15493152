#include "tests/support/desk_client.h"

#include <httplib.h>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace pressrelay::testing {
namespace {

constexpr char kCookie[] = "pr_session";

std::pair<std::string, int> HostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  (void)absl::SimpleAtoi(address.substr(colon + 1), &port);
  return {address.substr(0, colon), port};
}

std::string Print(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(v.number_value());
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default: {
      std::string out;
      (void)google::protobuf::util::MessageToJsonString(v, &out);
      return out;
    }
  }
}

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

google::protobuf::Value HttpReply::Json() const {
  google::protobuf::Value value;
  if (!google::protobuf::util::JsonStringToMessage(body, &value).ok()) value.Clear();
  return value;
}

std::string HttpReply::Field(const std::string& path) const {
  google::protobuf::Value v = Json();
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(path, '.'))) {
    if (!v.has_struct_value() || !v.struct_value().fields().contains(part)) return "";
    google::protobuf::Value next = v.struct_value().fields().at(part);
    v = std::move(next);
  }
  return Print(v);
}

std::vector<std::string> HttpReply::FieldViolations() const {
  std::vector<std::string> fields;
  google::protobuf::Value v = Json();
  if (!v.has_struct_value() || !v.struct_value().fields().contains("details")) return fields;
  for (const auto& detail : v.struct_value().fields().at("details").list_value().values()) {
    const auto& f = detail.struct_value().fields();
    if (!f.contains("fieldViolations")) continue;
    for (const auto& violation : f.at("fieldViolations").list_value().values()) {
      fields.push_back(violation.struct_value().fields().at("field").string_value());
    }
  }
  return fields;
}

DeskClient::DeskClient(std::string address, std::string forwarded_for) : forwarded_for_(std::move(forwarded_for)) {
  std::tie(host_, port_) = HostPort(address);
}

HttpReply DeskClient::Do(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& content_type, const std::string& csrf) {
  httplib::Client client(host_, port_);
  client.set_read_timeout(30, 0);
  client.set_connection_timeout(10, 0);
  httplib::Headers headers;
  if (!session_.empty()) headers.emplace("Cookie", absl::StrCat(kCookie, "=", session_));
  if (!csrf.empty()) headers.emplace("X-CSRF-Token", csrf);
  if (!forwarded_for_.empty()) headers.emplace("X-Forwarded-For", forwarded_for_);
  httplib::Result result = [&] {
    if (method == "GET") return client.Get(path, headers);
    if (method == "DELETE") return client.Delete(path, headers, body, content_type);
    if (method == "PUT") return client.Put(path, headers, body, content_type);
    if (method == "PATCH") return client.Patch(path, headers, body, content_type);
    return client.Post(path, headers, body, content_type);
  }();
  HttpReply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  for (const auto& [name, value] : result->headers) reply.headers.emplace(absl::AsciiStrToLower(name), value);
  TakeCookie(reply);
  return reply;
}

void DeskClient::TakeCookie(const HttpReply& reply) {
  auto [begin, end] = reply.headers.equal_range("set-cookie");
  for (auto it = begin; it != end; ++it) {
    absl::string_view cookie = it->second;
    if (!absl::ConsumePrefix(&cookie, absl::StrCat(kCookie, "="))) continue;
    session_ = std::string(cookie.substr(0, cookie.find(';')));
    if (session_.empty()) csrf_.clear();
  }
}

HttpReply DeskClient::SignIn(const std::string& username, const std::string& password, const std::string& totp_code) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["username"].set_string_value(username);
  (*body.mutable_fields())["password"].set_string_value(password);
  if (!totp_code.empty()) (*body.mutable_fields())["totpCode"].set_string_value(totp_code);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(body, &json);
  HttpReply reply = Do("POST", "/api/session", json, "application/json", "");
  if (reply.status == 200) csrf_ = reply.Field("csrfToken");
  return reply;
}

HttpReply DeskClient::SignOut() {
  HttpReply reply = Do("DELETE", "/api/session", "", "application/json", csrf_);
  if (reply.status == 200) forget();
  return reply;
}

HttpReply DeskClient::Get(const std::string& path) { return Do("GET", path, "", "", ""); }

HttpReply DeskClient::Send(const std::string& method, const std::string& path, const std::string& body,
                           std::optional<std::string> csrf) {
  return Do(method, path, body, "application/json", csrf.value_or(csrf_));
}

HttpReply DeskClient::Raw(const std::string& method, const std::string& path, const std::string& body,
                          const std::string& content_type) {
  return Do(method, path, body, content_type, csrf_);
}

// --- EventStream -------------------------------------------------------------------------

struct EventStream::State {
  absl::Mutex mu;
  std::string buffer;                                       // unparsed text
  std::vector<std::pair<std::string, std::string>> events;  // (name, data), in order
  int status = 0;
  bool stop = false;
};

EventStream::EventStream(const std::string& address, const std::string& path, const std::string& session)
    : state_(std::make_shared<State>()) {
  auto [host, port] = HostPort(address);
  thread_ = std::thread([state = state_, host = host, port = port, path, session] {
    httplib::Client client(host, port);
    client.set_read_timeout(60, 0);
    httplib::Headers headers{{"Cookie", absl::StrCat(kCookie, "=", session)}, {"Accept", "text/event-stream"}};
    auto result = client.Get(
        path, headers,
        [state](const httplib::Response& response) {
          absl::MutexLock lock(&state->mu);
          state->status = response.status;
          return !state->stop;
        },
        [state](const char* data, size_t length) {
          absl::MutexLock lock(&state->mu);
          state->buffer.append(data, length);
          size_t end;
          while ((end = state->buffer.find("\n\n")) != std::string::npos) {
            std::string name, payload;
            for (absl::string_view line : absl::StrSplit(state->buffer.substr(0, end), '\n')) {
              if (absl::ConsumePrefix(&line, "event: ")) name = std::string(line);
              if (absl::ConsumePrefix(&line, "data: ")) payload = std::string(line);
            }
            if (!name.empty()) state->events.emplace_back(name, payload);
            state->buffer.erase(0, end + 2);
          }
          return !state->stop;
        });
    absl::MutexLock lock(&state->mu);
    if (state->status == 0 && result) state->status = result->status;
    if (state->status == 0) state->status = -1;
  });
}

EventStream::~EventStream() {
  {
    absl::MutexLock lock(&state_->mu);
    state_->stop = true;
  }
  thread_.join();  // the gateway writes at least a keep-alive every report interval
}

std::optional<std::string> EventStream::Next(const std::string& name, absl::Duration timeout) {
  absl::MutexLock lock(&state_->mu);
  auto has = [&] {
    return std::any_of(state_->events.begin(), state_->events.end(), [&](const auto& e) { return e.first == name; }) ||
           state_->status < 0;
  };
  state_->mu.AwaitWithTimeout(absl::Condition(&has), timeout);
  for (auto it = state_->events.begin(); it != state_->events.end(); ++it) {
    if (it->first == name) {
      std::string data = it->second;
      state_->events.erase(state_->events.begin(), it + 1);
      return data;
    }
  }
  return std::nullopt;
}

int EventStream::status() {
  absl::MutexLock lock(&state_->mu);
  return state_->status;
}

}  // namespace pressrelay::testing
