#include "services/distribution/statement_store.h"

#include "services/distribution/obligations.h"

#include "services/common/base/metrics.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/time_util.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::distribution {
namespace {

// Made at start-up, so that the series is exposed (at 0) before the first takeover.
metrics::Counter& lease_takeovers = metrics::CounterOf(
    "pressrelay_fanout_lease_expired_total",
    "fan-out jobs whose runner's lease lapsed (its replica died or stalled) and that this replica took over");

}  // namespace
namespace {

// KEYS: 1 st:<id>, 2 st:index, 3 fo:sched, 4 fo:lease, 5 idempotency key, 6 fo:done,
//       7 the agency's activity, 8.. job keys
// ARGV: 1 expected latest, 2 version, 3 version bytes, 4 head bytes, 5 statement id,
//       6 first publish ms, 7 idempotency record ("" for none), 8 idempotency ttl s,
//       9 lease ms, 10 provenance (VersionRecord bytes), 11 number of jobs to cancel,
//       12 the month of first publication ("2026-12", Vietnam time), 13 "1" for a
//       press-conference notice, 14 the follow-up deadline ms of an urgent statement ("" for
//       none), 15 the statement this one follows up ("" for none), 16 "1" for a kill, then
//       the job ids to cancel, then 3 per new job: job bytes, due ms, "1" to lease now / "0"
//       to schedule
// The agency's activity hash holds, besides the counts, `due:<id>` (an urgent statement's
// follow-up deadline, until a follow-up or a kill) and `thread:<id>` (the ids of the
// statements following it up, space-separated, in order).
// Returns {1} committed, {2, record} idempotent replay, {3, latest} conflict,
// {4} a job to cancel is no longer scheduled.
const redis::Script kCommit(absl::StrCat(redis::kLuaNow, R"lua(
if ARGV[7] ~= '' then
  local existing = redis.call('GET', KEYS[5])
  if existing then return {2, existing} end
end
local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
if latest ~= tonumber(ARGV[1]) then return {3, tostring(latest)} end
local ncancel = tonumber(ARGV[11])
for i = 1, ncancel do
  if not redis.call('ZSCORE', KEYS[3], ARGV[16 + i]) then return {4} end
end
for i = 1, ncancel do
  redis.call('ZREM', KEYS[3], ARGV[16 + i])
  redis.call('HSET', KEYS[6], ARGV[16 + i], 'canceled')
end
redis.call('HSET', KEYS[1], 'v' .. ARGV[2], ARGV[3], 'p' .. ARGV[2], ARGV[10], 'head', ARGV[4], 'latest', ARGV[2])
if latest == 0 then
  redis.call('HSET', KEYS[1], 'released', '0')
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
  -- The agency's obligations to the press count statements by first publication.
  redis.call('HINCRBY', KEYS[7], 'm:' .. ARGV[12], 1)
  if tonumber(ARGV[6]) > tonumber(redis.call('HGET', KEYS[7], 'last') or '0') then
    redis.call('HSET', KEYS[7], 'last', ARGV[6])
  end
  if ARGV[13] == '1' and tonumber(ARGV[6]) > tonumber(redis.call('HGET', KEYS[7], 'conference') or '0') then
    redis.call('HSET', KEYS[7], 'conference', ARGV[6])
  end
  if ARGV[14] ~= '' then redis.call('HSET', KEYS[7], 'due:' .. ARGV[5], ARGV[14]) end
  if ARGV[15] ~= '' then
    redis.call('HDEL', KEYS[7], 'due:' .. ARGV[15])
    local thread = redis.call('HGET', KEYS[7], 'thread:' .. ARGV[15])
    redis.call('HSET', KEYS[7], 'thread:' .. ARGV[15], thread and (thread .. ' ' .. ARGV[5]) or ARGV[5])
  end
end
if ARGV[16] == '1' then redis.call('HDEL', KEYS[7], 'due:' .. ARGV[5]) end
if ARGV[7] ~= '' then redis.call('SET', KEYS[5], ARGV[7], 'EX', ARGV[8]) end
for i = 8, #KEYS do
  local a = 17 + ncancel + (i - 8) * 3
  local job_id = string.match(KEYS[i], 'fo:job:(.*)$')
  redis.call('SET', KEYS[i], ARGV[a])
  if ARGV[a + 2] == '1' then
    redis.call('ZADD', KEYS[4], string.format('%.0f', now + tonumber(ARGV[9])), job_id)
  else
    redis.call('ZADD', KEYS[3], ARGV[a + 1], job_id)
  end
end
return {1}
)lua"));

// KEYS: 1 fo:sched, 2 fo:lease, 3 fo:retry. ARGV: 1 lease ms. Claims one due job or expired
// lease: {job, 0 (due), 1 (its runner's lease lapsed: taken over) or 2 (a failed run gave its
// lease back to be run again then)}, or nil. A lease keeps the expiry a failed run set until
// a runner claims or renews it, so an expiry that still matches is a retry.
const redis::Script kClaim(absl::StrCat(redis::kLuaNow, R"lua(
local until_ms = string.format('%.0f', now + tonumber(ARGV[1]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #due > 0 then
  redis.call('ZREM', KEYS[1], due[1])
  redis.call('ZADD', KEYS[2], until_ms, due[1])
  return {due[1], 0}
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
if #expired > 0 then
  local job = expired[1]
  redis.call('ZADD', KEYS[2], until_ms, job)
  local retry_at = redis.call('HGET', KEYS[3], job .. ':at')
  if retry_at then redis.call('HDEL', KEYS[3], job .. ':at') end
  if retry_at == string.format('%.0f', tonumber(expired[2])) then return {job, 2} end
  return {job, 1}
end
return false
)lua"));

// KEYS: 1 fo:lease. ARGV: 1 job id, 2 lease ms. Extends a lease that is still held.
const redis::Script kRenew(absl::StrCat(redis::kLuaNow, R"lua(
return redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])
)lua"));

// KEYS: 1 fo:lease, 2 fo:retry. ARGV: 1 job id, 2 first delay ms, 3 longest delay ms. After a
// failed run: the job's lease now expires after a delay that doubles with each failed run of
// the job (on any replica), from the first to the longest, and that expiry is noted as a
// retry (and the time of the first failure, from which the job counts as overdue). Returns
// {failed runs, delay ms}, or {0, 0} when no lease is held (the job finished).
const redis::Script kRetryLater(absl::StrCat(redis::kLuaNow, R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {0, 0} end
local failures = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
local delay = math.min(tonumber(ARGV[2]) * 2 ^ math.min(failures - 1, 30), tonumber(ARGV[3]))
local at = string.format('%.0f', now + delay)
redis.call('ZADD', KEYS[1], 'XX', at, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1] .. ':at', at)
redis.call('HSETNX', KEYS[2], ARGV[1] .. ':since', string.format('%.0f', now))
return {failures, math.floor(delay)}
)lua"));

// KEYS: 1 fo:lease, 2 fo:done, 3 st:<id>, 4 st:changes, 5 fo:retry. ARGV: 1 job id, 2 "1"
// if it releases, 3 version, 4 statement id, 5 "1" unless the statement is unlisted. A
// version released is logged for the search indexes, unless unlisted.
const redis::Script kFinish(absl::StrCat(redis::kLuaNow, R"lua(
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1], ARGV[1] .. ':at', ARGV[1] .. ':since')
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', now))
if ARGV[2] == '1' then
  local released = tonumber(redis.call('HGET', KEYS[3], 'released') or '0')
  if released < tonumber(ARGV[3]) then
    redis.call('HSET', KEYS[3], 'released', ARGV[3])
    if ARGV[5] == '1' then
      redis.call('XADD', KEYS[4], 'MAXLEN', '~', '100000', '*', 'id', ARGV[4], 'v', ARGV[3])
    end
  end
end
return 1
)lua"));

}  // namespace

absl::StatusOr<CommitResult> StatementStore::Commit(redis::Client& redis, const VersionCommit& commit) {
  const std::string& id = commit.version.id();
  // An unlisted statement (an answer to one asker) is indexed apart: no list, history or
  // search walks that index.
  const absl::string_view index =
      commit.head.only_recipients_size() > 0 ? keys::kUnlistedStatements : keys::kStatementIndex;
  std::vector<std::string> keys_list = {keys::Statement(id), std::string(index),
                                        std::string(keys::kSchedule), std::string(keys::kLeases),
                                        commit.idempotency_key.empty() ? std::string(keys::kNoIdempotency)
                                                                       : commit.idempotency_key,
                                        std::string(keys::kJobsDone),
                                        keys::AgencyActivity(commit.version.issuer().agency_code())};
  std::vector<std::string> argv = {
      absl::StrCat(commit.expected_latest),
      absl::StrCat(commit.version.version()),
      commit.version.SerializeAsString(),
      commit.head.SerializeAsString(),
      id,
      absl::StrCat(commit.head.firstcreated_ms()),
      commit.idempotency_key.empty() ? std::string() : commit.idempotency.SerializeAsString(),
      absl::StrCat(absl::ToInt64Seconds(commit.idempotency_ttl)),
      absl::StrCat(absl::ToInt64Milliseconds(commit.lease)),
      commit.provenance.SerializeAsString(),
      absl::StrCat(commit.cancel_scheduled.size()),
      VietnamMonth(absl::FromUnixMillis(commit.head.firstcreated_ms())),
      commit.version.kind() == pressrelay::common::v1::STATEMENT_KIND_PRESS_CONFERENCE_NOTICE ? "1" : "0",
      commit.version.has_follow_up_by() ? absl::StrCat(MillisFromProto(commit.version.follow_up_by())) : "",
      commit.version.follows_up(),
      commit.version.pubstatus() == pressrelay::common::v1::PUB_STATUS_CANCELED ? "1" : "0",
  };
  for (const auto& id : commit.cancel_scheduled) argv.push_back(id);
  for (const auto& job : commit.jobs) {
    keys_list.push_back(keys::FanoutJob(job.job_id()));
    argv.push_back(job.SerializeAsString());
    argv.push_back(absl::StrCat(job.release_at_ms()));
    const bool now = std::find(commit.run_now.begin(), commit.run_now.end(), job.job_id()) != commit.run_now.end();
    argv.push_back(now ? "1" : "0");
  }
  PR_ASSIGN_OR_RETURN(redis::Reply reply, redis.Eval(kCommit, keys_list, argv));
  CommitResult result;
  switch (reply[0].integer()) {
    case 1:
      result.outcome = CommitResult::Outcome::kCommitted;
      break;
    case 2:
      result.outcome = CommitResult::Outcome::kReplay;
      if (!result.existing.ParseFromArray(reply[1].str().data(), static_cast<int>(reply[1].str().size()))) {
        return absl::DataLossError("unreadable idempotency record");
      }
      break;
    case 3:
      result.outcome = CommitResult::Outcome::kConflict;
      result.latest = static_cast<int>(reply[1].integer());
      break;
    default:
      result.outcome = CommitResult::Outcome::kScheduleChanged;
  }
  return result;
}

absl::StatusOr<std::optional<store::StatementHead>> StatementStore::LoadHead(redis::Client& redis,
                                                                             const std::string& statement_id) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"HGET", keys::Statement(statement_id), keys::kStatementHeadField}));
  return ParseRecord<store::StatementHead>(reply, "statement head");
}

absl::StatusOr<std::pair<int, int>> StatementStore::LoadVersionNumbers(redis::Client& redis, const std::string& statement_id) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"HMGET", keys::Statement(statement_id), keys::kStatementLatestField,
                                              keys::kStatementReleasedField}));
  return std::make_pair(static_cast<int>(reply[0].integer()), static_cast<int>(reply[1].integer()));
}

absl::StatusOr<std::optional<Statement>> StatementStore::LoadVersion(redis::Client& redis, const std::string& statement_id,
                                                                     int version) {
  PR_ASSIGN_OR_RETURN(auto reply,
                      redis.Run({"HGET", keys::Statement(statement_id), keys::StatementVersionField(version)}));
  return ParseRecord<Statement>(reply, "statement version");
}

absl::StatusOr<std::vector<std::optional<Statement>>> StatementStore::LoadVersions(
    redis::Client& redis, absl::Span<const std::pair<std::string, int>> refs) {
  std::vector<redis::Args> batch;
  batch.reserve(refs.size());
  for (const auto& [id, version] : refs) {
    batch.push_back({"HGET", keys::Statement(id), keys::StatementVersionField(version)});
  }
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<std::optional<Statement>> out;
  out.reserve(replies.size());
  for (const auto& reply : replies) {
    PR_ASSIGN_OR_RETURN(auto statement, ParseRecord<Statement>(reply, "statement version"));
    out.push_back(std::move(statement));
  }
  return out;
}

absl::StatusOr<std::vector<StatementStore::Summary>> StatementStore::LoadSummaries(
    redis::Client& redis, absl::Span<const std::string> statement_ids) {
  std::vector<redis::Args> batch;
  for (const auto& id : statement_ids) {
    batch.push_back({"HMGET", keys::Statement(id), keys::kStatementLatestField, keys::kStatementReleasedField,
                     keys::kStatementHeadField});
  }
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<Summary> out;
  for (const auto& reply : replies) {
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    Summary summary;
    summary.latest = static_cast<int>(reply[0].integer());
    summary.released = static_cast<int>(reply[1].integer());
    PR_ASSIGN_OR_RETURN(summary.head, ParseRecord<store::StatementHead>(reply[2], "statement head"));
    out.push_back(std::move(summary));
  }
  return out;
}

absl::StatusOr<std::optional<store::IdempotencyRecord>> StatementStore::LoadIdempotency(redis::Client& redis,
                                                                                        const std::string& key) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"GET", key}));
  return ParseRecord<store::IdempotencyRecord>(reply, "idempotency record");
}

absl::StatusOr<std::vector<std::optional<v1::VersionRecord>>> StatementStore::LoadProvenance(
    redis::Client& redis, const std::string& statement_id, int latest) {
  std::vector<std::optional<v1::VersionRecord>> out;
  if (latest <= 0) return out;
  redis::Args args{"HMGET", keys::Statement(statement_id)};
  for (int v = 1; v <= latest; ++v) args.Add(keys::StatementProvenanceField(v));
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run(args));
  for (size_t i = 0; i < reply.size(); ++i) {
    PR_ASSIGN_OR_RETURN(auto record, ParseRecord<v1::VersionRecord>(reply[i], "version record"));
    out.push_back(std::move(record));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> StatementStore::IndexPage(redis::Client& redis, int64_t before_ms,
                                                                                       const std::string& before_id,
                                                                                       int count) {
  return TimeIndexPage(redis, keys::kStatementIndex, before_ms, before_id, count);
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> TimeIndexPage(redis::Client& redis,
                                                                           absl::string_view key,
                                                                           int64_t before_ms,
                                                                           const std::string& before_id, int count) {
  // Entries with the same score are ordered by id; fetch a little more than asked and
  // skip those at the boundary score that are not strictly before (before_ms, before_id).
  redis::Args args{"ZREVRANGEBYSCORE", key};
  args.Add(before_ms).Add("-inf").Add("WITHSCORES").Add("LIMIT").Add(0).Add(count + 64);
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run(args));
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < reply.size() && static_cast<int>(out.size()) < count; i += 2) {
    std::string id(reply[i].str());
    int64_t score = reply[i + 1].integer();
    double d = 0;
    if (score == 0 && absl::SimpleAtod(reply[i + 1].str(), &d)) score = static_cast<int64_t>(d);
    if (score == before_ms && !before_id.empty() && id >= before_id) continue;
    out.emplace_back(std::move(id), score);
  }
  return out;
}

absl::StatusOr<std::optional<store::FanoutJob>> StatementStore::LoadJob(redis::Client& redis,
                                                                        const std::string& job_id) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"GET", keys::FanoutJob(job_id)}));
  return ParseRecord<store::FanoutJob>(reply, "fan-out job");
}

absl::StatusOr<std::optional<StatementStore::Claim>> StatementStore::ClaimDueJob(redis::Client& redis,
                                                                                 absl::Duration lease) {
  const std::vector<std::string> keys_list = {std::string(keys::kSchedule), std::string(keys::kLeases),
                                              std::string(keys::kJobRetries)};
  const std::vector<std::string> argv = {absl::StrCat(absl::ToInt64Milliseconds(lease))};
  PR_ASSIGN_OR_RETURN(auto reply, redis.Eval(kClaim, keys_list, argv));
  if (reply.is_nil()) return std::optional<Claim>();
  if (reply.size() < 2 || reply[1].integer() < 0 || reply[1].integer() > 2) {
    return absl::InternalError("redis: unexpected answer claiming a fan-out job");
  }
  constexpr Claim::Why kWhy[] = {Claim::Why::kDue, Claim::Why::kTakeover, Claim::Why::kRetry};
  Claim claim{std::string(reply[0].str()), kWhy[reply[1].integer()]};
  if (claim.why == Claim::Why::kTakeover) lease_takeovers.Add();
  return std::optional<Claim>(std::move(claim));
}

absl::StatusOr<StatementStore::Retry> StatementStore::RetryLater(redis::Client& redis, const std::string& job_id,
                                                                 absl::Duration first, absl::Duration longest) {
  const std::vector<std::string> keys_list = {std::string(keys::kLeases), std::string(keys::kJobRetries)};
  const std::vector<std::string> argv = {job_id, absl::StrCat(absl::ToInt64Milliseconds(first)),
                                         absl::StrCat(absl::ToInt64Milliseconds(longest))};
  PR_ASSIGN_OR_RETURN(auto reply, redis.Eval(kRetryLater, keys_list, argv));
  if (reply.size() < 2) return absl::InternalError("redis: unexpected answer scheduling a fan-out retry");
  return Retry{reply[0].integer(), absl::Milliseconds(reply[1].integer())};
}

absl::StatusOr<absl::Duration> StatementStore::OldestOverdue(redis::Client& redis, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline({{"ZRANGE", keys::kSchedule, "0", "0", "WITHSCORES"},
                                                    {"ZRANGE", keys::kLeases, "0", "0", "WITHSCORES"},
                                                    {"HGETALL", keys::kJobRetries}}));
  absl::Duration overdue = absl::ZeroDuration();
  auto since = [&](absl::string_view text) {
    int64_t ms = 0;
    if (absl::SimpleAtoi(text, &ms)) overdue = std::max(overdue, now - absl::FromUnixMillis(ms));
  };
  for (int i = 0; i < 2; ++i) {
    if (replies[i].size() >= 2) since(replies[i][1].str());
  }
  // A job whose runs keep failing is retried before its lease would lapse: it is overdue from
  // its first failure, as long as it holds a lease (is not finished: a replica of a version
  // before retries finishes a job without forgetting its failures).
  std::vector<std::pair<std::string, std::string>> failing;  // job, first failure
  const auto& retries = replies[2];
  for (size_t f = 0; f + 1 < retries.size(); f += 2) {
    absl::string_view field = retries[f].str();
    if (absl::ConsumeSuffix(&field, ":since")) failing.emplace_back(field, retries[f + 1].str());
  }
  if (failing.empty()) return overdue;
  std::vector<redis::Args> leased;
  for (const auto& [job_id, first] : failing) leased.push_back({"ZSCORE", keys::kLeases, job_id});
  PR_ASSIGN_OR_RETURN(auto scores, redis.Pipeline(leased));
  for (size_t i = 0; i < failing.size(); ++i) {
    if (!scores[i].is_nil()) since(failing[i].second);
  }
  return overdue;
}

absl::Status StatementStore::RenewLease(redis::Client& redis, const std::string& job_id, absl::Duration lease) {
  const std::vector<std::string> keys_list = {std::string(keys::kLeases)};
  const std::vector<std::string> argv = {job_id, absl::StrCat(absl::ToInt64Milliseconds(lease))};
  return redis.Eval(kRenew, keys_list, argv).status();
}

absl::Status StatementStore::FinishJob(redis::Client& redis, const store::FanoutJob& job) {
  const std::vector<std::string> keys_list = {std::string(keys::kLeases), std::string(keys::kJobsDone),
                                              keys::Statement(job.statement_id()),
                                              std::string(keys::kStatementChanges), std::string(keys::kJobRetries)};
  const std::vector<std::string> argv = {job.job_id(), job.releases() ? "1" : "0", absl::StrCat(job.version()),
                                         job.statement_id(), job.unlisted() ? "0" : "1"};
  return redis.Eval(kFinish, keys_list, argv).status();
}

absl::StatusOr<std::string> StatementStore::LastChange(redis::Client& redis) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"XREVRANGE", keys::kStatementChanges, "+", "-", "COUNT", "1"}));
  if (reply.size() == 0) return std::string("0-0");
  return std::string(reply[0][0].str());
}

absl::StatusOr<std::vector<StatementStore::Change>> StatementStore::ChangesAfter(redis::Client& redis,
                                                                                const std::string& after, int count) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"XRANGE", keys::kStatementChanges, absl::StrCat("(", after), "+",
                                             "COUNT", absl::StrCat(count)}));
  std::vector<Change> out;
  out.reserve(reply.size());
  for (size_t i = 0; i < reply.size(); ++i) {
    Change change;
    change.log_id = std::string(reply[i][0].str());
    const auto fields = reply[i][1];
    for (size_t f = 0; f + 1 < fields.size(); f += 2) {
      if (fields[f].str() == "id") change.statement_id = std::string(fields[f + 1].str());
      if (fields[f].str() == "v") change.version = static_cast<int>(fields[f + 1].integer());
    }
    out.push_back(std::move(change));
  }
  return out;
}

std::vector<std::string> StatementStore::JobsOfVersion(const store::StatementHead& head,
                                                      const std::string& statement_id, int version) {
  const std::string prefix = absl::StrCat(statement_id, ":", version, ":");
  std::vector<std::string> job_ids;
  for (const auto& id : head.job_ids()) {
    if (absl::StartsWith(id, prefix)) job_ids.push_back(id);
  }
  return job_ids;
}

absl::StatusOr<std::vector<JobState>> StatementStore::JobStates(redis::Client& redis,
                                                                  absl::Span<const std::string> job_ids) {
  std::vector<redis::Args> batch;
  for (const auto& id : job_ids) {
    batch.push_back({"HGET", keys::kJobsDone, id});
    batch.push_back({"ZSCORE", keys::kLeases, id});
    batch.push_back({"ZSCORE", keys::kSchedule, id});
  }
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<JobState> out;
  for (size_t i = 0; i < job_ids.size(); ++i) {
    const auto& done = replies[3 * i];
    if (!done.is_nil()) {
      out.push_back(done.str() == "canceled" ? JobState::kCanceled : JobState::kDone);
    } else if (!replies[3 * i + 1].is_nil()) {
      out.push_back(JobState::kRunning);
    } else if (!replies[3 * i + 2].is_nil()) {
      out.push_back(JobState::kScheduled);
    } else {
      out.push_back(JobState::kUnknown);
    }
  }
  return out;
}

absl::StatusOr<std::optional<absl::Time>> StatementStore::NextDue(redis::Client& redis) {
  const std::vector<redis::Args> batch = {{"ZRANGE", keys::kSchedule, "0", "0", "WITHSCORES"},
                                          {"ZRANGE", keys::kLeases, "0", "0", "WITHSCORES"}};
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::optional<absl::Time> next;
  for (const auto& reply : replies) {
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    if (reply.size() < 2) continue;
    double ms = 0;
    if (!absl::SimpleAtod(reply[1].str(), &ms)) continue;
    const absl::Time t = absl::FromUnixMillis(static_cast<int64_t>(ms));
    if (!next || t < *next) next = t;
  }
  return next;
}

absl::Status StatementStore::Ping(redis::Client& redis) {
  return redis.Run({"PING"}).status();
}

}  // namespace pressrelay::distribution

namespace pressrelay::distribution {

absl::StatusOr<std::vector<AgencyActivity>> StatementStore::LoadActivity(redis::Client& redis,
                                                                        absl::Span<const std::string> agency_codes) {
  std::vector<redis::Args> batch;
  for (const auto& code : agency_codes) batch.push_back({"HGETALL", keys::AgencyActivity(code)});
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(batch));
  std::vector<AgencyActivity> out;
  out.reserve(replies.size());
  for (const auto& reply : replies) {
    if (auto s = redis::ReplyStatus(reply); !s.ok()) return s;
    AgencyActivity activity;
    for (size_t i = 0; i + 1 < reply.size(); i += 2) {
      const absl::string_view field = reply[i].str();
      if (absl::StartsWith(field, "thread:")) continue;  // not numbers; LoadThread reads them
      const int64_t value = reply[i + 1].integer();
      if (field == "last") activity.last_ms = value;
      if (field == "conference") activity.last_conference_ms = value;
      if (absl::StartsWith(field, "m:")) activity.statements_by_month[std::string(field.substr(2))] = value;
      if (absl::StartsWith(field, "due:")) activity.follow_ups_due[std::string(field.substr(4))] = value;
    }
    out.push_back(std::move(activity));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> StatementStore::LoadThread(redis::Client& redis,
                                                                  const std::string& agency_code,
                                                                  const std::string& statement_id) {
  PR_ASSIGN_OR_RETURN(auto reply, redis.Run({"HGET", keys::AgencyActivity(agency_code),
                                             absl::StrCat("thread:", statement_id)}));
  std::vector<std::string> out;
  for (absl::string_view id : absl::StrSplit(reply.str(), ' ', absl::SkipEmpty())) out.emplace_back(id);
  return out;
}

}  // namespace pressrelay::distribution
