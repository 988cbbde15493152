#include "services/common/rpc/tcp_keepalive.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pressrelay {
namespace {

int GetInt(int fd, int level, int name) {
  int value = -1;
  socklen_t len = sizeof(value);
  EXPECT_EQ(getsockopt(fd, level, name, &value, &len), 0);
  return value;
}

TEST(TcpKeepalive, SetsEveryOptionOnTheSocket) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(GetInt(fd, SOL_SOCKET, SO_KEEPALIVE), 0);  // the kernel's default: off
  TcpKeepalive keepalive;
  keepalive.idle = absl::Seconds(25);
  keepalive.interval = absl::Seconds(7);
  keepalive.probes = 4;
  keepalive.user_timeout = absl::Milliseconds(33000);
  ASSERT_TRUE(ApplyTcpKeepalive(fd, keepalive).ok());
  EXPECT_EQ(GetInt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 25);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 7);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
  EXPECT_EQ(GetInt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 33000);
  close(fd);
}

TEST(TcpKeepalive, NamesTheOptionTheKernelRefuses) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  TcpKeepalive keepalive;
  keepalive.idle = absl::ZeroDuration();  // TCP_KEEPIDLE must be at least 1 s
  absl::Status s = ApplyTcpKeepalive(fd, keepalive);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(s.message().find("TCP_KEEPIDLE"), std::string::npos) << s;
  close(fd);
}

}  // namespace
}  // namespace pressrelay
