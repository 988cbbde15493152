// ParseRequest on any bytes a client could send as a request (the edge reads every request
// with it), here as a Publish and as a registry import, the two largest request types.
// Properties: it never crashes (the wire walk that explains a refusal reads untrusted bytes);
// bytes it refuses get INVALID_ARGUMENT naming a field (or "request").
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/status.h"
#include "services/common/rpc/wire_check.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void Check(absl::string_view bytes, google::protobuf::Message* message) {
  const absl::Status status = pressrelay::ParseRequest(bytes, message);
  if (status.ok()) return;
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, "refused with a code other than INVALID_ARGUMENT");
  FUZZ_CHECK(!pressrelay::ErrorField(status).empty(), "refused without naming a field");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  pressrelay::distribution::v1::PublishRequest publish;
  Check(bytes, &publish);
  pressrelay::registry::v1::ImportRecipientsRequest import;
  Check(bytes, &import);
  return 0;
}
