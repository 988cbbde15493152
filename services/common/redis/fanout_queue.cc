#include "services/common/redis/fanout_queue.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/domain/ids.h"

namespace pressrelay::fanout {
namespace {

// KEYS: 1 progress hash, 2 sequence, 3 events, 4 trimmed hash, 5.. queues (one per recipient)
// ARGV: 1 job id, 2 start, 3 statement id, 4 version, 5 lane char, 6 member,
//       7 max entries, 8 events max len, 9 recipients joined by ",", 10 queue key prefix
// Returns {applied (0/1), progress, seq as string}.
// Per recipient only ZADD and ZCARD run (both O(1)-ish and without number formatting):
// the hot path of a 100,000-recipient fan-out.
const redis::Script kEnqueueChunk(absl::StrCat(redis::kLuaNow, R"lua(
local start = tonumber(ARGV[2])
local done = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if done ~= start then return {0, done, '0'} end
local seq = now * 1000
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last >= seq then seq = last + 1 end
local sseq = string.format('%.0f', seq)
redis.call('SET', KEYS[2], sseq)
local max_entries = tonumber(ARGV[7])
local prefix_len = #ARGV[10]
local n = #KEYS - 4
for i = 1, n do
  local q = KEYS[4 + i]
  redis.call('ZADD', q, 'NX', sseq, ARGV[6])
  local card = redis.call('ZCARD', q)
  if card > max_entries then
    -- Trim the oldest; remember the highest trimmed position under "<recipient>:<lane>",
    -- which is the queue key without its prefix.
    local k = card - max_entries
    local edge = redis.call('ZRANGE', q, k - 1, k - 1, 'WITHSCORES')
    redis.call('ZREMRANGEBYRANK', q, 0, k - 1)
    redis.call('HSET', KEYS[4], string.sub(q, prefix_len + 1), edge[2])
  end
end
local ms = math.floor(seq / 1000)
local id = string.format('%.0f-%.0f', ms, seq - ms * 1000)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], id,
           'seq', sseq, 'sid', ARGV[3], 'v', ARGV[4], 'lane', ARGV[5], 'r', ARGV[9])
redis.call('HSET', KEYS[1], ARGV[1], start + n)
return {1, start + n, sseq}
)lua"));

// KEYS: 1 trimmed hash, 2.. queues. ARGV: 1 cutoff seq, 2 queue key prefix.
// Drops entries older than the cutoff and records the highest dropped position.
const redis::Script kTrimByAge(R"lua(
local trimmed = 0
local prefix_len = #ARGV[2]
for i = 2, #KEYS do
  local q = KEYS[i]
  local old = redis.call('ZRANGEBYSCORE', q, '-inf', '(' .. ARGV[1], 'WITHSCORES')
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', q, '-inf', '(' .. ARGV[1])
    redis.call('HSET', KEYS[1], string.sub(q, prefix_len + 1), old[#old])
    trimmed = trimmed + #old / 2
  end
end
return trimmed
)lua");

bool ParseSeq(absl::string_view text, int64_t* out) {
  if (absl::SimpleAtoi(text, out)) return true;
  double d = 0;
  if (!absl::SimpleAtod(text, &d)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

keys::Lane LaneFromChar(absl::string_view c) {
  return c == "p" ? keys::Lane::kPriority : keys::Lane::kRoutine;
}

}  // namespace

int64_t SeqMillis(int64_t seq) { return seq / 1000; }
absl::Time SeqTime(int64_t seq) { return absl::FromUnixMillis(SeqMillis(seq)); }
int64_t SeqFloor(absl::Time t) { return absl::ToUnixMillis(t) * 1000; }

namespace {

redis::Args ChunkCommand(const Chunk& chunk, const Retention& retention, bool by_sha) {
  const size_t n = chunk.recipients.size();
  redis::Args args = kEnqueueChunk.Call(by_sha);
  args.Add(static_cast<int64_t>(4 + n));
  args.Add(keys::FanoutProgress(chunk.shard));
  args.Add(keys::Sequence(chunk.shard));
  args.Add(keys::Events(chunk.shard));
  args.Add(keys::Trimmed(chunk.shard));
  for (const auto& r : chunk.recipients) args.Add(keys::Queue(chunk.shard, r, chunk.lane));
  args.Add(chunk.job_id);
  args.Add(chunk.start);
  args.Add(chunk.statement_id);
  args.Add(chunk.version);
  const char lane = keys::LaneChar(chunk.lane);
  args.Add(absl::string_view(&lane, 1));
  args.Add(keys::QueueMember(chunk.statement_id, chunk.version));
  args.Add(retention.max_entries);
  args.Add(retention.events_max_len);
  args.Add(absl::StrJoin(chunk.recipients, ","));
  args.Add(keys::QueuePrefix(chunk.shard));
  return args;
}

ChunkResult ParseChunkReply(const redis::ReplyView& reply) {
  ChunkResult result;
  result.applied = reply[0].integer() == 1;
  result.progress = reply[1].integer();
  ParseSeq(reply[2].str(), &result.seq);
  return result;
}

}  // namespace

absl::StatusOr<std::vector<ChunkResult>> EnqueueChunks(redis::Client& redis, absl::Span<const Chunk> chunks,
                                                       const Retention& retention) {
  // One script for the whole batch: when Redis lacks it, every chunk answers NOSCRIPT and
  // none applied, so the batch is sent again with the source.
  auto replies = redis.PipelineScripts([&](bool by_sha) {
    std::vector<redis::Args> batch;
    batch.reserve(chunks.size());
    for (const auto& chunk : chunks) batch.push_back(ChunkCommand(chunk, retention, by_sha));
    return batch;
  });
  if (!replies.ok()) return replies.status();
  std::vector<ChunkResult> results;
  for (const auto& reply : *replies) {
    if (reply.is_error()) return redis::ReplyStatus(reply);
    results.push_back(ParseChunkReply(reply));
  }
  return results;
}

absl::StatusOr<ChunkResult> EnqueueChunk(redis::Client& redis, const Chunk& chunk, const Retention& retention) {
  auto results = EnqueueChunks(redis, absl::MakeConstSpan(&chunk, 1), retention);
  if (!results.ok()) return results.status();
  return results->front();
}

absl::StatusOr<QueueScan> TrimQueuesByAge(redis::Client& redis, const std::string& cursor, absl::Time cutoff) {
  auto page = redis.Scan(cursor, keys::kQueuePattern, 500);
  if (!page.ok()) return page.status();
  QueueScan out;
  out.cursor = std::move(page->cursor);
  // The keys of one script run must share a shard (one Redis Cluster slot).
  std::map<int, std::vector<std::string>> by_shard;
  for (const std::string& key : page->keys) {
    int shard = 0;
    if (keys::ShardOfKey(key, &shard)) by_shard[shard].emplace_back(key);
  }
  for (auto& [shard, queues] : by_shard) {
    std::vector<std::string> keys_list = {keys::Trimmed(shard)};
    keys_list.insert(keys_list.end(), std::make_move_iterator(queues.begin()), std::make_move_iterator(queues.end()));
    const std::vector<std::string> argv = {absl::StrCat(SeqFloor(cutoff)), keys::QueuePrefix(shard)};
    auto trimmed = redis.Eval(kTrimByAge, keys_list, argv);
    if (!trimmed.ok()) return trimmed.status();
    out.trimmed += trimmed->integer();
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> Progress(redis::Client& redis, const std::string& job_id,
                                              absl::Span<const int> shards) {
  std::vector<redis::Args> batch;
  for (int shard : shards) batch.push_back({"HGET", keys::FanoutProgress(shard), job_id});
  auto replies = redis.Pipeline(batch);
  if (!replies.ok()) return replies.status();
  std::vector<int64_t> out;
  for (const auto& reply : *replies) {
    if (reply.is_error()) return redis::ReplyStatus(reply);
    out.push_back(reply.is_nil() ? 0 : reply.integer());
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<Entry>>> ReadQueues(redis::Client& redis,
                                                           absl::Span<const QueueRead> reads) {
  std::vector<redis::Args> batch;
  batch.reserve(reads.size() * keys::kLanes);
  for (const auto& read : reads) {
    for (int lane = 0; lane < keys::kLanes; ++lane) {
      redis::Args args{"ZRANGEBYSCORE",
                       keys::Queue(read.shard, read.recipient_id, static_cast<keys::Lane>(lane))};
      args.Add(absl::StrCat("(", read.after[lane])).Add("+inf").Add("WITHSCORES");
      args.Add("LIMIT").Add("0").Add(read.limit);
      batch.push_back(std::move(args));
    }
  }
  auto replies = redis.Pipeline(batch);
  if (!replies.ok()) return replies.status();
  std::vector<std::vector<Entry>> out(reads.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    for (int lane = 0; lane < keys::kLanes; ++lane) {
      const auto& reply = (*replies)[i * keys::kLanes + lane];
      if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
      for (size_t j = 0; j + 1 < reply.size(); j += 2) {
        Entry e;
        e.lane = static_cast<keys::Lane>(lane);
        if (!keys::ParseQueueMember(reply[j].str(), &e.statement_id, &e.version)) continue;
        if (!ParseSeq(reply[j + 1].str(), &e.seq)) continue;
        out[i].push_back(std::move(e));
      }
    }
  }
  return out;
}

redis::Args TrimmedRead(int shard, const std::string& recipient_id) {
  return {"HMGET", keys::Trimmed(shard), keys::TrimmedField(recipient_id, keys::Lane::kPriority),
          keys::TrimmedField(recipient_id, keys::Lane::kRoutine)};
}

absl::StatusOr<Positions> ParseTrimmed(const redis::ReplyView& reply) {
  if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
  Positions out{};
  for (int lane = 0; lane < keys::kLanes && static_cast<size_t>(lane) < reply.size(); ++lane) {
    if (!reply[lane].is_nil()) ParseSeq(reply[lane].str(), &out[lane]);
  }
  return out;
}

std::vector<redis::Args> TailReads(int shard, const std::string& recipient_id) {
  std::vector<redis::Args> reads;
  for (int lane = 0; lane < keys::kLanes; ++lane) {
    reads.push_back(redis::Args{"ZRANGE", keys::Queue(shard, recipient_id, static_cast<keys::Lane>(lane)), "-1",
                                "-1", "WITHSCORES"});
  }
  return reads;
}

absl::StatusOr<Positions> ParseTails(absl::Span<const redis::Reply> replies) {
  Positions out{};
  for (int lane = 0; lane < keys::kLanes && static_cast<size_t>(lane) < replies.size(); ++lane) {
    const auto& reply = replies[lane];
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    if (reply.size() == 2) ParseSeq(reply[1].str(), &out[lane]);
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> QueuedSeqs(redis::Client& redis, absl::Span<const MemberRef> refs,
                                                const std::string& statement_id, int version) {
  const std::string member = keys::QueueMember(statement_id, version);
  std::vector<redis::Args> batch;
  batch.reserve(refs.size());
  for (const auto& ref : refs) batch.push_back({"ZSCORE", keys::Queue(ref.shard, ref.recipient_id, ref.lane), member});
  auto replies = redis.Pipeline(batch);
  if (!replies.ok()) return replies.status();
  std::vector<int64_t> out;
  out.reserve(refs.size());
  for (const auto& reply : *replies) {
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    int64_t seq = 0;
    if (!reply.is_nil()) ParseSeq(reply.str(), &seq);
    out.push_back(seq);
  }
  return out;
}

namespace {

// Appends the entries of an XREAD reply (streams of ev:{<shard>}) to `events`.
void ParseEvents(const redis::ReplyView& reply, std::vector<Event>* events) {
  for (size_t s = 0; s < reply.size(); ++s) {
    const auto stream = reply[s];
    int shard = 0;
    if (!keys::ShardOfKey(stream[0].str(), &shard)) continue;
    const auto entries = stream[1];
    for (size_t e = 0; e < entries.size(); ++e) {
      const auto entry = entries[e];
      Event ev;
      ev.shard = shard;
      ev.stream_id = std::string(entry[0].str());
      const auto fields = entry[1];
      for (size_t f = 0; f + 1 < fields.size(); f += 2) {
        const absl::string_view name = fields[f].str();
        const absl::string_view value = fields[f + 1].str();
        if (name == "seq") {
          ParseSeq(value, &ev.seq);
        } else if (name == "sid") {
          ev.statement_id = std::string(value);
        } else if (name == "v") {
          (void)absl::SimpleAtoi(value, &ev.version);
        } else if (name == "lane") {
          ev.lane = LaneFromChar(value);
        } else if (name == "r") {
          ev.recipient_list = std::string(value);
        }
      }
      events->push_back(std::move(ev));
    }
  }
}

// A Redis Cluster refuses XREAD over streams of different slots, and each shard's stream is
// in a slot of its own: one non-blocking XREAD per shard in one pipeline (a round trip per
// primary), polled every kClusterEventPoll until something arrives or `block` has passed.
absl::StatusOr<std::vector<Event>> ReadClusterEvents(redis::Client& redis, const std::vector<std::string>& last_ids,
                                                     absl::Duration block, int count) {
  const absl::Time give_up = absl::Now() + block;
  std::vector<redis::Args> batch;
  batch.reserve(last_ids.size());
  for (size_t shard = 0; shard < last_ids.size(); ++shard) {
    batch.push_back(redis::Args{"XREAD", "COUNT"}.Add(count).Add("STREAMS").Add(keys::Events(static_cast<int>(shard))).Add(last_ids[shard]));
  }
  std::vector<Event> events;
  for (;;) {
    auto replies = redis.Pipeline(batch);
    if (!replies.ok()) return replies.status();
    for (const auto& reply : *replies) {
      if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
      if (!reply.is_nil()) ParseEvents(reply, &events);
    }
    if (!events.empty() || absl::Now() >= give_up) return events;
    absl::SleepFor(std::min(kClusterEventPoll, give_up - absl::Now()));
  }
}

}  // namespace

absl::StatusOr<std::vector<Event>> ReadEvents(redis::Client& redis,
                                              const std::vector<std::string>& last_ids,
                                              absl::Duration block, int count) {
  if (redis.cluster()) return ReadClusterEvents(redis, last_ids, block, count);
  redis::Args args{"XREAD", "COUNT"};
  args.Add(count);
  if (block > absl::ZeroDuration()) args.Add("BLOCK").Add(absl::ToInt64Milliseconds(block));
  args.Add("STREAMS");
  for (size_t shard = 0; shard < last_ids.size(); ++shard) args.Add(keys::Events(static_cast<int>(shard)));
  for (const auto& id : last_ids) args.Add(id);
  auto reply = redis.RunWithTimeout(args, block + absl::Seconds(5));
  if (!reply.ok()) return reply.status();
  std::vector<Event> events;
  if (reply->is_nil()) return events;
  ParseEvents(*reply, &events);
  return events;
}

absl::StatusOr<std::vector<std::string>> LatestEventIds(redis::Client& redis, int shards) {
  std::vector<redis::Args> batch;
  for (int shard = 0; shard < shards; ++shard) {
    batch.push_back(redis::Args{"XREVRANGE", keys::Events(shard), "+", "-", "COUNT", "1"});
  }
  auto replies = redis.Pipeline(batch);
  if (!replies.ok()) return replies.status();
  std::vector<std::string> out;
  for (const auto& reply : *replies) {
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    out.push_back(reply.size() > 0 ? std::string(reply[0][0].str()) : "0-0");
  }
  return out;
}

absl::StatusOr<std::string> EnsureEpoch(redis::Client& redis) {
  const std::string fresh = absl::StrCat(absl::Hex(ids::RandomU64(), absl::kZeroPad16));
  auto set = redis.Run({"SET", keys::kEpoch, fresh, "NX"});
  if (!set.ok()) return set.status();
  auto get = redis.Run({"GET", keys::kEpoch});
  if (!get.ok()) return get.status();
  return std::string(get->str());
}

absl::Status EnsureShards(redis::Client& redis, int shards) {
  auto set = redis.Run({"SET", keys::kShards, absl::StrCat(shards), "NX"});
  if (!set.ok()) return set.status();
  auto get = redis.Run({"GET", keys::kShards});
  if (!get.ok()) return get.status();
  if (get->integer() != shards) {
    return absl::FailedPreconditionError(absl::StrCat(
        "queues in this Redis were laid out for ", get->str(), " shards, not ", shards,
        "; set --shards to match"));
  }
  return absl::OkStatus();
}

}  // namespace pressrelay::fanout
