// What the subscription service does with a revocation from the registry's feed
// (revocation_watcher.h): forget cached answers about the token or identity and end its
// open streams with UNAUTHENTICATED. After a `reset` (the feed lost its place) every open
// stream's token is checked with the registry again, and those refused are ended; a
// registry that cannot answer ends nothing.
#pragma once

#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/rpc/auth.h"
#include "services/subscription/stream_hub.h"

namespace pressrelay::subscription {

class AccessRevoker {
 public:
  AccessRevoker(CachingAuthenticator* auth, StreamHub* hub) : auth_(auth), hub_(hub) {}
  void operator()(const pressrelay::registry::v1::Revocation& revocation);

 private:
  CachingAuthenticator* const auth_;
  StreamHub* const hub_;
};

}  // namespace pressrelay::subscription
