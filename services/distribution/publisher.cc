#include "services/distribution/publisher.h"

#include <algorithm>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/domain/audience.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/base/log.h"
#include "services/common/domain/ids.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/validation.h"
#include "services/distribution/read_access.h"

namespace pressrelay::distribution {
namespace {

using pressrelay::common::v1::PUB_STATUS_CANCELED;
using pressrelay::common::v1::PUB_STATUS_USABLE;
using pressrelay::common::v1::PUB_STATUS_WITHHELD;
using pressrelay::common::v1::VersionSignal;

constexpr int kMaxRetries = 3;
// A draft's approval record is kept far longer than a caller's key: while it exists, the draft
// cannot be issued twice, even if marking it published failed and nobody retried for weeks.
constexpr absl::Duration kApprovalKept = absl::Hours(24 * 366);

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

std::string JobId(const Statement& s, absl::string_view phase) {
  return absl::StrCat(s.id(), ":", s.version(), ":", phase);
}

store::FanoutJob MakeJob(const Statement& s, absl::string_view phase, keys::Lane lane,
                         std::vector<std::string> recipients, int64_t release_at_ms, bool releases,
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
  for (auto& rid : recipients) {
    const int shard = keys::ShardOf(rid, shards);
    if (by_shard[shard] == nullptr) {
      by_shard[shard] = job.add_shards();
      by_shard[shard]->set_shard(shard);
    }
    by_shard[shard]->add_recipients(std::move(rid));
  }
  return job;
}

std::vector<std::string> IdsOf(const std::vector<registry_v1::AudienceMember>& members) {
  std::vector<std::string> ids;
  ids.reserve(members.size());
  for (const auto& m : members) ids.push_back(m.recipient_id());
  return ids;
}

// A recipient named rather than matched: a journalist's question's asker.
registry_v1::AudienceMember Member(const std::string& recipient_id) {
  registry_v1::AudienceMember member;
  member.set_recipient_id(recipient_id);
  return member;
}

// An unlisted statement's versions go to its recipients alone: its jobs say so, and their
// release is kept out of the change log that feeds search.
void MarkUnlisted(Plan* plan) {
  for (auto& job : plan->jobs) job.set_unlisted(true);
}

// The commit of a version with its plan, apart from what only Publish or Revise know. The
// plan's jobs move into the commit and are added to `head` (a new statement's is empty; a
// revision's lists every earlier job, whose recipients a kill or correction must reach).
VersionCommit CommitOf(const Statement& version, Plan* plan, store::StatementHead head, const std::string& idem_key,
                       const std::string& request_hash, absl::Duration lease) {
  VersionCommit commit;
  commit.version = version;
  commit.head = std::move(head);
  for (const auto& job : plan->jobs) commit.head.add_job_ids(job.job_id());
  commit.idempotency_key = idem_key;
  commit.idempotency.set_statement_id(version.id());
  commit.idempotency.set_version(version.version());
  commit.idempotency.set_request_hash(request_hash);
  commit.lease = lease;
  // Moved: at 100,000 recipients a copy of the jobs was a copy of 100,000 strings.
  commit.jobs = std::move(plan->jobs);
  commit.run_now = plan->run_now;
  return commit;
}

// Counts the answers of a version's jobs due now; the last one answers the call. All
// callbacks run on the fan-out thread, one after the other.
class Tally {
 public:
  Tally(v1::PublishResponse response, size_t jobs, PublishDone done)
      : response_(std::move(response)), left_(jobs), done_(std::move(done)) {}
  void Add(int64_t queued) {
    queued_ += queued;
    if (--left_ > 0) return;
    response_.set_recipients_queued(static_cast<int32_t>(queued_));
    std::move(done_)(std::move(response_));
  }

 private:
  v1::PublishResponse response_;
  size_t left_;
  int64_t queued_ = 0;
  PublishDone done_;
};

}  // namespace

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
  s->set_follows_up(draft.follows_up());
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

Statement FirstVersion(const v1::StatementDraft& draft, absl::Time now) {
  Statement version;
  version.set_version(1);
  version.set_pubstatus(PUB_STATUS_USABLE);
  version.set_signal(pressrelay::common::v1::VERSION_SIGNAL_PUBLISH);
  *version.mutable_firstcreated() = ToProto(now);
  *version.mutable_versioncreated() = ToProto(now);
  ApplyDraft(draft, &version);
  return version;
}

v1::StatementDraft DraftOf(const Statement& s) {
  v1::StatementDraft draft;
  draft.set_agency_code(s.issuer().agency_code());
  draft.set_kind(s.kind());
  draft.set_urgency(s.urgency());
  draft.set_language(s.language());
  draft.set_headline(s.headline());
  draft.set_summary(s.summary());
  draft.set_body(s.body());
  *draft.mutable_subjects() = s.subjects();
  if (s.has_located()) *draft.mutable_located() = s.located();
  *draft.mutable_attachments() = s.attachments();
  draft.set_in_reply_to(s.in_reply_to());
  draft.set_follows_up(s.follows_up());
  if (IsSet(s.embargoed())) *draft.mutable_embargoed() = s.embargoed();
  return draft;
}

v1::VersionRecord VersionRecordOf(const Statement& version, const std::string& written_by,
                                  const std::string& reviewed_by, const std::string& draft_id) {
  v1::VersionRecord record;
  record.set_version(version.version());
  record.set_signal(version.signal());
  *record.mutable_issued_at() = version.versioncreated();
  record.set_written_by(written_by);
  record.set_reviewed_by(reviewed_by);
  record.set_published_by(version.issuer().spokesperson_id());
  record.set_draft_id(draft_id);
  return record;
}

keys::Lane LaneFor(const Statement& version) {
  switch (version.signal()) {
    case pressrelay::common::v1::VERSION_SIGNAL_KILL:
    case pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD:
    case pressrelay::common::v1::VERSION_SIGNAL_CORRECTION:
      return keys::Lane::kPriority;
    default:
      return version.urgency() <= kUrgentUrgency ? keys::Lane::kPriority : keys::Lane::kRoutine;
  }
}

Plan PlanVersion(const Statement& version, const AudienceFacts& facts, bool early_to_trusted, int shards,
                 absl::Time now) {
  const keys::Lane lane = LaneFor(version);
  const bool embargoed = IsSet(version.embargoed()) && FromProto(version.embargoed()) > now;
  const int64_t release_ms = embargoed ? MillisFromProto(version.embargoed()) : 0;
  Plan plan;
  auto add = [&](absl::string_view phase, std::vector<std::string> recipients, bool at_release, bool releases) {
    plan.jobs.push_back(
        MakeJob(version, phase, lane, std::move(recipients), at_release ? release_ms : 0, releases, shards, now));
    if (at_release) {
      plan.scheduled = true;
    } else {
      plan.run_now.push_back(plan.jobs.back().job_id());
    }
  };
  switch (version.signal()) {
    case pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD:
    case pressrelay::common::v1::VERSION_SIGNAL_KILL:
      plan.matched = static_cast<int>(facts.had.size());
      add("now", facts.had, false, facts.earlier_released);
      return plan;
    case pressrelay::common::v1::VERSION_SIGNAL_UPDATE:
    case pressrelay::common::v1::VERSION_SIGNAL_CORRECTION: {
      absl::flat_hash_set<std::string> had(facts.had.begin(), facts.had.end());
      std::vector<std::string> newcomers;
      for (const auto& m : facts.matched) {
        if (!had.contains(m.recipient_id())) newcomers.push_back(m.recipient_id());
      }
      plan.matched = static_cast<int>(facts.had.size() + newcomers.size());
      if (!embargoed) {
        std::vector<std::string> all = facts.had;
        all.insert(all.end(), newcomers.begin(), newcomers.end());
        add("now", std::move(all), false, true);
      } else {
        // Those who already hold the statement under embargo get the new version at once;
        // everyone else at the release time.
        add("early", facts.had, false, false);
        add("release", std::move(newcomers), true, true);
      }
      return plan;
    }
    default: {  // the first version
      plan.matched = static_cast<int>(facts.matched.size());
      if (!embargoed) {
        add("now", IdsOf(facts.matched), false, true);
        return plan;
      }
      std::vector<std::string> early, later;
      for (const auto& m : facts.matched) (early_to_trusted && m.trusted() ? early : later).push_back(m.recipient_id());
      if (!early.empty()) add("early", std::move(early), false, false);
      add("release", std::move(later), true, true);
      return plan;
    }
  }
}

absl::Status Publisher::Sign(Statement* version, absl::Time now) {
  // What the text cites is read here, from the text about to be signed, so the references
  // always match it and are covered by the signature.
  legal::AttachReferences(version);
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
  if (!validation::IsIdempotencyKey(key)) {
    return FieldError("idempotency_key", "must be 1-128 characters A-Z, a-z, 0-9, '-', '_', '.' or ':'");
  }
  return keys::Idempotency(caller.id(), key);
}

void Publisher::Publish(const Principal& caller, v1::PublishRequest request, absl::Time now, PublishDone done) {
  auto committed = CommitPublish(caller, request, nullptr, nullptr, now);
  if (!committed.ok() || committed->replayed) {
    std::move(done)(committed.ok() ? absl::StatusOr<v1::PublishResponse>(std::move(*committed->replayed))
                                   : committed.status());
    return;
  }
  Run(std::move(*committed), request.return_when_committed(), std::move(done));
}

void Publisher::PublishApproved(const Principal& approver, v1::PublishRequest request, DraftApproval approval,
                                absl::Time now, PublishDone done) {
  auto committed = CommitPublish(approver, request, &approval, nullptr, now);
  RunRecorded(std::move(committed), std::move(approval.committed), request.return_when_committed(), std::move(done));
}

void Publisher::PublishReply(const Principal& speaker, v1::PublishRequest request, QuestionReply reply,
                             absl::Time now, PublishDone done) {
  auto committed = CommitPublish(speaker, request, nullptr, &reply, now);
  RunRecorded(std::move(committed), std::move(reply.committed), request.return_when_committed(), std::move(done));
}

void Publisher::RunRecorded(absl::StatusOr<Committed> committed,
                            absl::AnyInvocable<absl::Status(const Statement& version) &&> mark,
                            bool return_when_committed, PublishDone done) {
  if (!committed.ok()) {
    std::move(done)(committed.status());
    return;
  }
  const Statement& version = committed->replayed ? committed->replayed->statement() : committed->commit.version;
  absl::Status marked = std::move(mark)(version);
  if (committed->replayed) {
    std::move(done)(marked.ok() ? absl::StatusOr<v1::PublishResponse>(std::move(*committed->replayed)) : marked);
    return;
  }
  // The version is committed either way: its fan-out runs, and a failed mark is the answer
  // (a repeated approval replays the commit and marks the draft then).
  if (!marked.ok()) {
    done = [marked, answer = std::move(done)](absl::StatusOr<v1::PublishResponse>) mutable {
      std::move(answer)(marked);
    };
  }
  Run(std::move(*committed), return_when_committed, std::move(done));
}

void Publisher::Revise(const Principal& caller, v1::ReviseRequest request, absl::Time now, PublishDone done) {
  auto committed = CommitRevision(caller, request, now);
  if (!committed.ok() || committed->replayed) {
    std::move(done)(committed.ok() ? absl::StatusOr<v1::PublishResponse>(std::move(*committed->replayed))
                                   : committed.status());
    return;
  }
  Run(std::move(*committed), request.return_when_committed(), std::move(done));
}

absl::StatusOr<Publisher::Committed> Publisher::CommitPublish(const Principal& caller, v1::PublishRequest& request,
                                                              const DraftApproval* approval,
                                                              const QuestionReply* reply, absl::Time now) {
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));  // the wire keeps milliseconds
  PR_RETURN_IF_ERROR(validation::NormalizeDraft(request.mutable_draft(), now));
  const v1::StatementDraft& draft = request.draft();
  const bool embargoed = IsSet(draft.embargoed()) && FromProto(draft.embargoed()) > now;
  if (request.early_to_trusted() && !embargoed) {
    return FieldError("early_to_trusted", "needs a release time in the future (draft.embargoed)");
  }
  v1::PublishRequest unkeyed = request;
  unkeyed.clear_idempotency_key();
  std::string idem_key;
  if (approval != nullptr || reply != nullptr) {
    idem_key = approval != nullptr ? keys::DraftApproval(approval->draft_id)
                                   : keys::QuestionOutcome(reply->outcome.question_id());
    unkeyed.clear_return_when_committed();  // how soon to answer does not make another statement
  } else {
    PR_ASSIGN_OR_RETURN(idem_key, IdempotencyKey(caller, request.idempotency_key()));
  }
  // A reply is the same request only with the same outcome (an answer and a decline may
  // carry the same words).
  const std::string request_hash =
      reply == nullptr ? DeterministicHash(unkeyed)
                       : ids::Sha256Hex(absl::StrCat(DeterministicHash(unkeyed), DeterministicHash(reply->outcome)));
  if (!idem_key.empty()) {
    std::optional<store::IdempotencyRecord> existing;
    {
      PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
      PR_ASSIGN_OR_RETURN(existing, StatementStore::LoadIdempotency(*redis, idem_key));
    }
    if (existing) {
      PR_ASSIGN_OR_RETURN(auto replayed, Replay(*existing, request_hash));
      return Committed{{}, {}, std::move(replayed)};
    }
  }
  // A full fan-out queue refuses the publish before anything is written.
  PR_RETURN_IF_ERROR(engine_->Admit());

  PR_ASSIGN_OR_RETURN(const std::string speaker_id, SpeakerOf(caller));
  PR_ASSIGN_OR_RETURN(auto speaker,
                      directory_->CheckSpeaker(speaker_id, draft.agency_code(), now, SubjectCodes(&draft.subjects())));

  // A successor's spokesperson answers for a merged agency's statements, but new ones are
  // issued as the successor.
  if (speaker.agency().code() != draft.agency_code()) {
    return absl::PermissionDeniedError(absl::StrCat(draft.agency_code(), " has ended; new statements are issued as ",
                                                    speaker.agency().code()));
  }
  PR_RETURN_IF_ERROR(CheckFollowsUp(draft));

  Statement version = FirstVersion(draft, now);
  version.set_id(ids::NewStatementId(now));
  version.set_uri(absl::StrCat("urn:pressrelay:statement:", version.id()));
  SetIssuer(speaker, &version);
  // An urgent statement carries the follow-up its agency undertakes, from its release.
  if (version.urgency() <= kUrgentUrgency) {
    const absl::Duration period = speaker.agency().has_urgent_follow_up()
                                      ? absl::Seconds(speaker.agency().urgent_follow_up().seconds())
                                      : urgent_follow_up_;
    const absl::Time from = embargoed ? FromProto(draft.embargoed()) : now;
    *version.mutable_follow_up_by() = ToProto(from + period);
  }
  if (reply != nullptr) *version.mutable_question_outcome() = reply->outcome;
  PR_RETURN_IF_ERROR(Sign(&version, now));

  // A reply to a question names its asker: alone, or besides whoever the subscriptions match.
  const bool to_asker_only = reply != nullptr && reply->outcome.to_asker_only();
  AudienceFacts facts;
  if (to_asker_only) {
    facts.matched = {Member(reply->asker_id)};
  } else {
    PR_ASSIGN_OR_RETURN(facts.matched, directory_->MatchAudience(audience::QueryOf(version)));
    if (reply != nullptr && std::none_of(facts.matched.begin(), facts.matched.end(), [&](const auto& m) {
          return m.recipient_id() == reply->asker_id;
        })) {
      facts.matched.push_back(Member(reply->asker_id));
    }
  }
  Plan plan = PlanVersion(version, facts, request.early_to_trusted(), engine_->options().shards, now);
  if (to_asker_only) MarkUnlisted(&plan);
  VersionCommit commit = CommitOf(version, &plan, {}, idem_key, request_hash, engine_->options().lease);
  commit.provenance = approval != nullptr
                          ? VersionRecordOf(version, approval->written_by, speaker_id, approval->draft_id)
                          : VersionRecordOf(version, speaker_id, "", "");
  if (approval != nullptr || reply != nullptr) commit.idempotency_ttl = kApprovalKept;
  if (to_asker_only) commit.head.add_only_recipients(reply->asker_id);
  commit.head.set_statement_id(version.id());
  commit.head.set_agency_code(draft.agency_code());
  commit.head.set_firstcreated_ms(absl::ToUnixMillis(now));
  return Commit(std::move(commit), std::move(plan));
}

absl::StatusOr<Publisher::Committed> Publisher::CommitRevision(const Principal& caller, v1::ReviseRequest& request,
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
    if (!validation::HasVisibleText(request.reason()) && signal != pressrelay::common::v1::VERSION_SIGNAL_UPDATE) {
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
    auto committed = TryRevision(caller, request, idem_key, request_hash, now);
    if (committed.ok() || !absl::IsAborted(committed.status()) || attempt + 1 >= kMaxRetries) return committed;
  }
}

absl::StatusOr<Publisher::Committed> Publisher::TryRevision(const Principal& caller, const v1::ReviseRequest& request,
                                                            const std::string& idem_key,
                                                            const std::string& request_hash, absl::Time now) {
  const VersionSignal signal = request.signal();
  const bool retracts = signal == pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD ||
                        signal == pressrelay::common::v1::VERSION_SIGNAL_KILL;
  StatementStore::Summary summary;
  std::optional<store::IdempotencyRecord> existing;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    if (!idem_key.empty()) {
      PR_ASSIGN_OR_RETURN(existing, StatementStore::LoadIdempotency(*redis, idem_key));
    }
    // Head and version numbers in one round trip.
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, {request.statement_id()}));
    summary = std::move(summaries[0]);
  }
  if (existing) {
    PR_ASSIGN_OR_RETURN(auto replayed, Replay(*existing, request_hash));
    return Committed{{}, {}, std::move(replayed)};
  }
  if (!summary.head) return absl::NotFoundError(absl::StrCat("no statement \"", request.statement_id(), "\""));
  const store::StatementHead& head = *summary.head;
  // The caller's right to the statement comes first: someone who may not speak for its
  // agency learns nothing of its state (killed, withheld, at which version).
  PR_ASSIGN_OR_RETURN(const std::string speaker_id, SpeakerOf(caller));
  const auto* subjects = request.has_draft() ? &request.draft().subjects() : nullptr;
  PR_ASSIGN_OR_RETURN(auto speaker,
                      directory_->CheckSpeaker(speaker_id, head.agency_code(), now, SubjectCodes(subjects)));
  const int latest = summary.latest;
  if (request.expected_version() != 0 && request.expected_version() != latest) {
    return absl::FailedPreconditionError(
        absl::StrCat("statement is at version ", latest, ", not ", request.expected_version()));
  }
  // The agency of the statement, or the one it was merged into whose spokesperson revises it.
  if (request.has_draft() && request.draft().agency_code() != head.agency_code() &&
      request.draft().agency_code() != speaker.agency().code()) {
    return FieldError("draft.agency_code", absl::StrCat("must stay ", head.agency_code()));
  }

  // Who had the statement: every recipient of an earlier job that ran or runs. Jobs still
  // waiting for their release time are replaced by this version's.
  std::optional<Statement> previous;
  AudienceFacts facts;
  facts.earlier_released = summary.released > 0;
  std::vector<std::string> cancel;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(previous, StatementStore::LoadVersion(*redis, request.statement_id(), latest));
    if (!previous) return absl::DataLossError("latest version missing");
    if (previous->pubstatus() == PUB_STATUS_CANCELED) {
      return absl::FailedPreconditionError("the statement was killed; a kill is final");
    }
    std::vector<std::string> prior_ids(head.job_ids().begin(), head.job_ids().end());
    PR_ASSIGN_OR_RETURN(auto states, StatementStore::JobStates(*redis, prior_ids));
    absl::flat_hash_set<std::string> had_set;
    for (size_t i = 0; i < prior_ids.size(); ++i) {
      if (states[i] == JobState::kScheduled) {
        cancel.push_back(prior_ids[i]);
        continue;
      }
      if (states[i] == JobState::kCanceled) continue;
      PR_ASSIGN_OR_RETURN(auto job, StatementStore::LoadJob(*redis, prior_ids[i]));
      if (!job) continue;
      for (const auto& shard : job->shards()) {
        for (const auto& rid : shard.recipients()) {
          if (had_set.insert(rid).second) facts.had.push_back(rid);
        }
      }
    }
  }

  Statement version = *previous;
  version.clear_signature();
  version.set_version(latest + 1);
  version.set_signal(signal);
  version.set_signal_reason(request.reason());
  *version.mutable_versioncreated() = ToProto(now);
  if (request.has_draft()) {
    // A revision stays in its thread: it may leave `follows_up` empty, not change it.
    if (!request.draft().follows_up().empty() && request.draft().follows_up() != previous->follows_up()) {
      return FieldError("draft.follows_up", previous->follows_up().empty()
                                                ? "must stay empty: the statement was published outside a thread"
                                                : absl::StrCat("must stay ", previous->follows_up()));
    }
    ApplyDraft(request.draft(), &version);
    version.set_follows_up(previous->follows_up());
  }
  version.set_pubstatus(signal == pressrelay::common::v1::VERSION_SIGNAL_KILL       ? PUB_STATUS_CANCELED
                        : signal == pressrelay::common::v1::VERSION_SIGNAL_WITHHOLD ? PUB_STATUS_WITHHELD
                                                                                    : PUB_STATUS_USABLE);
  SetIssuer(speaker, &version);
  PR_RETURN_IF_ERROR(Sign(&version, now));
  // An unlisted statement (an answer to one asker) keeps its audience: nobody is matched.
  const bool unlisted = head.only_recipients_size() > 0;
  if (!retracts && unlisted) {
    for (const auto& rid : head.only_recipients()) facts.matched.push_back(Member(rid));
  } else if (!retracts) {
    PR_ASSIGN_OR_RETURN(facts.matched, directory_->MatchAudience(audience::QueryOf(version)));
  }
  // A full fan-out queue refuses the revision before anything is written.
  PR_RETURN_IF_ERROR(engine_->Admit());

  Plan plan = PlanVersion(version, facts, false, engine_->options().shards, now);
  if (unlisted) MarkUnlisted(&plan);
  VersionCommit commit = CommitOf(version, &plan, head, idem_key, request_hash, engine_->options().lease);
  commit.provenance = VersionRecordOf(version, speaker_id, "", "");
  commit.expected_latest = latest;
  commit.cancel_scheduled = cancel;
  return Commit(std::move(commit), std::move(plan));
}

absl::Status Publisher::CheckFollowsUp(const v1::StatementDraft& draft) {
  if (draft.follows_up().empty()) return absl::OkStatus();
  std::optional<store::StatementHead> head;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, {draft.follows_up()}));
    head = std::move(summaries[0].head);
  }
  // Another agency's statement is reported as missing: a thread stays within one agency.
  if (!head || head->agency_code() != draft.agency_code()) {
    return FieldError("draft.follows_up",
                      absl::StrCat("no statement \"", draft.follows_up(), "\" of agency ", draft.agency_code()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Publisher::Committed> Publisher::Commit(VersionCommit commit, Plan plan) {
  CommitResult result;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(result, StatementStore::Commit(*redis, commit));
    // With --redis_wait_replicas, a version counts as committed once replicas hold it too.
    // The caller is told how to retry: with the same idempotency key, the retry is a replay.
    if (result.outcome == CommitResult::Outcome::kCommitted) {
      if (absl::Status held = redis->AwaitReplicas(); !held.ok()) {
        return absl::Status(held.code(),
                            absl::StrCat(held.message(), "; retry with the same idempotency key (a replay)"));
      }
    }
  }
  switch (result.outcome) {
    case CommitResult::Outcome::kReplay: {
      PR_ASSIGN_OR_RETURN(auto replayed, Replay(result.existing, commit.idempotency.request_hash()));
      return Committed{{}, {}, std::move(replayed)};
    }
    case CommitResult::Outcome::kConflict:
      return absl::AbortedError(absl::StrCat("the statement was revised at the same time (now version ",
                                             result.latest, "); retry"));
    case CommitResult::Outcome::kScheduleChanged:
      return absl::AbortedError("a scheduled release started at the same time; retry");
    case CommitResult::Outcome::kCommitted:
      break;
  }
  return Committed{std::move(commit), std::move(plan), std::nullopt};
}

void Publisher::Run(Committed committed, bool return_when_committed, PublishDone done) {
  const Plan& plan = committed.plan;
  v1::PublishResponse response;
  *response.mutable_statement() = committed.commit.version;
  response.set_recipients_matched(plan.matched);
  response.set_scheduled(plan.scheduled);
  if (plan.scheduled && runner_ != nullptr) runner_->Wake();
  // The version is committed: from here on it is never lost. If a run fails, the job is
  // run again after a backoff (FanoutEngine::RetryLater) by the job runner, here or on
  // another replica.
  std::vector<std::shared_ptr<const store::FanoutJob>> now;
  for (auto& job : committed.commit.jobs) {
    if (std::find(plan.run_now.begin(), plan.run_now.end(), job.job_id()) != plan.run_now.end()) {
      now.push_back(std::make_shared<const store::FanoutJob>(std::move(job)));
    }
  }
  auto retry_later = [this](const store::FanoutJob& job, const absl::Status& status) {
    engine_->RetryLater(job, status);
    if (runner_ != nullptr) runner_->Wake();  // to wait for the retry's time rather than its poll
  };
  if (return_when_committed || now.empty()) {
    for (auto& job : now) {
      engine_->Submit(job, [job, retry_later](absl::StatusOr<int64_t> queued) {
        if (!queued.ok()) retry_later(*job, queued.status());
      });
    }
    std::move(done)(std::move(response));
    return;
  }
  auto tally = std::make_shared<Tally>(std::move(response), now.size(), std::move(done));
  for (auto& job : now) {
    engine_->Submit(job, [this, job, tally, retry_later](absl::StatusOr<int64_t> queued) {
      if (!queued.ok()) {
        retry_later(*job, queued.status());
        // Answer with how far it got; the rest follows with the retry.
        queued = [&]() -> absl::StatusOr<int64_t> {
          PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
          return FanoutEngine::Queued(*redis, *job);
        }();
      }
      tally->Add(queued.ok() ? *queued : 0);
    });
  }
}

absl::StatusOr<v1::PublishResponse> Publisher::Replay(const store::IdempotencyRecord& record,
                                                      const std::string& request_hash) {
  if (record.request_hash() != request_hash) {
    return absl::AlreadyExistsError(
        "idempotency_key: already used for a different request; use a new key for a new statement");
  }
  return Published(record.statement_id(), record.version());
}

absl::StatusOr<v1::PublishResponse> Publisher::Published(const std::string& statement_id, int version_number) {
  PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
  PR_ASSIGN_OR_RETURN(auto version, StatementStore::LoadVersion(*redis, statement_id, version_number));
  PR_ASSIGN_OR_RETURN(auto head, StatementStore::LoadHead(*redis, statement_id));
  if (!version || !head) return absl::DataLossError(absl::StrCat("statement ", statement_id, " is missing"));
  v1::PublishResponse response;
  *response.mutable_statement() = *version;
  response.set_replayed(true);
  const std::vector<std::string> job_ids = StatementStore::JobsOfVersion(*head, statement_id, version_number);
  PR_ASSIGN_OR_RETURN(auto states, StatementStore::JobStates(*redis, job_ids));
  int64_t matched = 0, queued = 0;
  for (size_t i = 0; i < job_ids.size(); ++i) {
    PR_ASSIGN_OR_RETURN(auto job, StatementStore::LoadJob(*redis, job_ids[i]));
    if (!job) continue;
    matched += job->recipients_total();
    if (states[i] == JobState::kScheduled) response.set_scheduled(true);
    PR_ASSIGN_OR_RETURN(int64_t q, FanoutEngine::Queued(*redis, *job));
    queued += q;
  }
  response.set_recipients_matched(static_cast<int32_t>(matched));
  response.set_recipients_queued(static_cast<int32_t>(queued));
  return response;
}

}  // namespace pressrelay::distribution
