#include "services/common/rpc/access_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pressrelay {
namespace {

using pressrelay::common::v1::ROLE_GATEWAY;
using pressrelay::common::v1::ROLE_JOURNALIST;
using pressrelay::common::v1::ROLE_NEWSROOM_CLIENT;
using pressrelay::common::v1::ROLE_OPERATOR;
using pressrelay::common::v1::ROLE_PRESS_OFFICER;
using pressrelay::common::v1::ROLE_SERVICE;
using pressrelay::common::v1::ROLE_SPOKESPERSON;

struct Rule {
  absl::string_view method;
  std::vector<Role> roles;
  bool mutates = false;  // recorded in the audit trail
};
constexpr bool kMutates = true;

const std::vector<Rule>& Table() {
  static const auto* table = new std::vector<Rule>{
      // Registry administration: operators.
      {"RegistryAdmin.UpsertAgency", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.GetAgency", {ROLE_OPERATOR}},
      {"RegistryAdmin.ListAgencies", {ROLE_OPERATOR, ROLE_SERVICE}},
      {"RegistryAdmin.ChangeAgency", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.UpsertSpokesperson", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListSpokespeople", {ROLE_OPERATOR}},
      {"RegistryAdmin.UpsertOutlet", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListOutlets", {ROLE_OPERATOR}},
      {"RegistryAdmin.UpsertJournalist", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListJournalists", {ROLE_OPERATOR}},
      {"RegistryAdmin.UpsertNewsroomClient", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListNewsroomClients", {ROLE_OPERATOR}},
      {"RegistryAdmin.SetSubscription", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.GetSubscription", {ROLE_OPERATOR}},
      {"RegistryAdmin.ImportRecipients", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.IssueToken", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.RevokeToken", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListTokens", {ROLE_OPERATOR}},
      {"RegistryAdmin.QueryAudit", {ROLE_OPERATOR}},
      {"RegistryAdmin.UpsertPressOfficer", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListPressOfficers", {ROLE_OPERATOR}},
      {"RegistryAdmin.UpsertAccount", {ROLE_OPERATOR}, kMutates},
      {"RegistryAdmin.ListAccounts", {ROLE_OPERATOR}},
      {"RegistryAdmin.ResetTotp", {ROLE_OPERATOR}, kMutates},
      // A signed-in person's own account: anyone who may sign in to the gateway.
      {"RegistryAdmin.GetMyAccount", {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}},
      {"RegistryAdmin.ChangePassword", {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      {"RegistryAdmin.EnrollTotp", {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      {"RegistryAdmin.ConfirmTotp", {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      // Directory: the other services.
      {"Directory.Authenticate", {ROLE_SERVICE}},
      {"Directory.AuthenticateBatch", {ROLE_SERVICE}},
      {"Directory.CheckSpeaker", {ROLE_SERVICE}},
      {"Directory.MatchAudience", {ROLE_SERVICE}},
      {"Directory.GetRecipients", {ROLE_SERVICE}},
      {"Directory.GetSubscription", {ROLE_SERVICE}},
      {"Directory.PublishAgencyKeys", {ROLE_SERVICE}, kMutates},
      {"Directory.WatchRevocations", {ROLE_SERVICE}},
      // The admin gateway signs people in and out; everything else it passes on with the
      // person's session, as the person.
      {"Directory.SignIn", {ROLE_GATEWAY}, kMutates},
      {"Directory.SignOut", {ROLE_GATEWAY}, kMutates},
      // Agencies' public keys: anyone with a token may verify statements.
      {"Keys.ListAgencyKeys",
       {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST, ROLE_SERVICE,
        ROLE_GATEWAY}},
      // Agencies' lists of spokespeople, public by law (Decree 09/2017 Art. 2): anyone with a token.
      {"PublicRegistry.ListAgencySpokespeople",
       {ROLE_OPERATOR, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST, ROLE_SERVICE,
        ROLE_GATEWAY}},
      // Distribution: spokespeople issue for their own agency (checked by the logic); press
      // officers draft for it; operators read.
      {"Distribution.Publish", {ROLE_SPOKESPERSON}, kMutates},
      {"Distribution.Revise", {ROLE_SPOKESPERSON}, kMutates},
      {"Distribution.GetStatement", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Distribution.ListStatements", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Distribution.GetDeliveryReport", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Distribution.GetObligationsReport", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Distribution.GetStatementHistory", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Distribution.CreateDraft", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      {"Distribution.UpdateDraft", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      {"Distribution.GetDraft", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}},
      {"Distribution.ListDrafts", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}},
      {"Distribution.SubmitDraft", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}, kMutates},
      {"Distribution.ReturnDraft", {ROLE_SPOKESPERSON}, kMutates},
      {"Distribution.ApproveDraft", {ROLE_SPOKESPERSON}, kMutates},
      {"Distribution.PreviewDraft", {ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER}},
      // Questions: journalists and newsroom clients ask and read their own; the agency's
      // spokespeople and press officers read its questions and its spokespeople decide them
      // (the agency is checked by the logic); operators read.
      {"Questions.AskQuestion", {ROLE_JOURNALIST, ROLE_NEWSROOM_CLIENT}, kMutates},
      {"Questions.ListQuestions",
       {ROLE_JOURNALIST, ROLE_NEWSROOM_CLIENT, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Questions.GetQuestion",
       {ROLE_JOURNALIST, ROLE_NEWSROOM_CLIENT, ROLE_SPOKESPERSON, ROLE_PRESS_OFFICER, ROLE_OPERATOR}},
      {"Questions.AnswerQuestion", {ROLE_SPOKESPERSON}, kMutates},
      {"Questions.DeclineQuestion", {ROLE_SPOKESPERSON}, kMutates},
      {"Catalog.BatchGetVersions", {ROLE_SERVICE}},
      {"Catalog.QueryHistory", {ROLE_SERVICE}},
      {"Catalog.Search", {ROLE_SERVICE}},
      // Subscription: readers, each its own queue.
      {"Subscription.Subscribe", {ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST}},
      // Acknowledgements change only the reader's own cursor; the delivery ledger (dr:*)
      // is their record, so they are not repeated in the audit trail.
      {"Subscription.Ack", {ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST}},
      {"Subscription.History", {ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST}},
      {"Subscription.Search", {ROLE_NEWSROOM_CLIENT, ROLE_JOURNALIST}},
      {"Ledger.GetDeliveryStates", {ROLE_SERVICE}},
  };
  return *table;
}

}  // namespace

std::vector<Role> AllowedRoles(absl::string_view method) {
  for (const auto& rule : Table()) {
    if (rule.method == method) return rule.roles;
  }
  return {};
}

bool Mutates(absl::string_view method) {
  for (const auto& rule : Table()) {
    if (rule.method == method) return rule.mutates;
  }
  return false;
}

std::vector<absl::string_view> PolicyMethods() {
  std::vector<absl::string_view> out;
  for (const auto& rule : Table()) out.push_back(rule.method);
  return out;
}

absl::Status Authorize(const Principal& principal, absl::string_view method) {
  const std::vector<Role> roles = AllowedRoles(method);
  if (std::find(roles.begin(), roles.end(), principal.role()) != roles.end()) return absl::OkStatus();
  if (roles.empty()) return absl::PermissionDeniedError(absl::StrCat(method, " is not open to anyone"));
  std::vector<absl::string_view> names;
  for (Role r : roles) names.push_back(RoleName(r));
  return absl::PermissionDeniedError(absl::StrCat(method, " is for the role ", absl::StrJoin(names, " or "),
                                                  "; the caller is a ", RoleName(principal.role())));
}

}  // namespace pressrelay
