#!/usr/bin/env bash
# Shared by the tests that drive deploy/local/run.sh (tests/deploy/local_run_test.sh and the
# browser test's tests/gateway/browser/run_test.sh). Source it after setting HOST; the caller
# sets RUN_ABS and MARK before calling our_processes.
#
#   alive PID                  the process exists and is not a zombie
#   port_busy PORT             something accepts connections on $HOST:PORT
#   pick_base N                N consecutive free ports below the ephemeral range; prints the first
#   our_processes              pids of processes of the run directory $RUN_ABS (services carry
#                              $MARK in their environment; redis-server works in $RUN_ABS/redis)
#   script_root ROOT BIN WORK  where to run run.sh from so that it uses the binaries in BIN: ROOT
#                              itself when BIN is ROOT/build/bin, else a tree of links in WORK/root
#   http_status URL_PATH PORT  the HTTP status of GET URL_PATH on $HOST:PORT (bash only)

alive() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

pick_base() {
  local n=$1
  if command -v python3 >/dev/null; then
    python3 - "$n" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
try:
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except OSError:
    lo, hi = 32768, 60999
first, last = (20000, lo - n - 1) if lo > 21000 else (hi + 1, 65535 - n)
for _ in range(500):
    base = random.randint(first, last)
    socks = []
    try:
        for port in range(base, base + n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))  # no SO_REUSEADDR: also refuses ports in TIME_WAIT
        print(base)
        sys.exit(0)
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
sys.exit(1)
PY
  else
    local base p ok
    for _ in $(seq 500); do
      base=$((20000 + RANDOM % 12000))
      ok=1
      for ((p = base; p < base + n; p++)); do
        port_busy "$p" && ok=0 && break
      done
      ((ok)) && echo "$base" && return 0
    done
    return 1
  fi
}

our_processes() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if [[ $(readlink "$d/cwd" 2>/dev/null) == "$RUN_ABS/redis" ]] ||
      { tr '\0' '\n' <"$d/environ" | grep -qxF "$MARK"; } 2>/dev/null; then
      alive "$pid" && echo "$pid"
    fi
  done
  return 0
}

script_root() {
  local root=$1 bin=$2 work=$3
  if [[ $bin == "$(realpath -m "$root/build/bin")" ]]; then
    echo "$root"
    return 0
  fi
  mkdir -p "$work/root/deploy/local" "$work/root/build"
  ln -s "$root/deploy/local/run.sh" "$work/root/deploy/local/run.sh"
  ln -s "$root/deploy/local/demo" "$work/root/deploy/local/demo"
  ln -s "$root/gateway" "$work/root/gateway"
  ln -s "$bin" "$work/root/build/bin"
  echo "$work/root"
}

http_status() {
  local path=$1 port=$2 line
  exec 4<>"/dev/tcp/$HOST/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$path" "$HOST" "$port" >&4
  IFS= read -r -t 10 line <&4 || line=""
  exec 4<&-
  line=${line%$'\r'}
  echo "${line#HTTP/1.1 }" | cut -d' ' -f1
}
