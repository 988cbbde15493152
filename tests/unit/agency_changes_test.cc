// Administrative change of agencies without Redis or gRPC: the rules of a renaming, a merger
// and a dissolution (each refusal naming its field), and what they do to the directory's
// answers: who may speak, whose subscribers receive a statement, the effective subscription.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/common/base/status.h"
#include "services/common/base/time_util.h"
#include "services/registry/agency_changes.h"
#include "services/registry/directory_view.h"
#include "services/registry/entity_rules.h"

namespace pressrelay::registry {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1790000000);
// 1 July 2025, 00:00 in Vietnam (UTC+7): the provincial merger.
const absl::Time kMerger = absl::FromCivil(absl::CivilSecond(2025, 7, 1, 0, 0, 0), absl::FixedTimeZone(7 * 3600));

v1::Agency Province(const std::string& code, const std::string& name) {
  v1::Agency a;
  a.set_code(code);
  a.set_name_vi(name);
  a.set_kind(v1::AGENCY_KIND_PROVINCIAL_COMMITTEE);
  return a;
}

class Rules : public testing::Test {
 protected:
  void SetUp() override {
    agencies_["UBND-HG"] = Province("UBND-HG", "UBND tỉnh Hà Giang");
    agencies_["UBND-TQ"] = Province("UBND-TQ", "UBND tỉnh Tuyên Quang");
    agencies_["UBND-BK"] = Province("UBND-BK", "UBND tỉnh Bắc Kạn");
  }

  absl::StatusOr<v1::Agency> Change(const v1::ChangeAgencyRequest& request) {
    auto lookup = [this](const std::string& code) -> const v1::Agency* {
      auto it = agencies_.find(code);
      return it == agencies_.end() ? nullptr : &it->second;
    };
    return ApplyAgencyChange(agencies_.at(request.code()), request, lookup, kNow);
  }

  static v1::ChangeAgencyRequest Merge(const std::string& code, const std::string& into, absl::Time from) {
    v1::ChangeAgencyRequest r;
    r.set_code(code);
    r.set_kind(v1::AGENCY_CHANGE_KIND_MERGE_INTO);
    r.set_successor_code(into);
    *r.mutable_effective_from() = ToProto(from);
    r.set_decided_by("202/2025/qh15");
    return r;
  }

  std::map<std::string, v1::Agency> agencies_;
};

TEST_F(Rules, AMergerEndsTheAgencyFromItsDateByTheCanonicalDecision) {
  auto merged = Change(Merge("UBND-HG", "UBND-TQ", kMerger));
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->end(), v1::AGENCY_END_MERGED);
  EXPECT_EQ(merged->successor_code(), "UBND-TQ");
  EXPECT_EQ(FromProto(merged->ended_at()), kMerger);
  EXPECT_EQ(merged->ended_by(), "202/2025/QH15");
  EXPECT_EQ(merged->name_vi(), "UBND tỉnh Hà Giang");  // its name stays
  EXPECT_TRUE(EndedAt(*merged, kMerger));
  EXPECT_FALSE(EndedAt(*merged, kMerger - absl::Seconds(1)));
  EXPECT_EQ(EndMessage(*merged), "UBND-HG was merged into UBND-TQ on 2025-07-01 (decision 202/2025/QH15)");
}

TEST_F(Rules, UnsetEffectiveFromMeansNow) {
  auto r = Merge("UBND-HG", "UBND-TQ", kMerger);
  r.clear_effective_from();
  auto merged = Change(r);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(FromProto(merged->ended_at()), kNow);
}

TEST_F(Rules, BadMergersNameTheirField) {
  auto field = [&](v1::ChangeAgencyRequest r) { return ErrorField(Change(r).status()); };
  auto r = Merge("UBND-HG", "", kMerger);
  EXPECT_EQ(field(r), "successor_code");
  EXPECT_EQ(field(Merge("UBND-HG", "UBND-HG", kMerger)), "successor_code");
  EXPECT_EQ(field(Merge("UBND-HG", "UBND-XX", kMerger)), "successor_code");
  r = Merge("UBND-HG", "UBND-TQ", kMerger);
  r.set_decided_by("");
  EXPECT_EQ(field(r), "decided_by");
  r.set_decided_by("theo chỉ đạo");
  EXPECT_EQ(field(r), "decided_by");
  EXPECT_NE(Change(r).status().message().find("not a legal document reference"), std::string::npos);
  r = Merge("UBND-HG", "UBND-TQ", kMerger);
  r.set_name_vi("Tên mới");
  EXPECT_EQ(field(r), "name_vi");
  r = Merge("UBND-HG", "UBND-TQ", kMerger);
  r.set_kind(v1::AGENCY_CHANGE_KIND_UNSPECIFIED);
  EXPECT_EQ(field(r), "kind");
  r = Merge("UBND-HG", "UBND-TQ", kMerger);
  r.set_kind(v1::AGENCY_CHANGE_KIND_DISSOLVE);
  EXPECT_EQ(field(r), "successor_code");  // a dissolved agency has no successor
}

TEST_F(Rules, NoMergerIntoAnAgencyThatEndsSoNoCycle) {
  agencies_["UBND-HG"] = *Change(Merge("UBND-HG", "UBND-TQ", kMerger));
  // Into an agency that has ended, or is due to.
  auto into_ended = Change(Merge("UBND-TQ", "UBND-HG", kMerger));
  EXPECT_EQ(ErrorField(into_ended.status()), "successor_code");
  EXPECT_NE(into_ended.status().message().find("UBND-HG was merged into UBND-TQ"), std::string::npos);
  agencies_["UBND-BK"] = *Change(Merge("UBND-BK", "UBND-TQ", kNow + absl::Hours(24)));
  auto into_due = Change(Merge("UBND-TQ", "UBND-BK", kNow));
  EXPECT_EQ(ErrorField(into_due.status()), "successor_code");
  EXPECT_NE(into_due.status().message().find("is due to be merged into UBND-TQ"), std::string::npos);
}

TEST_F(Rules, AnEndedAgencyIsFinalAPendingEndMayBeReplaced) {
  agencies_["UBND-HG"] = *Change(Merge("UBND-HG", "UBND-TQ", kMerger));
  auto again = Change(Merge("UBND-HG", "UBND-BK", kNow));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("cannot be changed again"), std::string::npos);

  // Due tomorrow: the date or the successor may be corrected, or it may be dissolved instead.
  agencies_["UBND-BK"] = *Change(Merge("UBND-BK", "UBND-TQ", kNow + absl::Hours(24)));
  auto corrected = Change(Merge("UBND-BK", "UBND-TQ", kNow + absl::Hours(48)));
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(FromProto(corrected->ended_at()), kNow + absl::Hours(48));
  v1::ChangeAgencyRequest dissolve;
  dissolve.set_code("UBND-BK");
  dissolve.set_kind(v1::AGENCY_CHANGE_KIND_DISSOLVE);
  dissolve.set_decided_by("1234/QĐ-TTg");
  auto dissolved = Change(dissolve);
  ASSERT_TRUE(dissolved.ok()) << dissolved.status();
  EXPECT_EQ(dissolved->end(), v1::AGENCY_END_DISSOLVED);
  EXPECT_EQ(dissolved->successor_code(), "");
  EXPECT_EQ(EndMessage(*dissolved), "UBND-BK was dissolved on " +
                                        absl::FormatTime("%Y-%m-%d", kNow, absl::FixedTimeZone(7 * 3600)) +
                                        " (decision 1234/QĐ-TTg)");
  // But a renaming waits for no pending end.
  v1::ChangeAgencyRequest rename;
  rename.set_code("UBND-BK");
  rename.set_kind(v1::AGENCY_CHANGE_KIND_RENAME);
  rename.set_name_vi("UBND tỉnh Bắc Kạn mới");
  rename.set_decided_by("1234/QĐ-TTg");
  EXPECT_EQ(Change(rename).status().code(), absl::StatusCode::kFailedPrecondition);
}

class Renaming : public Rules {
 protected:
  void SetUp() override {
    Rules::SetUp();
    v1::Agency mic;
    mic.set_code("MIC");
    mic.set_name_vi("Bộ Thông tin và Truyền thông");
    mic.set_name_en("Ministry of Information and Communications");
    mic.set_kind(v1::AGENCY_KIND_MINISTRY);
    agencies_["MIC"] = mic;
  }
  static v1::ChangeAgencyRequest Rename(const std::string& vi, absl::Time from) {
    v1::ChangeAgencyRequest r;
    r.set_code("MIC");
    r.set_kind(v1::AGENCY_CHANGE_KIND_RENAME);
    r.set_name_vi(vi);
    r.set_name_en("Ministry of Science and Technology");
    *r.mutable_effective_from() = ToProto(from);
    r.set_decided_by("176/2025/QH15");
    return r;
  }
};

TEST_F(Renaming, KeepsTheOldNamesUntilTheDateAndServesTheNameOfTheMoment) {
  const absl::Time from = kNow - absl::Hours(24);
  auto renamed = Change(Rename("Bộ Khoa học và Công nghệ", from));
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_EQ(renamed->name_vi(), "Bộ Khoa học và Công nghệ");
  ASSERT_EQ(renamed->former_names_size(), 1);
  EXPECT_EQ(renamed->former_names(0).name_vi(), "Bộ Thông tin và Truyền thông");
  EXPECT_EQ(renamed->former_names(0).name_en(), "Ministry of Information and Communications");
  EXPECT_EQ(FromProto(renamed->former_names(0).until()), from);
  EXPECT_EQ(renamed->former_names(0).decided_by(), "176/2025/QH15");
  EXPECT_EQ(renamed->end(), v1::AGENCY_END_NONE);
  EXPECT_EQ(NamedAt(*renamed, from - absl::Seconds(1)).name_vi(), "Bộ Thông tin và Truyền thông");
  EXPECT_EQ(NamedAt(*renamed, from).name_vi(), "Bộ Khoa học và Công nghệ");

  // A second renaming appends; it may not be dated before the first.
  agencies_["MIC"] = *renamed;
  EXPECT_EQ(ErrorField(Change(Rename("Bộ Khoa học", from - absl::Hours(1))).status()), "effective_from");
  auto again = Change(Rename("Bộ Khoa học", kNow));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->former_names_size(), 2);
  EXPECT_EQ(NamedAt(*again, from - absl::Seconds(1)).name_vi(), "Bộ Thông tin và Truyền thông");
  EXPECT_EQ(NamedAt(*again, from + absl::Seconds(1)).name_vi(), "Bộ Khoa học và Công nghệ");
  EXPECT_EQ(NamedAt(*again, kNow).name_vi(), "Bộ Khoa học");
}

TEST_F(Renaming, BadRenamingsNameTheirField) {
  EXPECT_EQ(ErrorField(Change(Rename("", kNow)).status()), "name_vi");
  auto same = Rename("Bộ Thông tin và Truyền thông", kNow);
  same.set_name_en("Ministry of Information and Communications");
  EXPECT_EQ(ErrorField(Change(same).status()), "name_vi");
  EXPECT_EQ(ErrorField(Change(Rename("Bộ Khoa học và Công nghệ", kNow + absl::Hours(1))).status()),
            "effective_from");
  auto with_successor = Rename("Bộ Khoa học và Công nghệ", kNow);
  with_successor.set_successor_code("MOST");
  EXPECT_EQ(ErrorField(Change(with_successor).status()), "successor_code");
}

TEST(KeepChange, AnUpsertNeverUndoesAChange) {
  v1::Agency stored = Province("UBND-HG", "UBND tỉnh Hà Giang");
  stored.set_end(v1::AGENCY_END_MERGED);
  stored.set_successor_code("UBND-TQ");
  *stored.mutable_ended_at() = ToProto(kMerger);
  stored.set_ended_by("202/2025/QH15");
  stored.add_former_names()->set_name_vi("UBND tỉnh Hà Tuyên");
  v1::Agency upsert = Province("UBND-HG", "UBND tỉnh Hà Giang");
  upsert.set_website("https://hagiang.gov.vn");
  KeepChange(&stored, &upsert);
  EXPECT_EQ(upsert.end(), v1::AGENCY_END_MERGED);
  EXPECT_EQ(upsert.successor_code(), "UBND-TQ");
  EXPECT_EQ(FromProto(upsert.ended_at()), kMerger);
  EXPECT_EQ(upsert.ended_by(), "202/2025/QH15");
  ASSERT_EQ(upsert.former_names_size(), 1);
  EXPECT_EQ(upsert.website(), "https://hagiang.gov.vn");
  // A new agency starts with no change, whatever the request says.
  v1::Agency fresh = upsert;
  KeepChange(nullptr, &fresh);
  EXPECT_EQ(fresh.end(), v1::AGENCY_END_NONE);
  EXPECT_EQ(fresh.former_names_size(), 0);
  EXPECT_FALSE(fresh.has_ended_at());
}

// --- what the directory answers --------------------------------------------------------

template <typename Msg>
void Put(DirectoryView& view, Kind kind, const std::string& id, const Msg& entity) {
  view.Put(kind, id, entity.SerializeAsString());
}

class MergedDirectory : public testing::Test {
 protected:
  void SetUp() override {
    // HG merged into TQ at kMerger; BK into HG (before HG's own merger): a chain BK → HG → TQ.
    v1::Agency hg = Province("UBND-HG", "UBND tỉnh Hà Giang");
    hg.set_end(v1::AGENCY_END_MERGED);
    hg.set_successor_code("UBND-TQ");
    *hg.mutable_ended_at() = ToProto(kMerger);
    hg.set_ended_by("202/2025/QH15");
    v1::Agency bk = Province("UBND-BK", "UBND tỉnh Bắc Kạn");
    bk.set_end(v1::AGENCY_END_MERGED);
    bk.set_successor_code("UBND-HG");
    *bk.mutable_ended_at() = ToProto(kMerger - absl::Hours(24));
    bk.set_ended_by("202/2025/QH15");
    v1::Agency tq = Province("UBND-TQ", "UBND tỉnh Tuyên Quang");
    v1::FormerName* former = tq.add_former_names();
    former->set_name_vi("UBND tỉnh Hà Tuyên");
    *former->mutable_until() = ToProto(kMerger - absl::Hours(24 * 365 * 20));
    for (const auto& a : {hg, bk, tq}) Put(view_, Kind::kAgency, a.code(), a);
    for (const auto& [id, agency] : {std::pair{"hg-sp", "UBND-HG"}, std::pair{"tq-sp", "UBND-TQ"}}) {
      v1::Spokesperson s;
      s.set_id(id);
      s.set_agency_code(agency);
      s.set_full_name("Người phát ngôn");
      s.set_role(v1::SPOKESPERSON_ROLE_HEAD);
      Put(view_, Kind::kSpokesperson, id, s);
    }
    v1::Outlet o;
    o.set_id("baohg");
    o.set_licence_number("GP-1");
    o.set_name("Báo Hà Giang");
    o.set_kind(v1::OUTLET_KIND_NEWSPAPER);
    Put(view_, Kind::kOutlet, "baohg", o);
    Subscribe("HG-1", {"UBND-HG"});
    Subscribe("BK-1", {"UBND-BK"});
    Subscribe("TQ-1", {"UBND-TQ"});
  }

  void Subscribe(const std::string& card, std::vector<std::string> agencies) {
    v1::Journalist j;
    j.set_card_number(card);
    j.set_full_name("Phóng viên " + card);
    j.set_outlet_id("baohg");
    *j.mutable_card_expires() = ToProto(kNow + absl::Hours(24 * 365));
    Put(view_, Kind::kJournalist, card, j);
    v1::Subscription s;
    s.set_recipient_id(JournalistRecipientId(card));
    for (auto& a : agencies) s.add_agency_codes(a);
    Put(view_, Kind::kSubscription, s.recipient_id(), s);
  }

  std::vector<std::string> Audience(const std::string& agency, absl::Time now) {
    v1::StatementAudienceQuery q;
    q.set_agency_code(agency);
    q.set_language("vi");
    q.set_urgency(5);
    q.set_kind(pressrelay::common::v1::STATEMENT_KIND_PRESS_RELEASE);
    std::vector<std::string> out;
    for (const auto& m : view_.MatchAudience(q, now)) out.push_back(m.recipient_id());
    std::sort(out.begin(), out.end());
    return out;
  }

  DirectoryView view_;
};

TEST_F(MergedDirectory, NobodySpeaksForAMergedAgencyFromTheDateOnAndTheMessageSaysWhy) {
  auto before = view_.CheckSpeaker("hg-sp", "UBND-HG", kMerger - absl::Seconds(1));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->agency().name_vi(), "UBND tỉnh Hà Giang");
  auto after = view_.CheckSpeaker("hg-sp", "UBND-HG", kMerger);
  EXPECT_EQ(after.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(after.status().message(), "UBND-HG was merged into UBND-TQ on 2025-07-01 (decision 202/2025/QH15)");
  // The successor's record carries the name of the moment checked.
  EXPECT_EQ(view_.CheckSpeaker("tq-sp", "UBND-TQ", kNow)->agency().name_vi(), "UBND tỉnh Tuyên Quang");
  EXPECT_EQ(view_.CheckSpeaker("tq-sp", "UBND-TQ", absl::FromUnixSeconds(0))->agency().name_vi(),
            "UBND tỉnh Hà Tuyên");
  // The public lists leave out an agency nobody speaks for any more.
  EXPECT_EQ(view_.PublicSpokespeople("UBND-HG", kNow)->size(), 0u);
  EXPECT_EQ(view_.PublicSpokespeople("UBND-HG", kMerger - absl::Seconds(1))->size(), 1u);
}

TEST_F(MergedDirectory, SubscribersFollowTheSuccessorOnceTheMergerTookEffectTransitively) {
  // Before any merger: each reader gets their own agency.
  const absl::Time early = kMerger - absl::Hours(48);
  EXPECT_EQ(Audience("UBND-TQ", early), (std::vector<std::string>{"journalist:TQ-1"}));
  EXPECT_EQ(Audience("UBND-HG", early), (std::vector<std::string>{"journalist:HG-1"}));
  // BK merged into HG: BK's readers follow HG, not yet TQ.
  const absl::Time between = kMerger - absl::Hours(1);
  EXPECT_EQ(Audience("UBND-HG", between), (std::vector<std::string>{"journalist:BK-1", "journalist:HG-1"}));
  EXPECT_EQ(Audience("UBND-TQ", between), (std::vector<std::string>{"journalist:TQ-1"}));
  // HG merged into TQ: both follow TQ.
  EXPECT_EQ(Audience("UBND-TQ", kMerger),
            (std::vector<std::string>{"journalist:BK-1", "journalist:HG-1", "journalist:TQ-1"}));
}

TEST_F(MergedDirectory, TheEffectiveSubscriptionNamesTheSuccessorsTheStoredOneDoesNot) {
  auto stored = view_.GetSubscription("journalist:BK-1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(std::vector<std::string>(stored->agency_codes().begin(), stored->agency_codes().end()),
            (std::vector<std::string>{"UBND-BK"}));
  auto effective = view_.EffectiveSubscription("journalist:BK-1", kNow);
  ASSERT_TRUE(effective.ok());
  EXPECT_EQ(std::vector<std::string>(effective->agency_codes().begin(), effective->agency_codes().end()),
            (std::vector<std::string>{"UBND-BK", "UBND-HG", "UBND-TQ"}));
  auto between = view_.EffectiveSubscription("journalist:BK-1", kMerger - absl::Hours(1));
  EXPECT_EQ(between->agency_codes_size(), 2);
  EXPECT_EQ(view_.EffectiveSubscription("journalist:TQ-1", kNow)->agency_codes_size(), 1);
  EXPECT_EQ(view_.EffectiveSubscription("journalist:nobody", kNow).status().code(), absl::StatusCode::kNotFound);
}

TEST(SuccessorsAt, ACycleIsCutOff) {
  std::map<std::string, v1::Agency> agencies;
  for (auto [code, next] : {std::pair{"A", "B"}, std::pair{"B", "A"}}) {
    v1::Agency a = Province(code, code);
    a.set_end(v1::AGENCY_END_MERGED);
    a.set_successor_code(next);
    *a.mutable_ended_at() = ToProto(kMerger);
    agencies[code] = a;
  }
  auto lookup = [&](const std::string& code) -> const v1::Agency* {
    auto it = agencies.find(code);
    return it == agencies.end() ? nullptr : &it->second;
  };
  EXPECT_EQ(SuccessorsAt("A", lookup, kNow), (std::vector<std::string>{"B"}));
}

}  // namespace
}  // namespace pressrelay::registry
