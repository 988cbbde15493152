// The log line formats and the request id they carry (log.h, request_id.h).
#include <gtest/gtest.h>

#include <string>

#include "services/common/base/log.h"
#include "services/common/base/request_id.h"

namespace pressrelay {
namespace {

std::string Format(spdlog::formatter& f, const std::string& message, spdlog::level::level_enum level) {
  spdlog::details::log_msg msg("distribution", level, message);
  spdlog::memory_buf_t out;
  f.format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(JsonLog, OneObjectALineWithTheRequestIdWhenThereIsOne) {
  auto f = MakeJsonFormatter("distribution");
  const std::string outside = Format(*f, "fan-out done", spdlog::level::info);
  EXPECT_NE(outside.find(R"("level":"info","service":"distribution","message":"fan-out done")"), std::string::npos)
      << outside;
  EXPECT_EQ(outside.find("request_id"), std::string::npos);
  EXPECT_EQ(outside.back(), '\n');
  EXPECT_EQ(outside.find('\n'), outside.size() - 1);  // one line
  {
    ScopedRequestId scope("req-7");
    const std::string inside = Format(*f, "Distribution.Publish by moh-sp: OK", spdlog::level::warn);
    EXPECT_NE(inside.find(R"("level":"warning")"), std::string::npos) << inside;
    EXPECT_NE(inside.find(R"("request_id":"req-7"})"), std::string::npos) << inside;
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(JsonLog, MessagesCannotBreakTheLineOrTheObject) {
  auto f = MakeJsonFormatter("registry");
  const std::string line = Format(*f, "a \"quoted\" name\nand a \\ and \x01 and Bộ Y tế", spdlog::level::err);
  EXPECT_NE(line.find(R"("message":"a \"quoted\" name\nand a \\ and \u0001 and Bộ Y tế")"), std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(RequestId, OnlyPlainIdsAreKeptAndNewOnesAreUnique) {
  EXPECT_TRUE(ValidRequestId("req-cli-0042"));
  EXPECT_TRUE(ValidRequestId("5f0c2a9e8b7d6c1a"));
  EXPECT_FALSE(ValidRequestId(""));
  EXPECT_FALSE(ValidRequestId("two words"));
  EXPECT_FALSE(ValidRequestId("line\nbreak"));
  EXPECT_FALSE(ValidRequestId(std::string(65, 'a')));
  const std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_TRUE(ValidRequestId(a));
  EXPECT_NE(a, b);
}

TEST(RequestId, ScopesNestAndRestore) {
  ScopedRequestId outer("outer");
  {
    ScopedRequestId inner("inner");
    EXPECT_EQ(CurrentRequestId(), "inner");
  }
  EXPECT_EQ(CurrentRequestId(), "outer");
}

}  // namespace
}  // namespace pressrelay
