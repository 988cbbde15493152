// Every Redis key pressrelay uses is built here, and only here.
//
// | key                              | type   | owner (writes)          | readers      | holds
// |----------------------------------|--------|-------------------------|--------------|------------------------------------------
// | {reg}:agency                     | hash   | registry                | registry     | code -> Agency
// | {reg}:spokesperson               | hash   | registry                | registry     | id -> Spokesperson
// | {reg}:outlet                     | hash   | registry                | registry     | id -> Outlet
// | {reg}:journalist                 | hash   | registry                | registry     | card number -> Journalist
// | {reg}:client                     | hash   | registry                | registry     | id -> NewsroomClient
// | {reg}:sub                        | hash   | registry                | registry     | recipient id -> Subscription
// | {reg}:token                      | hash   | registry                | registry     | token id -> TokenRecord
// | {reg}:tokenhash                  | hash   | registry                | registry     | sha256(token) hex -> token id
// | {reg}:changes                    | stream | registry                | registry     | change feed that keeps replicas' caches fresh
// | {reg}:keys                       | hash   | registry                | registry     | key id -> AgencyKey (public halves only)
// | {reg}:revocations                | stream | registry                | registry     | revoked tokens and disabled identities (capped)
// | {reg}:press-officer              | hash   | registry                | registry     | id -> PressOfficer
// | {reg}:account                    | hash   | registry                | registry     | username -> AccountRecord (the Account, its
// |                                  |        |                         |              | Argon2id password hash, TOTP secrets)
// | {reg}:account-session:<username> | hash   | registry                | registry     | session token id -> sha256(token) hex: the
// |                                  |        |                         |              | account's sessions, to end them all at once
// | {reg}:session-alive:<token id>   | string | registry                | registry     | present while a session is within its idle
// |                                  |        |                         |              | timeout (PEXPIRE renewed on use)
// | {reg}:signin-fail:<username>     | zset   | registry                | registry     | failed sign-ins of that name, by ms (window)
// | {reg}:signin-fail-addr:<address> | zset   | registry                | registry     | failed sign-ins from that address, by ms
// | {reg}:signin-lock:<username>     | string | registry                | registry     | ms the name is locked until; expires then
// | {dist}:st:<id>                   | hash   | distribution            | distribution | "v<n>" -> Statement, "head" -> StatementHead,
// |                                  |        |                         |              | "latest" / "released" -> version numbers
// |                                  |        |                         |              | "p<n>" -> VersionRecord (who wrote, reviewed, issued)
// | {dist}:st:index                  | zset   | distribution            | distribution | statement id by first publish (ms)
// | {dist}:st:unlisted               | zset   | distribution            | distribution | the same for unlisted statements (answers to
// |                                  |        |                         |              | one asker): kept out of lists, history, search
// | {dist}:activity:<agency>         | hash   | distribution            | distribution | statements by month of first publication
// |                                  |        |                         |              | ("m:2026-12" -> n), "last" and "conference" (ms):
// |                                  |        |                         |              | the agency's obligations to the press
// | {dist}:st:changes                | stream | distribution            | distribution | a version released: id, v (about 100,000 kept);
// |                                  |        |                         |              | what keeps every replica's search index fresh
// | {dist}:st:idem:<principal>:<key> | string | distribution            | distribution | idempotency record, 24 h
// | {dist}:fo:job:<id>:<v>:<phase>   | string | distribution            | distribution | a fan-out job: audience per shard (FanoutJob)
// | {dist}:fo:sched                  | zset   | distribution            | distribution | the outbox: jobs not yet claimed, by due time (ms)
// | {dist}:fo:lease                  | zset   | distribution            | distribution | claimed jobs, by lease expiry (ms); expired = orphaned
// | {dist}:fo:retry                  | hash   | distribution            | distribution | job -> failed runs; "<job>:at" -> the expiry (ms) a
// |                                  |        |                         |              | failed run gave its lease (run again then, not a
// |                                  |        |                         |              | takeover); "<job>:since" -> its first failure (ms);
// |                                  |        |                         |              | all go when the job finishes
// | {dist}:fo:done                   | hash   | distribution            | distribution | job -> ms it finished, or "canceled" when a
// |                                  |        |                         |              | newer version replaced it before it ran
// | fo:prog:{<shard>}                | hash   | distribution            | distribution | job -> recipients queued in that shard
// | {dist}:fo:sweep                  | string | distribution            | distribution | lease of the replica running the age sweep
// | {dist}:draft:<id>                | hash   | distribution            | distribution | "rev" -> revision, "record" -> Draft (the desk's)
// | {dist}:draft:<id>:approval       | string | distribution            | distribution | the approval's idempotency record: the statement
// |                                  |        |                         |              | the draft became (set with the version's commit)
// | {dist}:draft:agency:<code>       | zset   | distribution            | distribution | an agency's draft ids by last change (ms)
// | {dist}:question:<id>             | hash   | distribution            | distribution | "rev" -> revision, "record" -> Question (a
// |                                  |        |                         |              | journalist's question and its outcome)
// | {dist}:question:<id>:outcome     | string | distribution            | distribution | the idempotency record of the one statement
// |                                  |        |                         |              | that answered or declined it (set with its commit)
// | {dist}:question:agency:<code>    | zset   | distribution            | distribution | the agency's question ids by time asked (ms)
// | {dist}:question:asker:<rcpt>     | zset   | distribution            | distribution | the asker's (a recipient id) question ids by
// |                                  |        |                         |              | time asked (ms)
// | {dist}:question:due              | zset   | distribution            | distribution | open question ids by requested answer date (ms)
// | {dist}:question:idem:<rcpt>:<k>  | string | distribution            | distribution | AskRecord of the asker's AskQuestion with that
// |                                  |        |                         |              | idempotency key, 24 h
// | q:{<shard>}:<recipient>:<lane>   | zset   | distribution (fan-out)  | subscription | the recipient's queue: "<id>:<v>" by seq
// | ev:{<shard>}                     | stream | distribution (fan-out)  | subscription | one entry per queued chunk: who got what
// | seq:{<shard>}                    | string | distribution (fan-out)  | -            | last sequence number issued in the shard
// | qtrim:{<shard>}                  | hash   | distribution (fan-out)  | subscription | "<recipient>:<lane>" -> last trimmed seq
// | meta:epoch                       | string | any (SET NX)            | all          | identity of this Redis data set's life
// | meta:shards                      | string | any (SET NX)            | all          | shard count the queues were laid out for
// | ack:{<shard>}                    | hash   | subscription            | subscription | recipient -> acknowledged positions
// | dr:<id>:<v>:sent / :ack          | hash   | subscription            | subscription | recipient -> ms it was sent / acknowledged
// | audit:log                        | stream | every service (append)  | registry     | the audit trail (AuditEntry), append-only
// | rl:<service>:<principal>:<min>   | string | each service, its own   | same         | calls in that minute (rate limits), expires
// | sl:<role>/<principal>            | zset   | subscription            | subscription | open streams' leases "<replica>:<stream>" by expiry (ms)
//
// Hash tags place the keys in Redis Cluster slots (redis/cluster.h), so that every script and
// MULTI block touches one slot and the suite runs on a cluster with nothing but configuration
// changed:
//   {<shard>}  the fan-out data plane: every key one fan-out chunk touches (queues, events,
//              sequence, trims, acks, progress) lives in its shard's slot; the shards spread
//              the queues over the cluster's primaries (use at least 4 shards per primary).
//   {reg}      the registry's keys, one slot: its MULTI blocks and sign-in scripts span them.
//   {dist}     the distribution's control plane (statements, outbox, leases, drafts,
//              questions), one slot: a version's commit writes the statement, the index,
//              the idempotency record and its jobs in one script.
// The rest (dr:, rl:, sl:, audit:log, meta:) is touched one key per command.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include "services/common/domain/lanes.h"

namespace pressrelay::keys {

// The two queues of a recipient (domain/lanes.h).
using ::pressrelay::kLanes;
using ::pressrelay::Lane;
char LaneChar(Lane lane);

// Registry.
inline constexpr absl::string_view kAgencies = "{reg}:agency";
inline constexpr absl::string_view kSpokespeople = "{reg}:spokesperson";
inline constexpr absl::string_view kOutlets = "{reg}:outlet";
inline constexpr absl::string_view kJournalists = "{reg}:journalist";
inline constexpr absl::string_view kClients = "{reg}:client";
inline constexpr absl::string_view kSubscriptions = "{reg}:sub";
inline constexpr absl::string_view kTokens = "{reg}:token";
inline constexpr absl::string_view kTokenHashes = "{reg}:tokenhash";
inline constexpr absl::string_view kRegistryChanges = "{reg}:changes";
inline constexpr absl::string_view kAgencyKeys = "{reg}:keys";
inline constexpr absl::string_view kRevocations = "{reg}:revocations";
inline constexpr absl::string_view kPressOfficers = "{reg}:press-officer";
inline constexpr absl::string_view kAccounts = "{reg}:account";
std::string AccountSessions(absl::string_view username);
std::string SessionAlive(absl::string_view token_id);
std::string SignInFailures(absl::string_view username);
std::string SignInAddressFailures(absl::string_view address);
std::string SignInLock(absl::string_view username);

// Distribution.
std::string Statement(absl::string_view statement_id);
std::string StatementVersionField(int version);
inline constexpr absl::string_view kStatementHeadField = "head";
inline constexpr absl::string_view kStatementLatestField = "latest";
inline constexpr absl::string_view kStatementReleasedField = "released";
inline constexpr absl::string_view kStatementIndex = "{dist}:st:index";
inline constexpr absl::string_view kUnlistedStatements = "{dist}:st:unlisted";
inline constexpr absl::string_view kStatementChanges = "{dist}:st:changes";
std::string AgencyActivity(absl::string_view agency_code);
std::string Idempotency(absl::string_view principal_id, absl::string_view key);
// Stands in a script's KEYS for "no idempotency key" (never read or written).
inline constexpr absl::string_view kNoIdempotency = "{dist}:st:idem:-";
std::string FanoutJob(absl::string_view job_id);
inline constexpr absl::string_view kLeases = "{dist}:fo:lease";
inline constexpr absl::string_view kJobsDone = "{dist}:fo:done";
inline constexpr absl::string_view kJobRetries = "{dist}:fo:retry";
std::string FanoutProgress(int shard);
inline constexpr absl::string_view kSchedule = "{dist}:fo:sched";
inline constexpr absl::string_view kSweepLease = "{dist}:fo:sweep";
// Who wrote, reviewed and issued a version: a field of Statement(id).
std::string StatementProvenanceField(int version);
// The press office's desk (drafts never reach newsrooms).
std::string Draft(absl::string_view draft_id);
inline constexpr absl::string_view kDraftRevisionField = "rev";
inline constexpr absl::string_view kDraftRecordField = "record";
std::string DraftApproval(absl::string_view draft_id);
std::string AgencyDrafts(absl::string_view agency_code);
// Journalists' questions (question_store.h).
std::string Question(absl::string_view question_id);
inline constexpr absl::string_view kQuestionRevisionField = "rev";
inline constexpr absl::string_view kQuestionRecordField = "record";
std::string QuestionOutcome(absl::string_view question_id);
std::string AgencyQuestions(absl::string_view agency_code);
std::string AskerQuestions(absl::string_view recipient_id);
inline constexpr absl::string_view kQuestionsDue = "{dist}:question:due";
std::string AskIdempotency(absl::string_view recipient_id, absl::string_view key);

// Fan-out queues: the contract between distribution (writer) and subscription (reader).
std::string Queue(int shard, absl::string_view recipient_id, Lane lane);
std::string QueuePrefix(int shard);  // "q:{<shard>}:"
inline constexpr absl::string_view kQueuePattern = "q:{*";  // every queue of every shard (SCAN)
std::string Events(int shard);
std::string Sequence(int shard);
std::string Trimmed(int shard);
std::string TrimmedField(absl::string_view recipient_id, Lane lane);
inline constexpr absl::string_view kEpoch = "meta:epoch";
inline constexpr absl::string_view kShards = "meta:shards";

// Shared by every service.
inline constexpr absl::string_view kAuditLog = "audit:log";
std::string RateLimit(absl::string_view service, absl::string_view principal_id, int64_t minute);
// The leases of a principal's open Subscribe streams, across replicas (the stream cap).
std::string StreamLeases(absl::string_view principal);

// Subscription.
std::string Acks(int shard);
std::string DeliveredSent(absl::string_view statement_id, int version);
std::string DeliveredAcked(absl::string_view statement_id, int version);

// The member a statement version has in a queue: "<id>:<version>".
std::string QueueMember(absl::string_view statement_id, int version);
bool ParseQueueMember(absl::string_view member, std::string* statement_id, int* version);

// Which shard a recipient's queues live in (FNV-1a of the id; stable across releases).
int ShardOf(absl::string_view recipient_id, int shards);
// The shard a key's "{<shard>}" hash tag names (queues, events); false if it has none.
bool ShardOfKey(absl::string_view key, int* shard);

}  // namespace pressrelay::keys
