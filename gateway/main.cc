// pressrelay-gateway: the admin gateway, the spokespeople's and operators' desk in a browser
// and its JSON API. Wiring only: the HTTP side is http_gateway.h, the JSON API transcoder.h,
// the life of the process service_main.h's, the configuration config.h's. It never touches
// Redis: everything goes to the services over gRPC, as the signed-in person.
#include <memory>

#include "absl/flags/flag.h"
#include "gateway/config.h"
#include "gateway/http_gateway.h"
#include "gateway/transcoder.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "pressrelay/registry/v1/registry.pb.h"
#include "services/common/base/configuration.h"
#include "services/common/base/log.h"
#include "services/common/rpc/grpc_util.h"
#include "services/common/rpc/service_main.h"

namespace pressrelay::gateway {
namespace {

int Run(const Config& config) {
  auto registry = MakeChannel(config.registry, config.peer_tls);
  auto distribution = MakeChannel(config.distribution, config.peer_tls);
  if (!registry.ok() || !distribution.ok()) {
    spdlog::critical("peers: {}", FirstError({registry.status(), distribution.status()}).ToString());
    return 2;
  }
  // The public APIs the desk uses, each over the channel of the service that serves it. The
  // transcoder finds them in the generated descriptor pool; naming a message of each API's file
  // is what links that file's descriptors into this binary.
  (void)registry::v1::Agency::descriptor();
  (void)distribution::v1::PublishRequest::descriptor();
  auto transcoder = Transcoder::Create({{"pressrelay.registry.v1.RegistryAdmin", *registry},
                                        {"pressrelay.registry.v1.Keys", *registry},
                                        {"pressrelay.registry.v1.PublicRegistry", *registry},
                                        {"pressrelay.distribution.v1.Distribution", *distribution},
                                        {"pressrelay.distribution.v1.Questions", *distribution}});
  if (!transcoder.ok()) {
    spdlog::critical("JSON API: {}", transcoder.status().ToString());
    return 2;
  }
  HttpGateway* http = nullptr;
  ServiceRun run;
  run.server.service_name = "gateway";
  run.server.metrics_listen = config.metrics_listen;
  run.listen = [&]() -> absl::StatusOr<std::unique_ptr<Listener>> {
    auto started = HttpGateway::Start(config.http, transcoder->get(), *registry);
    if (!started.ok()) return started.status();
    http = started->get();
    return std::unique_ptr<Listener>(std::move(*started));
  };
  run.waiting_for = "the registry and the distribution service";
  auto both_serving = [&]() -> absl::Status {
    if (absl::Status s = CheckHealth(**registry, "", absl::Seconds(1)); !s.ok()) return Annotate(s, "registry");
    return Annotate(CheckHealth(**distribution, "", absl::Seconds(1)), "distribution");
  };
  run.start = both_serving;
  run.ready = both_serving;
  run.startup_timeout = config.startup_timeout;
  run.drain_grace = config.drain_grace;
  return RunService(std::move(run));
}

}  // namespace
}  // namespace pressrelay::gateway

int main(int argc, char** argv) {
  pressrelay::InitProcess();
  pressrelay::ParseFlagsWithEnv(argc, argv, "pressrelay-gateway: the admin gateway");
  pressrelay::InitLogging("gateway", absl::GetFlag(FLAGS_log_level), absl::GetFlag(FLAGS_log_format));
  auto config = pressrelay::gateway::Config::FromFlags();
  if (const int code = pressrelay::ConfigVerdict(config.status()); code >= 0) return code;
  return pressrelay::gateway::Run(*config);
}
