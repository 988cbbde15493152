#include "services/common/rpc/tcp_keepalive.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <grpc/support/sync.h>

#include "absl/strings/str_cat.h"
#include "services/common/base/log.h"

// gRPC's socket mutator interface (src/core/lib/iomgr/socket_mutator.h). It is not among
// the installed headers, but it is the documented way to set socket options
// (GRPC_ARG_SOCKET_MUTATOR, ChannelArguments::SetSocketMutator), and its layout has been the
// same since gRPC 1.2. tcp_keepalive_test checks that accepted connections get the options.
struct grpc_socket_mutator_vtable {
  bool (*mutate_fd)(int fd, grpc_socket_mutator* mutator);
  int (*compare)(grpc_socket_mutator* a, grpc_socket_mutator* b);
  void (*destroy)(grpc_socket_mutator* mutator);
  bool (*mutate_fd_2)(const void* info, grpc_socket_mutator* mutator);  // unused: nullptr
};
struct grpc_socket_mutator {
  const grpc_socket_mutator_vtable* vtable;
  gpr_refcount refcount;
};

namespace pressrelay {
namespace {

int Seconds(absl::Duration d) { return static_cast<int>(absl::ToInt64Seconds(d)); }

// The mutator: the vtable's functions find their options after the base struct.
struct KeepaliveMutator {
  grpc_socket_mutator base;
  TcpKeepalive keepalive;
};

bool MutateFd(int fd, grpc_socket_mutator* mutator) {
  const auto* self = reinterpret_cast<KeepaliveMutator*>(mutator);
  if (absl::Status s = ApplyTcpKeepalive(fd, self->keepalive); !s.ok()) {
    spdlog::warn("TCP keepalive not set on a connection: {}", s.ToString());
  }
  return true;  // a connection without keepalive still works
}

int Compare(grpc_socket_mutator* a, grpc_socket_mutator* b) { return a < b ? -1 : (a > b ? 1 : 0); }

void Destroy(grpc_socket_mutator* mutator) { delete reinterpret_cast<KeepaliveMutator*>(mutator); }

const grpc_socket_mutator_vtable kVtable = {MutateFd, Compare, Destroy, nullptr};

}  // namespace

absl::Status ApplyTcpKeepalive(int fd, const TcpKeepalive& keepalive) {
  struct Option {
    int level, name, value;
    const char* what;
  };
  const Option options[] = {
      {SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
      {IPPROTO_TCP, TCP_KEEPIDLE, Seconds(keepalive.idle), "TCP_KEEPIDLE"},
      {IPPROTO_TCP, TCP_KEEPINTVL, Seconds(keepalive.interval), "TCP_KEEPINTVL"},
      {IPPROTO_TCP, TCP_KEEPCNT, keepalive.probes, "TCP_KEEPCNT"},
      {IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(absl::ToInt64Milliseconds(keepalive.user_timeout)),
       "TCP_USER_TIMEOUT"},
  };
  for (const Option& o : options) {
    if (setsockopt(fd, o.level, o.name, &o.value, sizeof(o.value)) != 0) {
      return absl::InternalError(absl::StrCat("setsockopt ", o.what, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

grpc_socket_mutator* NewTcpKeepaliveMutator(const TcpKeepalive& keepalive) {
  auto* mutator = new KeepaliveMutator{};
  mutator->base.vtable = &kVtable;
  gpr_ref_init(&mutator->base.refcount, 1);
  mutator->keepalive = keepalive;
  return &mutator->base;
}

}  // namespace pressrelay
