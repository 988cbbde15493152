#include "services/subscription/stream_leases.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/redis/keys.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::subscription {
namespace {

// KEYS: 1 the principal's leases. ARGV: 1 member, 2 cap, 3 lease ms.
// Returns {1} if taken, else {0, ms until the earliest lease lapses unless renewed}.
const redis::Script kTake(absl::StrCat(redis::kLuaNow, R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, tonumber(first[2]) - now)}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1}
)lua"));

// KEYS: 1 the principal's leases. ARGV: 1 member, 2 lease ms. Extends the lease (or puts it
// back if it had lapsed while this replica could not reach Redis: the stream is open).
const redis::Script kRenew(absl::StrCat(redis::kLuaNow, R"lua(
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
)lua"));

constexpr size_t kBatch = 1000;  // commands per round trip when renewing

}  // namespace

StreamLeases::StreamLeases(redis::Pool* pool, redis::Options renewer, int cap, absl::Duration lease)
    : pool_(pool),
      renewer_(std::move(renewer)),
      cap_(cap),
      lease_(lease),
      replica_(absl::StrCat(ids::RandomU64())) {
  if (cap_ > 0) thread_ = std::thread([this] { Loop(); });
}

StreamLeases::~StreamLeases() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::string StreamLeases::Member(uint64_t stream_id) const { return absl::StrCat(replica_, ":", stream_id); }

std::vector<absl::Status> StreamLeases::TakeMany(absl::Span<const Request> requests) {
  std::vector<absl::Status> out(requests.size());
  if (cap_ <= 0 || requests.empty()) return out;
  const std::string cap = absl::StrCat(cap_);
  const std::string lease_ms = absl::StrCat(absl::ToInt64Milliseconds(lease_));
  // One script per lease in one pipeline: Redis runs them in order, so two streams of one
  // principal in a batch see each other. A replay after NOSCRIPT re-adds the same members
  // (a ZADD of a member already held), which changes nothing.
  absl::StatusOr<std::vector<redis::Reply>> replies = [&]() -> absl::StatusOr<std::vector<redis::Reply>> {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    return redis->PipelineScripts([&](bool by_sha) {
      std::vector<redis::Args> commands;
      commands.reserve(requests.size());
      for (const Request& r : requests) {
        commands.push_back(kTake.Call(by_sha)
                               .Add(1)
                               .Add(keys::StreamLeases(r.principal))
                               .Add(Member(r.stream_id))
                               .Add(cap)
                               .Add(lease_ms));
      }
      return commands;
    });
  }();
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    if (!replies.ok()) {
      out[i] = replies.status();
      continue;
    }
    const redis::Reply& taken = (*replies)[i];
    if (absl::Status s = redis::ReplyStatus(taken); !s.ok()) {
      out[i] = s;
      continue;
    }
    if (taken.size() < 1 || taken[0].integer() != 1) {
      // The earliest moment a slot could free up: when the oldest lease lapses, should its
      // stream be gone (a live stream renews it).
      const absl::Duration retry = absl::Milliseconds(taken.size() > 1 ? taken[1].integer() : 1000);
      out[i] = WithRetryDelay(
          absl::ResourceExhaustedError(absl::StrCat(
              "at most ", cap_, " open Subscribe streams per ", r.role_name,
              " across the service; close one before opening another (a stream whose connection died holds its "
              "slot for up to ",
              absl::FormatDuration(lease_), ")")),
          retry);
      continue;
    }
    held_[r.stream_id] = r.principal;
  }
  return out;
}

void StreamLeases::GiveBack(uint64_t stream_id) {
  if (cap_ <= 0) return;
  absl::MutexLock lock(&mu_);
  auto it = held_.find(stream_id);
  if (it == held_.end()) return;
  given_back_.emplace_back(stream_id, std::move(it->second));
  held_.erase(it);
}

void StreamLeases::Send(const std::function<std::vector<redis::Args>(bool by_sha)>& build) {
  // Give-backs and renewals bear being sent twice (ZREM, and a ZADD of the same expiry).
  auto replies = renewer_.PipelineScripts(build);
  if (!replies.ok()) {
    // Leases outlive a short outage (lease/3 between renewals); the next round retries.
    spdlog::warn("stream leases: {}", replies.status().ToString());
    return;
  }
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) spdlog::warn("stream leases: {}", std::string(reply.str()));
  }
}

void StreamLeases::Loop() {
  const int64_t lease_ms = absl::ToInt64Milliseconds(lease_);
  absl::Time next_renewal = absl::Now() + lease_ / 3;
  while (true) {
    std::vector<std::pair<uint64_t, std::string>> given_back, renew;
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || !given_back_.empty(); };
      mu_.AwaitWithDeadline(absl::Condition(&work), next_renewal);
      given_back.swap(given_back_);
      if (stop_) {
        // Shutting down (a drain): give every slot back now, so that the streams moving to
        // other replicas are not refused while our leases lapse.
        given_back.insert(given_back.end(), held_.begin(), held_.end());
        held_.clear();
      }
      if (absl::Now() >= next_renewal) {
        renew.assign(held_.begin(), held_.end());
        next_renewal = absl::Now() + lease_ / 3;
      }
    }
    // Give-backs first, so that a renewal never outlives its stream's end for long; in
    // batches, so that one round trip stays small.
    std::vector<std::pair<bool, std::pair<uint64_t, std::string>>> work;  // (renew?, (stream, principal))
    for (auto& g : given_back) work.push_back({false, std::move(g)});
    for (auto& r : renew) work.push_back({true, std::move(r)});
    for (size_t start = 0; start < work.size(); start += kBatch) {
      const size_t end = std::min(work.size(), start + kBatch);
      Send([&](bool by_sha) {
        std::vector<redis::Args> commands;
        for (size_t i = start; i < end; ++i) {
          const auto& [is_renewal, entry] = work[i];
          const auto& [stream, principal] = entry;
          if (is_renewal) {
            commands.push_back(
                kRenew.Call(by_sha).Add(1).Add(keys::StreamLeases(principal)).Add(Member(stream)).Add(lease_ms));
          } else {
            commands.push_back({"ZREM", keys::StreamLeases(principal), Member(stream)});
          }
        }
        return commands;
      });
    }
    absl::MutexLock lock(&mu_);
    if (stop_ && given_back_.empty()) return;
  }
}

}  // namespace pressrelay::subscription
