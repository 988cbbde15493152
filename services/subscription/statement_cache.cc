#include "services/subscription/statement_cache.h"

#include "services/common/base/status_macros.h"

namespace pressrelay::subscription {

StatementCache::StatementCache(StatementSource* source, size_t max_bytes) : source_(source), max_bytes_(max_bytes) {}

absl::StatusOr<std::vector<std::shared_ptr<const StatementFrame>>> StatementCache::Get(
    const std::vector<std::pair<std::string, int>>& refs) {
  std::vector<std::shared_ptr<const StatementFrame>> out(refs.size());
  std::vector<Key> missing;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < refs.size(); ++i) {
      auto it = slots_.find(refs[i]);
      if (it == slots_.end()) {
        missing.push_back(refs[i]);
        continue;
      }
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      out[i] = it->second.frame;
    }
  }
  if (missing.empty()) return out;
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  PR_ASSIGN_OR_RETURN(auto statements, source_->BatchGet(missing));
  absl::MutexLock lock(&mu_);
  for (const auto& statement : statements) {
    InsertLocked({statement.id(), statement.version()}, std::make_shared<const StatementFrame>(statement));
  }
  for (size_t i = 0; i < refs.size(); ++i) {
    if (out[i]) continue;
    if (auto it = slots_.find(refs[i]); it != slots_.end()) out[i] = it->second.frame;
  }
  return out;
}

void StatementCache::InsertLocked(const Key& key, std::shared_ptr<const StatementFrame> frame) {
  if (slots_.contains(key)) return;
  lru_.push_front(key);
  bytes_ += frame->bytes.size();
  slots_[key] = Slot{std::move(frame), lru_.begin()};
  while (bytes_ > max_bytes_ && lru_.size() > 1) {
    auto victim = slots_.find(lru_.back());
    bytes_ -= victim->second.frame->bytes.size();
    slots_.erase(victim);
    lru_.pop_back();
  }
}

}  // namespace pressrelay::subscription
