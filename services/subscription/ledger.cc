#include "services/subscription/ledger.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/redis/keys.h"
#include "services/common/base/log.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"

namespace pressrelay::subscription {
namespace {


// KEYS: 1 ack:{shard}. ARGV: 1 recipient, 2 priority position, 3 routine position.
// Returns the positions before, as strings.
const redis::Script kRaiseAck(R"lua(
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local p, r = 0, 0
if cur then
  local a, b = string.match(cur, '^(%d+)%.(%d+)$')
  p, r = tonumber(a), tonumber(b)
end
local op, orr = p, r
local np, nr = tonumber(ARGV[2]), tonumber(ARGV[3])
if np > p then p = np end
if nr > r then r = nr end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f.%.0f', p, r))
return {string.format('%.0f', op), string.format('%.0f', orr)}
)lua");

fanout::Positions ParsePositions(absl::string_view text) {
  fanout::Positions out{};
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() == 2) {
    (void)absl::SimpleAtoi(parts[0], &out[0]);
    (void)absl::SimpleAtoi(parts[1], &out[1]);
  }
  return out;
}

}  // namespace

DeliveryLedger::DeliveryLedger(redis::Pool* pool, absl::Duration flush_interval, absl::Duration retention)
    : pool_(pool), flush_interval_(flush_interval), retention_(retention), thread_([this] { Loop(); }) {}

DeliveryLedger::~DeliveryLedger() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  (void)Flush();
}

void DeliveryLedger::RecordSent(const std::shared_ptr<const std::string>& recipient_id,
                                absl::Span<const std::shared_ptr<const StatementFrame>> frames, int64_t ms) {
  absl::MutexLock lock(&mu_);
  for (const auto& frame : frames) {
    Marks& marks = pending_[frame.get()];
    if (!marks.frame) marks.frame = frame;
    marks.sent.emplace_back(recipient_id, ms);
  }
}

absl::Status DeliveryLedger::Flush() {
  absl::flat_hash_map<const StatementFrame*, Marks> batch;
  {
    absl::MutexLock lock(&mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return absl::OkStatus();
  // One multi-field HSET per version: the cheapest write Redis has for thousands of marks.
  std::vector<redis::Args> commands;
  for (const auto& [key, marks] : batch) {
    const std::string hash = keys::DeliveredSent(marks.frame->statement_id, marks.frame->version);
    redis::Args args{"HSET", hash};
    for (const auto& [rid, ms] : marks.sent) args.Add(*rid).Add(ms);
    commands.push_back(std::move(args));
    commands.push_back(redis::Args{"EXPIRE", hash}.Add(absl::ToInt64Seconds(retention_)));
  }
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto replies, redis->Pipeline(commands));
  for (const auto& reply : replies) PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
  return absl::OkStatus();
}

void DeliveryLedger::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), flush_interval_)) return;
    }
    if (auto s = Flush(); !s.ok()) spdlog::warn("ledger: {}", s.ToString());
  }
}

absl::Status DeliveryLedger::Acknowledge(int shard, const std::string& recipient_id,
                                         const fanout::Positions& positions, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  const std::vector<std::string> ack_keys = {keys::Acks(shard)};
  const std::vector<std::string> argv = {recipient_id, absl::StrCat(positions[0]), absl::StrCat(positions[1])};
  PR_ASSIGN_OR_RETURN(auto before, redis->Eval(kRaiseAck, ack_keys, argv));
  fanout::Positions old{};
  (void)absl::SimpleAtoi(before[0].str(), &old[0]);
  (void)absl::SimpleAtoi(before[1].str(), &old[1]);

  // The versions newly acknowledged: queue entries between the old and new positions.
  std::vector<redis::Args> reads;
  for (int lane = 0; lane < keys::kLanes; ++lane) {
    if (positions[lane] <= old[lane]) continue;
    redis::Args args{"ZRANGEBYSCORE", keys::Queue(shard, recipient_id, static_cast<keys::Lane>(lane))};
    args.Add(absl::StrCat("(", old[lane])).Add(positions[lane]);
    reads.push_back(std::move(args));
  }
  if (reads.empty()) return absl::OkStatus();
  PR_ASSIGN_OR_RETURN(auto members, redis->Pipeline(reads));
  std::vector<redis::Args> marks;
  const std::string ms = absl::StrCat(absl::ToUnixMillis(now));
  for (const auto& reply : members) {
    PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
    for (size_t i = 0; i < reply.size(); ++i) {
      std::string statement_id;
      int version = 0;
      if (!keys::ParseQueueMember(reply[i].str(), &statement_id, &version)) continue;
      const std::string key = keys::DeliveredAcked(statement_id, version);
      marks.push_back({"HSETNX", key, recipient_id, ms});
      marks.push_back(redis::Args{"EXPIRE", key}.Add(absl::ToInt64Seconds(retention_)));
    }
  }
  if (marks.empty()) return absl::OkStatus();
  PR_ASSIGN_OR_RETURN(auto done, redis->Pipeline(marks));
  for (const auto& reply : done) PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
  return absl::OkStatus();
}

absl::StatusOr<fanout::Positions> DeliveryLedger::Acknowledged(int shard, const std::string& recipient_id) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto reply, redis->Run(AcknowledgedRead(shard, recipient_id)));
  return ParseAcknowledged(reply);
}

redis::Args DeliveryLedger::AcknowledgedRead(int shard, const std::string& recipient_id) {
  return {"HGET", keys::Acks(shard), recipient_id};
}

absl::StatusOr<fanout::Positions> DeliveryLedger::ParseAcknowledged(const redis::ReplyView& reply) {
  PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
  if (reply.is_nil()) return fanout::Positions{};
  return ParsePositions(reply.str());
}

absl::StatusOr<v1::GetDeliveryStatesResponse> DeliveryLedger::States(const std::string& statement_id,
                                                                      int version) {
  PR_RETURN_IF_ERROR(Flush());
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  const std::vector<redis::Args> reads = {{"HGETALL", keys::DeliveredSent(statement_id, version)},
                                          {"HGETALL", keys::DeliveredAcked(statement_id, version)}};
  PR_ASSIGN_OR_RETURN(auto replies, redis->Pipeline(reads));
  absl::flat_hash_map<std::string, v1::RecipientState> states;
  for (int which = 0; which < 2; ++which) {
    const auto& reply = replies[which];
    PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
    for (size_t i = 0; i + 1 < reply.size(); i += 2) {
      auto& state = states[std::string(reply[i].str())];
      state.set_recipient_id(std::string(reply[i].str()));
      const auto ts = ProtoFromMillis(reply[i + 1].integer());
      *(which == 0 ? state.mutable_sent_at() : state.mutable_acknowledged_at()) = ts;
    }
  }
  v1::GetDeliveryStatesResponse response;
  for (auto& [rid, state] : states) *response.add_states() = std::move(state);
  return response;
}

}  // namespace pressrelay::subscription
