#include "services/common/domain/cursor.h"

#include <gtest/gtest.h>

#include "services/common/base/status.h"

namespace pressrelay {
namespace {

TEST(Cursor, RoundTrip) {
  Cursor c{"0123456789abcdef", {1795678132195000, 1795678132195001}};
  const std::string text = EncodeCursor(c);
  auto back = DecodeCursor(text, "cursor");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->epoch, c.epoch);
  EXPECT_EQ(back->positions, c.positions);
}

TEST(Cursor, RejectsWhatItDidNotIssue) {
  for (const char* bad : {"", "c1", "c1.e.1", "c2.e.1.2", "c1..1.2", "c1.e.-1.2", "c1.e.x.2", "c1.e.1.2.3"}) {
    auto c = DecodeCursor(bad, "cursor");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorField(c.status()), "cursor");
  }
}

}  // namespace
}  // namespace pressrelay
