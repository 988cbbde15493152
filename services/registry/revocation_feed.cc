#include "services/registry/revocation_feed.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/base/log.h"

namespace pressrelay::registry {
namespace {

// Redis stream ids "<ms>-<seq>", compared as numbers.
std::pair<uint64_t, uint64_t> ParseId(absl::string_view id) {
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(id, absl::MaxSplits('-', 1));
  uint64_t ms = 0, seq = 0;
  (void)absl::SimpleAtoi(parts.first, &ms);
  (void)absl::SimpleAtoi(parts.second, &seq);
  return {ms, seq};
}

bool After(absl::string_view a, absl::string_view b) { return ParseId(a) > ParseId(b); }

}  // namespace

RevocationFeed::RevocationFeed(RegistryStore* store, redis::Options redis, absl::Duration poll)
    : store_(store), redis_(std::move(redis)), poll_(poll), thread_([this] { Loop(); }) {}

RevocationFeed::~RevocationFeed() {
  stop_.Notify();
  redis_.Interrupt();
  thread_.join();
}

void RevocationFeed::Add(Watcher* watcher, std::string after) {
  absl::MutexLock lock(&mu_);
  // "From the next one" means after what the feed has handed out by now, not by the time
  // the feed thread gets to this watcher.
  bool fresh = after.empty();
  if (fresh && !last_.empty()) {
    // Told at once where it starts, so that a reconnection (even before the feed thread
    // gets to it) resumes from there.
    after = last_;
    v1::Revocation start;
    start.set_cursor(last_);
    watcher->Deliver({start});
    fresh = false;
  }
  joining_.push_back({watcher, std::move(after), fresh});
}

void RevocationFeed::Remove(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  live_.erase(watcher);
  std::erase_if(joining_, [watcher](const Joining& j) { return j.watcher == watcher; });
  if (catching_up_ == watcher) catching_up_ = nullptr;
}

void RevocationFeed::CatchUp(const Joining& joining, const std::string& last) {
  Watcher* const watcher = joining.watcher;
  const std::string& after = joining.after;
  std::vector<v1::Revocation> backlog;
  auto reset = [&](absl::string_view why) {
    backlog.clear();
    v1::Revocation& r = backlog.emplace_back();
    r.set_reset(true);
    r.set_cursor(last);
    r.set_reason(std::string(why));
  };
  if (after.empty()) {
    // Joined before the feed knew its position: it starts now.
  } else if (After(after, last)) {
    reset("cursor ahead of the revocation feed (another data set)");
  } else if (After(last, after)) {
    // "0-0" is the start of a feed that was empty: nothing can have been trimmed after it.
    auto present = after == "0-0" ? absl::StatusOr<bool>(true) : store_->HasRevocation(redis_, after);
    std::string cursor = after;
    while (present.ok() && *present && After(last, cursor)) {
      auto page = store_->ReadRevocations(redis_, cursor, absl::ZeroDuration());
      if (!page.ok() || page->empty()) {
        present = absl::UnavailableError("feed unreadable");
        break;
      }
      for (auto& r : *page) {
        if (After(r.cursor(), last)) break;  // the live feed brings it
        cursor = r.cursor();
        backlog.push_back(std::move(r));
      }
      if (After(page->back().cursor(), last)) break;
    }
    if (!present.ok()) reset("revocation feed unreadable");
    if (present.ok() && !*present) reset("cursor no longer in the revocation feed");
  }
  // A watcher that did not name a cursor learns the one it starts from.
  if (joining.fresh && backlog.empty()) backlog.emplace_back().set_cursor(last);
  absl::MutexLock lock(&mu_);
  if (catching_up_ != watcher) return;  // removed meanwhile
  catching_up_ = nullptr;
  if (!backlog.empty()) watcher->Deliver(backlog);
  live_.insert(watcher);
}

void RevocationFeed::Loop() {
  std::string last;
  for (int attempt = 0; !stop_.HasBeenNotified(); ++attempt) {
    auto latest = store_->LatestRevocation(redis_);
    if (latest.ok()) {
      last = *latest;
      absl::MutexLock lock(&mu_);
      last_ = last;
      break;
    }
    if (attempt == 0) spdlog::warn("revocation feed: {}", latest.status().ToString());
    stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
  }
  while (!stop_.HasBeenNotified()) {
    for (;;) {
      Joining joining;
      {
        absl::MutexLock lock(&mu_);
        if (joining_.empty()) break;
        joining = std::move(joining_.front());
        joining_.erase(joining_.begin());
        catching_up_ = joining.watcher;
      }
      CatchUp(joining, last);
    }
    auto batch = store_->ReadRevocations(redis_, last, poll_);
    if (!batch.ok()) {
      if (stop_.HasBeenNotified()) break;
      spdlog::warn("revocation feed: {}", batch.status().ToString());
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
      continue;
    }
    if (batch->empty()) continue;
    last = batch->back().cursor();
    absl::MutexLock lock(&mu_);
    last_ = last;
    for (Watcher* w : live_) w->Deliver(*batch);
  }
}

}  // namespace pressrelay::registry
