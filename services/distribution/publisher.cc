#include "services/distribution/publisher.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/audience.h"
#include "services/common/log.h"
#include "services/common/ids.h"
#include "services/common/keys.h"
#include "services/common/status.h"
#include "services/common/status_macros.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/distribution/read_access.h"

namespace pressrelay::distribution {
namespace {

using pressrelay::common::v1::PUB_STATUS_CANCELED;
using pressrelay::common::v1::PUB_STATUS_USABLE;
using pressrelay::common::v1::PUB_STATUS_WITHHELD;
using pressrelay::common::v1::VersionSignal;

constexpr int kMaxRetries = 3;

std::string DeterministicHash(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return ids::Sha256Hex(bytes);
}

// The content fields of a version, from a validated draft.
void ApplyDraft(const v1::StatementDraft& draft, Statement* s) {
  s->set_kind(draft.kind());
  s->set_urgency(draft.urgency());
  s->set_language(draft.language());
  s->set_headline(draft.headline());
  s->set_summary(draft.summary());
  s->set_body(draft.body());
  *s->mutable_subjects() = draft.subjects();
  if (draft.has_located()) {
    *s->mutable_located() = draft.located();
  } else {
    s->clear_located();
  }
  *s->mutable_attachments() = draft.attachments();
  s->set_in_reply_to(draft.in_reply_to());
  if (IsSet(draft.embargoed())) {
    *s->mutable_embargoed() = draft.embargoed();
  } else {
    s->clear_embargoed();
  }
}

void SetIssuer(const registry_v1::CheckSpeakerResponse& speaker, Statement* s) {
  auto* issuer = s->mutable_issuer();
  issuer->set_agency_code(speaker.agency().code());
  issuer->set_agency_name(speaker.agency().name_vi());
  issuer->set_spokesperson_id(speaker.spokesperson().id());
  issuer->set_spokesperson_name(speaker.spokesperson().full_name());
  issuer->set_spokesperson_title(speaker.spokesperson().title());
}

std::string JobId(const Statement& s, absl::string_view phase) {
  return absl::StrCat(s.id(), ":", s.version(), ":", phase);
}

store::FanoutJob MakeJob(const Statement& s, absl::string_view phase, keys::Lane lane,
                         const std::vector<std::string>& recipients, int64_t release_at_ms, bool releases,
                         int shards, absl::Time now) {
  store::FanoutJob job;
  job.set_job_id(JobId(s, phase));
  job.set_statement_id(s.id());
  job.set_version(s.version());
  job.set_lane(static_cast<int>(lane));
  job.set_release_at_ms(release_at_ms);
  job.set_created_ms(absl::ToUnixMillis(now));
  job.set_recipients_total(static_cast<int>(recipients.size()));
  job.set_releases(releases);
  std::vector<store::ShardAudience*> by_shard(shards, nullptr);
  for (const auto& rid : recipients) {
    const int shard = keys::ShardOf(rid, shards);
    if (by_shard[shard] == nullptr) {
      by_shard[shard] = job.add_shards();
      by_shard[shard]->set_shard(shard);
    }
    by_shard[shard]->add_recipients(rid);
  }
  return job;
}

bool IsIdempotencyKey(absl::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

}  // namespace

keys::Lane LaneFor(const Statement& version) {
  switch (version.signal()) {
    case pressrelay::common::v1::VERSION_SIGNAL_KILL:
    case pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD:
    case pressrelay::common::v1::VERSION_SIGNAL_CORRECTION:
      return keys::Lane::kPriority;
    default:
      return version.urgency() <= 2 ? keys::Lane::kPriority : keys::Lane::kRoutine;
  }
}

absl::Status Publisher::Sign(Statement* version, absl::Time now) {
  PR_RETURN_IF_ERROR(signer_->Sign(version, now));
  const std::string& key_id = version->signature().key_id();
  {
    absl::MutexLock lock(&mu_);
    if (announced_.contains(key_id)) return absl::OkStatus();
  }
  // New key (first use, or installed since start): publish every public half we hold.
  const std::vector<registry_v1::AgencyKey> keys = signer_->PublicKeys();
  PR_RETURN_IF_ERROR(directory_->PublishAgencyKeys(keys));
  absl::MutexLock lock(&mu_);
  for (const auto& k : keys) announced_.insert(k.key_id());
  return absl::OkStatus();
}

absl::StatusOr<std::string> Publisher::IdempotencyKey(const Principal& caller, const std::string& key) {
  if (key.empty()) return std::string();
  if (!IsIdempotencyKey(key)) {
    return FieldError("idempotency_key", "must be 1-128 characters A-Z, a-z, 0-9, '-', '_', '.' or ':'");
  }
  return keys::Idempotency(caller.id(), key);
}

absl::StatusOr<v1::PublishResponse> Publisher::Publish(const Principal& caller, v1::PublishRequest request,
                                                       absl::Time now) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));  // the wire keeps milliseconds
  PR_RETURN_IF_ERROR(validation::NormalizeDraft(request.mutable_draft(), now));
  const v1::StatementDraft& draft = request.draft();
  const bool embargoed = IsSet(draft.embargoed()) && FromProto(draft.embargoed()) > now;
  if (request.early_to_trusted() && !embargoed) {
    return FieldError("early_to_trusted", "needs a release time in the future (draft.embargoed)");
  }
  PR_ASSIGN_OR_RETURN(const std::string idem_key, IdempotencyKey(caller, request.idempotency_key()));
  v1::PublishRequest unkeyed = request;
  unkeyed.clear_idempotency_key();
  const std::string request_hash = DeterministicHash(unkeyed);
  if (!idem_key.empty()) {
    PR_ASSIGN_OR_RETURN(auto existing, store_->LoadIdempotency(idem_key));
    if (existing) return Replay(*existing, request_hash);
  }

  PR_ASSIGN_OR_RETURN(const std::string speaker_id, SpeakerOf(caller));
  PR_ASSIGN_OR_RETURN(auto speaker, directory_->CheckSpeaker(speaker_id, draft.agency_code(), now));

  Statement version;
  version.set_id(ids::NewStatementId(now));
  version.set_uri(absl::StrCat("urn:pressrelay:statement:", version.id()));
  version.set_version(1);
  version.set_pubstatus(PUB_STATUS_USABLE);
  version.set_signal(pressrelay::common::v1::VERSION_SIGNAL_PUBLISH);
  *version.mutable_firstcreated() = ToProto(now);
  *version.mutable_versioncreated() = ToProto(now);
  ApplyDraft(draft, &version);
  SetIssuer(speaker, &version);
  PR_RETURN_IF_ERROR(Sign(&version, now));

  PR_ASSIGN_OR_RETURN(auto members, directory_->MatchAudience(audience::QueryOf(version)));
  const int shards = engine_->options().shards;
  const keys::Lane lane = LaneFor(version);
  Plan plan;
  plan.matched = static_cast<int>(members.size());
  if (!embargoed) {
    std::vector<std::string> all;
    for (const auto& m : members) all.push_back(m.recipient_id());
    plan.jobs.push_back(MakeJob(version, "now", lane, all, 0, true, shards, now));
    plan.run_now.push_back(plan.jobs.back().job_id());
  } else {
    const int64_t release_ms = MillisFromProto(draft.embargoed());
    std::vector<std::string> early, later;
    for (const auto& m : members) {
      (request.early_to_trusted() && m.trusted() ? early : later).push_back(m.recipient_id());
    }
    if (!early.empty()) {
      plan.jobs.push_back(MakeJob(version, "early", lane, early, 0, false, shards, now));
      plan.run_now.push_back(plan.jobs.back().job_id());
    }
    plan.jobs.push_back(MakeJob(version, "release", lane, later, release_ms, true, shards, now));
    plan.scheduled = true;
  }

  VersionCommit commit;
  commit.version = version;
  commit.head.set_statement_id(version.id());
  commit.head.set_agency_code(draft.agency_code());
  commit.head.set_firstcreated_ms(absl::ToUnixMillis(now));
  for (const auto& job : plan.jobs) commit.head.add_job_ids(job.job_id());
  commit.idempotency_key = idem_key;
  commit.idempotency.set_statement_id(version.id());
  commit.idempotency.set_version(1);
  commit.idempotency.set_request_hash(request_hash);
  commit.lease = engine_->options().lease;
  commit.jobs = plan.jobs;
  commit.run_now = plan.run_now;
  return CommitAndRun(std::move(commit), plan, request.return_when_committed());
}

absl::StatusOr<v1::PublishResponse> Publisher::Revise(const Principal& caller, v1::ReviseRequest request,
                                                      absl::Time now) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));
  const VersionSignal signal = request.signal();
  const bool changes_content = signal == pressrelay::common::v1::VERSION_SIGNAL_UPDATE ||
                               signal == pressrelay::common::v1::VERSION_SIGNAL_CORRECTION;
  const bool retracts = signal == pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD ||
                        signal == pressrelay::common::v1::VERSION_SIGNAL_KILL;
  {
    FieldViolations v;
    if (request.statement_id().empty()) v.Add("statement_id", "is required");
    if (!changes_content && !retracts) v.Add("signal", "must be UPDATE, CORRECTION, WITHHOLD or KILL");
    validation::NormalizeText(request.mutable_reason(), "reason", validation::kReasonMax, true, &v);
    if (request.reason().empty() && signal != pressrelay::common::v1::VERSION_SIGNAL_UPDATE) {
      v.Add("reason", "is required for a correction, withhold or kill: newsrooms are told why");
    }
    if (retracts && request.has_draft()) v.Add("draft", "a withhold or kill keeps the content; leave it empty");
    PR_RETURN_IF_ERROR(v.ToStatus());
  }
  if (request.has_draft()) PR_RETURN_IF_ERROR(validation::NormalizeDraft(request.mutable_draft(), now));
  PR_ASSIGN_OR_RETURN(const std::string idem_key, IdempotencyKey(caller, request.idempotency_key()));
  v1::ReviseRequest unkeyed = request;
  unkeyed.clear_idempotency_key();
  const std::string request_hash = DeterministicHash(unkeyed);

  for (int attempt = 0;; ++attempt) {
    if (!idem_key.empty()) {
      PR_ASSIGN_OR_RETURN(auto existing, store_->LoadIdempotency(idem_key));
      if (existing) return Replay(*existing, request_hash);
    }
    // Head and version numbers in one round trip.
    PR_ASSIGN_OR_RETURN(auto summaries, store_->LoadSummaries({request.statement_id()}));
    auto& [latest, released, head] = summaries[0];
    if (!head) return absl::NotFoundError(absl::StrCat("no statement \"", request.statement_id(), "\""));
    if (request.expected_version() != 0 && request.expected_version() != latest) {
      return absl::FailedPreconditionError(
          absl::StrCat("statement is at version ", latest, ", not ", request.expected_version()));
    }
    PR_ASSIGN_OR_RETURN(auto previous, store_->LoadVersion(request.statement_id(), latest));
    if (!previous) return absl::DataLossError("latest version missing");
    if (previous->pubstatus() == PUB_STATUS_CANCELED) {
      return absl::FailedPreconditionError("the statement was killed; a kill is final");
    }
    if (request.has_draft() && request.draft().agency_code() != head->agency_code()) {
      return FieldError("draft.agency_code", absl::StrCat("must stay ", head->agency_code()));
    }
    PR_ASSIGN_OR_RETURN(const std::string speaker_id, SpeakerOf(caller));
    PR_ASSIGN_OR_RETURN(auto speaker, directory_->CheckSpeaker(speaker_id, head->agency_code(), now));

    Statement version = *previous;
    version.clear_signature();
    version.set_version(latest + 1);
    version.set_signal(signal);
    version.set_signal_reason(request.reason());
    *version.mutable_versioncreated() = ToProto(now);
    if (request.has_draft()) ApplyDraft(request.draft(), &version);
    version.set_pubstatus(signal == pressrelay::common::v1::VERSION_SIGNAL_KILL       ? PUB_STATUS_CANCELED
                          : signal == pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD ? PUB_STATUS_WITHHELD
                                                                                      : PUB_STATUS_USABLE);
    SetIssuer(speaker, &version);
    PR_RETURN_IF_ERROR(Sign(&version, now));

    // Who had the statement: every recipient of an earlier job that ran or runs. Jobs still
    // waiting for their release time are replaced by this version's.
    std::vector<std::string> prior_ids(head->job_ids().begin(), head->job_ids().end());
    PR_ASSIGN_OR_RETURN(auto states, store_->JobStates(prior_ids));
    std::vector<std::string> cancel;
    absl::flat_hash_set<std::string> had_set;
    std::vector<std::string> had;
    for (size_t i = 0; i < prior_ids.size(); ++i) {
      if (states[i] == JobState::kScheduled) {
        cancel.push_back(prior_ids[i]);
        continue;
      }
      if (states[i] == JobState::kCanceled) continue;
      PR_ASSIGN_OR_RETURN(auto job, store_->LoadJob(prior_ids[i]));
      if (!job) continue;
      for (const auto& shard : job->shards()) {
        for (const auto& rid : shard.recipients()) {
          if (had_set.insert(rid).second) had.push_back(rid);
        }
      }
    }

    const int shards = engine_->options().shards;
    const keys::Lane lane = LaneFor(version);
    Plan plan;
    if (retracts) {
      plan.matched = static_cast<int>(had.size());
      plan.jobs.push_back(MakeJob(version, "now", lane, had, 0, released > 0, shards, now));
      plan.run_now.push_back(plan.jobs.back().job_id());
    } else {
      PR_ASSIGN_OR_RETURN(auto members, directory_->MatchAudience(audience::QueryOf(version)));
      std::vector<std::string> newcomers;
      for (const auto& m : members) {
        if (!had_set.contains(m.recipient_id())) newcomers.push_back(m.recipient_id());
      }
      plan.matched = static_cast<int>(had.size() + newcomers.size());
      const bool embargoed = IsSet(version.embargoed()) && FromProto(version.embargoed()) > now;
      if (!embargoed) {
        had.insert(had.end(), newcomers.begin(), newcomers.end());
        plan.jobs.push_back(MakeJob(version, "now", lane, had, 0, true, shards, now));
        plan.run_now.push_back(plan.jobs.back().job_id());
      } else {
        // Those who already hold the statement under embargo get the new version at once;
        // everyone else at the release time.
        plan.jobs.push_back(MakeJob(version, "early", lane, had, 0, false, shards, now));
        plan.run_now.push_back(plan.jobs.back().job_id());
        plan.jobs.push_back(
            MakeJob(version, "release", lane, newcomers, MillisFromProto(version.embargoed()), true, shards, now));
        plan.scheduled = true;
      }
    }

    VersionCommit commit;
    commit.version = version;
    commit.head = *head;
    for (const auto& job : plan.jobs) commit.head.add_job_ids(job.job_id());
    commit.expected_latest = latest;
    commit.idempotency_key = idem_key;
    commit.idempotency.set_statement_id(version.id());
    commit.idempotency.set_version(version.version());
    commit.idempotency.set_request_hash(request_hash);
    commit.lease = engine_->options().lease;
    commit.jobs = plan.jobs;
    commit.run_now = plan.run_now;
    commit.cancel_scheduled = cancel;
    auto response = CommitAndRun(std::move(commit), plan, request.return_when_committed());
    if (response.ok() || !absl::IsAborted(response.status()) || attempt + 1 >= kMaxRetries) return response;
  }
}

absl::StatusOr<v1::PublishResponse> Publisher::CommitAndRun(VersionCommit commit, const Plan& plan,
                                                            bool return_when_committed) {
  PR_ASSIGN_OR_RETURN(CommitResult result, store_->Commit(commit));
  switch (result.outcome) {
    case CommitResult::Outcome::kReplay:
      return Replay(result.existing, commit.idempotency.request_hash());
    case CommitResult::Outcome::kConflict:
      return absl::AbortedError(absl::StrCat("the statement was revised at the same time (now version ",
                                             result.latest, "); retry"));
    case CommitResult::Outcome::kScheduleChanged:
      return absl::AbortedError("a scheduled release started at the same time; retry");
    case CommitResult::Outcome::kCommitted:
      break;
  }
  v1::PublishResponse response;
  *response.mutable_statement() = commit.version;
  response.set_recipients_matched(plan.matched);
  response.set_scheduled(plan.scheduled);
  // The version is committed: from here on it is never lost. If a run fails, the job's
  // lease expires and a runner (here or on another replica) finishes it.
  std::vector<const store::FanoutJob*> now;
  for (const auto& job : plan.jobs) {
    if (std::find(plan.run_now.begin(), plan.run_now.end(), job.job_id()) != plan.run_now.end()) now.push_back(&job);
  }
  absl::Mutex mu;
  int64_t queued = 0;
  size_t finished = 0;
  for (const store::FanoutJob* job : now) {
    engine_->Submit(*job, [&, job, job_id = job->job_id(), return_when_committed](absl::StatusOr<int64_t> done) {
      if (!done.ok()) spdlog::warn("fan-out {}: {}; its lease will expire and it resumes", job_id, done.status().ToString());
      if (return_when_committed) return;  // nobody waits; `job` and the counters may be gone
      if (!done.ok()) done = engine_->Queued(*job);
      absl::MutexLock lock(&mu);
      if (done.ok()) queued += *done;
      ++finished;
    });
  }
  if (!return_when_committed) {
    absl::MutexLock lock(&mu);
    auto all_done = [&finished, n = now.size()]() { return finished >= n; };
    mu.Await(absl::Condition(&all_done));
  }
  response.set_recipients_queued(static_cast<int32_t>(queued));
  if (plan.scheduled && runner_ != nullptr) runner_->Wake();
  return response;
}

absl::StatusOr<v1::PublishResponse> Publisher::Replay(const store::IdempotencyRecord& record,
                                                      const std::string& request_hash) {
  if (record.request_hash() != request_hash) {
    return absl::AlreadyExistsError(
        "idempotency_key: already used for a different request; use a new key for a new statement");
  }
  PR_ASSIGN_OR_RETURN(auto version, store_->LoadVersion(record.statement_id(), record.version()));
  PR_ASSIGN_OR_RETURN(auto head, store_->LoadHead(record.statement_id()));
  if (!version || !head) return absl::DataLossError("idempotency record points at a missing statement");
  v1::PublishResponse response;
  *response.mutable_statement() = *version;
  response.set_replayed(true);
  const std::string prefix = absl::StrCat(record.statement_id(), ":", record.version(), ":");
  std::vector<std::string> job_ids;
  for (const auto& id : head->job_ids()) {
    if (absl::StartsWith(id, prefix)) job_ids.push_back(id);
  }
  PR_ASSIGN_OR_RETURN(auto states, store_->JobStates(job_ids));
  int64_t matched = 0, queued = 0;
  for (size_t i = 0; i < job_ids.size(); ++i) {
    PR_ASSIGN_OR_RETURN(auto job, store_->LoadJob(job_ids[i]));
    if (!job) continue;
    matched += job->recipients_total();
    if (states[i] == JobState::kScheduled) response.set_scheduled(true);
    PR_ASSIGN_OR_RETURN(int64_t q, engine_->Queued(*job));
    queued += q;
  }
  response.set_recipients_matched(static_cast<int32_t>(matched));
  response.set_recipients_queued(static_cast<int32_t>(queued));
  return response;
}

}  // namespace pressrelay::distribution
