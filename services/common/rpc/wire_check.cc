#include "services/common/rpc/wire_check.h"

#include <string>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <google/protobuf/wire_format_lite.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/common/base/status.h"
#include "services/common/domain/validation.h"

namespace pressrelay {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

// protobuf's own limit (io::CodedInputStream::GetDefaultRecursionLimit).
constexpr int kMaxDepth = 100;

struct Finding {
  std::string path;
  std::string what;
};

class Walker {
 public:
  explicit Walker(CodedInputStream* in) : in_(in) {}

  // Reads one message (or group, when `group` is its field number) of `type` (null: unknown),
  // to its end. False with `finding_` set at the first problem.
  bool Message(const Descriptor* type, const std::string& prefix, int depth, int group = 0) {
    absl::flat_hash_map<int, int> seen;  // occurrences per field number, for [i] in paths
    for (;;) {
      const uint32_t tag = in_->ReadTag();
      if (tag == 0) {
        if (!in_->ConsumedEntireMessage()) return Fail(prefix, "is malformed (a field numbered 0)");
        if (group != 0) return Fail(prefix, "is truncated (a group that never ends)");
        return true;
      }
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      const FieldDescriptor* field = type == nullptr ? nullptr : type->FindFieldByNumber(number);
      std::string path = prefix;
      if (field != nullptr) {
        path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
        if (field->is_repeated()) absl::StrAppend(&path, "[", seen[number]++, "]");
      }
      switch (WireFormatLite::GetTagWireType(tag)) {
        case WireFormatLite::WIRETYPE_VARINT: {
          uint64_t v;
          if (!in_->ReadVarint64(&v)) return Fail(path, "is truncated");
          break;
        }
        case WireFormatLite::WIRETYPE_FIXED64: {
          uint64_t v;
          if (!in_->ReadLittleEndian64(&v)) return Fail(path, "is truncated");
          break;
        }
        case WireFormatLite::WIRETYPE_FIXED32: {
          uint32_t v;
          if (!in_->ReadLittleEndian32(&v)) return Fail(path, "is truncated");
          break;
        }
        case WireFormatLite::WIRETYPE_LENGTH_DELIMITED:
          if (!LengthDelimited(field, path, depth)) return false;
          break;
        case WireFormatLite::WIRETYPE_START_GROUP:
          if (depth + 1 > kMaxDepth) return Fail(path, absl::StrCat("nests more than ", kMaxDepth, " levels deep"));
          if (!Message(nullptr, path, depth + 1, number)) return false;
          break;
        case WireFormatLite::WIRETYPE_END_GROUP:
          if (group == number) return true;
          return Fail(prefix, "is malformed (a group ends that never began)");
        default:
          return Fail(path, "is malformed (an unknown wire type)");
      }
    }
  }

  const Finding& finding() const { return finding_; }

 private:
  bool LengthDelimited(const FieldDescriptor* field, const std::string& path, int depth) {
    uint32_t length;
    if (!in_->ReadVarint32(&length)) return Fail(path, "is truncated");
    if (field != nullptr && field->type() == FieldDescriptor::TYPE_STRING) {
      std::string text;
      if (!in_->ReadString(&text, static_cast<int>(length))) return Fail(path, "is truncated");
      if (field->file()->syntax() == FileDescriptor::SYNTAX_PROTO3 && !validation::IsValidUtf8(text)) {
        return Fail(path, "is not valid UTF-8 (text fields must be)");
      }
      return true;
    }
    if (field != nullptr && field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (depth + 1 > kMaxDepth) return Fail(path, absl::StrCat("nests more than ", kMaxDepth, " levels deep"));
      if (static_cast<int64_t>(length) > in_->BytesUntilLimit()) return Fail(path, "is truncated");
      const auto limit = in_->PushLimit(static_cast<int>(length));
      if (!Message(field->message_type(), path, depth + 1)) return false;
      if (in_->BytesUntilLimit() != 0) return Fail(path, "is truncated");
      in_->PopLimit(limit);
      return true;
    }
    if (!in_->Skip(static_cast<int>(length))) return Fail(path, "is truncated");
    return true;
  }

  bool Fail(const std::string& path, std::string what) {
    finding_ = {path, std::move(what)};
    return false;
  }

  CodedInputStream* in_;
  Finding finding_;
};

}  // namespace

absl::Status WhyUnreadable(absl::string_view bytes, const Descriptor& type) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  in.PushLimit(static_cast<int>(bytes.size()));  // so that every level can tell what is left
  Walker walker(&in);
  if (!walker.Message(&type, "", 0)) {
    const Finding& f = walker.finding();
    return FieldError(f.path.empty() ? "request" : f.path,
                      absl::StrCat(f.what, "; the request could not be read as ", type.full_name()));
  }
  return FieldError("request", absl::StrCat("could not be read as ", type.full_name()));
}

absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message* message) {
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return absl::OkStatus();
  return WhyUnreadable(bytes, *message->GetDescriptor());
}

}  // namespace pressrelay
