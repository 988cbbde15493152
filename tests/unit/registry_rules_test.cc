// The registry's rules without Redis or gRPC: who may speak for an agency and who a
// statement reaches, on a DirectoryView fed serialized entities as the store hands them
// over; and the entity rules, each refusal naming its field.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/registry/directory_view.h"
#include "services/registry/entity_rules.h"

namespace pressrelay::registry {
namespace {

using pressrelay::common::v1::STATEMENT_KIND_ANSWER;
using pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE;

const absl::Time kNow = absl::FromUnixSeconds(1790000000);
const absl::Time kFrom = kNow - absl::Hours(24 * 30);
const absl::Time kUntil = kNow + absl::Hours(24 * 30);

template <typename Msg>
void Put(DirectoryView& view, Kind kind, const std::string& id, const Msg& entity) {
  view.Put(kind, id, entity.SerializeAsString());
}

v1::Agency Agency(const std::string& code) {
  v1::Agency a;
  a.set_code(code);
  a.set_name_vi("Bộ " + code);
  a.set_kind(v1::AGENCY_KIND_MINISTRY);
  return a;
}

v1::Spokesperson Spokesperson(const std::string& id, const std::string& agency_code) {
  v1::Spokesperson s;
  s.set_id(id);
  s.set_agency_code(agency_code);
  s.set_full_name("Nguyễn Văn A");
  s.set_role(v1::SPOKESPERSON_ROLE_SPOKESPERSON);
  s.set_authorised_by("15/QĐ-BYT");  // the decision designating them
  return s;
}

v1::Outlet Outlet(const std::string& id, bool trusted) {
  v1::Outlet o;
  o.set_id(id);
  o.set_licence_number("GP-" + id);
  o.set_name("Báo " + id);
  o.set_kind(v1::OUTLET_KIND_NEWSPAPER);
  o.set_trusted(trusted);
  return o;
}

v1::Journalist Journalist(const std::string& card, const std::string& outlet_id, absl::Time card_expires) {
  v1::Journalist j;
  j.set_card_number(card);
  j.set_full_name("Phóng viên " + card);
  j.set_outlet_id(outlet_id);
  *j.mutable_card_expires() = ToProto(card_expires);
  return j;
}

v1::NewsroomClient Client(const std::string& id, const std::string& outlet_id, bool disabled) {
  v1::NewsroomClient c;
  c.set_id(id);
  c.set_outlet_id(outlet_id);
  c.set_disabled(disabled);
  return c;
}

v1::Subscription Everything(const std::string& recipient_id) {
  v1::Subscription s;
  s.set_recipient_id(recipient_id);
  return s;
}

v1::StatementAudienceQuery Query() {
  v1::StatementAudienceQuery q;
  q.set_agency_code("MOH");
  q.add_topics("health");
  q.set_region_code("VN-HN");
  q.set_language("vi");
  q.set_urgency(5);
  q.set_kind(STATEMENT_KIND_PRESS_RELEASE);
  return q;
}

// --- the speaker rule -------------------------------------------------------------------

class SpeakerRule : public testing::Test {
 protected:
  void SetUp() override {
    Put(view_, Kind::kAgency, "MOH", Agency("MOH"));
    Put(view_, Kind::kAgency, "MOF", Agency("MOF"));
    v1::Spokesperson s = Spokesperson("nguyen-van-a", "MOH");
    *s.mutable_valid_from() = ToProto(kFrom);
    *s.mutable_valid_until() = ToProto(kUntil);
    Put(view_, Kind::kSpokesperson, s.id(), s);
  }

  // The refusal's message; fails the test unless it is PERMISSION_DENIED.
  std::string Refusal(const std::string& spokesperson_id, const std::string& agency_code, absl::Time at) {
    auto response = view_.CheckSpeaker(spokesperson_id, agency_code, at);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kPermissionDenied) << response.status();
    return std::string(response.status().message());
  }

  DirectoryView view_;
};

TEST_F(SpeakerRule, ASpokespersonSpeaksForTheirOwnAgencyAndTheAnswerCarriesBoth) {
  auto response = view_.CheckSpeaker("nguyen-van-a", "MOH", kNow);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->spokesperson().id(), "nguyen-van-a");
  EXPECT_EQ(response->spokesperson().full_name(), "Nguyễn Văn A");
  EXPECT_EQ(response->agency().code(), "MOH");
  EXPECT_EQ(response->agency().name_vi(), "Bộ MOH");
}

TEST_F(SpeakerRule, NotForAnotherAgency) {
  EXPECT_EQ(Refusal("nguyen-van-a", "MOF", kNow), "Nguyễn Văn A speaks for MOH, not for MOF");
}

TEST_F(SpeakerRule, NotBeforeValidFrom) {
  EXPECT_NE(Refusal("nguyen-van-a", "MOH", kFrom - absl::Seconds(1)).find("may speak for MOH only from"),
            std::string::npos);
  EXPECT_TRUE(view_.CheckSpeaker("nguyen-van-a", "MOH", kFrom).ok());
}

TEST_F(SpeakerRule, NotAtOrAfterValidUntil) {
  EXPECT_TRUE(view_.CheckSpeaker("nguyen-van-a", "MOH", kUntil - absl::Seconds(1)).ok());
  EXPECT_NE(Refusal("nguyen-van-a", "MOH", kUntil).find("authorisation to speak for MOH ended"), std::string::npos);
  EXPECT_NE(Refusal("nguyen-van-a", "MOH", kUntil + absl::Hours(1)).find("ended"), std::string::npos);
}

TEST_F(SpeakerRule, WithoutValidityTimesASpokespersonAlwaysSpeaks) {
  Put(view_, Kind::kSpokesperson, "tran-thi-b", Spokesperson("tran-thi-b", "MOF"));
  EXPECT_TRUE(view_.CheckSpeaker("tran-thi-b", "MOF", absl::UnixEpoch()).ok());
  EXPECT_TRUE(view_.CheckSpeaker("tran-thi-b", "MOF", kNow + absl::Hours(24 * 3650)).ok());
}

TEST_F(SpeakerRule, AnUnknownSpokespersonIsRefused) {
  EXPECT_EQ(Refusal("nobody", "MOH", kNow), "\"nobody\" is not a registered spokesperson");
}

TEST_F(SpeakerRule, AnUnknownAgencyIsRefused) {
  Put(view_, Kind::kSpokesperson, "le-van-c", Spokesperson("le-van-c", "GONE"));
  EXPECT_EQ(Refusal("le-van-c", "GONE", kNow), "no agency \"GONE\"");
}

// --- the audience rules -----------------------------------------------------------------

class AudienceRules : public testing::Test {
 protected:
  void SetUp() override {
    Put(view_, Kind::kOutlet, "tuoitre", Outlet("tuoitre", /*trusted=*/true));
    Put(view_, Kind::kOutlet, "vnexpress", Outlet("vnexpress", /*trusted=*/false));
    Put(view_, Kind::kJournalist, "TT-001", Journalist("TT-001", "tuoitre", kNow + absl::Hours(24 * 365)));
    Put(view_, Kind::kJournalist, "VE-002", Journalist("VE-002", "vnexpress", kNow + absl::Hours(24 * 365)));
    Put(view_, Kind::kClient, "tuoitre-cms", Client("tuoitre-cms", "tuoitre", /*disabled=*/false));
    Put(view_, Kind::kClient, "vne-cms", Client("vne-cms", "vnexpress", /*disabled=*/false));
  }

  void Subscribe(const v1::Subscription& s) { Put(view_, Kind::kSubscription, s.recipient_id(), s); }
  void SubscribeAll() {
    for (const char* id : {"journalist:TT-001", "journalist:VE-002", "client:tuoitre-cms", "client:vne-cms"}) {
      Subscribe(Everything(id));
    }
  }

  // Recipient id -> trusted, for those the statement reaches.
  std::map<std::string, bool> Audience(const v1::StatementAudienceQuery& query = Query(), absl::Time now = kNow) {
    std::map<std::string, bool> out;
    for (const auto& m : view_.MatchAudience(query, now)) {
      EXPECT_TRUE(out.emplace(m.recipient_id(), m.trusted()).second) << m.recipient_id() << " twice";
    }
    return out;
  }
  std::set<std::string> Reached(const v1::StatementAudienceQuery& query = Query(), absl::Time now = kNow) {
    std::set<std::string> out;
    for (const auto& [id, trusted] : Audience(query, now)) out.insert(id);
    return out;
  }

  DirectoryView view_;
};

TEST_F(AudienceRules, AStatementReachesEverySubscribedRecipientAndTrustComesFromTheOutlet) {
  SubscribeAll();
  EXPECT_EQ(Audience(), (std::map<std::string, bool>{{"client:tuoitre-cms", true},
                                                     {"client:vne-cms", false},
                                                     {"journalist:TT-001", true},
                                                     {"journalist:VE-002", false}}));
}

TEST_F(AudienceRules, AnUnsubscribedRecipientIsNotReached) {
  Subscribe(Everything("journalist:TT-001"));
  EXPECT_EQ(Reached(), (std::set<std::string>{"journalist:TT-001"}));
  EXPECT_EQ(view_.recipient_count(), 4u);  // known, just not subscribed
}

TEST_F(AudienceRules, ADisabledClientIsNotReached) {
  SubscribeAll();
  Put(view_, Kind::kClient, "vne-cms", Client("vne-cms", "vnexpress", /*disabled=*/true));
  EXPECT_EQ(Reached(), (std::set<std::string>{"client:tuoitre-cms", "journalist:TT-001", "journalist:VE-002"}));
}

TEST_F(AudienceRules, AnExpiredPressCardIsNotReachedFromTheMomentItExpires) {
  SubscribeAll();
  Put(view_, Kind::kJournalist, "VE-002", Journalist("VE-002", "vnexpress", kNow));
  EXPECT_EQ(Reached(Query(), kNow - absl::Seconds(1)).count("journalist:VE-002"), 1u);
  EXPECT_EQ(Reached(Query(), kNow).count("journalist:VE-002"), 0u);
  EXPECT_EQ(Reached(Query(), kNow).size(), 3u);
}

TEST_F(AudienceRules, ASubscriptionWithoutItsRecipientReachesNobody) {
  Subscribe(Everything("journalist:NO-SUCH-CARD"));
  Subscribe(Everything("client:ghost"));
  EXPECT_TRUE(Reached().empty());
  EXPECT_FALSE(view_.HasRecipient("journalist:NO-SUCH-CARD"));
  EXPECT_TRUE(view_.HasRecipient("journalist:TT-001"));
}

TEST_F(AudienceRules, EachFilterDecides) {
  struct Case {
    const char* name;
    std::function<void(v1::Subscription*)> filter;
    bool reached;
  };
  const std::vector<Case> cases = {
      {"its agency", [](v1::Subscription* s) { s->add_agency_codes("MOH"); }, true},
      {"another agency", [](v1::Subscription* s) { s->add_agency_codes("MOF"); }, false},
      {"a shared topic", [](v1::Subscription* s) { s->add_topics("economy"); s->add_topics("health"); }, true},
      {"no shared topic", [](v1::Subscription* s) { s->add_topics("economy"); }, false},
      {"its region", [](v1::Subscription* s) { s->add_region_codes("VN-HN"); }, true},
      {"another region", [](v1::Subscription* s) { s->add_region_codes("VN-SG"); }, false},
      {"its language", [](v1::Subscription* s) { s->add_languages("vi"); }, true},
      {"another language", [](v1::Subscription* s) { s->add_languages("en"); }, false},
      {"urgency up to 5", [](v1::Subscription* s) { s->set_max_urgency(5); }, true},
      {"urgency up to 4", [](v1::Subscription* s) { s->set_max_urgency(4); }, false},
      {"its kind", [](v1::Subscription* s) { s->add_kinds(STATEMENT_KIND_PRESS_RELEASE); }, true},
      {"another kind", [](v1::Subscription* s) { s->add_kinds(STATEMENT_KIND_ANSWER); }, false},
  };
  for (const Case& c : cases) {
    v1::Subscription s = Everything("journalist:TT-001");
    c.filter(&s);
    Subscribe(s);
    EXPECT_EQ(Reached().count("journalist:TT-001"), c.reached ? 1u : 0u) << c.name;
  }
}

TEST_F(AudienceRules, ANationalStatementReachesRegionalSubscribers) {
  v1::Subscription s = Everything("journalist:TT-001");
  s.add_region_codes("VN-SG");
  Subscribe(s);
  v1::StatementAudienceQuery national = Query();
  national.clear_region_code();
  EXPECT_EQ(Reached(national), (std::set<std::string>{"journalist:TT-001"}));
  EXPECT_TRUE(Reached().empty());
}

TEST_F(AudienceRules, AnOutletChangeReachesItsRecipientsRecords) {
  SubscribeAll();
  v1::Outlet vnexpress = Outlet("vnexpress", /*trusted=*/true);
  vnexpress.set_name("VnExpress");
  Put(view_, Kind::kOutlet, "vnexpress", vnexpress);
  EXPECT_EQ(Audience(), (std::map<std::string, bool>{{"client:tuoitre-cms", true},
                                                     {"client:vne-cms", true},
                                                     {"journalist:TT-001", true},
                                                     {"journalist:VE-002", true}}));
  auto infos = view_.GetRecipients({"journalist:VE-002", "client:nobody"});
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_TRUE(infos[0].trusted());
  EXPECT_EQ(infos[0].outlet_id(), "vnexpress");
  EXPECT_EQ(infos[0].outlet_name(), "VnExpress");
  EXPECT_EQ(infos[0].display_name(), "Phóng viên VE-002");
  EXPECT_EQ(infos[1].recipient_id(), "client:nobody");  // unknown: only its id
  EXPECT_TRUE(infos[1].outlet_id().empty());
}

TEST_F(AudienceRules, ABatchAndAResetBuildTheSameRecords) {
  EntityBatches all = {
      {Kind::kOutlet, {{"thanhnien", Outlet("thanhnien", true).SerializeAsString()}}},
      {Kind::kJournalist,
       {{"TN-009", Journalist("TN-009", "thanhnien", kNow + absl::Hours(1)).SerializeAsString()}}},
      {Kind::kSubscription, {{"journalist:TN-009", Everything("journalist:TN-009").SerializeAsString()}}},
  };
  view_.Put(all);
  EXPECT_EQ(Audience(), (std::map<std::string, bool>{{"journalist:TN-009", true}}));
  view_.Reset(all);  // everything else is gone
  EXPECT_EQ(Audience(), (std::map<std::string, bool>{{"journalist:TN-009", true}}));
  EXPECT_EQ(view_.recipient_count(), 1u);
  EXPECT_FALSE(view_.Has(Kind::kOutlet, "tuoitre"));
}

TEST_F(AudienceRules, ATokenIsWhoItsSubjectIsNow) {
  v1::TokenInfo info;
  info.set_subject_kind(v1::SUBJECT_KIND_NEWSROOM_CLIENT);
  info.set_subject_id("vne-cms");
  auto principal = view_.PrincipalFor(info);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->recipient_id(), "client:vne-cms");
  EXPECT_EQ(principal->outlet_id(), "vnexpress");
  Put(view_, Kind::kClient, "vne-cms", Client("vne-cms", "vnexpress", /*disabled=*/true));
  EXPECT_EQ(view_.PrincipalFor(info).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(view_.CardExpires("TT-001"), kNow + absl::Hours(24 * 365));
  EXPECT_EQ(view_.CardExpires("NO-SUCH-CARD"), std::nullopt);
}

// --- entity rules -----------------------------------------------------------------------

bool None(const std::string&) { return false; }
bool Any(const std::string&) { return true; }

TEST(EntityRules, ABlankNameIsRefusedNamingTheField) {
  v1::Outlet outlet = Outlet("tuoitre", false);
  outlet.set_name(" \u3000\u200b ");  // white space and a zero-width space: nothing to read
  FieldViolations v;
  CheckOutlet(&outlet, "outlets[2]", &v);
  const absl::Status status = v.ToStatus();
  EXPECT_EQ(ErrorField(status), "outlets[2].name");
  EXPECT_EQ(status.message(), "outlets[2].name: is required");
}

TEST(EntityRules, TextIsNormalisedToNfc) {
  v1::Outlet outlet = Outlet("tuoitre", false);
  outlet.set_name("Tuo\xcc\x82\xcc\x89i Tre");  // o + combining circumflex + combining hook above
  FieldViolations v;
  CheckOutlet(&outlet, "outlet", &v);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(outlet.name(), "Tu\xe1\xbb\x95i Tre");  // precomposed ổ
}

TEST(EntityRules, AJournalistOfAnUnknownOutletIsRefusedNamingOutletId) {
  v1::Journalist j = Journalist("TT-001", "ghost", kNow + absl::Hours(1));
  FieldViolations v;
  CheckJournalist(&j, "journalist", None, &v);
  const absl::Status status = v.ToStatus();
  EXPECT_EQ(ErrorField(status), "journalist.outlet_id");
  EXPECT_EQ(status.message(), "journalist.outlet_id: no outlet \"ghost\"");

  FieldViolations ok;
  CheckJournalist(&j, "journalist", Any, &ok);
  EXPECT_TRUE(ok.empty());
}

TEST(EntityRules, ABadCardNumberIsRefused) {
  EXPECT_TRUE(IsCardNumber("TT-001"));
  EXPECT_FALSE(IsCardNumber(""));
  EXPECT_FALSE(IsCardNumber("TT 001"));
  EXPECT_FALSE(IsCardNumber(std::string(33, 'A')));
}

TEST(EntityRules, ASubscriptionsFormerRegionCodeIsToldItsSuccessor) {
  v1::Subscription s = Everything("journalist:TT-001");
  s.add_region_codes("VN-HN");
  s.add_region_codes("VN-03");  // Hà Giang, merged into Tuyên Quang
  FieldViolations v;
  CheckSubscription(&s, "subscription", Any, &v);
  const absl::Status status = v.ToStatus();
  EXPECT_EQ(ErrorField(status), "subscription.region_codes[1]");
  EXPECT_NE(status.message().find("was merged into VN-07"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("use VN-07"), absl::string_view::npos) << status;
}

TEST(EntityRules, ASubscriptionOfAnUnknownRecipientIsRefused) {
  FieldViolations v;
  v1::Subscription s = Everything("journalist:NOBODY");
  CheckSubscription(&s, "subscription", None, &v);
  EXPECT_EQ(ErrorField(v.ToStatus()), "subscription.recipient_id");
}

// A subscription by cited document keeps the canonical form statements carry, whatever
// spelling the newsroom typed; something that is not a reference is refused by its index.
TEST(EntityRules, ASubscriptionsCitedDocumentsAreStoredCanonical) {
  v1::Subscription s = Everything("journalist:TT-001");
  s.add_cites("09/2017/ND-CP");
  s.add_cites("07/ct-ttg");
  s.add_cites("103/2016/QH13");
  FieldViolations ok;
  CheckSubscription(&s, "subscription", Any, &ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();
  EXPECT_EQ(s.cites(0), "09/2017/NĐ-CP");
  EXPECT_EQ(s.cites(1), "07/CT-TTg");
  EXPECT_EQ(s.cites(2), "103/2016/QH13");

  s.add_cites("Nghị định về phát ngôn");
  FieldViolations v;
  CheckSubscription(&s, "subscription", Any, &v);
  EXPECT_EQ(ErrorField(v.ToStatus()), "subscription.cites[3]");
}

TEST(EntityRules, ASpokespersonOfAnUnknownAgencyIsRefusedNamingAgencyCode) {
  v1::Spokesperson s = Spokesperson("nguyen-van-a", "GONE");
  FieldViolations v;
  CheckSpokesperson(&s, "spokesperson", None, &v);
  EXPECT_EQ(v.ToStatus().message(), "spokesperson.agency_code: no agency \"GONE\"");
}

TEST(EntityRules, AnAgencyCannotBeItsOwnParent) {
  v1::Agency a = Agency("MOH");
  a.set_parent_code("MOH");
  FieldViolations v;
  CheckAgency(&a, "agency", Any, &v);
  EXPECT_EQ(v.ToStatus().message(), "agency.parent_code: cannot be the agency itself");
}

TEST(EntityRules, LostAccessRevokesExpiredCardsAndDisabledClients) {
  auto revocations = LostAccess({Journalist("TT-001", "tuoitre", kNow), Journalist("TT-002", "tuoitre", kUntil)},
                                {Client("a", "tuoitre", true), Client("b", "tuoitre", false)}, kNow);
  ASSERT_EQ(revocations.size(), 2u);
  EXPECT_EQ(revocations[0].principal_id(), "TT-001");
  EXPECT_EQ(revocations[0].reason(), "press card expired");
  EXPECT_EQ(revocations[1].principal_id(), "a");
  EXPECT_EQ(revocations[1].reason(), "newsroom client disabled");
}

}  // namespace
}  // namespace pressrelay::registry
