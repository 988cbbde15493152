#include "services/common/rpc/flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, redis, "127.0.0.1:6379",
          "Redis host:port; with --redis_cluster, seed nodes of the cluster, comma-separated");
ABSL_FLAG(bool, redis_cluster, false,
          "treat --redis as the seed nodes of a Redis Cluster: each command goes to the primary "
          "that owns its key's slot, following MOVED and ASK");
PRESSRELAY_INT_FLAG(int, redis_wait_replicas, 0, 0, 16,
                    "replicas that must hold a committed version and a finished fan-out's queues before "
                    "they count as done (Redis WAIT); 0 leaves replication asynchronous");
PRESSRELAY_DURATION_FLAG(redis_wait_timeout, absl::Seconds(1), "1ms", "1m",
                         "how long to wait for --redis_wait_replicas before answering UNAVAILABLE");
ABSL_FLAG(std::string, redis_password_file, "", "file holding the Redis password, if any");
ABSL_FLAG(std::string, service_token_file, "",
          "file holding this service's bearer token for calls to the other services");
PRESSRELAY_INT_FLAG(int, workers, 8, 1, 256, "threads for blocking work (Redis, calls to other services)");
PRESSRELAY_INT_FLAG(int, queue_limit, 1000, 1, 1000000,
                    "calls waiting for a worker before new ones are refused with RESOURCE_EXHAUSTED");
PRESSRELAY_DURATION_FLAG(redis_acquire_timeout, absl::Seconds(2), "10ms", "1m",
                         "how long a call waits for a free Redis connection before it answers UNAVAILABLE");
ABSL_FLAG(std::string, rate_limits,
          "operator=1200,spokesperson=600,gateway=6000,newsroom_client=6000,journalist=600",
          "calls a minute per principal, by role, counted across replicas; an unlisted role (and "
          "service) is not limited; empty turns limits off");
PRESSRELAY_INT_FLAG(int64_t, audit_max_entries, 10000000, 1000, 1000000000,
                    "length at which the audit stream starts dropping its oldest entries");

namespace pressrelay {

absl::StatusOr<CommonConfig> CommonConfigFromFlags(const std::string& service_name) {
  CommonConfig config;
  PR_ASSIGN_OR_RETURN(config.server, ServerOptionsFromFlags(service_name));
  PR_ASSIGN_OR_RETURN(config.redis, RedisOptionsFromFlags(service_name));
  PR_ASSIGN_OR_RETURN(config.rate_limits, RateLimitsFromFlags());
  config.workers = absl::GetFlag(FLAGS_workers);
  config.queue_limit = static_cast<size_t>(absl::GetFlag(FLAGS_queue_limit));
  config.drain_grace = absl::GetFlag(FLAGS_drain_grace);
  config.startup_timeout = absl::GetFlag(FLAGS_startup_timeout);
  config.redis_acquire_timeout = absl::GetFlag(FLAGS_redis_acquire_timeout);
  config.liveness_stall = absl::GetFlag(FLAGS_liveness_stall);
  config.audit_max_entries = absl::GetFlag(FLAGS_audit_max_entries);
  return config;
}

absl::StatusOr<std::map<Role, int64_t>> RateLimitsFromFlags() {
  return RateLimiter::ParseLimits(absl::GetFlag(FLAGS_rate_limits));
}

absl::StatusOr<redis::Options> RedisOptionsFromFlags(const std::string& service_name) {
  const std::vector<std::string> addresses =
      absl::StrSplit(absl::GetFlag(FLAGS_redis), ',', absl::SkipWhitespace());
  redis::Options options;
  options.cluster = absl::GetFlag(FLAGS_redis_cluster);
  if (addresses.empty()) return absl::InvalidArgumentError("--redis: no address");
  if (addresses.size() > 1 && !options.cluster) {
    return absl::InvalidArgumentError(
        "--redis: several addresses are the seeds of a Redis Cluster; add --redis_cluster, or give one");
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    PR_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(addresses[i], "--redis"));
    if (i == 0) {
      options.host = hp.host;
      options.port = hp.port;
    } else {
      options.seeds.push_back(redis::Endpoint{hp.host, hp.port});
    }
  }
  options.client_name = absl::StrCat("pressrelay-", service_name);
  options.wait_replicas = absl::GetFlag(FLAGS_redis_wait_replicas);
  options.wait_timeout = absl::GetFlag(FLAGS_redis_wait_timeout);
  if (const std::string file = absl::GetFlag(FLAGS_redis_password_file); !file.empty()) {
    PR_ASSIGN_OR_RETURN(options.password, ReadSecretFile(file));
  }
  return options;
}

absl::StatusOr<std::string> ServiceTokenFromFlags() {
  const std::string file = absl::GetFlag(FLAGS_service_token_file);
  if (file.empty()) return absl::InvalidArgumentError("--service_token_file is required");
  return ReadSecretFile(file);
}

}  // namespace pressrelay
