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
// Signing in to the admin gateway.
PRESSRELAY_DURATION_FLAG(session_idle_timeout, absl::Minutes(30), "1s", "12h",
                         "a session ends after this long without use");
PRESSRELAY_DURATION_FLAG(session_lifetime, absl::Hours(12), "1s", "12h",
                         "a session ends this long after sign-in, however it is used");
PRESSRELAY_DURATION_FLAG(signin_failure_window, absl::Minutes(15), "1s", "24h",
                         "failed sign-ins count against an account and an address for this long");
PRESSRELAY_INT_FLAG(int, signin_account_failures, 5, 1, 100,
                    "failed sign-ins within --signin_failure_window that lock the account");
PRESSRELAY_DURATION_FLAG(signin_lockout, absl::Minutes(15), "1s", "24h",
                         "how long a locked account refuses sign-in, even with the right password");
PRESSRELAY_INT_FLAG(int, signin_address_failures, 20, 1, 100000,
                    "failed sign-ins within --signin_failure_window after which a client address is refused "
                    "until they leave it");
PRESSRELAY_INT_FLAG(int, signin_password_checks, 2, 1, 64,
                    "password checks (Argon2id, 64 MiB each) at once; more sign-ins are asked to retry");

namespace pressrelay::registry {

absl::StatusOr<Config> Config::FromFlags() {
  Config config;
  PR_ASSIGN_OR_RETURN(config.common, CommonConfigFromFlags("registry"));
  config.common.server.max_receive_bytes = 64 << 20;  // bulk imports of press-card registries
  config.audit_scan_limit = absl::GetFlag(FLAGS_audit_scan_limit);
  config.directory_workers = absl::GetFlag(FLAGS_directory_workers);
  config.sign_in.sessions.idle_timeout = absl::GetFlag(FLAGS_session_idle_timeout);
  config.sign_in.sessions.lifetime = absl::GetFlag(FLAGS_session_lifetime);
  config.sign_in.failures.window = absl::GetFlag(FLAGS_signin_failure_window);
  config.sign_in.failures.max_account_failures = absl::GetFlag(FLAGS_signin_account_failures);
  config.sign_in.failures.lockout = absl::GetFlag(FLAGS_signin_lockout);
  config.sign_in.failures.max_address_failures = absl::GetFlag(FLAGS_signin_address_failures);
  config.sign_in.password_checks = absl::GetFlag(FLAGS_signin_password_checks);
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
