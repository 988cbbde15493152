// A child process for tests: started with its stdout on a pipe (to read its readiness
// line) and its stderr in a log file; killed and reaped when the object goes away.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pressrelay::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv` with extra environment variables; stderr goes to `log_path`. The child is
  // killed when the thread that started it ends (PR_SET_PDEATHSIG): start children from the
  // test's main thread.
  absl::Status Start(const std::vector<std::string>& argv, const std::string& log_path,
                     const std::map<std::string, std::string>& env = {});
  // Reads stdout lines until one starts with `prefix`; returns it. Blocks on the pipe
  // (poll), never sleeps.
  absl::StatusOr<std::string> WaitForLine(const std::string& prefix, absl::Duration timeout);
  // Waits until the process's log (stderr) contains `text`, blocking on inotify rather
  // than polling; returns the log.
  absl::StatusOr<std::string> WaitForLog(const std::string& text, absl::Duration timeout);
  // Reads stdout until the process closes it; returns everything read.
  absl::StatusOr<std::string> ReadToEnd(absl::Duration timeout);
  // Everything read from stdout so far.
  const std::string& output() const { return output_; }
  void Signal(int sig);
  // Waits for the process to exit; returns its wait status, or DEADLINE_EXCEEDED.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // Peak resident memory of the running process (VmHWM) and current (VmRSS), in KiB.
  absl::StatusOr<int64_t> RssKib() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
  std::string log_path_;
};

// A port nobody listens on now, from below the kernel's ephemeral range so that nothing binding
// port 0 or connecting out takes it before the test listens on it (tests pass 0 where the
// program allows).
int FreePort();

// A fresh private directory under $TMPDIR, removed with its contents by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Where the built binaries are (from the PRESSRELAY_BIN_DIR compile definition or env).
std::string BinaryPath(const std::string& name);
// The source tree (PRESSRELAY_SOURCE_DIR compile definition or env).
std::string SourceDir();
// Contents of a file ("" if missing).
std::string ReadFile(const std::string& path);
// The last `lines` lines of a file (a service's log, printed when a test fails).
std::string ReadTail(const std::string& path, int lines);
void WriteFile(const std::string& path, const std::string& content);
// Runs a command to completion (stderr to `log`); returns (exit code, stdout), -1 if it could
// not run or did not finish within `timeout`.
std::pair<int, std::string> RunProgram(const std::vector<std::string>& argv, const std::string& log,
                                       const std::map<std::string, std::string>& env = {},
                                       absl::Duration timeout = absl::Seconds(60));

// Python modules for protos/ (messages and gRPC stubs) in `out_dir`, made with Debian's protoc
// and gRPC Python plugin, as a newsroom would make them.
absl::Status GeneratePythonStubs(const std::string& out_dir);

}  // namespace pressrelay::testing
