#include "services/subscription/access_revoker.h"

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"
#include "services/common/base/metrics.h"
#include "services/common/rpc/revocation_watcher.h"

namespace pressrelay::subscription {
namespace {

metrics::Counter& revocations_applied = metrics::CounterOf(
    "pressrelay_revocations_applied_total",
    "revocations from the registry's feed applied here (cached identities forgotten, their streams ended)");

}  // namespace

void AccessRevoker::operator()(const pressrelay::registry::v1::Revocation& revocation) {
  revocations_applied.Add();
  ForgetRevoked(revocation, *auth_);
  if (revocation.reset()) {
    const size_t ended = hub_->EndStreamsIf([this](const StreamOwner& owner) -> std::optional<absl::Status> {
      auto principal = auth_->Authenticate(owner.token);
      if (principal.ok() || !absl::IsUnauthenticated(principal.status())) return std::nullopt;
      return absl::UnauthenticatedError(principal.status().message());
    });
    spdlog::warn("revocation feed reset ({}): re-checked every stream, ended {}", revocation.reason(), ended);
    return;
  }
  const absl::Status status(absl::StatusCode::kUnauthenticated,
                            absl::StrCat("access revoked: ", revocation.reason()));
  const size_t ended = hub_->EndStreamsIf([&](const StreamOwner& owner) -> std::optional<absl::Status> {
    if (!RevocationCovers(revocation, owner.token_id, owner.principal_id, owner.role)) return std::nullopt;
    return status;
  });
  if (ended > 0) {
    spdlog::info("revocation ({}{}{}): ended {} streams", revocation.reason(),
                 revocation.token_id().empty() ? "" : ", token ", revocation.token_id(), ended);
  }
}

}  // namespace pressrelay::subscription
