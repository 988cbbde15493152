#include "services/common/domain/signing.h"

#include <sodium.h>

#include <filesystem>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/configuration.h"
#include "services/common/domain/ids.h"
#include "services/common/base/log.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"

namespace pressrelay::signing {
namespace {

void Field(std::string* out, absl::string_view name, absl::string_view value) {
  absl::StrAppend(out, name, ":", value.size(), ":", value, "\n");
}

void Time(std::string* out, absl::string_view name, const google::protobuf::Timestamp& ts) {
  Field(out, name, IsSet(ts) ? absl::StrCat(MillisFromProto(ts)) : std::string());
}

}  // namespace

std::string CanonicalBytes(const Statement& s, absl::string_view key_id) {
  std::string out = "pressrelay-statement-v1\n";
  out.reserve(out.size() + s.body().size() + s.headline().size() + s.summary().size() + 1024);
  Field(&out, "id", s.id());
  Field(&out, "uri", s.uri());
  Field(&out, "version", absl::StrCat(s.version()));
  Field(&out, "kind", absl::StrCat(static_cast<int>(s.kind())));
  Field(&out, "urgency", absl::StrCat(s.urgency()));
  Field(&out, "pubstatus", absl::StrCat(static_cast<int>(s.pubstatus())));
  Field(&out, "signal", absl::StrCat(static_cast<int>(s.signal())));
  Field(&out, "signal_reason", s.signal_reason());
  Time(&out, "firstcreated", s.firstcreated());
  Time(&out, "versioncreated", s.versioncreated());
  Time(&out, "embargoed", s.embargoed());
  Field(&out, "language", s.language());
  Field(&out, "headline", s.headline());
  Field(&out, "summary", s.summary());
  Field(&out, "body", s.body());
  Field(&out, "subjects", absl::StrCat(s.subjects_size()));
  for (int i = 0; i < s.subjects_size(); ++i) {
    Field(&out, absl::StrCat("subjects.", i, ".code"), s.subjects(i).code());
    Field(&out, absl::StrCat("subjects.", i, ".name"), s.subjects(i).name());
  }
  Field(&out, "located.region_code", s.located().region_code());
  Field(&out, "located.name", s.located().name());
  Field(&out, "issuer.agency_code", s.issuer().agency_code());
  Field(&out, "issuer.agency_name", s.issuer().agency_name());
  Field(&out, "issuer.spokesperson_id", s.issuer().spokesperson_id());
  Field(&out, "issuer.spokesperson_name", s.issuer().spokesperson_name());
  Field(&out, "issuer.spokesperson_title", s.issuer().spokesperson_title());
  Field(&out, "attachments", absl::StrCat(s.attachments_size()));
  for (int i = 0; i < s.attachments_size(); ++i) {
    const auto& a = s.attachments(i);
    const std::string p = absl::StrCat("attachments.", i, ".");
    Field(&out, p + "href", a.href());
    Field(&out, p + "media_type", a.media_type());
    Field(&out, p + "size_bytes", absl::StrCat(a.size_bytes()));
    Field(&out, p + "sha256", a.sha256());
    Field(&out, p + "title", a.title());
  }
  Field(&out, "in_reply_to", s.in_reply_to());
  // Added after version 1 of the form: written only when there are references, so a
  // statement signed before (or one citing nothing) has the same bytes as it had.
  if (s.references_size() > 0) {
    Field(&out, "references", absl::StrCat(s.references_size()));
    for (int i = 0; i < s.references_size(); ++i) {
      const auto& r = s.references(i);
      const std::string p = absl::StrCat("references.", i, ".");
      Field(&out, p + "canonical", r.canonical());
      Field(&out, p + "type_name", r.type_name());
      Field(&out, p + "number", r.number());
      Field(&out, p + "year", absl::StrCat(r.year()));
      Field(&out, p + "type_code", r.type_code());
      Field(&out, p + "issuer", r.issuer());
      Field(&out, p + "unit", r.unit());
      Field(&out, p + "issued_on", r.issued_on());
      Field(&out, p + "name", r.name());
      Field(&out, p + "field", r.field());
      Field(&out, p + "begin", absl::StrCat(r.begin()));
      Field(&out, p + "end", absl::StrCat(r.end()));
    }
  }
  // Likewise written only when set: a statement that answers no question keeps its bytes.
  if (s.has_question_outcome()) {
    const auto& q = s.question_outcome();
    Field(&out, "question_outcome.question_id", q.question_id());
    Field(&out, "question_outcome.outcome", absl::StrCat(static_cast<int>(q.outcome())));
    Field(&out, "question_outcome.ground", absl::StrCat(static_cast<int>(q.ground())));
    Field(&out, "question_outcome.note", q.note());
    Field(&out, "question_outcome.to_asker_only", q.to_asker_only() ? "1" : "0");
  }
  // The follow-up thread, likewise only when set.
  if (s.has_follow_up_by()) Time(&out, "follow_up_by", s.follow_up_by());
  if (!s.follows_up().empty()) Field(&out, "follows_up", s.follows_up());
  Field(&out, "key_id", key_id);
  return out;
}

absl::StatusOr<KeyFile> ParseKeyFile(absl::string_view text) {
  KeyFile key;
  std::string seed_b64, created;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (kv.first == "agency") {
      key.agency_code = std::string(kv.second);
    } else if (kv.first == "key_id") {
      key.key_id = std::string(kv.second);
    } else if (kv.first == "created") {
      created = std::string(kv.second);
    } else if (kv.first == "seed") {
      seed_b64 = std::string(kv.second);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("key file: unknown line \"", kv.first, "\""));
    }
  }
  if (key.agency_code.empty() || key.key_id.empty() || seed_b64.empty()) {
    return absl::InvalidArgumentError("key file: needs agency, key_id and seed");
  }
  if (key.key_id.size() > 64 || key.key_id.find_first_of(" \t/") != std::string::npos) {
    return absl::InvalidArgumentError("key file: key_id must be 1-64 characters without spaces or '/'");
  }
  std::string err;
  if (created.empty()) {
    key.created = absl::UnixEpoch();
  } else if (!absl::ParseTime(absl::RFC3339_full, created, &key.created, &err)) {
    return absl::InvalidArgumentError(absl::StrCat("key file: created: ", err));
  }
  if (!absl::Base64Unescape(seed_b64, &key.seed) || key.seed.size() != crypto_sign_SEEDBYTES) {
    return absl::InvalidArgumentError("key file: seed must be 32 bytes, base64");
  }
  return key;
}

std::string FormatKeyFile(const KeyFile& key) {
  return absl::StrCat("agency=", key.agency_code, "\nkey_id=", key.key_id,
                      "\ncreated=", absl::FormatTime(absl::RFC3339_full, key.created, absl::UTCTimeZone()),
                      "\nseed=", absl::Base64Escape(key.seed), "\n");
}

KeyFile GenerateKey(const std::string& agency_code, const std::string& key_id, absl::Time created) {
  ids::EnsureSodium();
  KeyFile key{agency_code, key_id, created, std::string(crypto_sign_SEEDBYTES, '\0')};
  randombytes_buf(key.seed.data(), key.seed.size());
  return key;
}

namespace {

struct KeyPair {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

KeyPair Derive(const KeyFile& key) {
  ids::EnsureSodium();
  KeyPair kp;
  crypto_sign_seed_keypair(kp.pk, kp.sk, reinterpret_cast<const unsigned char*>(key.seed.data()));
  return kp;
}

}  // namespace

AgencyKey PublicKeyOf(const KeyFile& key) {
  KeyPair kp = Derive(key);
  sodium_memzero(kp.sk, sizeof(kp.sk));
  AgencyKey out;
  out.set_agency_code(key.agency_code);
  out.set_key_id(key.key_id);
  out.set_algorithm(std::string(kAlgorithm));
  out.set_public_key(std::string(reinterpret_cast<const char*>(kp.pk), sizeof(kp.pk)));
  *out.mutable_valid_from() = ToProto(key.created);
  return out;
}

absl::StatusOr<std::unique_ptr<Signer>> Signer::FromDirectory(std::string dir) {
  std::unique_ptr<Signer> signer(new Signer(std::move(dir)));
  PR_RETURN_IF_ERROR(signer->Load(/*strict=*/true, signer->Fingerprint()));
  return signer;
}

std::string Signer::Fingerprint() const {
  // Names, sizes and modification times of the key files: a key added, replaced or
  // removed changes it, whatever the file system's time granularity for the directory.
  std::string out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".key") continue;
    std::error_code stat_ec;
    const auto size = std::filesystem::file_size(entry.path(), stat_ec);
    const auto mtime = std::filesystem::last_write_time(entry.path(), stat_ec);
    absl::StrAppend(&out, entry.path().filename().string(), "/", stat_ec ? 0 : size, "/",
                    stat_ec ? 0 : mtime.time_since_epoch().count(), "\n");
  }
  return out;
}

absl::Status Signer::Load(bool strict, std::string fingerprint) {
  std::error_code ec;
  std::vector<std::pair<std::string, KeyFile>> found;  // file, key
  std::vector<std::string> unreadable;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".key") continue;
    const std::string path = entry.path().string();
    auto text = ReadSecretFile(path);
    auto key = text.ok() ? ParseKeyFile(*text) : text.status();
    if (!key.ok()) {
      // At start a bad key file is a configuration error; while running, one being written
      // or broken must not stop the agencies whose keys are fine.
      if (strict) return Annotate(key.status(), path);
      spdlog::error("signing keys: skipping {}: {}", path, key.status().ToString());
      unreadable.push_back(path);
      continue;
    }
    found.emplace_back(path, std::move(*key));
  }
  if (ec) return absl::NotFoundError(absl::StrCat("signing keys: cannot read ", dir_, ": ", ec.message()));
  absl::MutexLock lock(&mu_);
  std::map<std::string, KeyFile> keys;
  std::map<std::string, std::string> key_of_file;
  auto hold = [&](const std::string& path, const KeyFile& key) {
    keys.try_emplace(key.key_id, key);
    key_of_file[path] = key.key_id;
  };
  for (const auto& [path, key] : found) {
    const auto held = keys_.find(key.key_id);
    if (held != keys_.end() && (held->second.seed != key.seed || held->second.agency_code != key.agency_code)) {
      spdlog::error("signing keys: {} gives key id {} another key; a key id stands for one key for good "
                    "(install a new key under a new id); keeping the one it had",
                    path, key.key_id);
      hold(path, held->second);
      continue;
    }
    hold(path, key);
  }
  for (const auto& path : unreadable) {
    const auto was = key_of_file_.find(path);
    if (was == key_of_file_.end()) continue;
    if (const auto held = keys_.find(was->second); held != keys_.end()) hold(path, held->second);
  }
  keys_ = std::move(keys);
  key_of_file_ = std::move(key_of_file);
  loaded_fingerprint_ = std::move(fingerprint);
  return absl::OkStatus();
}

std::vector<AgencyKey> Signer::PublicKeys() const {
  absl::MutexLock lock(&mu_);
  std::vector<AgencyKey> out;
  for (const auto& [id, key] : keys_) out.push_back(PublicKeyOf(key));
  return out;
}

absl::Status Signer::Refresh() {
  // A key installed, replaced or removed while running changes the fingerprint: re-read.
  std::string fingerprint = Fingerprint();
  bool changed;
  {
    absl::MutexLock lock(&mu_);
    changed = fingerprint != loaded_fingerprint_;
  }
  if (changed) return Load(/*strict=*/false, std::move(fingerprint));
  return absl::OkStatus();
}

bool Signer::HasKeyFor(absl::string_view agency_code) {
  if (absl::Status s = Refresh(); !s.ok()) spdlog::warn("signing keys: {}", s.ToString());
  absl::MutexLock lock(&mu_);
  for (const auto& [id, key] : keys_) {
    if (key.agency_code == agency_code) return true;
  }
  return false;
}

absl::Status Signer::Sign(Statement* statement, absl::Time now) {
  const std::string& agency = statement->issuer().agency_code();
  PR_RETURN_IF_ERROR(Refresh());
  std::optional<KeyFile> current;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, key] : keys_) {
      // To the millisecond, as the wire keeps times: a key created within the millisecond
      // of a publish (whose time is truncated) signs it.
      if (key.agency_code != agency || absl::ToUnixMillis(key.created) > absl::ToUnixMillis(now)) continue;
      if (!current || key.created > current->created ||
          (key.created == current->created && key.key_id > current->key_id)) {
        current = key;
      }
    }
  }
  if (!current) {
    return absl::FailedPreconditionError(
        absl::StrCat("no signing key for agency ", agency, ": an operator must install one before it can publish"));
  }
  const std::string bytes = CanonicalBytes(*statement, current->key_id);
  KeyPair kp = Derive(*current);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), kp.sk);
  sodium_memzero(kp.sk, sizeof(kp.sk));
  auto* signature = statement->mutable_signature();
  signature->set_key_id(current->key_id);
  signature->set_algorithm(std::string(kAlgorithm));
  signature->set_value(std::string(reinterpret_cast<const char*>(sig), sizeof(sig)));
  return absl::OkStatus();
}

absl::Status Verify(const Statement& statement, absl::Span<const AgencyKey> keys) {
  ids::EnsureSodium();
  const auto& sig = statement.signature();
  if (sig.key_id().empty() || sig.value().size() != crypto_sign_BYTES) {
    return absl::PermissionDeniedError("statement is not signed");
  }
  if (sig.algorithm() != kAlgorithm) {
    return absl::PermissionDeniedError(absl::StrCat("unsupported signature algorithm \"", sig.algorithm(), "\""));
  }
  const AgencyKey* key = nullptr;
  for (const auto& k : keys) {
    if (k.key_id() == sig.key_id()) key = &k;
  }
  if (key == nullptr) return absl::PermissionDeniedError(absl::StrCat("unknown signing key \"", sig.key_id(), "\""));
  if (key->agency_code() != statement.issuer().agency_code()) {
    return absl::PermissionDeniedError(absl::StrCat("key ", key->key_id(), " belongs to ", key->agency_code(),
                                                    ", not to the issuer ", statement.issuer().agency_code()));
  }
  if (key->public_key().size() != crypto_sign_PUBLICKEYBYTES) {
    return absl::PermissionDeniedError("malformed public key");
  }
  // Times outside the Timestamp range have no canonical form: never signed, never valid.
  for (const auto* ts : {&statement.firstcreated(), &statement.versioncreated(), &statement.embargoed()}) {
    if (!IsValidTimestamp(*ts)) return absl::PermissionDeniedError("statement has a time out of range");
  }
  const std::string bytes = CanonicalBytes(statement, sig.key_id());
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.value().data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                  reinterpret_cast<const unsigned char*>(key->public_key().data())) != 0) {
    return absl::PermissionDeniedError("signature does not match: the statement was altered or not issued by " +
                                       statement.issuer().agency_code());
  }
  return absl::OkStatus();
}

}  // namespace pressrelay::signing
