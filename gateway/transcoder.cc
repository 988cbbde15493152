#include "gateway/transcoder.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "google/api/annotations.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/base/status.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

std::string UrlDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && absl::ascii_isxdigit(in[i + 1]) && absl::ascii_isxdigit(in[i + 2])) {
      int v = 0;
      for (int k = 1; k <= 2; ++k) {
        const char c = absl::ascii_tolower(in[i + k]);
        v = v * 16 + (c >= 'a' ? c - 'a' + 10 : c - '0');
      }
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// The field a dotted path names, from `type`; null if there is none.
const FieldDescriptor* FieldAt(const Descriptor* type, absl::string_view path, const Descriptor** parent) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (type == nullptr) return nullptr;
    field = type->FindFieldByName(std::string(name));
    if (field == nullptr) field = type->FindFieldByCamelcaseName(std::string(name));
    if (field == nullptr) return nullptr;
    *parent = type;
    type = field->type() == FieldDescriptor::TYPE_MESSAGE ? field->message_type() : nullptr;
  }
  return field;
}

// A string as a JSON string literal.
std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

google::protobuf::util::JsonParseOptions ParseOptions() {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is an error, not silently nothing
  return options;
}

// Sets the field at `path` of `request` from its text (a path variable or query parameter),
// through protobuf's JSON mapping of that one field: {"<field>": <value>} merged into the
// field's parent, so numbers, enums, booleans, timestamps and repeated fields read as JSON
// reads them.
absl::Status SetField(Message* request, const std::string& path, const std::string& value, absl::string_view what) {
  std::vector<std::string> names = absl::StrSplit(path, '.');
  Message* message = request;
  for (size_t i = 0; i + 1 < names.size(); ++i) {
    const FieldDescriptor* f = message->GetDescriptor()->FindFieldByName(names[i]);
    if (f == nullptr) f = message->GetDescriptor()->FindFieldByCamelcaseName(names[i]);
    if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE || f->is_repeated()) {
      return FieldError(what, absl::StrCat("\"", path, "\" is not a field of ", request->GetDescriptor()->name()));
    }
    message = message->GetReflection()->MutableMessage(message, f);
  }
  const FieldDescriptor* field = message->GetDescriptor()->FindFieldByName(names.back());
  if (field == nullptr) field = message->GetDescriptor()->FindFieldByCamelcaseName(names.back());
  if (field == nullptr || (field->type() == FieldDescriptor::TYPE_MESSAGE &&
                           field->message_type()->well_known_type() == Descriptor::WELLKNOWNTYPE_UNSPECIFIED)) {
    return FieldError(what, absl::StrCat("\"", path, "\" is not a field of ", request->GetDescriptor()->name(),
                                         " that a query parameter can set"));
  }
  std::string json_value;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value != "true" && value != "false") return FieldError(what, "must be true or false");
      json_value = value;
      break;
    default:
      // Numbers, enums, strings, bytes and well-known types all read from a JSON string.
      json_value = JsonQuote(value);
  }
  std::unique_ptr<Message> part(message->New());
  const std::string json = absl::StrCat("{", JsonQuote(field->json_name()), ":",
                                        field->is_repeated() ? absl::StrCat("[", json_value, "]") : json_value, "}");
  if (auto s = google::protobuf::util::JsonStringToMessage(json, part.get(), ParseOptions()); !s.ok()) {
    return FieldError(what, absl::StrCat("\"", value, "\" is not a value of ", field->name(), ": ", s.message().as_string()));
  }
  message->MergeFrom(*part);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Route::Segment>> ParseTemplate(absl::string_view path, std::string* verb) {
  if (!absl::StartsWith(path, "/")) return absl::FailedPreconditionError(absl::StrCat("path ", path, " must start with /"));
  std::vector<Route::Segment> segments;
  std::vector<std::string> parts = absl::StrSplit(path.substr(1), '/');
  // A custom verb follows the last ':' that is outside any variable.
  std::string& last = parts.back();
  const size_t close = last.rfind('}');
  const size_t colon = last.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    *verb = last.substr(colon + 1);
    last = last.substr(0, colon);
  }
  for (const std::string& part : parts) {
    Route::Segment segment;
    if (absl::StartsWith(part, "{") && absl::EndsWith(part, "}")) {
      std::string inner = part.substr(1, part.size() - 2);
      if (inner.find('=') != std::string::npos) {
        return absl::FailedPreconditionError(absl::StrCat("path ", path, ": only {field} variables are served"));
      }
      segment.field_path = inner;
    } else if (part.empty() || part.find_first_of("{}*") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat("path ", path, ": cannot serve segment \"", part, "\""));
    } else {
      segment.literal = part;
    }
    segments.push_back(std::move(segment));
  }
  return segments;
}

absl::Status AddRoute(const MethodDescriptor* method, const google::api::HttpRule& rule, std::vector<Route>* routes) {
  Route route;
  route.method = method;
  route.service = method->service()->full_name();
  route.grpc_path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  route.body = rule.body();
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      route.path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      route.path = rule.post();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      route.path = rule.put();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      route.path = rule.patch();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      route.path = rule.delete_();
      break;
    default:
      return absl::FailedPreconditionError(absl::StrCat(method->full_name(), ": unsupported HTTP pattern"));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return absl::FailedPreconditionError(absl::StrCat(method->full_name(), ": streaming RPCs are not transcoded"));
  }
  auto segments = ParseTemplate(route.path, &route.verb);
  if (!segments.ok()) return segments.status();
  route.segments = std::move(*segments);
  const Descriptor* parent = nullptr;
  for (const auto& segment : route.segments) {
    if (segment.field_path.empty()) continue;
    const FieldDescriptor* f = FieldAt(method->input_type(), segment.field_path, &parent);
    if (f == nullptr || f->is_repeated() || f->type() == FieldDescriptor::TYPE_MESSAGE) {
      return absl::FailedPreconditionError(
          absl::StrCat(method->full_name(), ": path variable ", segment.field_path, " is not a scalar field"));
    }
  }
  if (!route.body.empty() && route.body != "*") {
    const FieldDescriptor* f = FieldAt(method->input_type(), route.body, &parent);
    if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE || f->is_repeated() ||
        route.body.find('.') != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(method->full_name(), ": body ", route.body,
                                                        " is not a top-level message field"));
    }
  }
  routes->push_back(std::move(route));
  for (const auto& more : rule.additional_bindings()) {
    if (auto s = AddRoute(method, more, routes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string ToJson(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

HttpAnswer ErrorAnswer(const absl::Status& status) {
  google::rpc::Status rich;
  const grpc::Status wire = ToGrpcStatus(status);
  if (wire.error_details().empty() || !rich.ParseFromString(wire.error_details())) {
    rich.set_code(static_cast<int>(status.code()));
    rich.set_message(std::string(status.message()));
  }
  HttpAnswer answer{HttpStatusOf(status.code()), ToJson(rich)};
  for (const auto& detail : rich.details()) {
    google::rpc::RetryInfo retry;
    if (detail.UnpackTo(&retry)) {
      // Whole seconds, rounded up: a client told 0 would retry at once.
      const auto& d = retry.retry_delay();
      answer.retry_after_seconds = static_cast<int>(d.seconds() + (d.nanos() > 0 ? 1 : 0));
    }
  }
  return answer;
}

absl::StatusOr<std::unique_ptr<Transcoder>> Transcoder::Create(
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& channel_by_service) {
  std::unique_ptr<Transcoder> t(new Transcoder());
  t->channels_ = channel_by_service;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& [name, channel] : channel_by_service) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) return absl::FailedPreconditionError(absl::StrCat("no service ", name));
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      if (!method->options().HasExtension(google::api::http)) continue;
      if (auto s = AddRoute(method, method->options().GetExtension(google::api::http), &t->routes_); !s.ok()) {
        return s;
      }
    }
  }
  // Routes with a custom verb first: "/v1/drafts:preview" must not be read as "/v1/drafts".
  std::stable_sort(t->routes_.begin(), t->routes_.end(),
                   [](const Route& a, const Route& b) { return !a.verb.empty() && b.verb.empty(); });
  return t;
}

std::optional<Transcoder::Match> Transcoder::Find(const std::string& http_method, const std::string& path) const {
  if (!absl::StartsWith(path, "/")) return std::nullopt;
  const std::vector<std::string> parts = absl::StrSplit(path.substr(1), '/');
  for (const Route& route : routes_) {
    if (route.http_method != http_method || route.segments.size() != parts.size()) continue;
    Match match{&route, {}};
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      std::string part = parts[i];
      if (i + 1 == parts.size() && !route.verb.empty()) {
        const std::string suffix = absl::StrCat(":", route.verb);
        if (!absl::EndsWith(part, suffix)) {
          ok = false;
          break;
        }
        part.resize(part.size() - suffix.size());
      }
      const Route::Segment& segment = route.segments[i];
      if (!segment.literal.empty()) {
        ok = part == segment.literal;
      } else {
        ok = !part.empty();
        match.bindings[segment.field_path] = UrlDecode(part);
      }
    }
    if (ok) return match;
  }
  return std::nullopt;
}

absl::Status Transcoder::Fill(const Match& match, const std::multimap<std::string, std::string>& query,
                              const std::string& body, Message* request) const {
  const Route& route = *match.route;
  if (route.body.empty() && !absl::StripAsciiWhitespace(body).empty()) {
    return FieldError("body", absl::StrCat(route.http_method, " ", route.path, " takes no body"));
  }
  if (!route.body.empty()) {
    const std::string text = absl::StripAsciiWhitespace(body).empty() ? std::string("{}") : body;
    Message* target = request;
    if (route.body != "*") {
      const FieldDescriptor* field = request->GetDescriptor()->FindFieldByName(route.body);
      target = request->GetReflection()->MutableMessage(request, field);
    }
    if (auto s = google::protobuf::util::JsonStringToMessage(text, target, ParseOptions()); !s.ok()) {
      return FieldError("body", absl::StrCat("is not a ", target->GetDescriptor()->name(), " in JSON: ", s.message().as_string()));
    }
  }
  // Query parameters set what neither the path nor the body does.
  for (const auto& [name, value] : query) {
    if (route.body == "*") {
      return FieldError(name, absl::StrCat("the request is the body of ", route.http_method, " ", route.path,
                                           "; no query parameters are read"));
    }
    if (match.bindings.contains(name)) continue;
    if (auto s = SetField(request, name, value, name); !s.ok()) return s;
  }
  // The path binds last: what the URL names wins over what the body says.
  for (const auto& [path, value] : match.bindings) {
    if (auto s = SetField(request, path, value, path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Message>> Transcoder::Call(const Route& route, const Message& request,
                                                         const Metadata& metadata, absl::Duration deadline) const {
  auto channel = channels_.find(route.service);
  if (channel == channels_.end()) return absl::InternalError(absl::StrCat("no channel for ", route.service));
  grpc::GenericStub stub(channel->second);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  for (const auto& [key, value] : metadata) ctx.AddMetadata(key, value);
  grpc::ByteBuffer in, out;
  bool own = false;
  if (!grpc::GenericSerialize<grpc::ProtoBufferWriter, Message>(request, &in, &own).ok()) {
    return absl::InternalError("request could not be written");
  }
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, route.grpc_path, grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  if (!status.ok()) return FromGrpcStatus(status);
  std::unique_ptr<Message> response(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->output_type())->New());
  if (!grpc::GenericDeserialize<grpc::ProtoBufferReader, Message>(&out, response.get()).ok()) {
    return absl::InternalError("response could not be read");
  }
  return response;
}

HttpAnswer Transcoder::Handle(const Match& match, const std::multimap<std::string, std::string>& query,
                              const std::string& body, const Metadata& metadata, absl::Duration deadline) const {
  const Route& route = *match.route;
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->input_type())->New());
  if (absl::Status s = Fill(match, query, body, request.get()); !s.ok()) return ErrorAnswer(s);
  auto response = Call(route, *request, metadata, deadline);
  if (!response.ok()) return ErrorAnswer(response.status());
  return {200, ToJson(**response)};
}

}  // namespace pressrelay::gateway
