// The registry's Redis adapter. Every entity kind is one hash of serialized protos
// (compact: about 100-200 bytes a recipient), and every write also appends to a change
// feed that keeps every registry replica's in-memory view fresh. Keys are in
// services/common/redis/keys.h; no other service reads them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/message_lite.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "registry_store.pb.h"
#include "services/common/redis/redis.h"

namespace pressrelay::registry {

enum class Kind { kAgency, kSpokesperson, kOutlet, kJournalist, kClient, kSubscription, kPressOfficer };

absl::string_view KindKey(Kind kind);
absl::string_view KindName(Kind kind);
std::optional<Kind> KindFromName(absl::string_view name);

// One entry of the change feed.
struct Change {
  std::string stream_id;
  Kind kind = Kind::kAgency;
  std::string id;
  bool reload_all = false;  // a bulk import: replicas reload everything
  bool ours = false;        // written by this replica, which applied it already
};

// A token as stored: its public record and nothing of the token itself but the hash.
struct StoredToken {
  pressrelay::registry::v1::TokenInfo info;
  std::string hash;
};

// An account as read, with the bytes it was read as: a write replaces it only if they are
// still what is stored (SwapAccount), so two writers never lose each other's changes.
struct StoredAccount {
  store::AccountRecord record;
  std::string bytes;
};

// What a session's Authenticate needs besides its token record.
struct SessionState {
  std::optional<store::AccountRecord> account;  // nullopt: no such account
  absl::Duration idle_left;                     // until the session ends unused (<= 0: ended)
};

// The limits on failed sign-ins (sign-in counts them in Redis, so every replica agrees).
struct FailureLimits {
  absl::Duration window = absl::Minutes(15);
  int max_account_failures = 5;  // in the window: the name is then locked for `lockout`
  absl::Duration lockout = absl::Minutes(15);
  int max_address_failures = 20;  // in the window: the address is then refused
};

// Why sign-in is refused before any password is checked, and for how long.
struct SignInBar {
  enum Kind { kNone, kAddress, kAccountLocked } kind = kNone;
  absl::Duration retry_after;
};

class RegistryStore {
 public:
  explicit RegistryStore(redis::Pool* pool);

  // Writes the entity, announces it on the change feed and appends the revocations the
  // change causes (a card or client that lost access), atomically.
  absl::Status Put(Kind kind, const std::string& id, const google::protobuf::MessageLite& entity,
                   const std::vector<pressrelay::registry::v1::Revocation>& revocations = {});
  // The serialized entity, or nullopt.
  absl::StatusOr<std::optional<std::string>> Get(Kind kind, const std::string& id);
  // Writes many entities, announces one "reload everything" change and appends the
  // revocations the import causes, in one pipelined round trip.
  absl::Status PutMany(
      const std::vector<std::pair<Kind, std::vector<std::pair<std::string, std::string>>>>& batches,
      const std::vector<pressrelay::registry::v1::Revocation>& revocations = {});
  // Every entity of a kind, as (id, serialized) pairs, read in pages.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> GetAll(Kind kind);

  // Stores a new token record and its hash; ALREADY_EXISTS if the hash is known.
  absl::Status PutToken(const StoredToken& token);
  // Replaces a token's record and appends `revocations`, atomically.
  absl::Status UpdateTokenInfo(const pressrelay::registry::v1::TokenInfo& info,
                               const std::vector<pressrelay::registry::v1::Revocation>& revocations = {});
  absl::StatusOr<std::optional<pressrelay::registry::v1::TokenInfo>> FindTokenByHash(
      const std::string& hash);
  // The same for many hashes, in their order, in two round trips whatever their number.
  absl::StatusOr<std::vector<std::optional<pressrelay::registry::v1::TokenInfo>>> FindTokensByHash(
      const std::vector<std::string>& hashes);
  absl::StatusOr<std::optional<pressrelay::registry::v1::TokenInfo>> GetToken(const std::string& token_id);
  absl::StatusOr<std::vector<pressrelay::registry::v1::TokenInfo>> ListTokens();

  // Sessions: a token (PutToken's records) also listed under its account, with a key that
  // lives for `idle` and is renewed on use.
  absl::Status PutSession(const StoredToken& token, absl::Duration idle);
  // The account the session was issued to and how long it may still stay unused.
  absl::StatusOr<SessionState> GetSessionState(const pressrelay::registry::v1::TokenInfo& info);
  // Renews the session's idle time to `idle`.
  absl::Status TouchSession(const std::string& token_id, absl::Duration idle);
  // The account's sessions as (token id, token hash) pairs.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> AccountSessions(const std::string& username);
  // Forgets a session that ended: its record, its hash and its place under the account.
  absl::Status DeleteSession(const std::string& username, const std::string& token_id, const std::string& hash);

  // Sign-in accounts (reg:account).
  absl::StatusOr<std::optional<StoredAccount>> GetAccount(const std::string& username);
  // Writes `next` if the stored bytes are still `expected` ("" : no account yet); false if
  // another write came first (read again and retry).
  absl::StatusOr<bool> SwapAccount(const std::string& username, const std::string& expected,
                                   const store::AccountRecord& next);
  // Every account, with locked_until set where its name is locked now.
  absl::StatusOr<std::vector<store::AccountRecord>> ListAccounts();

  // Failed sign-ins (reg:signin-*), on Redis's clock. An empty `username` (one no account
  // can have) counts against the address only.
  absl::StatusOr<SignInBar> SignInBarFor(const std::string& username, const std::string& address,
                                         const FailureLimits& limits);
  // Records one failure; the name is locked once it reaches the limit.
  absl::Status RecordSignInFailure(const std::string& username, const std::string& address,
                                   const FailureLimits& limits);
  // A successful sign-in forgets the name's failures (the address keeps its own).
  absl::Status ClearSignInFailures(const std::string& username);

  // Agencies' public keys. PutAgencyKey refuses (ALREADY_EXISTS) to give a key id another
  // public key.
  absl::Status PutAgencyKey(const pressrelay::registry::v1::AgencyKey& key);
  absl::StatusOr<std::vector<pressrelay::registry::v1::AgencyKey>> ListAgencyKeys();

  // The revocation feed (Directory.WatchRevocations): appends entries (their cursors are
  // assigned by Redis), reads those after a cursor (blocking up to `block`, zero for
  // none), and tells whether a cursor is still in the feed (it is capped).
  absl::Status AppendRevocations(const std::vector<pressrelay::registry::v1::Revocation>& revocations);
  absl::StatusOr<std::vector<pressrelay::registry::v1::Revocation>> ReadRevocations(redis::Client& redis,
                                                                                   const std::string& after,
                                                                                   absl::Duration block);
  absl::StatusOr<bool> HasRevocation(redis::Client& redis, const std::string& cursor);
  // The cursor of the newest revocation ("0-0" if none).
  absl::StatusOr<std::string> LatestRevocation(redis::Client& redis);

  // Blocks up to `block` for changes after `last_id` ("$" for only new ones).
  absl::StatusOr<std::vector<Change>> ReadChanges(redis::Client& redis, const std::string& last_id,
                                                  absl::Duration block);
  // The id of the newest change ("0-0" if none).
  absl::StatusOr<std::string> LatestChangeId();

  absl::Status Ping();

 private:
  redis::Pool* pool_;
  const std::string origin_;  // this replica's id on the change feed
};

}  // namespace pressrelay::registry
