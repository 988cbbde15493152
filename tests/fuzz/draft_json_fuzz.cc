// The CLI's JSON readers: cli::ParseDraftJson (a spokesperson's statement file, see
// deploy/local/demo/statements) and cli::FromJson into a ReviseRequest.
// Properties: they never crash; whatever parses prints back (cli::ToJsonLine, what the CLI
// outputs) to JSON that parses to the same message; NormalizeDraft on a parsed draft never
// crashes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <google/protobuf/util/message_differencer.h>

#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/cli/json.h"
#include "services/common/domain/validation.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

const absl::Time kNow = absl::FromUnixSeconds(1795651200);

// `parsed` came from JSON: printing it and reading it back gives it again.
void CheckRoundTrip(const google::protobuf::Message& parsed) {
  const std::string line = pressrelay::cli::ToJsonLine(parsed);
  std::unique_ptr<google::protobuf::Message> back(parsed.New());
  const absl::Status status = pressrelay::cli::FromJson(line, back.get());
  FUZZ_CHECK(status.ok(), "ToJsonLine output does not parse back: " + status.ToString() + "\n" + line);
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(parsed, *back),
             "JSON round trip changed the message:\n" + parsed.DebugString() + "---\n" + back->DebugString());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pressrelay::fuzz::SilenceProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  auto draft = pressrelay::cli::ParseDraftJson(text);
  if (draft.ok()) {
    CheckRoundTrip(*draft);
    (void)pressrelay::validation::NormalizeDraft(&*draft, kNow);
  }

  pressrelay::distribution::v1::ReviseRequest revise;
  if (pressrelay::cli::FromJson(text, &revise).ok()) {
    CheckRoundTrip(revise);
    if (revise.has_draft()) (void)pressrelay::validation::NormalizeDraft(revise.mutable_draft(), kNow);
  }
  return 0;
}
