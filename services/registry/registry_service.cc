#include "services/registry/registry_service.h"

#include <deque>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/grpc_util.h"
#include "services/common/status.h"
#include "services/common/status_macros.h"
#include "services/common/time_util.h"

namespace pressrelay::registry {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

// Each handler: RunAuthorized authenticates and applies the access policy on a worker,
// then the lambda calls the logic and fills the response.

ServerUnaryReactor* RegistryAdminService::UpsertAgency(CallbackServerContext* ctx,
                                                       const v1::UpsertAgencyRequest* request,
                                                       v1::UpsertAgencyResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.UpsertAgency", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_agency(), registry_->UpsertAgency(request->agency()));
    return absl::OkStatus();
  }, request, response);
}

ServerUnaryReactor* RegistryAdminService::GetAgency(CallbackServerContext* ctx, const v1::GetAgencyRequest* request,
                                                    v1::Agency* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.GetAgency", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->GetAgency(request->code()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::ListAgencies(CallbackServerContext* ctx, const v1::ListAgenciesRequest*,
                                                       v1::ListAgenciesResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListAgencies", [=, this](const Principal&) {
    for (auto& a : registry_->ListAgencies()) *response->add_agencies() = std::move(a);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertSpokesperson(CallbackServerContext* ctx,
                                                             const v1::UpsertSpokespersonRequest* request,
                                                             v1::UpsertSpokespersonResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.UpsertSpokesperson",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_spokesperson(),
                                             registry_->UpsertSpokesperson(request->spokesperson()));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* RegistryAdminService::ListSpokespeople(CallbackServerContext* ctx,
                                                           const v1::ListSpokespeopleRequest* request,
                                                           v1::ListSpokespeopleResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListSpokespeople", [=, this](const Principal&) {
    for (auto& s : registry_->ListSpokespeople(request->agency_code())) *response->add_spokespeople() = std::move(s);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertOutlet(CallbackServerContext* ctx,
                                                       const v1::UpsertOutletRequest* request,
                                                       v1::UpsertOutletResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.UpsertOutlet", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_outlet(), registry_->UpsertOutlet(request->outlet()));
    return absl::OkStatus();
  }, request, response);
}

ServerUnaryReactor* RegistryAdminService::ListOutlets(CallbackServerContext* ctx, const v1::ListOutletsRequest*,
                                                      v1::ListOutletsResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListOutlets", [=, this](const Principal&) {
    for (auto& o : registry_->ListOutlets()) *response->add_outlets() = std::move(o);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertJournalist(CallbackServerContext* ctx,
                                                           const v1::UpsertJournalistRequest* request,
                                                           v1::UpsertJournalistResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.UpsertJournalist",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_journalist(),
                                             registry_->UpsertJournalist(request->journalist()));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* RegistryAdminService::ListJournalists(CallbackServerContext* ctx,
                                                          const v1::ListJournalistsRequest* request,
                                                          v1::ListJournalistsResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListJournalists", [=, this](const Principal&) {
    for (auto& j : registry_->ListJournalists(request->outlet_id())) *response->add_journalists() = std::move(j);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::UpsertNewsroomClient(CallbackServerContext* ctx,
                                                               const v1::UpsertNewsroomClientRequest* request,
                                                               v1::UpsertNewsroomClientResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.UpsertNewsroomClient",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_client(),
                                             registry_->UpsertNewsroomClient(request->client()));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* RegistryAdminService::ListNewsroomClients(CallbackServerContext* ctx,
                                                              const v1::ListNewsroomClientsRequest* request,
                                                              v1::ListNewsroomClientsResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListNewsroomClients", [=, this](const Principal&) {
    for (auto& c : registry_->ListNewsroomClients(request->outlet_id())) *response->add_clients() = std::move(c);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::SetSubscription(CallbackServerContext* ctx,
                                                          const v1::SetSubscriptionRequest* request,
                                                          v1::SetSubscriptionResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.SetSubscription",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response->mutable_subscription(),
                                             registry_->SetSubscription(request->subscription()));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* RegistryAdminService::GetSubscription(CallbackServerContext* ctx,
                                                          const v1::GetSubscriptionRequest* request,
                                                          v1::Subscription* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.GetSubscription",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, registry_->GetSubscription(request->recipient_id()));
                         return absl::OkStatus();
                       });
}

ServerUnaryReactor* RegistryAdminService::ImportRecipients(CallbackServerContext* ctx,
                                                           const v1::ImportRecipientsRequest* request,
                                                           v1::ImportRecipientsResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ImportRecipients",
                       [=, this](const Principal&) -> absl::Status {
                         PR_ASSIGN_OR_RETURN(*response, registry_->ImportRecipients(*request));
                         return absl::OkStatus();
                       }, request, response);
}

ServerUnaryReactor* RegistryAdminService::IssueToken(CallbackServerContext* ctx, const v1::IssueTokenRequest* request,
                                                     v1::IssueTokenResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.IssueToken", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->IssueToken(*request, absl::Now()));
    return absl::OkStatus();
  }, request, response);
}

ServerUnaryReactor* RegistryAdminService::RevokeToken(CallbackServerContext* ctx,
                                                      const v1::RevokeTokenRequest* request,
                                                      v1::RevokeTokenResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.RevokeToken", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_info(), registry_->RevokeToken(request->token_id(), absl::Now()));
    return absl::OkStatus();
  }, request, response);
}

ServerUnaryReactor* RegistryAdminService::ListTokens(CallbackServerContext* ctx, const v1::ListTokensRequest* request,
                                                     v1::ListTokensResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.ListTokens", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(auto tokens, registry_->ListTokens(request->subject_id()));
    for (auto& t : tokens) *response->add_tokens() = std::move(t);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* RegistryAdminService::QueryAudit(CallbackServerContext* ctx, const v1::QueryAuditRequest* request,
                                                     v1::QueryAuditResponse* response) {
  return RunAuthorized(ctx, *edge_, "RegistryAdmin.QueryAudit", [=, this](const Principal&) -> absl::Status {
    AuditLog::Query query;
    query.principal_id = request->principal_id();
    query.method = request->method();
    query.target = request->target();
    if (request->has_since()) {
      if (!IsValidTimestamp(request->since())) return FieldError("since", "is not a valid time");
      query.since = FromProto(request->since());
    }
    if (request->limit() < 0 || request->limit() > 1000) return FieldError("limit", "must be 0-1000 (0: 100)");
    query.limit = request->limit() == 0 ? 100 : request->limit();
    query.page_token = request->page_token();
    PR_ASSIGN_OR_RETURN(AuditLog::Page page, edge_->audit->Read(query));
    for (auto& e : page.entries) *response->add_entries() = std::move(e);
    response->set_next_page_token(std::move(page.next_page_token));
    return absl::OkStatus();
  });
}

// --- Directory ----------------------------------------------------------------------------

ServerUnaryReactor* DirectoryService::Authenticate(CallbackServerContext* ctx, const v1::AuthenticateRequest* request,
                                                   v1::AuthenticateResponse* response) {
  return RunAuthorized(ctx, *edge_, "Directory.Authenticate", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response->mutable_principal(), registry_->Authenticate(request->token(), absl::Now()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::CheckSpeaker(CallbackServerContext* ctx, const v1::CheckSpeakerRequest* request,
                                                   v1::CheckSpeakerResponse* response) {
  return RunAuthorized(ctx, *edge_, "Directory.CheckSpeaker", [=, this](const Principal&) -> absl::Status {
    const absl::Time at = IsSet(request->at()) ? FromProto(request->at()) : absl::Now();
    PR_ASSIGN_OR_RETURN(*response, registry_->CheckSpeaker(request->spokesperson_id(), request->agency_code(), at));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::MatchAudience(CallbackServerContext* ctx,
                                                    const v1::StatementAudienceQuery* request,
                                                    v1::MatchAudienceResponse* response) {
  return RunAuthorized(ctx, *edge_, "Directory.MatchAudience", [=, this](const Principal&) {
    auto members = registry_->MatchAudience(*request, absl::Now());
    response->mutable_members()->Reserve(static_cast<int>(members.size()));
    for (auto& m : members) *response->add_members() = std::move(m);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::GetRecipients(CallbackServerContext* ctx,
                                                    const v1::GetRecipientsRequest* request,
                                                    v1::GetRecipientsResponse* response) {
  return RunAuthorized(ctx, *edge_, "Directory.GetRecipients", [=, this](const Principal&) {
    std::vector<std::string> ids(request->recipient_ids().begin(), request->recipient_ids().end());
    for (auto& r : registry_->GetRecipients(ids)) *response->add_recipients() = std::move(r);
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::GetSubscription(CallbackServerContext* ctx,
                                                      const v1::GetSubscriptionRequest* request,
                                                      v1::Subscription* response) {
  return RunAuthorized(ctx, *edge_, "Directory.GetSubscription", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(*response, registry_->GetSubscription(request->recipient_id()));
    return absl::OkStatus();
  });
}

ServerUnaryReactor* DirectoryService::PublishAgencyKeys(CallbackServerContext* ctx,
                                                        const v1::PublishAgencyKeysRequest* request,
                                                        v1::PublishAgencyKeysResponse*) {
  return RunAuthorized(ctx, *edge_, "Directory.PublishAgencyKeys", [=, this](const Principal&) {
    return registry_->PublishAgencyKeys(std::vector<v1::AgencyKey>(request->keys().begin(), request->keys().end()));
  }, request, nullptr);
}

namespace {

// One Directory.WatchRevocations stream: revocations from the feed are queued and written
// one at a time.
//
//   1. Created by the handler; a worker authenticates the caller and joins the feed, or
//      finishes the stream with the error.
//   2. The feed thread calls Deliver (never blocking: it only queues and starts a write).
//      A watcher that lets kMaxQueued revocations pile up is ended; it reconnects with its
//      cursor and loses nothing.
//   3. OnDone leaves the feed; after that the feed never calls again.
// Lifetime: reference counted (gRPC until OnDone, and the start task).
class RevocationWatch final : public grpc::ServerWriteReactor<v1::Revocation>, public RevocationFeed::Watcher {
 public:
  static constexpr size_t kMaxQueued = 10000;

  RevocationWatch(RevocationFeed* feed) : feed_(feed) {}

  void Start(Edge& edge, std::string token, std::string after) {
    Ref();
    edge.pool->Submit([this, &edge, token = std::move(token), after = std::move(after)]() mutable {
      absl::Status status = Admit(edge, token, "", "Directory.WatchRevocations").status();
      if (status.ok() && !after.empty() && !IsStreamId(after)) status = FieldError("after", "is not a cursor");
      if (!status.ok()) {
        absl::MutexLock lock(&mu_);
        FinishLocked(ToGrpcStatus(status));
      } else {
        feed_->Add(this, std::move(after));
        // OnDone may have run before Add: then it could not remove us, so we do.
        absl::MutexLock lock(&mu_);
        if (done_) feed_->Remove(this);
      }
      Unref();
    });
  }

  void Deliver(const std::vector<v1::Revocation>& revocations) override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    for (const auto& r : revocations) queue_.push_back(r);
    if (queue_.size() > kMaxQueued) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "revocations are not being read; reconnect with the last cursor"));
      return;
    }
    if (!writing_) WriteNextLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
      return;
    }
    queue_.pop_front();
    if (!queue_.empty()) WriteNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    feed_->Remove(this);
    Unref();
  }

 private:
  static bool IsStreamId(absl::string_view s) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(s, absl::MaxSplits('-', 1));
    uint64_t a = 0, b = 0;
    return absl::SimpleAtoi(parts.first, &a) && absl::SimpleAtoi(parts.second, &b);
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || queue_.empty()) return;
    writing_ = true;
    StartWrite(&queue_.front());
  }
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }
  void Ref() { refs_.fetch_add(1); }
  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  RevocationFeed* const feed_;
  std::atomic<int> refs_{1};
  absl::Mutex mu_;
  std::deque<v1::Revocation> queue_ ABSL_GUARDED_BY(mu_);  // front: the write in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::Revocation>* DirectoryService::WatchRevocations(
    CallbackServerContext* ctx, const v1::WatchRevocationsRequest* request) {
  auto* watch = new RevocationWatch(revocations_);
  watch->Start(*edge_, BearerToken(*ctx), request->after());
  return watch;
}

ServerUnaryReactor* KeysService::ListAgencyKeys(CallbackServerContext* ctx, const v1::ListAgencyKeysRequest* request,
                                                v1::ListAgencyKeysResponse* response) {
  return RunAuthorized(ctx, *edge_, "Keys.ListAgencyKeys", [=, this](const Principal&) -> absl::Status {
    PR_ASSIGN_OR_RETURN(auto keys, registry_->ListAgencyKeys(request->agency_code()));
    for (auto& k : keys) *response->add_keys() = std::move(k);
    return absl::OkStatus();
  });
}

}  // namespace pressrelay::registry
