// The desk's Redis adapter: drafts, their agencies' desks (an index by last change), and the
// approval record an approval's commit leaves (keys.h: draft:<id>, draft:agency:<code>,
// draft:<id>:approval). Internal to the distribution service; newsrooms never read these.
//
// A change is saved only if the stored revision is still the one it started from, in one
// script that also refuses once an approval has committed a statement for the draft: after
// that commit nothing but the approval's own mark may change it, even if the mark failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/redis/redis.h"

namespace pressrelay::distribution {

struct StoredDraft {
  std::optional<v1::Draft> draft;
  // The statement an approval of the draft committed ("" if none has).
  std::string approved_as;
};

struct DraftSave {
  enum class Outcome { kSaved, kChanged, kApproved };
  Outcome outcome = Outcome::kSaved;
  int revision = 0;          // kChanged: the stored revision (0: no such draft)
  std::string approved_as;   // kApproved: the statement the approval committed
};

// Stateless: every call runs on the connection it is given (redis.h: one lease per step).
class DraftStore {
 public:
  DraftStore() = delete;

  static absl::StatusOr<StoredDraft> Load(redis::Client& redis, const std::string& draft_id);
  // Many drafts in one round trip; a missing one is nullopt.
  static absl::StatusOr<std::vector<std::optional<v1::Draft>>> LoadMany(redis::Client& redis,
                                                                         absl::Span<const std::string> draft_ids);
  // Saves `draft` (carrying its new revision) if the stored revision is `expected_revision` (0
  // for a new draft) and, unless `approving`, no approval has committed a statement for it;
  // files it on its agency's desk by updated_at.
  static absl::StatusOr<DraftSave> Save(redis::Client& redis, const v1::Draft& draft, int expected_revision,
                                        bool approving);
  // Draft ids on an agency's desk, last changed first, strictly before (before_ms, before_id).
  static absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> DeskPage(redis::Client& redis,
                                                                                const std::string& agency_code,
                                                                                int64_t before_ms,
                                                                                const std::string& before_id,
                                                                                int count);
};

}  // namespace pressrelay::distribution
