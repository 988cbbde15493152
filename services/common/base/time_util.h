// Conversions between absl::Time and google.protobuf.Timestamp.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace pressrelay {

google::protobuf::Timestamp ToProto(absl::Time t);
// An unset Timestamp (0, 0) is absl::InfinitePast(): "no time given".
absl::Time FromProto(const google::protobuf::Timestamp& ts);
bool IsSet(const google::protobuf::Timestamp& ts);
// Within the range google.protobuf.Timestamp allows (years 1-9999, nanos below 1e9).
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);
// Milliseconds since the epoch, truncated: the precision the wire keeps and signs.
google::protobuf::Timestamp ProtoFromMillis(int64_t ms);
int64_t MillisFromProto(const google::protobuf::Timestamp& ts);

}  // namespace pressrelay
