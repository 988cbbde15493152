#include "services/registry/config.h"

#include "absl/flags/flag.h"
#include "services/common/rpc/audit.h"
#include "services/common/base/configuration.h"
#include "services/common/base/flag_range.h"
#include "services/common/base/status.h"
#include "services/common/base/status_macros.h"

ABSL_FLAG(std::string, bootstrap_tokens_file, "",
          "file of \"operator|service|gateway <name> <token>\" lines to install at start-up");
PRESSRELAY_INT_FLAG(int64_t, audit_scan_limit, 200000, 1, 100000000,
                    "audit entries one QueryAudit call looks at before it answers with what it found and "
                    "where to go on (its next_page_token)");
PRESSRELAY_INT_FLAG(int, directory_workers, 4, 1, 256,
                    "threads for the other services' Directory calls (apart from administration's)");

namespace pressrelay::registry {

absl::StatusOr<Config> Config::FromFlags() {
  Config config;
  PR_ASSIGN_OR_RETURN(config.common, CommonConfigFromFlags("registry"));
  config.common.server.max_receive_bytes = 64 << 20;  // bulk imports of press-card registries
  config.audit_scan_limit = absl::GetFlag(FLAGS_audit_scan_limit);
  config.directory_workers = absl::GetFlag(FLAGS_directory_workers);
  if (const std::string file = absl::GetFlag(FLAGS_bootstrap_tokens_file); !file.empty()) {
    auto text = ReadSecretFile(file);
    if (!text.ok()) return Annotate(text.status(), "--bootstrap_tokens_file");
    auto tokens = ParseBootstrapTokens(*text);
    if (!tokens.ok()) return Annotate(tokens.status(), "--bootstrap_tokens_file");
    config.bootstrap_tokens = std::move(*tokens);
  }
  return config;
}

}  // namespace pressrelay::registry
