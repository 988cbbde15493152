#include "services/registry/change_follower.h"

#include "services/common/base/log.h"

namespace pressrelay::registry {

ChangeFollower::ChangeFollower(Registry* registry, RegistryStore* store, redis::Options options)
    : registry_(registry), store_(store), redis_(std::move(options)), thread_([this] { Loop(); }) {}

ChangeFollower::~ChangeFollower() {
  stop_.Notify();
  redis_.Interrupt();
  thread_.join();
}

void ChangeFollower::Loop() {
  std::string last_id;
  while (!stop_.HasBeenNotified()) {
    if (last_id.empty()) {
      // (Re)start: take the newest change as the base, then reload everything so nothing
      // written before it is missed.
      auto latest = store_->LatestChangeId();
      if (!latest.ok() || !registry_->ReloadAll().ok()) {
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
        continue;
      }
      last_id = *latest;
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
      if (change.ours) continue;  // applied when it was written
      if (auto s = change.reload_all ? registry_->ReloadAll() : registry_->ApplyChange(change.kind, change.id);
          !s.ok()) {
        spdlog::warn("change feed: applying {}: {}", change.id, s.ToString());
      }
    }
  }
}

}  // namespace pressrelay::registry
