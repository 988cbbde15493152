#include "services/registry/tokens.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/validation.h"
#include "services/registry/listing.h"

namespace pressrelay::registry {
namespace {

using pressrelay::common::v1::Principal;

v1::SubjectKind SubjectKindOfRole(absl::string_view word) {
  if (word == "operator") return v1::SUBJECT_KIND_OPERATOR;
  if (word == "service") return v1::SUBJECT_KIND_SERVICE;
  if (word == "gateway") return v1::SUBJECT_KIND_GATEWAY;
  return v1::SUBJECT_KIND_UNSPECIFIED;
}

void CheckSubject(const DirectoryView& view, v1::SubjectKind kind, const std::string& id, FieldViolations* v) {
  switch (kind) {
    case v1::SUBJECT_KIND_SPOKESPERSON:
      if (!view.Has(Kind::kSpokesperson, id)) v->Add("subject_id", absl::StrCat("no spokesperson \"", id, "\""));
      break;
    case v1::SUBJECT_KIND_NEWSROOM_CLIENT:
      if (!view.Has(Kind::kClient, id)) v->Add("subject_id", absl::StrCat("no newsroom client \"", id, "\""));
      break;
    case v1::SUBJECT_KIND_JOURNALIST:
      if (!view.Has(Kind::kJournalist, id)) v->Add("subject_id", absl::StrCat("no journalist with card \"", id, "\""));
      break;
    case v1::SUBJECT_KIND_OPERATOR:
    case v1::SUBJECT_KIND_SERVICE:
    case v1::SUBJECT_KIND_GATEWAY:
      if (!validation::IsSlugId(id)) v->Add("subject_id", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
      break;
    default:
      v->Add("subject_kind", "is required");
  }
}

}  // namespace

absl::StatusOr<std::vector<BootstrapToken>> ParseBootstrapTokens(absl::string_view text) {
  std::vector<BootstrapToken> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.size() != 3 || SubjectKindOfRole(words[0]) == v1::SUBJECT_KIND_UNSPECIFIED ||
        !validation::IsSlugId(words[1]) || words[2].size() < 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bootstrap tokens line ", line_no,
          ": expected \"operator|service|gateway <name> <token of 16+ characters>\""));
    }
    out.push_back({SubjectKindOfRole(words[0]), std::string(words[1]), std::string(words[2])});
  }
  return out;
}

absl::StatusOr<v1::IssueTokenResponse> Tokens::Issue(const v1::IssueTokenRequest& request, absl::Time now) {
  FieldViolations v;
  const std::string& id = request.subject_id();
  CheckSubject(*view_, request.subject_kind(), id, &v);
  absl::Duration ttl = absl::Seconds(request.ttl_seconds());
  if (request.ttl_seconds() == 0) ttl = kDefaultTokenTtl;
  if (ttl <= absl::ZeroDuration() || ttl > kMaxTokenTtl) v.Add("ttl_seconds", "must be between 1 s and 366 days");
  std::string description = request.description();
  validation::NormalizeText(&description, "description", 200, false, &v);
  PR_RETURN_IF_ERROR(v.ToStatus());

  v1::IssueTokenResponse response;
  response.set_token(ids::NewToken());
  auto* info = response.mutable_info();
  info->set_token_id(ids::NewTokenId());
  info->set_subject_kind(request.subject_kind());
  info->set_subject_id(id);
  info->set_description(description);
  *info->mutable_issued_at() = ToProto(now);
  *info->mutable_expires_at() = ToProto(now + ttl);
  PR_RETURN_IF_ERROR(store_->PutToken({*info, ids::TokenHash(response.token())}));
  return response;
}

absl::StatusOr<v1::TokenInfo> Tokens::Revoke(const std::string& token_id, absl::Time now) {
  PR_ASSIGN_OR_RETURN(auto info, store_->GetToken(token_id));
  if (!info) return absl::NotFoundError(absl::StrCat("no token \"", token_id, "\""));
  v1::Revocation revocation;
  revocation.set_token_id(token_id);
  revocation.set_reason("token revoked");
  if (!IsSet(info->revoked_at())) {
    // The record and its announcement in one transaction.
    *info->mutable_revoked_at() = ToProto(now);
    PR_RETURN_IF_ERROR(store_->UpdateTokenInfo(*info, {revocation}));
  } else {
    // Already revoked: announced again, as every revoke call always has been (a no-op for
    // the services).
    PR_RETURN_IF_ERROR(store_->AppendRevocations({revocation}));
  }
  return *info;
}

absl::StatusOr<std::vector<v1::TokenInfo>> Tokens::List(const std::string& subject_id) const {
  PR_ASSIGN_OR_RETURN(auto all, store_->ListTokens());
  return Listing(all, subject_id, &v1::TokenInfo::subject_id, &v1::TokenInfo::token_id);
}

absl::Status Tokens::InstallBootstrap(const std::vector<BootstrapToken>& tokens, absl::Time now) {
  for (const auto& t : tokens) {
    StoredToken stored;
    stored.hash = ids::TokenHash(t.token);
    // A stable id derived from the hash: installing the same token twice is a no-op.
    stored.info.set_token_id(absl::StrCat("tok_boot_", stored.hash.substr(0, 12)));
    stored.info.set_subject_kind(t.kind);
    stored.info.set_subject_id(t.subject_id);
    stored.info.set_description("installed at start-up");
    *stored.info.mutable_issued_at() = ToProto(now);
    *stored.info.mutable_expires_at() = ToProto(now + kMaxTokenTtl);
    absl::Status s = store_->PutToken(stored);
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> Tokens::Authenticate(absl::string_view token, absl::Time now) const {
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  PR_ASSIGN_OR_RETURN(auto info, store_->FindTokenByHash(ids::TokenHash(token)));
  if (!info) return absl::UnauthenticatedError("unknown token");
  if (IsSet(info->revoked_at())) return absl::UnauthenticatedError("token revoked");
  if (FromProto(info->expires_at()) <= now) return absl::UnauthenticatedError("token expired");
  PR_ASSIGN_OR_RETURN(Principal principal, view_->PrincipalFor(*info));
  *principal.mutable_access_until() = info->expires_at();
  if (principal.role() == pressrelay::common::v1::ROLE_JOURNALIST) {
    if (std::optional<absl::Time> card_expires = view_->CardExpires(principal.id())) {
      if (*card_expires <= now) return absl::UnauthenticatedError("press card expired");
      if (*card_expires < FromProto(info->expires_at())) *principal.mutable_access_until() = ToProto(*card_expires);
    }
  }
  return principal;
}

}  // namespace pressrelay::registry
