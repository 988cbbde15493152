# Shared by the peer scripts (sourced, not run): each starts its server privately on a free
# 127.0.0.1 port in a fresh temp dir, runs its bench binary against it, then stops the server
# and removes the dir. Only the benchmark's RESULT line goes to stdout.
#
# The sourcing script sets PEER (its name, for messages) and then calls, in order:
#   peer_setup BENCH_NAME SERVER_BIN   binary checks, fd limit, $DIR, $PORT, the exit trap
#   <starts its server in the background>; SERVER_PID=$!
#   peer_wait_ready                    until the port accepts (or the server died)
#   peer_run ARGS...                   the bench binary with ARGS and --server_pid
# and may define peer_report_log (called on exit with the exit status) to show its server's log.

peer_die() {
  echo "$PEER: $*" >&2
  exit 1
}

peer_setup() {
  local bench_name=$1 server=$2
  local bin_dir=${BENCH_BIN_DIR:-build/bin}
  if [[ ! -x "$bin_dir/$bench_name" && -z "${BENCH_BIN_DIR:-}" ]]; then
    bin_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin"
  fi
  BENCH="$bin_dir/$bench_name"
  [[ -x "$BENCH" ]] || peer_die "$BENCH not found (build it: ninja -C build $bench_name, or set BENCH_BIN_DIR)"
  command -v "$server" >/dev/null || peer_die "$server not installed"
  # One connection per subscriber: use every descriptor we may.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  FD_LIMIT="$(ulimit -n)"
  [[ "$FD_LIMIT" == unlimited ]] && FD_LIMIT=65536
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-$PEER.XXXXXX")
  SERVER_PID=""
  BENCH_PID=""
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap peer_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Stops PID with SIGTERM, waiting up to 30 s (servers that persist write on the way out).
peer_stop() {
  local pid=$1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$PEER: pid $pid did not stop on SIGTERM, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

peer_cleanup() {
  local rc=$?
  peer_stop "$BENCH_PID"
  peer_stop "$SERVER_PID"
  if declare -F peer_report_log >/dev/null; then peer_report_log "$rc"; fi
  rm -rf "$DIR"
  exit "$rc"
}

peer_wait_ready() {
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || peer_die "the server exited at start (its log follows, if any)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      echo "$PEER: server pid $SERVER_PID on 127.0.0.1:$PORT, dir $DIR" >&2
      return 0
    fi
    sleep 0.1
  done
  peer_die "the server is not accepting on port $PORT"
}

peer_run() {
  # In the background so that a signal to this script still stops everything (peer_cleanup).
  "$BENCH" "$@" --server_pid "$SERVER_PID" &
  BENCH_PID=$!
  wait "$BENCH_PID"
}

# Prints the last lines of LOG matching PATTERN (warnings, errors), and its tail on failure.
peer_log_summary() {
  local rc=$1 log=$2 pattern=$3 n
  [[ -f "$log" ]] || return 0
  n=$(grep -c -E "$pattern" "$log" || true)
  if [[ "$n" != "0" ]]; then
    echo "$PEER: server log has $n warnings/errors; last lines:" >&2
    grep -E "$pattern" "$log" | tail -n 10 >&2 || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "$PEER: server log tail:" >&2
    tail -n 20 "$log" >&2 || true
  fi
}
