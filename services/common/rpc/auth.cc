#include "services/common/rpc/auth.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/base/time_util.h"

namespace pressrelay {

CachingAuthenticator::CachingAuthenticator(Authenticator* upstream, absl::Duration ttl)
    : upstream_(upstream), ttl_(ttl) {}

absl::StatusOr<Principal> CachingAuthenticator::Authenticate(absl::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  const std::string key = ids::TokenHash(token);
  const absl::Time now = absl::Now();
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    generation = generation_;
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.valid_until > now) return it->second.principal;
      cache_.erase(it);
    }
  }
  auto principal = upstream_->Authenticate(token);
  if (!principal.ok()) return principal.status();
  absl::Time until = now + ttl_;
  if (IsSet(principal->token_expires())) until = std::min(until, FromProto(principal->token_expires()));
  if (IsSet(principal->access_until())) until = std::min(until, FromProto(principal->access_until()));
  absl::MutexLock lock(&mu_);
  if (generation != generation_) return principal;  // a revocation raced with this lookup
  if (cache_.size() > 100000) cache_.clear();  // bound memory under token spraying
  cache_[key] = Entry{*principal, until};
  return principal;
}

void CachingAuthenticator::Clear() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  cache_.clear();
}

void CachingAuthenticator::Forget(const std::function<bool(const Principal&)>& match) {
  absl::MutexLock lock(&mu_);
  ++generation_;
  absl::erase_if(cache_, [&](const auto& entry) { return match(entry.second.principal); });
}

CoalescingAuthenticator::CoalescingAuthenticator(BatchAuthenticator* upstream, size_t max_batch)
    : upstream_(upstream), max_batch_(std::max<size_t>(1, max_batch)) {}

absl::StatusOr<Principal> CoalescingAuthenticator::Authenticate(absl::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  Waiter mine{std::string(token), std::nullopt};
  absl::MutexLock lock(&mu_);
  queue_.push_back(&mine);
  // Someone else leads: wait until they resolved this token, or stopped leading with it
  // still queued (then this caller leads).
  struct Turn {
    const CoalescingAuthenticator* self;
    const Waiter* mine;
  };
  Turn turn{this, &mine};
  mu_.Await(absl::Condition(
      +[](Turn* t) ABSL_NO_THREAD_SAFETY_ANALYSIS { return t->mine->verdict.has_value() || !t->self->leading_; },
      &turn));
  if (mine.verdict.has_value()) return std::move(*mine.verdict);
  leading_ = true;
  while (!mine.verdict.has_value() && !queue_.empty()) {
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    std::vector<std::string> tokens;
    tokens.reserve(batch.size());
    for (Waiter* w : batch) tokens.push_back(w->token);
    ++batches_;
    tokens_ += batch.size();
    mu_.Unlock();
    auto verdicts = upstream_->AuthenticateBatch(tokens);
    mu_.Lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!verdicts.ok()) {
        batch[i]->verdict = verdicts.status();
      } else if (i < verdicts->size()) {
        batch[i]->verdict = std::move((*verdicts)[i]);
      } else {
        batch[i]->verdict = absl::InternalError("registry: fewer verdicts than tokens");
      }
    }
  }
  // Own verdict in hand: hand the lead over (a waiter still queued wakes and leads).
  leading_ = false;
  return std::move(*mine.verdict);
}

uint64_t CoalescingAuthenticator::batches() const {
  absl::MutexLock lock(&mu_);
  return batches_;
}
size_t CoalescingAuthenticator::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}
uint64_t CoalescingAuthenticator::tokens() const {
  absl::MutexLock lock(&mu_);
  return tokens_;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case pressrelay::common::v1::ROLE_OPERATOR:
      return "operator";
    case pressrelay::common::v1::ROLE_SPOKESPERSON:
      return "spokesperson";
    case pressrelay::common::v1::ROLE_NEWSROOM_CLIENT:
      return "newsroom client";
    case pressrelay::common::v1::ROLE_JOURNALIST:
      return "journalist";
    case pressrelay::common::v1::ROLE_SERVICE:
      return "service";
    case pressrelay::common::v1::ROLE_GATEWAY:
      return "gateway";
    case pressrelay::common::v1::ROLE_PRESS_OFFICER:
      return "press officer";
    default:
      return "unknown";
  }
}

}  // namespace pressrelay
