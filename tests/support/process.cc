#include "tests/support/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

extern char** environ;

namespace pressrelay::testing {

ChildProcess::~ChildProcess() { Kill(); }

absl::Status ChildProcess::Start(const std::vector<std::string>& argv, const std::string& log_path,
                                 const std::map<std::string, std::string>& env) {
  log_path_ = log_path;
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  // Prepare everything the child needs before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid == 0) {
    // The child dies with the test, even if the test crashes: no process outlives it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, nullptr);
    signal(SIGPIPE, SIG_DFL);
    dup2(out_pipe[1], STDOUT_FILENO);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execvpe(cargv[0], cargv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  if (log_fd >= 0) close(log_fd);
  if (null_fd >= 0) close(null_fd);
  if (pid < 0) {
    close(out_pipe[0]);
    return absl::InternalError(absl::StrCat("cannot start ", argv[0]));
  }
  pid_ = pid;
  stdout_fd_ = out_pipe[0];
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& prefix, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  size_t scanned = 0;
  for (;;) {
    // Look for a complete line with the prefix in what we have.
    size_t start = 0;
    while (true) {
      const size_t nl = output_.find('\n', start);
      if (nl == std::string::npos) break;
      const std::string line = output_.substr(start, nl - start);
      if (start >= scanned && absl::StartsWith(line, prefix)) {
        scanned = nl + 1;
        return line;
      }
      start = nl + 1;
    }
    scanned = start;
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("no \"", prefix, "\" line from the process; see ", log_path_));
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n <= 0) return absl::UnavailableError(absl::StrCat("process ended before \"", prefix, "\"; see ", log_path_));
    output_.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> ChildProcess::ReadToEnd(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (stdout_fd_ >= 0) {
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) return absl::DeadlineExceededError("process kept its output open");
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n <= 0) break;
    output_.append(buf, static_cast<size_t>(n));
  }
  return output_;
}

absl::StatusOr<std::string> ChildProcess::WaitForLog(const std::string& text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0) return absl::InternalError("inotify");
  inotify_add_watch(fd, log_path_.c_str(), IN_MODIFY);
  for (;;) {
    const std::string log = ReadFile(log_path_);
    if (log.find(text) != std::string::npos) {
      close(fd);
      return log;
    }
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) {
      close(fd);
      return absl::DeadlineExceededError(absl::StrCat("\"", text, "\" never appeared in ", log_path_));
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) > 0) {
      char buf[4096];
      (void)read(fd, buf, sizeof(buf));
    }
  }
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  // A pidfd turns the wait into a blocking poll with a timeout.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    close(pidfd);
  }
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return absl::DeadlineExceededError("process did not exit");
  pid_ = -1;
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
  return status;
}

void ChildProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

namespace {

absl::StatusOr<int64_t> StatusField(pid_t pid, absl::string_view field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, field)) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      int64_t kib = 0;
      if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kib)) return kib;
    }
  }
  return absl::NotFoundError("no such field");
}

}  // namespace

absl::StatusOr<int64_t> ChildProcess::RssKib() const { return StatusField(pid_, "VmRSS:"); }

namespace {

// The kernel's ephemeral range ("ip_local_port_range"), from which it picks the port of every
// bind to port 0 and of every outgoing connection.
std::pair<int, int> EphemeralRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  in >> low >> high;
  return {low, high};
}

bool Bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

int FreePort() {
  // Below the ephemeral range: a port chosen here and listened on a moment later cannot be
  // taken in between by any process that binds port 0 or connects out (a chosen port from
  // inside the range once was). Only another chooser could take it, and the listener then
  // fails to start (no SO_REUSEPORT) rather than share it.
  const auto [low, high] = EphemeralRange();
  const int first = low > 12000 ? 10000 : high + 1;
  const int last = low > 12000 ? low - 1 : 65535;
  static absl::Mutex mu(absl::kConstInit);
  static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(getpid()));  // under mu
  std::uniform_int_distribution<int> pick(first, last);
  absl::MutexLock lock(&mu);  // tests may choose ports from several threads
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = pick(random);
    if (Bindable(port)) return port;
  }
  return 0;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = absl::StrCat(base != nullptr ? base : "/tmp", "/pressrelay-test-XXXXXX");
  path_ = mkdtemp(templ.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  if (std::getenv("PRESSRELAY_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(path_, ec);
}

std::string BinaryPath(const std::string& name) {
  const char* env = std::getenv("PRESSRELAY_BIN_DIR");
#ifdef PRESSRELAY_BIN_DIR
  const std::string dir = env != nullptr ? env : PRESSRELAY_BIN_DIR;
#else
  const std::string dir = env != nullptr ? env : ".";
#endif
  return absl::StrCat(dir, "/", name);
}

std::string SourceDir() {
  const char* env = std::getenv("PRESSRELAY_SOURCE_DIR");
#ifdef PRESSRELAY_SOURCE_DIR
  return env != nullptr ? env : PRESSRELAY_SOURCE_DIR;
#else
  return env != nullptr ? env : ".";
#endif
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadTail(const std::string& path, int lines) {
  const std::string text = ReadFile(path);
  size_t begin = text.size();
  if (begin > 0 && text[begin - 1] == '\n') --begin;  // the last line's end is not a line
  for (int seen = 0; begin > 0; --begin) {
    if (text[begin - 1] == '\n' && ++seen == lines) break;
  }
  return text.substr(begin);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::pair<int, std::string> RunProgram(const std::vector<std::string>& argv, const std::string& log,
                                       const std::map<std::string, std::string>& env, absl::Duration timeout) {
  ChildProcess p;
  if (!p.Start(argv, log, env).ok()) return {-1, ""};
  auto out = p.ReadToEnd(timeout);
  auto status = p.Wait(timeout);
  return {status.ok() && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, out.ok() ? *out : ""};
}

absl::Status GeneratePythonStubs(const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  std::vector<std::string> protoc = {"protoc", "-I", SourceDir() + "/protos", "--python_out=" + out_dir,
                                     "--grpc_python_out=" + out_dir,
                                     "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SourceDir() + "/protos")) {
    if (entry.path().extension() == ".proto") protoc.push_back(entry.path().string());
  }
  const std::string log = out_dir + "/protoc.log";
  if (RunProgram(protoc, log).first != 0) return absl::InternalError("protoc failed: " + ReadFile(log));
  return absl::OkStatus();
}

}  // namespace pressrelay::testing
