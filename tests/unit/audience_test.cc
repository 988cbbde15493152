// The audience predicate: what a subscription lets through.
#include "services/common/domain/audience.h"

#include <gtest/gtest.h>

namespace pressrelay::audience {
namespace {

Facets Statement() {
  Facets f;
  f.agency_code = "MOH";
  f.topics = {"health", "education"};
  f.region_code = "VN-HN";
  f.language = "vi";
  f.urgency = 3;
  f.kind = 1;
  return f;
}

TEST(Audience, EmptyFilterMatchesEverything) { EXPECT_TRUE(Matches(Filter{}, Statement())); }

TEST(Audience, Agencies) {
  Filter f;
  f.agency_codes = {"MOF"};
  EXPECT_FALSE(Matches(f, Statement()));
  f.agency_codes = {"MOF", "MOH"};
  EXPECT_TRUE(Matches(f, Statement()));
}

TEST(Audience, TopicsMatchIfAnyIsShared) {
  Filter f;
  f.topics = {"economy"};
  EXPECT_FALSE(Matches(f, Statement()));
  f.topics = {"economy", "education"};
  EXPECT_TRUE(Matches(f, Statement()));
  Facets no_topics = Statement();
  no_topics.topics.clear();
  EXPECT_FALSE(Matches(f, no_topics));
}

TEST(Audience, RegionsAndNationalStatements) {
  Filter f;
  f.region_codes = {"VN-SG"};
  EXPECT_FALSE(Matches(f, Statement()));
  Facets national = Statement();
  national.region_code.clear();
  EXPECT_TRUE(Matches(f, national));  // a national statement concerns every region
}

TEST(Audience, Languages) {
  Filter f;
  f.languages = {"en"};
  EXPECT_FALSE(Matches(f, Statement()));
}

TEST(Audience, UrgencyThreshold) {
  Filter f;
  f.max_urgency = 2;
  EXPECT_FALSE(Matches(f, Statement()));  // urgency 3 is less urgent than 2
  f.max_urgency = 3;
  EXPECT_TRUE(Matches(f, Statement()));
  f.max_urgency = 0;  // unset means all
  EXPECT_TRUE(Matches(f, Statement()));
}

TEST(Audience, Kinds) {
  Filter f;
  f.kinds = {2};
  EXPECT_FALSE(Matches(f, Statement()));
  f.kinds = {1, 2};
  EXPECT_TRUE(Matches(f, Statement()));
}

TEST(Audience, SubscriptionAndHistoryFilterAgree) {
  pressrelay::registry::v1::Subscription s;
  s.add_agency_codes("MOH");
  s.add_topics("health");
  s.set_max_urgency(4);
  const Filter a = FilterOf(s);
  const Filter b = FilterOf(HistoryFilterOf(s));
  EXPECT_EQ(a.agency_codes, b.agency_codes);
  EXPECT_EQ(a.topics, b.topics);
  EXPECT_EQ(a.max_urgency, b.max_urgency);
  EXPECT_EQ(Matches(a, Statement()), Matches(b, Statement()));
}

}  // namespace
}  // namespace pressrelay::audience
