#include "services/registry/tokens.h"

#include <algorithm>

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
    case v1::SUBJECT_KIND_PRESS_OFFICER:
      if (!view.Has(Kind::kPressOfficer, id)) v->Add("subject_id", absl::StrCat("no press officer \"", id, "\""));
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

absl::StatusOr<v1::TokenInfo> Tokens::Revoke(const std::string& token_id, absl::Time now, absl::string_view reason) {
  PR_ASSIGN_OR_RETURN(auto info, store_->GetToken(token_id));
  if (!info) return absl::NotFoundError(absl::StrCat("no token \"", token_id, "\""));
  v1::Revocation revocation;
  revocation.set_token_id(token_id);
  revocation.set_reason(std::string(reason));
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
  return Verdict(info, now);
}

absl::StatusOr<std::vector<absl::StatusOr<Principal>>> Tokens::AuthenticateBatch(const std::vector<std::string>& tokens,
                                                                                absl::Time now) const {
  std::vector<std::string> hashes;
  hashes.reserve(tokens.size());
  for (const auto& token : tokens) hashes.push_back(token.empty() ? std::string() : ids::TokenHash(token));
  PR_ASSIGN_OR_RETURN(auto infos, store_->FindTokensByHash(hashes));
  std::vector<absl::StatusOr<Principal>> verdicts;
  verdicts.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) {
      verdicts.push_back(absl::UnauthenticatedError("missing bearer token"));
      continue;
    }
    verdicts.push_back(Verdict(infos[i], now));
  }
  return verdicts;
}

absl::StatusOr<Principal> Tokens::Verdict(const std::optional<v1::TokenInfo>& info, absl::Time now) const {
  if (!info) return absl::UnauthenticatedError("unknown token");
  if (IsSet(info->revoked_at())) return absl::UnauthenticatedError("token revoked");
  if (FromProto(info->expires_at()) <= now) return absl::UnauthenticatedError("token expired");
  if (info->session()) {
    PR_ASSIGN_OR_RETURN(SessionState state, store_->GetSessionState(*info));
    if (state.idle_left <= absl::ZeroDuration()) {
      return absl::UnauthenticatedError(
          absl::StrCat("session ended: unused for ", absl::FormatDuration(sessions_.idle_timeout)));
    }
    if (!state.account) return absl::UnauthenticatedError("the session's account no longer exists");
    // Uses are recorded at most every tenth of the idle timeout (and at most once a minute),
    // not on every call: a session may end that much early, and Redis sees few writes.
    const absl::Duration touch_every = std::min(absl::Minutes(1), sessions_.idle_timeout / 10);
    if (sessions_.idle_timeout - state.idle_left >= touch_every) {
      PR_RETURN_IF_ERROR(store_->TouchSession(info->token_id(), sessions_.idle_timeout));
      state.idle_left = sessions_.idle_timeout;
    }
    return SessionPrincipal(*info, state.account->account(), now, state.idle_left);
  }
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

// --- sessions ---------------------------------------------------------------------------

absl::StatusOr<v1::IssueTokenResponse> Tokens::IssueSession(const v1::Account& account,
                                                            const std::string& description, absl::Time now) {
  v1::IssueTokenResponse response;
  response.set_token(absl::StrCat(kSessionTokenPrefix, absl::StripPrefix(ids::NewToken(), "prt_")));
  auto* info = response.mutable_info();
  info->set_token_id(ids::NewTokenId());
  info->set_subject_kind(account.subject_kind());
  info->set_subject_id(account.subject_id());
  info->set_description(description);
  *info->mutable_issued_at() = ToProto(now);
  *info->mutable_expires_at() = ToProto(now + sessions_.lifetime);
  info->set_session(true);
  info->set_username(account.username());
  PR_RETURN_IF_ERROR(store_->PutSession({*info, ids::TokenHash(response.token())}, sessions_.idle_timeout));
  return response;
}

absl::StatusOr<Principal> Tokens::SessionPrincipal(const v1::TokenInfo& info, const v1::Account& account,
                                                   absl::Time now, absl::Duration idle_left) const {
  if (account.disabled()) return absl::UnauthenticatedError("account disabled");
  if (account.subject_kind() != info.subject_kind() || account.subject_id() != info.subject_id()) {
    return absl::UnauthenticatedError("the account stands for someone else since this sign-in");
  }
  PR_ASSIGN_OR_RETURN(Principal principal, view_->PrincipalFor(info));
  principal.set_session(true);
  // Read from the account at each call, so enrolling takes effect in the same session.
  principal.set_second_factor_pending(account.subject_kind() == v1::SUBJECT_KIND_OPERATOR && !account.totp_enabled());
  if (account.subject_kind() == v1::SUBJECT_KIND_OPERATOR) principal.set_display_name(account.display_name());
  // Caches keep the answer no longer than the session may stay unused.
  *principal.mutable_access_until() = ToProto(std::min(FromProto(info.expires_at()), now + idle_left));
  return principal;
}

absl::StatusOr<v1::TokenInfo> Tokens::SessionOf(const Principal& caller) const {
  if (caller.session()) {
    PR_ASSIGN_OR_RETURN(auto info, store_->GetToken(caller.token_id()));
    if (info && info->session()) return *info;
  }
  return absl::FailedPreconditionError("only a person signed in through the admin gateway has an account here");
}

absl::Status Tokens::SignOut(absl::string_view session_token, absl::Time now) {
  if (session_token.empty()) return FieldError("session_token", "is required");
  PR_ASSIGN_OR_RETURN(auto info, store_->FindTokenByHash(ids::TokenHash(session_token)));
  if (!info || IsSet(info->revoked_at())) return absl::OkStatus();
  if (!info->session()) return FieldError("session_token", "is not a session");
  return Revoke(info->token_id(), now, "signed out").status();
}

absl::Status Tokens::EndSessions(const std::string& username, absl::string_view reason, absl::Time now,
                                 const std::string& keep) {
  return SweepSessions(username, now, reason, keep);
}

absl::Status Tokens::PruneSessions(const std::string& username, absl::Time now) {
  return SweepSessions(username, now, "", "");
}

absl::Status Tokens::SweepSessions(const std::string& username, absl::Time now, absl::string_view end_reason,
                                   const std::string& keep) {
  constexpr absl::Duration kListedAfterEnd = absl::Hours(24);
  PR_ASSIGN_OR_RETURN(auto sessions, store_->AccountSessions(username));
  for (const auto& [token_id, hash] : sessions) {
    PR_ASSIGN_OR_RETURN(auto info, store_->GetToken(token_id));
    absl::Time ended = absl::InfiniteFuture();
    if (info) {
      ended = std::min(FromProto(info->expires_at()), IsSet(info->revoked_at()) ? FromProto(info->revoked_at())
                                                                                : absl::InfiniteFuture());
    }
    if (ended <= now - kListedAfterEnd || !info) {
      PR_RETURN_IF_ERROR(store_->DeleteSession(username, token_id, hash));
    } else if (!end_reason.empty() && ended > now && token_id != keep) {
      PR_RETURN_IF_ERROR(Revoke(token_id, now, end_reason).status());
    }
  }
  return absl::OkStatus();
}

}  // namespace pressrelay::registry
