#include "gateway/openapi.h"

#include <set>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/rpc/status.pb.h"

namespace pressrelay::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Obj(Struct s) {
  Value v;
  *v.mutable_struct_value() = std::move(s);
  return v;
}

Value Ref(const Descriptor* type) { return Obj([&] {
  Struct s;
  (*s.mutable_fields())["$ref"] = Str(absl::StrCat("#/components/schemas/", type->full_name()));
  return s;
}()); }

class Schemas {
 public:
  // The schema of a message, added (with every message it reaches) to the components.
  void Add(const Descriptor* type) {
    if (type->well_known_type() != Descriptor::WELLKNOWNTYPE_UNSPECIFIED || !seen_.insert(type).second) return;
    Struct schema;
    (*schema.mutable_fields())["type"] = Str("object");
    Struct properties;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      (*properties.mutable_fields())[f->json_name()] = FieldSchema(f);
    }
    (*schema.mutable_fields())["properties"] = Obj(std::move(properties));
    (*components_.mutable_fields())[type->full_name()] = Obj(std::move(schema));
  }
  Struct Take() { return std::move(components_); }

 private:
  Value Scalar(const FieldDescriptor* f) {
    Struct s;
    auto& m = *s.mutable_fields();
    switch (f->type()) {
      case FieldDescriptor::TYPE_BOOL:
        m["type"] = Str("boolean");
        break;
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        m["type"] = Str("integer");
        m["format"] = Str("int32");
        break;
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        m["type"] = Str("string");  // protobuf's JSON mapping writes 64-bit integers as strings
        m["format"] = Str("int64");
        break;
      case FieldDescriptor::TYPE_FLOAT:
      case FieldDescriptor::TYPE_DOUBLE:
        m["type"] = Str("number");
        break;
      case FieldDescriptor::TYPE_BYTES:
        m["type"] = Str("string");
        m["format"] = Str("byte");
        break;
      case FieldDescriptor::TYPE_ENUM: {
        m["type"] = Str("string");
        Value values;
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          *values.mutable_list_value()->add_values() = Str(f->enum_type()->value(i)->name());
        }
        m["enum"] = std::move(values);
        break;
      }
      case FieldDescriptor::TYPE_MESSAGE:
        switch (f->message_type()->well_known_type()) {
          case Descriptor::WELLKNOWNTYPE_TIMESTAMP:
            m["type"] = Str("string");
            m["format"] = Str("date-time");
            break;
          case Descriptor::WELLKNOWNTYPE_DURATION:
            m["type"] = Str("string");
            break;
          case Descriptor::WELLKNOWNTYPE_UNSPECIFIED:
            Add(f->message_type());
            return Ref(f->message_type());
          default:
            m["type"] = Str("object");
        }
        break;
      default:
        m["type"] = Str("string");
    }
    return Obj(std::move(s));
  }

  Value FieldSchema(const FieldDescriptor* f) {
    if (f->is_map()) {
      Struct s;
      (*s.mutable_fields())["type"] = Str("object");
      (*s.mutable_fields())["additionalProperties"] = Scalar(f->message_type()->map_value());
      return Obj(std::move(s));
    }
    if (!f->is_repeated()) return Scalar(f);
    Struct s;
    (*s.mutable_fields())["type"] = Str("array");
    (*s.mutable_fields())["items"] = Scalar(f);
    return Obj(std::move(s));
  }

  std::set<const Descriptor*> seen_;
  Struct components_;
};

Value Parameter(const std::string& name, const std::string& in, bool required) {
  Struct p;
  auto& m = *p.mutable_fields();
  m["name"] = Str(name);
  m["in"] = Str(in);
  Value req;
  req.set_bool_value(required);
  m["required"] = req;
  Struct schema;
  (*schema.mutable_fields())["type"] = Str("string");
  m["schema"] = Obj(std::move(schema));
  return Obj(std::move(p));
}

Value JsonContent(Value schema) {
  Struct media;
  (*media.mutable_fields())["schema"] = std::move(schema);
  Struct content;
  (*content.mutable_fields())["application/json"] = Obj(std::move(media));
  Struct out;
  (*out.mutable_fields())["content"] = Obj(std::move(content));
  return Obj(std::move(out));
}

}  // namespace

std::string OpenApiDocument(const Transcoder& transcoder, const std::string& title, const std::string& version) {
  Schemas schemas;
  schemas.Add(google::rpc::Status::descriptor());
  Struct paths;
  for (const Route& route : transcoder.routes()) {
    // OpenAPI writes path variables as {name}; a custom verb stays in the path.
    std::string path = "/api";
    std::set<std::string> in_path;
    for (const auto& segment : route.segments) {
      absl::StrAppend(&path, "/", segment.literal.empty() ? absl::StrCat("{", segment.field_path, "}") : segment.literal);
      if (!segment.field_path.empty()) in_path.insert(segment.field_path);
    }
    if (!route.verb.empty()) absl::StrAppend(&path, ":", route.verb);

    Struct operation;
    auto& op = *operation.mutable_fields();
    op["operationId"] = Str(absl::StrCat(route.method->service()->name(), "_", route.method->name()));
    op["summary"] = Str(absl::StrCat(route.method->service()->name(), ".", route.method->name()));
    Value parameters;
    for (const auto& field : in_path) *parameters.mutable_list_value()->add_values() = Parameter(field, "path", true);
    if (route.body.empty()) {
      // Every top-level scalar (and repeated scalar) field not bound by the path is a query
      // parameter.
      const Descriptor* input = route.method->input_type();
      for (int i = 0; i < input->field_count(); ++i) {
        const FieldDescriptor* f = input->field(i);
        if (in_path.contains(f->name())) continue;
        if (f->type() == FieldDescriptor::TYPE_MESSAGE &&
            f->message_type()->well_known_type() == Descriptor::WELLKNOWNTYPE_UNSPECIFIED) {
          continue;
        }
        *parameters.mutable_list_value()->add_values() = Parameter(f->name(), "query", false);
      }
    } else {
      const Descriptor* body_type = route.body == "*"
                                        ? route.method->input_type()
                                        : route.method->input_type()->FindFieldByName(route.body)->message_type();
      schemas.Add(body_type);
      Value body = JsonContent(Ref(body_type));
      Value required;
      required.set_bool_value(true);
      (*body.mutable_struct_value()->mutable_fields())["required"] = required;
      op["requestBody"] = std::move(body);
    }
    if (parameters.list_value().values_size() > 0) op["parameters"] = std::move(parameters);
    schemas.Add(route.method->output_type());
    Struct responses;
    Value ok = JsonContent(Ref(route.method->output_type()));
    (*ok.mutable_struct_value()->mutable_fields())["description"] = Str("OK");
    (*responses.mutable_fields())["200"] = std::move(ok);
    Value error = JsonContent(Ref(google::rpc::Status::descriptor()));
    (*error.mutable_struct_value()->mutable_fields())["description"] =
        Str("An error: the gRPC status mapped to HTTP (google.rpc.Code), with its details");
    (*responses.mutable_fields())["default"] = std::move(error);
    op["responses"] = Obj(std::move(responses));

    std::string method_name = route.http_method;
    for (auto& c : method_name) c = static_cast<char>(std::tolower(c));
    Value& item = (*paths.mutable_fields())[path];
    if (!item.has_struct_value()) item = Obj(Struct());
    (*item.mutable_struct_value()->mutable_fields())[method_name] = Obj(std::move(operation));
  }

  Struct doc;
  auto& d = *doc.mutable_fields();
  d["openapi"] = Str("3.0.3");
  Struct info;
  (*info.mutable_fields())["title"] = Str(title);
  (*info.mutable_fields())["version"] = Str(version);
  (*info.mutable_fields())["description"] =
      Str("Transcoded from the google.api.http annotations of the pressrelay protos. Every call needs a signed-in "
          "session (cookie) and, for calls that change state, the X-CSRF-Token header.");
  d["info"] = Obj(std::move(info));
  d["paths"] = Obj(std::move(paths));
  Struct components;
  (*components.mutable_fields())["schemas"] = Obj(schemas.Take());
  d["components"] = Obj(std::move(components));
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(doc, &out, options);
  return out;
}

}  // namespace pressrelay::gateway
