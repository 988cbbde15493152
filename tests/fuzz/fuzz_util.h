// Helpers shared by the fuzz targets: property checks that abort with a message (libFuzzer
// then saves the input as a crash), and quiet protobuf logging.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include "services/common/domain/validation.h"

// Aborts with "property violated" and the condition when `cond` is false.
#define FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "\nproperty violated at %s:%d: %s\n  (%s)\n", __FILE__, __LINE__, \
                   std::string(what).c_str(), #cond);                                          \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

namespace pressrelay::fuzz {

// Protobuf logs every proto3 string with invalid UTF-8 it refuses to parse: noise here.
inline void SilenceProtobufLogs() { google::protobuf::SetLogHandler(nullptr); }

// Name of the first string (not bytes) field, at any depth, that is not valid UTF-8; empty if
// all are.
inline std::string FirstInvalidUtf8Field(const google::protobuf::Message& m) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    const int n = f->is_repeated() ? r->FieldSize(m, f) : (r->HasField(m, f) ? 1 : 0);
    for (int j = 0; j < n; ++j) {
      if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        const std::string& s = f->is_repeated() ? r->GetRepeatedStringReference(m, f, j, &scratch)
                                                : r->GetStringReference(m, f, &scratch);
        if (!validation::IsValidUtf8(s)) return f->full_name();
      } else if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        const auto& sub = f->is_repeated() ? r->GetRepeatedMessage(m, f, j) : r->GetMessage(m, f);
        if (std::string bad = FirstInvalidUtf8Field(sub); !bad.empty()) return bad;
      }
    }
  }
  return "";
}

}  // namespace pressrelay::fuzz
