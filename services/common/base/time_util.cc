#include "services/common/base/time_util.h"

#include <algorithm>

namespace pressrelay {

google::protobuf::Timestamp ToProto(absl::Time t) {
  return ProtoFromMillis(absl::ToUnixMillis(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  if (!IsSet(ts)) return absl::InfinitePast();
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= -62135596800 && ts.seconds() <= 253402300799 && ts.nanos() >= 0 && ts.nanos() <= 999999999;
}

google::protobuf::Timestamp ProtoFromMillis(int64_t ms) {
  google::protobuf::Timestamp ts;
  int64_t seconds = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem * 1000000));
  return ts;
}

int64_t MillisFromProto(const google::protobuf::Timestamp& ts) {
  // Clamped to the range a Timestamp may hold, so that no input can overflow.
  const int64_t seconds = std::clamp<int64_t>(ts.seconds(), -62135596800, 253402300799);
  const int32_t nanos = std::clamp<int32_t>(ts.nanos(), 0, 999999999);
  return seconds * 1000 + nanos / 1000000;
}

}  // namespace pressrelay
