// Finding dead connections with the kernel's TCP keepalive instead of HTTP/2 PINGs.
//
// Why: with gRPC's HTTP/2 keepalive on, the transport cancels and re-arms its keepalive
// timer on every read. Debian 12's libgrpc is built without NDEBUG, so every timer set and
// cancel also walks a debug hash bucket holding about (timers in the process / 1009)
// entries: a per-read cost that grows with the number of connections (about 7% of the
// subscription service's CPU at 10,000 streams; bench/README.md). The kernel's keepalive
// costs nothing per read and finds a vanished peer as well: probes after `idle` without
// traffic, every `interval`, the connection dropped after `probes` unanswered ones, and
// unacknowledged data given up after `user_timeout` (TCP_USER_TIMEOUT).
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"

#include <grpc/grpc.h>

namespace pressrelay {

struct TcpKeepalive {
  absl::Duration idle = absl::Seconds(30);
  absl::Duration interval = absl::Seconds(10);
  int probes = 3;
  absl::Duration user_timeout = absl::Seconds(40);
};

// Sets SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and TCP_USER_TIMEOUT on `fd`.
absl::Status ApplyTcpKeepalive(int fd, const TcpKeepalive& keepalive);

// A gRPC socket mutator that applies `keepalive` to every connection (not to listening
// sockets). The caller owns one reference, which ChannelArguments::SetSocketMutator takes
// over.
grpc_socket_mutator* NewTcpKeepaliveMutator(const TcpKeepalive& keepalive);

}  // namespace pressrelay
