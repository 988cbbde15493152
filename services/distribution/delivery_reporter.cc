#include "services/distribution/delivery_reporter.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "services/distribution/fanout_engine.h"
#include "services/distribution/read_access.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/rpc/status_mapping.h"

namespace pressrelay::distribution {

GrpcLedgerSource::GrpcLedgerSource(std::shared_ptr<grpc::Channel> channel, std::string service_token)
    : stub_(sub_v1::Ledger::NewStub(std::move(channel))), service_token_(std::move(service_token)) {}

absl::StatusOr<sub_v1::GetDeliveryStatesResponse> GrpcLedgerSource::States(const std::string& statement_id,
                                                                           int version) {
  sub_v1::GetDeliveryStatesRequest request;
  request.set_statement_id(statement_id);
  request.set_version(version);
  sub_v1::GetDeliveryStatesResponse response;
  auto ctx = CallContext(service_token_, absl::Seconds(10));
  grpc::Status status = stub_->GetDeliveryStates(ctx.get(), request, &response);
  if (!status.ok()) return Annotate(FromGrpcStatus(status), "subscription ledger");
  return response;
}

absl::StatusOr<v1::DeliveryReport> DeliveryReporter::Report(const Principal& caller,
                                                            const v1::GetDeliveryReportRequest& request) {
  if (request.statement_id().empty()) return FieldError("statement_id", "is required");
  if (request.version() < 0) return FieldError("version", "must not be negative");
  StatementStore::Summary summary;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(auto summaries, StatementStore::LoadSummaries(*redis, {request.statement_id()}));
    summary = std::move(summaries[0]);
  }
  if (!summary.head) return absl::NotFoundError(absl::StrCat("no statement \"", request.statement_id(), "\""));
  const store::StatementHead& head = *summary.head;
  PR_RETURN_IF_ERROR(MayReadAgency(caller, head.agency_code(), *directory_, absl::Now()));
  const int latest = summary.latest;
  const int version = request.version() == 0 ? latest : request.version();
  if (version > latest) return FieldError("version", absl::StrCat("the statement has ", latest, " versions"));

  // The version's audience: every recipient of its jobs that were not canceled. One
  // connection for all of it, given back before the calls to other services.
  const std::vector<std::string> job_ids = StatementStore::JobsOfVersion(head, request.statement_id(), version);
  std::vector<fanout::MemberRef> refs;
  std::vector<bool> queued;
  std::vector<int64_t> seqs;
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_ASSIGN_OR_RETURN(auto states, StatementStore::JobStates(*redis, job_ids));
    for (size_t i = 0; i < job_ids.size(); ++i) {
      if (states[i] == JobState::kCanceled) continue;
      PR_ASSIGN_OR_RETURN(auto job, StatementStore::LoadJob(*redis, job_ids[i]));
      if (!job) continue;
      PR_ASSIGN_OR_RETURN(auto progresses, fanout::Progress(*redis, job->job_id(), ShardsOf(*job)));
      for (int s = 0; s < job->shards_size(); ++s) {
        const auto& shard = job->shards(s);
        for (int k = 0; k < shard.recipients_size(); ++k) {
          refs.push_back({shard.shard(), shard.recipients(k), static_cast<keys::Lane>(job->lane())});
          queued.push_back(k < progresses[s]);
        }
      }
    }
    PR_ASSIGN_OR_RETURN(seqs, fanout::QueuedSeqs(*redis, refs, request.statement_id(), version));
  }
  PR_ASSIGN_OR_RETURN(auto ledger, ledger_->States(request.statement_id(), version));
  absl::flat_hash_map<std::string, const sub_v1::RecipientState*> by_recipient;
  for (const auto& state : ledger.states()) by_recipient[state.recipient_id()] = &state;
  std::vector<std::string> ids;
  for (const auto& ref : refs) ids.push_back(ref.recipient_id);
  PR_ASSIGN_OR_RETURN(auto infos, directory_->GetRecipients(ids));

  v1::DeliveryReport report;
  report.set_statement_id(request.statement_id());
  report.set_version(version);
  report.set_recipients_matched(static_cast<int32_t>(refs.size()));
  std::vector<v1::RecipientDelivery> rows;
  for (size_t i = 0; i < refs.size(); ++i) {
    v1::RecipientDelivery row;
    row.set_recipient_id(refs[i].recipient_id);
    if (i < infos.size()) {
      row.set_display_name(infos[i].display_name());
      row.set_outlet_id(infos[i].outlet_id());
      row.set_outlet_name(infos[i].outlet_name());
    }
    if (queued[i]) {
      report.set_queued(report.queued() + 1);
      if (seqs[i] > 0) *row.mutable_queued_at() = ProtoFromMillis(fanout::SeqMillis(seqs[i]));
    }
    if (auto it = by_recipient.find(refs[i].recipient_id); it != by_recipient.end()) {
      if (IsSet(it->second->sent_at())) {
        *row.mutable_sent_at() = it->second->sent_at();
        report.set_sent(report.sent() + 1);
      }
      if (IsSet(it->second->acknowledged_at())) {
        *row.mutable_acknowledged_at() = it->second->acknowledged_at();
        report.set_acknowledged(report.acknowledged() + 1);
      }
    }
    if (request.only_unacknowledged() && IsSet(row.acknowledged_at())) continue;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const v1::RecipientDelivery& a, const v1::RecipientDelivery& b) {
    return std::tie(a.outlet_name(), a.recipient_id()) < std::tie(b.outlet_name(), b.recipient_id());
  });
  for (auto& row : rows) *report.add_recipients() = std::move(row);
  return report;
}

}  // namespace pressrelay::distribution
