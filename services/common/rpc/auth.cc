#include "services/common/rpc/auth.h"

#include <optional>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/base/time_util.h"

namespace pressrelay {

CachingAuthenticator::CachingAuthenticator(Authenticator* upstream, absl::Duration ttl,
                                           BatchAuthenticator* batch_upstream)
    : upstream_(upstream), batch_upstream_(batch_upstream), ttl_(ttl) {}

std::optional<Principal> CachingAuthenticator::Cached(const std::string& key, absl::Time now, uint64_t* generation) {
  absl::MutexLock lock(&mu_);
  *generation = generation_;
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.valid_until > now) return it->second.principal;
  cache_.erase(it);
  return std::nullopt;
}

void CachingAuthenticator::Remember(const std::string& key, const Principal& principal, absl::Time now,
                                    uint64_t generation) {
  absl::Time until = now + ttl_;
  if (IsSet(principal.token_expires())) until = std::min(until, FromProto(principal.token_expires()));
  if (IsSet(principal.access_until())) until = std::min(until, FromProto(principal.access_until()));
  absl::MutexLock lock(&mu_);
  if (generation != generation_) return;  // a revocation raced with this lookup
  if (cache_.size() > 100000) cache_.clear();  // bound memory under token spraying
  cache_[key] = Entry{principal, until};
}

absl::StatusOr<Principal> CachingAuthenticator::Authenticate(absl::string_view token) {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  const std::string key = ids::TokenHash(token);
  const absl::Time now = absl::Now();
  uint64_t generation = 0;
  if (auto cached = Cached(key, now, &generation)) return *std::move(cached);
  auto principal = upstream_->Authenticate(token);
  if (principal.ok()) Remember(key, *principal, now, generation);
  return principal;
}

absl::StatusOr<std::vector<absl::StatusOr<Principal>>> CachingAuthenticator::AuthenticateBatch(
    const std::vector<std::string>& tokens) {
  const absl::Time now = absl::Now();
  std::vector<absl::StatusOr<Principal>> out(tokens.size(), absl::UnauthenticatedError("missing bearer token"));
  // Tokens the cache cannot answer, each asked once however many calls carry it.
  std::vector<std::string> misses, miss_keys;
  absl::flat_hash_map<absl::string_view, size_t> miss_index;
  std::vector<std::pair<size_t, size_t>> answered_by;  // (token, miss)
  uint64_t generation = 0;
  {
    uint64_t first_generation = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].empty()) continue;
      std::string key = ids::TokenHash(tokens[i]);
      uint64_t g = 0;
      if (auto cached = Cached(key, now, &g)) {
        out[i] = *std::move(cached);
        continue;
      }
      if (misses.empty()) first_generation = g;
      auto [it, added] = miss_index.try_emplace(tokens[i], misses.size());
      if (added) {
        misses.push_back(tokens[i]);
        miss_keys.push_back(std::move(key));
      }
      answered_by.emplace_back(i, it->second);
    }
    generation = first_generation;
  }
  if (misses.empty()) return out;
  std::vector<absl::StatusOr<Principal>> verdicts;
  if (batch_upstream_ != nullptr) {
    auto batch = batch_upstream_->AuthenticateBatch(misses);
    if (!batch.ok()) return batch.status();
    verdicts = *std::move(batch);
  } else {
    for (const auto& token : misses) verdicts.push_back(upstream_->Authenticate(token));
  }
  verdicts.resize(misses.size(), absl::InternalError("registry: fewer verdicts than tokens"));
  for (size_t m = 0; m < misses.size(); ++m) {
    if (verdicts[m].ok()) Remember(miss_keys[m], *verdicts[m], now, generation);
  }
  for (const auto& [token, miss] : answered_by) out[token] = verdicts[miss];
  return out;
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
