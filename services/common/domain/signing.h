// Authentic statements: every version is signed with its agency's Ed25519 key over a
// canonical byte form, and anyone holding the agency's public key can verify it offline.
//
// The canonical form (README.md, "Authentic statements", has it in full with an example that
// a unit test holds to the code) is the line
//   "pressrelay-statement-v1\n"
// followed by one record per field, in a fixed order, each "<name>:<byte length>:<value>\n",
// where numbers are decimal ASCII, times are milliseconds since the Unix epoch (empty when
// unset), and repeated fields give their count first and then their members' fields
// indexed "subjects.0.code". The signing key's id is the last record, so a signature cannot
// be re-labelled with another key. Length prefixes make the form unambiguous whatever the
// text contains.
//
// Private keys live in files (a directory, in Kubernetes a mounted Secret), one key per
// file, and never leave the distribution service:
//   agency=MOH
//   key_id=MOH-2026-1
//   created=2026-11-26T00:00:00Z
//   seed=<base64 of the 32-byte Ed25519 seed>
// An agency's newest key whose `created` has passed signs; older ones stay for the record.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pressrelay/common/v1/statement.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"

namespace pressrelay::signing {

using pressrelay::common::v1::Statement;
using pressrelay::registry::v1::AgencyKey;

inline constexpr absl::string_view kAlgorithm = "ed25519";

// The bytes a signature covers: the statement without its signature value, bound to
// `key_id`.
std::string CanonicalBytes(const Statement& statement, absl::string_view key_id);

// A private key as read from its file.
struct KeyFile {
  std::string agency_code;
  std::string key_id;
  absl::Time created;
  std::string seed;  // 32 bytes
};
absl::StatusOr<KeyFile> ParseKeyFile(absl::string_view text);
std::string FormatKeyFile(const KeyFile& key);
// A new key with a random seed.
KeyFile GenerateKey(const std::string& agency_code, const std::string& key_id, absl::Time created);
// Its public half, as the registry publishes it.
AgencyKey PublicKeyOf(const KeyFile& key);

// Holds the private keys of a directory and signs with them.
class Signer {
 public:
  // Reads every "*.key" file of `dir`.
  static absl::StatusOr<std::unique_ptr<Signer>> FromDirectory(std::string dir);

  // Sets statement->signature with the issuing agency's current key. The directory is
  // re-read when it changed: a key file added signs from its `created` on, a key file
  // removed signs nothing more (as after a restart). FAILED_PRECONDITION if the agency has
  // no key.
  absl::Status Sign(Statement* statement, absl::Time now);
  // The public halves of every key held.
  std::vector<AgencyKey> PublicKeys() const;
  // Whether the directory (re-read when it changed, as for Sign) holds a key of the agency:
  // whether the wire can sign for it.
  bool HasKeyFor(absl::string_view agency_code);

 private:
  explicit Signer(std::string dir) : dir_(std::move(dir)) {}
  // Reads the directory, whose Fingerprint() was `fingerprint` before the read, and holds
  // exactly its keys. Strict (at start) a file that does not parse is an error; otherwise
  // it is logged and the key it held before, if any, is kept (a file being rewritten). A
  // key id never changes its key: a file that gives a held id another seed is refused
  // (logged) and the id keeps its key, which is the one the registry has published.
  absl::Status Load(bool strict, std::string fingerprint);
  // Load (not strict) if the directory changed since it was last read.
  absl::Status Refresh();
  std::string Fingerprint() const;
  std::string dir_;
  mutable absl::Mutex mu_;
  std::map<std::string, KeyFile> keys_ ABSL_GUARDED_BY(mu_);            // by key id
  std::map<std::string, std::string> key_of_file_ ABSL_GUARDED_BY(mu_);  // file -> key id
  std::string loaded_fingerprint_ ABSL_GUARDED_BY(mu_);
};

// OK if the statement's signature verifies with the key it names, which must be among
// `keys` and belong to the statement's issuing agency. PERMISSION_DENIED (naming why)
// otherwise: unknown key, another agency's key, or a signature that does not match.
absl::Status Verify(const Statement& statement, absl::Span<const AgencyKey> keys);

}  // namespace pressrelay::signing
