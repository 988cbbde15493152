#include "services/registry/registry_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"

namespace pressrelay::registry {
namespace {

using pressrelay::registry::v1::TokenInfo;

// The change feed is a doorbell with a memory: replicas that fall further behind than
// this reload everything.
constexpr int64_t kChangesMaxLen = 100000;
// Revocations are few (an operator's action each); a service that was away for longer
// than this many of them re-checks everything it holds (Revocation.reset).
constexpr int64_t kRevocationsMaxLen = 100000;

struct KindInfo {
  Kind kind;
  absl::string_view key;
  absl::string_view name;
};

constexpr KindInfo kKinds[] = {
    {Kind::kAgency, keys::kAgencies, "agency"},
    {Kind::kSpokesperson, keys::kSpokespeople, "spokesperson"},
    {Kind::kOutlet, keys::kOutlets, "outlet"},
    {Kind::kJournalist, keys::kJournalists, "journalist"},
    {Kind::kClient, keys::kClients, "client"},
    {Kind::kSubscription, keys::kSubscriptions, "subscription"},
    {Kind::kPressOfficer, keys::kPressOfficers, "press_officer"},
};

// A record read by HGET: nullopt for none, DATA_LOSS for bytes that are not one.
template <typename Msg>
absl::StatusOr<std::optional<Msg>> ParseRecord(const redis::ReplyView& reply, absl::string_view what) {
  if (reply.is_nil()) return std::optional<Msg>();
  Msg record;
  if (!record.ParseFromArray(reply.str().data(), static_cast<int>(reply.str().size()))) {
    return absl::DataLossError(absl::StrCat("registry: unreadable ", what, " record"));
  }
  return std::optional<Msg>(std::move(record));
}
absl::StatusOr<std::optional<TokenInfo>> ParseToken(const redis::ReplyView& reply) {
  return ParseRecord<TokenInfo>(reply, "token");
}

// The values of an HGETALL reply that parse as `Msg` (a record that does not is skipped).
template <typename Msg>
std::vector<Msg> ParseValues(const redis::ReplyView& reply) {
  std::vector<Msg> out;
  for (size_t i = 0; i + 1 < reply.size(); i += 2) {
    Msg record;
    if (record.ParseFromArray(reply[i + 1].str().data(), static_cast<int>(reply[i + 1].str().size()))) {
      out.push_back(std::move(record));
    }
  }
  return out;
}

// The entries of one stream after `after` (XREAD COUNT 1000, blocking up to `block` if
// positive): each entry's id and field/value pairs.
struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
};
absl::StatusOr<std::vector<StreamEntry>> ReadStream(redis::Client& redis, absl::string_view key,
                                                    const std::string& after, absl::Duration block) {
  redis::Args args{"XREAD", "COUNT", "1000"};
  if (block > absl::ZeroDuration()) args.Add("BLOCK").Add(absl::ToInt64Milliseconds(block));
  args.Add("STREAMS").Add(key).Add(after);
  auto reply = redis.RunWithTimeout(args, block + absl::Seconds(5));
  if (!reply.ok()) return reply.status();
  std::vector<StreamEntry> out;
  if (reply->is_nil()) return out;
  const auto entries = (*reply)[0][1];
  for (size_t i = 0; i < entries.size(); ++i) {
    StreamEntry entry{std::string(entries[i][0].str()), {}};
    const auto fields = entries[i][1];
    for (size_t f = 0; f + 1 < fields.size(); f += 2) entry.fields.emplace_back(fields[f].str(), fields[f + 1].str());
    out.push_back(std::move(entry));
  }
  return out;
}

// The id of a stream's newest entry, "0-0" if it is empty.
absl::StatusOr<std::string> LatestStreamId(redis::Client& redis, absl::string_view key) {
  auto reply = redis.Run({"XREVRANGE", key, "+", "-", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->size() == 0) return std::string("0-0");
  return std::string((*reply)[0][0].str());
}

// One XADD to the revocation feed per entry (Redis assigns the cursors).
void AddRevocations(const std::vector<v1::Revocation>& revocations, std::vector<redis::Args>* commands) {
  for (const auto& r : revocations) {
    redis::Args args{"XADD", keys::kRevocations, "MAXLEN", "~"};
    args.Add(kRevocationsMaxLen).Add("*");
    args.Add("token_id").Add(r.token_id()).Add("principal_id").Add(r.principal_id());
    args.Add("role").Add(static_cast<int64_t>(r.role())).Add("reason").Add(r.reason());
    commands->push_back(std::move(args));
  }
}

// Runs `commands` in one round trip; the first error reply is the answer, including one
// among the replies EXEC returns for a transaction's commands.
absl::Status RunAll(redis::Client& redis, const std::vector<redis::Args>& commands) {
  auto replies = redis.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
    for (size_t i = 0; reply.is_array() && i < reply.size(); ++i) PR_RETURN_IF_ERROR(redis::ReplyStatus(reply[i]));
  }
  return absl::OkStatus();
}
absl::Status RunAll(redis::Pool* pool, const std::vector<redis::Args>& commands) {
  PR_ASSIGN_OR_RETURN(auto redis, pool->Acquire());
  return RunAll(*redis, commands);
}

}  // namespace

RegistryStore::RegistryStore(redis::Pool* pool) : pool_(pool), origin_(absl::StrCat(ids::RandomU64())) {}

absl::string_view KindKey(Kind kind) { return kKinds[static_cast<int>(kind)].key; }
absl::string_view KindName(Kind kind) { return kKinds[static_cast<int>(kind)].name; }

std::optional<Kind> KindFromName(absl::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

absl::Status RegistryStore::Put(Kind kind, const std::string& id, const google::protobuf::MessageLite& entity,
                                const std::vector<v1::Revocation>& revocations) {
  std::vector<redis::Args> commands = {
      {"MULTI"},
      {"HSET", KindKey(kind), id, entity.SerializeAsString()},
      redis::Args{"XADD", keys::kRegistryChanges, "MAXLEN", "~"}
          .Add(kChangesMaxLen)
          .Add("*")
          .Add("kind")
          .Add(KindName(kind))
          .Add("id")
          .Add(id)
          .Add("origin")
          .Add(origin_),
  };
  AddRevocations(revocations, &commands);
  commands.push_back({"EXEC"});
  return RunAll(pool_, commands);
}

absl::Status RegistryStore::PutMany(
    const std::vector<std::pair<Kind, std::vector<std::pair<std::string, std::string>>>>& batches,
    const std::vector<v1::Revocation>& revocations) {
  constexpr size_t kFieldsPerCommand = 500;
  std::vector<redis::Args> commands;
  for (const auto& [kind, entries] : batches) {
    for (size_t start = 0; start < entries.size(); start += kFieldsPerCommand) {
      redis::Args args{"HSET", KindKey(kind)};
      for (size_t i = start; i < std::min(entries.size(), start + kFieldsPerCommand); ++i) {
        args.Add(entries[i].first).Add(entries[i].second);
      }
      commands.push_back(std::move(args));
    }
  }
  commands.push_back(redis::Args{"XADD", keys::kRegistryChanges, "MAXLEN", "~"}
                         .Add(kChangesMaxLen)
                         .Add("*")
                         .Add("kind")
                         .Add("all")
                         .Add("id")
                         .Add("")
                         .Add("origin")
                         .Add(origin_));
  AddRevocations(revocations, &commands);
  return RunAll(pool_, commands);
}

absl::StatusOr<std::optional<std::string>> RegistryStore::Get(Kind kind, const std::string& id) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGET", KindKey(kind), id});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(reply->str()));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RegistryStore::GetAll(Kind kind) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  std::vector<std::pair<std::string, std::string>> out;
  std::string cursor = "0";
  do {
    auto reply = redis->Run({"HSCAN", KindKey(kind), cursor, "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    cursor = std::string((*reply)[0].str());
    const auto items = (*reply)[1];
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
      out.emplace_back(std::string(items[i].str()), std::string(items[i + 1].str()));
    }
  } while (cursor != "0");
  return out;
}

absl::Status RegistryStore::PutToken(const StoredToken& token) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto claimed = redis->Run({"HSETNX", keys::kTokenHashes, token.hash, token.info.token_id()});
  if (!claimed.ok()) return claimed.status();
  if (claimed->integer() == 0) return absl::AlreadyExistsError("token already registered");
  auto put = redis->Run({"HSET", keys::kTokens, token.info.token_id(), token.info.SerializeAsString()});
  return put.status();
}

absl::Status RegistryStore::UpdateTokenInfo(const TokenInfo& info, const std::vector<v1::Revocation>& revocations) {
  std::vector<redis::Args> commands = {{"MULTI"}, {"HSET", keys::kTokens, info.token_id(), info.SerializeAsString()}};
  AddRevocations(revocations, &commands);
  commands.push_back({"EXEC"});
  return RunAll(pool_, commands);
}

absl::StatusOr<std::optional<TokenInfo>> RegistryStore::FindTokenByHash(const std::string& hash) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto id = redis->Run({"HGET", keys::kTokenHashes, hash});
  if (!id.ok()) return id.status();
  if (id->is_nil()) return std::optional<TokenInfo>();
  auto reply = redis->Run({"HGET", keys::kTokens, id->str()});
  if (!reply.ok()) return reply.status();
  return ParseToken(*reply);
}

absl::StatusOr<std::vector<std::optional<TokenInfo>>> RegistryStore::FindTokensByHash(
    const std::vector<std::string>& hashes) {
  std::vector<std::optional<TokenInfo>> out(hashes.size());
  if (hashes.empty()) return out;
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  redis::Args by_hash{"HMGET", keys::kTokenHashes};
  for (const auto& hash : hashes) by_hash.Add(hash);
  PR_ASSIGN_OR_RETURN(redis::Reply ids, redis->Run(by_hash));
  redis::Args by_id{"HMGET", keys::kTokens};
  std::vector<size_t> known;  // indexes of the hashes that name a token
  for (size_t i = 0; i < hashes.size() && i < ids.size(); ++i) {
    if (ids[i].is_nil()) continue;
    by_id.Add(ids[i].str());
    known.push_back(i);
  }
  if (known.empty()) return out;
  PR_ASSIGN_OR_RETURN(redis::Reply records, redis->Run(by_id));
  for (size_t k = 0; k < known.size() && k < records.size(); ++k) {
    PR_ASSIGN_OR_RETURN(out[known[k]], ParseToken(records[k]));
  }
  return out;
}

absl::StatusOr<std::optional<TokenInfo>> RegistryStore::GetToken(const std::string& token_id) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGET", keys::kTokens, token_id});
  if (!reply.ok()) return reply.status();
  return ParseToken(*reply);
}

absl::StatusOr<std::vector<TokenInfo>> RegistryStore::ListTokens() {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGETALL", keys::kTokens});
  if (!reply.ok()) return reply.status();
  return ParseValues<TokenInfo>(*reply);
}

namespace {

// KEYS: 1 reg:keys. ARGV: 1 key id, 2 record, 3 public key. Sets the record unless the id is
// taken by another public key. Returns 1 stored, 0 conflict.
const redis::Script kPutKey(R"lua(
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing and not string.find(existing, ARGV[3], 1, true) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua");

}  // namespace

absl::Status RegistryStore::PutAgencyKey(const pressrelay::registry::v1::AgencyKey& key) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  const std::vector<std::string> keys_list = {std::string(keys::kAgencyKeys)};
  const std::vector<std::string> argv = {key.key_id(), key.SerializeAsString(), key.public_key()};
  auto reply = redis->Eval(kPutKey, keys_list, argv);
  if (!reply.ok()) return reply.status();
  if (reply->integer() == 0) {
    return absl::AlreadyExistsError(absl::StrCat("key id ", key.key_id(), " already stands for another public key"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<pressrelay::registry::v1::AgencyKey>> RegistryStore::ListAgencyKeys() {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGETALL", keys::kAgencyKeys});
  if (!reply.ok()) return reply.status();
  return ParseValues<pressrelay::registry::v1::AgencyKey>(*reply);
}

// --- sessions ---------------------------------------------------------------------------

absl::Status RegistryStore::PutSession(const StoredToken& token, absl::Duration idle) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  const std::string& id = token.info.token_id();
  auto claimed = redis->Run({"HSETNX", keys::kTokenHashes, token.hash, id});
  if (!claimed.ok()) return claimed.status();
  if (claimed->integer() == 0) return absl::AlreadyExistsError("token already registered");
  return RunAll(*redis, {{"MULTI"},
                         {"HSET", keys::kTokens, id, token.info.SerializeAsString()},
                         {"HSET", keys::AccountSessions(token.info.username()), id, token.hash},
                         redis::Args{"SET", keys::SessionAlive(id), "1", "PX"}.Add(absl::ToInt64Milliseconds(idle)),
                         {"EXEC"}});
}

absl::StatusOr<SessionState> RegistryStore::GetSessionState(const TokenInfo& info) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto replies = redis->Pipeline(std::vector<redis::Args>{{"HGET", keys::kAccounts, info.username()},
                                                          {"PTTL", keys::SessionAlive(info.token_id())}});
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) PR_RETURN_IF_ERROR(redis::ReplyStatus(reply));
  SessionState state;
  PR_ASSIGN_OR_RETURN(state.account, ParseRecord<store::AccountRecord>((*replies)[0], "account"));
  // PTTL: -2 for a key that expired (the session went unused too long).
  state.idle_left = absl::Milliseconds(std::max<long long>((*replies)[1].integer(), 0));
  return state;
}

absl::Status RegistryStore::TouchSession(const std::string& token_id, absl::Duration idle) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return redis->Run(redis::Args{"PEXPIRE", keys::SessionAlive(token_id)}.Add(absl::ToInt64Milliseconds(idle)))
      .status();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RegistryStore::AccountSessions(
    const std::string& username) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGETALL", keys::AccountSessions(username)});
  if (!reply.ok()) return reply.status();
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < reply->size(); i += 2) out.emplace_back((*reply)[i].str(), (*reply)[i + 1].str());
  return out;
}

absl::Status RegistryStore::DeleteSession(const std::string& username, const std::string& token_id,
                                          const std::string& hash) {
  return RunAll(pool_, {{"HDEL", keys::kTokens, token_id},
                        {"HDEL", keys::kTokenHashes, hash},
                        {"HDEL", keys::AccountSessions(username), token_id},
                        {"DEL", keys::SessionAlive(token_id)}});
}

// --- accounts ---------------------------------------------------------------------------

namespace {

// KEYS: 1 reg:account. ARGV: 1 username, 2 the record as read ("" for none), 3 the new one.
// Returns 1 written, 0 if the stored record changed since it was read.
const redis::Script kSwapAccount(R"lua(
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
)lua");

// KEYS: 1 the address's failures, 2 the name's lock. ARGV: 1 window (ms), 2 the failures an
// address may have in it, 3 "1" to check the address, 4 "1" to check the name. Returns
// {0, 0} when nothing bars sign-in; {1, ms} while the address is refused, {2, ms} while the
// name is locked.
const redis::Script kSignInBar(absl::StrCat(redis::kLuaNow, R"lua(
local window = tonumber(ARGV[1])
if ARGV[3] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[1])
  local max = tonumber(ARGV[2])
  if n >= max then
    -- Refused until enough of its failures have left the window.
    local leaving = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
    return {1, math.max(tonumber(leaving[2]) + window - now, 1)}
  end
end
if ARGV[4] == '1' then
  local until_ms = redis.call('GET', KEYS[2])
  if until_ms then return {2, math.max(tonumber(until_ms) - now, 1)} end
end
return {0, 0}
)lua"));

// KEYS: 1 the address's failures, 2 the name's failures, 3 the name's lock. ARGV: 1 window
// (ms), 2 the failures an address may have, 3 those that lock a name, 4 lockout (ms), 5 a
// unique suffix, 6 "1" to count the address, 7 "1" to count the name.
const redis::Script kSignInFailure(absl::StrCat(redis::kLuaNow, R"lua(
local window = tonumber(ARGV[1])
local member = now .. '-' .. ARGV[5]
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[1], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  -- Only the newest that can bar the address are kept: a flood holds no more.
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
  redis.call('PEXPIRE', KEYS[1], window)
end
if ARGV[7] == '1' then
  redis.call('ZADD', KEYS[2], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
    -- The lock takes the failures that made it: counting starts again when it ends.
    redis.call('DEL', KEYS[2])
    local lockout = tonumber(ARGV[4])
    redis.call('SET', KEYS[3], now + lockout, 'PX', lockout)
  else
    redis.call('PEXPIRE', KEYS[2], window)
  end
end
return 1
)lua"));

std::string Flag(bool on) { return on ? "1" : "0"; }

}  // namespace

absl::StatusOr<std::optional<StoredAccount>> RegistryStore::GetAccount(const std::string& username) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Run({"HGET", keys::kAccounts, username});
  if (!reply.ok()) return reply.status();
  PR_ASSIGN_OR_RETURN(auto record, ParseRecord<store::AccountRecord>(*reply, "account"));
  if (!record) return std::optional<StoredAccount>();
  return std::optional<StoredAccount>(StoredAccount{std::move(*record), std::string(reply->str())});
}

absl::StatusOr<bool> RegistryStore::SwapAccount(const std::string& username, const std::string& expected,
                                                const store::AccountRecord& next) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Eval(kSwapAccount, {std::string(keys::kAccounts)},
                           {username, expected, next.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  return reply->integer() == 1;
}

absl::StatusOr<std::vector<store::AccountRecord>> RegistryStore::ListAccounts() {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto all = redis->Run({"HGETALL", keys::kAccounts});
  if (!all.ok()) return all.status();
  std::vector<store::AccountRecord> out = ParseValues<store::AccountRecord>(*all);
  if (out.empty()) return out;
  std::vector<redis::Args> locks;
  for (const auto& a : out) locks.push_back({"GET", keys::SignInLock(a.account().username())});
  auto until = redis->Pipeline(locks);
  if (!until.ok()) return until.status();
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t ms = 0;
    if (!(*until)[i].is_nil() && absl::SimpleAtoi((*until)[i].str(), &ms)) {
      *out[i].mutable_account()->mutable_locked_until() = ToProto(absl::FromUnixMillis(ms));
    }
  }
  return out;
}

absl::StatusOr<SignInBar> RegistryStore::SignInBarFor(const std::string& username, const std::string& address,
                                                      const FailureLimits& limits) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  auto reply = redis->Eval(kSignInBar, {keys::SignInAddressFailures(address), keys::SignInLock(username)},
                           {absl::StrCat(absl::ToInt64Milliseconds(limits.window)),
                            absl::StrCat(limits.max_address_failures), Flag(!address.empty()),
                            Flag(!username.empty())});
  if (!reply.ok()) return reply.status();
  SignInBar bar;
  bar.kind = static_cast<SignInBar::Kind>((*reply)[0].integer());
  bar.retry_after = absl::Milliseconds((*reply)[1].integer());
  return bar;
}

absl::Status RegistryStore::RecordSignInFailure(const std::string& username, const std::string& address,
                                                const FailureLimits& limits) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return redis
      ->Eval(kSignInFailure,
             {keys::SignInAddressFailures(address), keys::SignInFailures(username), keys::SignInLock(username)},
             {absl::StrCat(absl::ToInt64Milliseconds(limits.window)), absl::StrCat(limits.max_address_failures),
              absl::StrCat(limits.max_account_failures), absl::StrCat(absl::ToInt64Milliseconds(limits.lockout)),
              absl::StrCat(ids::RandomU64()), Flag(!address.empty()), Flag(!username.empty())})
      .status();
}

absl::Status RegistryStore::ClearSignInFailures(const std::string& username) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return redis->Run({"DEL", keys::SignInFailures(username)}).status();
}

absl::StatusOr<std::vector<Change>> RegistryStore::ReadChanges(redis::Client& redis,
                                                               const std::string& last_id,
                                                               absl::Duration block) {
  PR_ASSIGN_OR_RETURN(auto entries, ReadStream(redis, keys::kRegistryChanges, last_id, block));
  std::vector<Change> out;
  for (auto& entry : entries) {
    Change change;
    change.stream_id = std::move(entry.id);
    std::optional<Kind> kind;
    for (const auto& [name, value] : entry.fields) {
      if (name == "kind") {
        kind = KindFromName(value);
        change.reload_all = value == "all";
      }
      if (name == "id") change.id = value;
      if (name == "origin") change.ours = value == origin_;
    }
    if (!kind && !change.reload_all) continue;
    if (kind) change.kind = *kind;
    out.push_back(std::move(change));
  }
  return out;
}

absl::Status RegistryStore::AppendRevocations(const std::vector<v1::Revocation>& revocations) {
  if (revocations.empty()) return absl::OkStatus();
  std::vector<redis::Args> commands;
  AddRevocations(revocations, &commands);
  return RunAll(pool_, commands);
}

absl::StatusOr<std::vector<v1::Revocation>> RegistryStore::ReadRevocations(redis::Client& redis,
                                                                          const std::string& after,
                                                                          absl::Duration block) {
  PR_ASSIGN_OR_RETURN(auto entries, ReadStream(redis, keys::kRevocations, after, block));
  std::vector<v1::Revocation> out;
  for (auto& entry : entries) {
    v1::Revocation r;
    r.set_cursor(std::move(entry.id));
    for (const auto& [name, value] : entry.fields) {
      if (name == "token_id") r.set_token_id(value);
      if (name == "principal_id") r.set_principal_id(value);
      if (name == "reason") r.set_reason(value);
      int role = 0;
      if (name == "role" && absl::SimpleAtoi(value, &role) && pressrelay::common::v1::Role_IsValid(role)) {
        r.set_role(static_cast<pressrelay::common::v1::Role>(role));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<bool> RegistryStore::HasRevocation(redis::Client& redis, const std::string& cursor) {
  auto reply = redis.Run({"XRANGE", keys::kRevocations, cursor, cursor});
  if (!reply.ok()) return reply.status();
  return reply->size() > 0;
}

absl::StatusOr<std::string> RegistryStore::LatestRevocation(redis::Client& redis) {
  return LatestStreamId(redis, keys::kRevocations);
}

absl::StatusOr<std::string> RegistryStore::LatestChangeId() {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return LatestStreamId(*redis, keys::kRegistryChanges);
}

absl::Status RegistryStore::Ping() {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  return redis->Run({"PING"}).status();
}

}  // namespace pressrelay::registry
