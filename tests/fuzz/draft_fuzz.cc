// validation::NormalizeDraft on a StatementDraft in protobuf wire format (what a PublishRequest
// carries).
// Properties: it never crashes; when it accepts a draft, every text field is valid UTF-8, and
// normalising the accepted draft again accepts it and changes nothing (NFC is stable, the
// embargo is already at millisecond precision, the default urgency is already set).
#include <cstddef>
#include <cstdint>

#include <google/protobuf/util/message_differencer.h>

#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/domain/validation.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
// 2026-11-26T00:00:00Z, millisecond-aligned like every time the wire keeps.
const absl::Time kNow = absl::FromUnixSeconds(1795651200);
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pressrelay::fuzz::SilenceProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pressrelay::distribution::v1::StatementDraft draft;
  if (!draft.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!pressrelay::validation::NormalizeDraft(&draft, kNow).ok()) return 0;

  const std::string bad = pressrelay::fuzz::FirstInvalidUtf8Field(draft);
  FUZZ_CHECK(bad.empty(), "accepted draft has invalid UTF-8 in " + bad);

  pressrelay::distribution::v1::StatementDraft again = draft;
  const absl::Status status = pressrelay::validation::NormalizeDraft(&again, kNow);
  FUZZ_CHECK(status.ok(), "a normalised draft is rejected on the second pass: " + status.ToString());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(draft, again),
             "normalising twice changed the draft:\n" + draft.DebugString() + "---\n" + again.DebugString());
  return 0;
}
