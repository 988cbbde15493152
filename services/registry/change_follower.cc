#include "services/registry/change_follower.h"

#include "absl/strings/numbers.h"
#include "services/common/base/log.h"

namespace pressrelay::registry {

ChangeFollower::ChangeFollower(Registry* registry, RegistryStore* store, redis::Options options)
    : registry_(registry), store_(store), redis_(std::move(options)), thread_([this] { Loop(); }) {}

ChangeFollower::~ChangeFollower() {
  stop_.Notify();
  redis_.Interrupt();
  thread_.join();
}

namespace {

// Redis stream ids ("<ms>-<seq>") in their order; "" is before every id.
bool IdAtMost(const std::string& a, const std::string& b) {
  auto split = [](const std::string& id) {
    const size_t dash = id.find('-');
    uint64_t ms = 0, seq = 0;
    (void)absl::SimpleAtoi(id.substr(0, dash), &ms);
    if (dash != std::string::npos) (void)absl::SimpleAtoi(id.substr(dash + 1), &seq);
    return std::make_pair(ms, seq);
  };
  if (a.empty()) return true;
  if (b.empty()) return false;
  return split(a) <= split(b);
}

}  // namespace

void ChangeFollower::Loop() {
  std::string last_id;
  // A reload replaces the whole view with what Redis held when it read it. A write of this
  // replica made during the reload may have reached the view before that replacement and
  // been lost by it: its change lies between the base taken before the reload and the newest
  // change after it, so those changes are applied even when they are ours (ApplyChange
  // re-reads the record; applying a change twice is harmless).
  std::string reapply_through;
  while (!stop_.HasBeenNotified()) {
    if (last_id.empty()) {
      // (Re)start: take the newest change as the base, then reload everything so nothing
      // written before it is missed.
      auto latest = store_->LatestChangeId();
      if (!latest.ok() || !registry_->ReloadAll().ok()) {
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
        continue;
      }
      auto after = store_->LatestChangeId();
      if (!after.ok()) {
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
        continue;
      }
      last_id = *latest;
      reapply_through = *after;
    }
    auto changes = store_->ReadChanges(redis_, last_id, absl::Seconds(5));
    if (!changes.ok()) {
      if (!stop_.HasBeenNotified()) spdlog::warn("change feed: {}", changes.status().ToString());
      last_id.clear();
      stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
      continue;
    }
    for (const auto& change : *changes) {
      last_id = change.stream_id;
      // Ours were applied when they were written, unless a reload may have undone them.
      if (change.ours && !IdAtMost(change.stream_id, reapply_through)) continue;
      if (change.reload_all) {
        const auto before = store_->LatestChangeId();
        if (auto s = registry_->ReloadAll(); !s.ok()) spdlog::warn("change feed: reloading: {}", s.ToString());
        const auto after = store_->LatestChangeId();
        if (before.ok() && after.ok()) reapply_through = *after;
        continue;
      }
      if (auto s = registry_->ApplyChange(change.kind, change.id); !s.ok()) {
        spdlog::warn("change feed: applying {}: {}", change.id, s.ToString());
      }
    }
  }
}

}  // namespace pressrelay::registry
