// Press officers and sign-in accounts without Redis: what the rules accept and refuse (each
// refusal naming its field), who a press officer's token is on a DirectoryView, and that the
// registry's edges have a handler for every RPC of their services.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "services/common/base/status.h"
#include "services/registry/directory_view.h"
#include "services/registry/entity_rules.h"
#include "services/registry/registry_service.h"

namespace pressrelay::registry {
namespace {

using pressrelay::common::v1::ROLE_PRESS_OFFICER;

v1::PressOfficer Officer(const std::string& id, const std::string& agency) {
  v1::PressOfficer o;
  o.set_id(id);
  o.set_agency_code(agency);
  o.set_full_name("Trần Thị B");
  o.set_title("Chuyên viên Văn phòng Bộ");
  return o;
}

v1::Account AccountOf(const std::string& username, v1::SubjectKind kind, const std::string& subject) {
  v1::Account a;
  a.set_username(username);
  a.set_subject_kind(kind);
  a.set_subject_id(subject);
  a.set_display_name("Nguyễn Văn A");
  return a;
}

const Exists kAgencies = [](const std::string& code) { return code == "MOH"; };
const Exists kSpokespeople = [](const std::string& id) { return id == "moh-sp"; };
const Exists kOfficers = [](const std::string& id) { return id == "moh-press-1"; };

absl::Status Check(v1::PressOfficer officer) {
  FieldViolations v;
  CheckPressOfficer(&officer, "press_officer", kAgencies, &v);
  return v.ToStatus();
}

absl::Status Check(v1::Account account) {
  FieldViolations v;
  CheckAccount(&account, "account", kSpokespeople, kOfficers, &v);
  return v.ToStatus();
}

TEST(PressOfficerRules, AcceptsAnOfficerOfAnAgencyThatExists) {
  EXPECT_TRUE(Check(Officer("moh-press-1", "MOH")).ok());
  EXPECT_EQ(ErrorField(Check(Officer("MOH Press", "MOH"))), "press_officer.id");
  EXPECT_EQ(ErrorField(Check(Officer("moh-press-1", "MOF"))), "press_officer.agency_code");
  auto blank = Officer("moh-press-1", "MOH");
  blank.set_full_name(" \u200b ");
  EXPECT_EQ(ErrorField(Check(blank)), "press_officer.full_name");
  auto mail = Officer("moh-press-1", "MOH");
  mail.mutable_contact()->set_email("no at sign");
  EXPECT_EQ(ErrorField(Check(mail)), "press_officer.contact.email");
}

TEST(PressOfficerRules, NamesAreStoredInNfc) {
  v1::PressOfficer o = Officer("moh-press-1", "MOH");
  o.set_full_name("Tra\u0302\u0300n Thi\u0323 B");  // combining marks
  FieldViolations v;
  CheckPressOfficer(&o, "press_officer", kAgencies, &v);
  ASSERT_TRUE(v.ToStatus().ok());
  EXPECT_EQ(o.full_name(), "Tr\u1ea7n Th\u1ecb B");
}

TEST(PressOfficerRules, ADisabledOfficerLosesAccessAndTheirTokensStopWorking) {
  v1::PressOfficer o = Officer("moh-press-1", "MOH");
  EXPECT_TRUE(LostAccess(o).empty());
  o.set_disabled(true);
  auto lost = LostAccess(o);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].principal_id(), "moh-press-1");
  EXPECT_EQ(lost[0].role(), ROLE_PRESS_OFFICER);
}

TEST(PressOfficerRules, ATokenOfAPressOfficerIsThatOfficerOfThatAgency) {
  DirectoryView view;
  v1::PressOfficer o = Officer("moh-press-1", "MOH");
  view.Put(Kind::kPressOfficer, o.id(), o.SerializeAsString());
  v1::TokenInfo info;
  info.set_token_id("tok_1");
  info.set_subject_kind(v1::SUBJECT_KIND_PRESS_OFFICER);
  info.set_subject_id("moh-press-1");
  auto principal = view.PrincipalFor(info);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->role(), ROLE_PRESS_OFFICER);
  EXPECT_EQ(principal->agency_code(), "MOH");
  EXPECT_EQ(principal->display_name(), "Trần Thị B");
  ASSERT_EQ(view.ListPressOfficers("MOH").size(), 1u);
  EXPECT_TRUE(view.ListPressOfficers("MOF").empty());
  o.set_disabled(true);
  view.Put(Kind::kPressOfficer, o.id(), o.SerializeAsString());
  EXPECT_TRUE(absl::IsUnauthenticated(view.PrincipalFor(info).status()));
  info.set_subject_id("nobody");
  EXPECT_TRUE(absl::IsUnauthenticated(view.PrincipalFor(info).status()));
}

TEST(AccountRules, UsernamesAreLowerCaseSignInNames) {
  for (const std::string& ok : std::vector<std::string>{"abc", "nguyen.van.a@moh.gov.vn", "ops_1", "a-b+c", std::string(128, 'a')}) {
    EXPECT_TRUE(IsUsername(ok)) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"ab", "Nguyen", "has space", "ngu\u1ec5n", "a/b", std::string(129, 'a')}) {
    EXPECT_FALSE(IsUsername(bad)) << bad;
  }
}

TEST(AccountRules, EachKindOfPersonNeedsWhomItStandsFor) {
  EXPECT_TRUE(Check(AccountOf("ops@gov.vn", v1::SUBJECT_KIND_OPERATOR, "ops-1")).ok());
  EXPECT_TRUE(Check(AccountOf("sp@moh.gov.vn", v1::SUBJECT_KIND_SPOKESPERSON, "moh-sp")).ok());
  EXPECT_TRUE(Check(AccountOf("po@moh.gov.vn", v1::SUBJECT_KIND_PRESS_OFFICER, "moh-press-1")).ok());
  EXPECT_EQ(ErrorField(Check(AccountOf("ops@gov.vn", v1::SUBJECT_KIND_OPERATOR, "Ops One"))), "account.subject_id");
  EXPECT_EQ(ErrorField(Check(AccountOf("sp@moh.gov.vn", v1::SUBJECT_KIND_SPOKESPERSON, "nobody"))),
            "account.subject_id");
  EXPECT_EQ(ErrorField(Check(AccountOf("po@moh.gov.vn", v1::SUBJECT_KIND_PRESS_OFFICER, "moh-sp"))),
            "account.subject_id");
  // Newsrooms, journalists, services and gateways do not sign in to the gateway.
  for (auto kind : {v1::SUBJECT_KIND_UNSPECIFIED, v1::SUBJECT_KIND_NEWSROOM_CLIENT, v1::SUBJECT_KIND_JOURNALIST,
                    v1::SUBJECT_KIND_SERVICE, v1::SUBJECT_KIND_GATEWAY}) {
    EXPECT_EQ(ErrorField(Check(AccountOf("x@gov.vn", kind, "x"))), "account.subject_kind") << kind;
  }
  EXPECT_EQ(ErrorField(Check(AccountOf("Upper@gov.vn", v1::SUBJECT_KIND_OPERATOR, "ops-1"))), "account.username");
  auto blank = AccountOf("ops@gov.vn", v1::SUBJECT_KIND_OPERATOR, "ops-1");
  blank.set_display_name("\u3000");
  EXPECT_EQ(ErrorField(Check(blank)), "account.display_name");
}

TEST(RegistryEdge, EveryRpcHasAHandler) {
  Edge edge;
  Registry registry(nullptr);  // never called: only the handlers are registered
  RegistryAdminService admin(&registry, &edge);
  DirectoryService directory(&registry, nullptr, &edge);
  KeysService keys(&registry, &edge);
  EXPECT_EQ(absl::StrJoin(admin.Unhandled(), ", "), "");
  EXPECT_EQ(absl::StrJoin(directory.Unhandled(), ", "), "");
  EXPECT_EQ(absl::StrJoin(keys.Unhandled(), ", "), "");
}

}  // namespace
}  // namespace pressrelay::registry
