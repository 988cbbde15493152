// Why a request's bytes do not parse as the message they should be, in words a client can
// act on.
//
// protobuf only says "failed"; gRPC's own answer to such a request is a bare UNIMPLEMENTED.
// WhyUnreadable walks the wire format against the message's descriptor and names the first
// problem: a string field that is not valid UTF-8 (proto3 requires it) by its path
// ("draft.headline", "journalists[3].full_name"), nesting deeper than protobuf reads, or
// bytes that end mid-field.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <google/protobuf/descriptor.h>

namespace pressrelay {

// INVALID_ARGUMENT naming the field (or "request" when no field can be named) with a
// google.rpc.BadRequest, for bytes that do not parse as `type`.
absl::Status WhyUnreadable(absl::string_view bytes, const google::protobuf::Descriptor& type);

// Parses `bytes` into `message`, or answers WhyUnreadable.
absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message* message);

}  // namespace pressrelay
