#include "services/subscription/queue_access.h"

#include "services/common/base/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/domain/audience.h"
#include "services/common/domain/legal_refs.h"
#include "services/common/redis/fanout_queue.h"
#include "services/common/redis/keys.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

namespace pressrelay::subscription {
namespace {

metrics::Counter& acknowledged = metrics::CounterOf(
    "pressrelay_deliveries_acknowledged_total",
    "acknowledgements accepted (a newsroom's Ack moves its cursor over every delivery up to it)");

}  // namespace

absl::StatusOr<QueueAccess::Queue> QueueAccess::QueueOf(const Principal& caller) const {
  if (caller.recipient_id().empty()) return absl::PermissionDeniedError("the caller has no queue");
  return Queue{caller.recipient_id(), keys::ShardOf(caller.recipient_id(), shards_)};
}

absl::StatusOr<Cursor> QueueAccess::CheckCursor(const std::string& text) const {
  PR_ASSIGN_OR_RETURN(Cursor cursor, DecodeCursor(text, "cursor"));
  if (cursor.epoch != epochs_->epoch()) {
    return absl::FailedPreconditionError(
        "cursor: issued before the wire's store was reset, so it cannot be resumed; back-fill through History, "
        "then subscribe with from_oldest_retained");
  }
  return cursor;
}

namespace {

// A cursor past the queue's tail in either lane was never sent to this recipient. Entries
// trimmed away by retention were sent too: the newest ever queued is the larger of the two.
absl::Status CheckNotAheadOf(const Cursor& cursor, const fanout::Positions& tails, const fanout::Positions& trimmed) {
  for (int lane = 0; lane < keys::kLanes; ++lane) {
    if (cursor.positions[lane] > std::max(tails[lane], trimmed[lane]) && cursor.positions[lane] != 0) {
      return FieldError("cursor", "is ahead of this recipient's queue: not a cursor it was sent");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRetained(const Cursor& start, const fanout::Positions& trimmed, bool explicit_cursor) {
  for (int lane = 0; lane < keys::kLanes; ++lane) {
    if (start.positions[lane] < trimmed[lane]) {
      return absl::OutOfRangeError(absl::StrCat(
          explicit_cursor ? "cursor" : "acknowledged position",
          ": older than the queue's retention (deliveries after it were dropped); back-fill through History, "
          "then subscribe with from_oldest_retained"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<absl::StatusOr<Cursor>> QueueAccess::ResolveStarts(absl::Span<const Start> starts) {
  // Where a stream starts, without Redis where possible: from the oldest retained entry, or
  // after a cursor (checked against the queue's tails and retention) or after the
  // recipient's acknowledged position (checked against retention). The reads of every start
  // go in one pipeline; each start remembers where its replies begin.
  struct Plan {
    bool explicit_cursor = false;
    size_t first_reply = 0;  // the acknowledgement or the lanes' tails, then the trimmed marks
  };
  std::vector<absl::StatusOr<Cursor>> out;
  std::vector<Plan> plans(starts.size());
  std::vector<redis::Args> reads;
  const std::string epoch = epochs_->epoch();
  out.reserve(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    const Start& s = starts[i];
    Cursor start;
    start.epoch = epoch;
    if (s.request->from_oldest_retained()) {
      out.emplace_back(std::move(start));
      continue;
    }
    plans[i].first_reply = reads.size();
    if (!s.request->cursor().empty()) {
      auto cursor = CheckCursor(s.request->cursor());
      if (!cursor.ok()) {
        out.emplace_back(cursor.status());
        continue;
      }
      start = *std::move(cursor);
      plans[i].explicit_cursor = true;
      for (auto& read : fanout::TailReads(s.queue.shard, s.queue.recipient_id)) reads.push_back(std::move(read));
    } else {
      reads.push_back(DeliveryLedger::AcknowledgedRead(s.queue.shard, s.queue.recipient_id));
    }
    reads.push_back(fanout::TrimmedRead(s.queue.shard, s.queue.recipient_id));
    out.emplace_back(std::move(start));  // completed below
  }
  if (reads.empty()) return out;
  absl::StatusOr<std::vector<redis::Reply>> replies = [&]() -> absl::StatusOr<std::vector<redis::Reply>> {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    return redis->Pipeline(reads);
  }();
  for (size_t i = 0; i < starts.size(); ++i) {
    if (!out[i].ok() || starts[i].request->from_oldest_retained()) continue;
    if (!replies.ok()) {
      out[i] = replies.status();
      continue;
    }
    const Plan& plan = plans[i];
    Cursor& start = *out[i];
    const absl::Span<const redis::Reply> mine = absl::MakeConstSpan(*replies).subspan(plan.first_reply);
    const size_t before_trimmed = plan.explicit_cursor ? keys::kLanes : 1;
    auto trimmed = fanout::ParseTrimmed(mine[before_trimmed]);
    if (!trimmed.ok()) {
      out[i] = trimmed.status();
      continue;
    }
    if (plan.explicit_cursor) {
      auto tails = fanout::ParseTails(mine.subspan(0, keys::kLanes));
      absl::Status s = tails.ok() ? CheckNotAheadOf(start, *tails, *trimmed) : tails.status();
      if (!s.ok()) {
        out[i] = s;
        continue;
      }
    } else {
      auto acknowledged = DeliveryLedger::ParseAcknowledged(mine[0]);
      if (!acknowledged.ok()) {
        out[i] = acknowledged.status();
        continue;
      }
      start.positions = *acknowledged;
      // A recipient that never acknowledged anything starts with whatever is retained.
      if (start.positions[0] == 0 && start.positions[1] == 0) continue;
    }
    if (absl::Status s = CheckRetained(start, *trimmed, plan.explicit_cursor); !s.ok()) out[i] = s;
  }
  return out;
}

absl::Status QueueAccess::CheckNotAhead(redis::Client& redis, const Queue& queue, const Cursor& cursor) const {
  // The lanes' tails and the trimmed marks in one round trip.
  std::vector<redis::Args> reads = fanout::TailReads(queue.shard, queue.recipient_id);
  reads.push_back(fanout::TrimmedRead(queue.shard, queue.recipient_id));
  PR_ASSIGN_OR_RETURN(auto replies, redis.Pipeline(reads));
  PR_ASSIGN_OR_RETURN(fanout::Positions tails, fanout::ParseTails(absl::MakeConstSpan(replies).first(keys::kLanes)));
  PR_ASSIGN_OR_RETURN(fanout::Positions trimmed, fanout::ParseTrimmed(replies[keys::kLanes]));
  return CheckNotAheadOf(cursor, tails, trimmed);
}

absl::Status QueueAccess::Ack(const Queue& queue, const v1::AckRequest& request, absl::Time now) {
  if (request.cursor().empty()) return FieldError("cursor", "is required");
  PR_ASSIGN_OR_RETURN(Cursor cursor, CheckCursor(request.cursor()));
  {
    PR_ASSIGN_OR_RETURN(auto redis, pool_->Acquire());
    PR_RETURN_IF_ERROR(CheckNotAhead(*redis, queue, cursor));
  }
  PR_RETURN_IF_ERROR(ledger_->Acknowledge(queue.shard, queue.recipient_id, cursor.positions, now));
  acknowledged.Add();
  return absl::OkStatus();
}

absl::StatusOr<v1::HistoryResponse> QueueAccess::History(const Queue& queue, const v1::HistoryRequest& request) {
  if (request.page_size() < 0) return FieldError("page_size", "must not be negative");
  std::string cites;
  if (!request.cites().empty()) {
    cites = legal::CanonicalRef(request.cites());
    if (cites.empty()) {
      return FieldError("cites", "is not a legal document reference (e.g. 09/2017/NĐ-CP, 07/CT-TTg)");
    }
  }
  auto subscription = directory_->GetSubscription(queue.recipient_id);
  v1::HistoryResponse response;
  if (absl::IsNotFound(subscription.status())) return response;  // entitled to nothing
  if (!subscription.ok()) return subscription.status();
  pressrelay::distribution::v1::QueryHistoryRequest query;
  *query.mutable_filter() = audience::HistoryFilterOf(*subscription);
  query.set_page_size(request.page_size());
  query.set_page_token(request.page_token());
  query.set_cites(cites);
  PR_ASSIGN_OR_RETURN(auto page, statements_->QueryHistory(query));
  *response.mutable_statements() = std::move(*page.mutable_statements());
  response.set_next_page_token(page.next_page_token());
  return response;
}

absl::StatusOr<pressrelay::common::v1::SearchResults> QueueAccess::Search(const Queue& queue,
                                                                         const v1::SearchRequest& request) {
  auto subscription = directory_->GetSubscription(queue.recipient_id);
  if (absl::IsNotFound(subscription.status())) {
    return pressrelay::common::v1::SearchResults();  // entitled to nothing
  }
  if (!subscription.ok()) return subscription.status();
  pressrelay::distribution::v1::CatalogSearchRequest query;
  *query.mutable_filter() = audience::HistoryFilterOf(*subscription);
  *query.mutable_query() = request.query();
  query.set_page_size(request.page_size());
  query.set_page_token(request.page_token());
  return statements_->Search(query);
}

}  // namespace pressrelay::subscription
