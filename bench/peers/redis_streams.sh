#!/usr/bin/env bash
# Runs the "redis-streams" peer: starts a private redis-server with an append-only file (fsync
# every second: this is the durable variant) on a free 127.0.0.1 port in a fresh temp dir, runs
# bench-redis-streams against it with this script's arguments (--subscribers N --messages M
# --bytes B --rate R --timeout_s S ...), then stops Redis and removes the temp dir. Only the
# benchmark's RESULT line goes to stdout.
#   BENCH_BIN_DIR  where the bench binaries are (default build/bin)
set -euo pipefail

BIN="${BENCH_BIN_DIR:-build/bin}/bench-redis-streams"
if [[ ! -x "$BIN" ]]; then
  echo "redis_streams.sh: $BIN not found (build it: ninja -C build bench-redis-streams, or set BENCH_BIN_DIR)" >&2
  exit 2
fi
command -v redis-server >/dev/null || { echo "redis_streams.sh: redis-server not installed" >&2; exit 2; }

# One connection per subscriber: use every descriptor we may, and let Redis accept them all.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT="$(ulimit -n)"
[[ "$FD_LIMIT" == unlimited ]] && FD_LIMIT=65536
MAXCLIENTS=$((FD_LIMIT - 64))

WORKDIR="$(mktemp -d -t redis-streams.XXXXXX)"
REDIS_PID=""
BENCH_PID=""
cleanup() {
  local status=$?
  if [[ -n "$BENCH_PID" ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  if [[ -n "$REDIS_PID" ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$WORKDIR/redis.log" ]]; then
    echo "redis_streams.sh: failed ($status); end of the redis-server log:" >&2
    tail -n 20 "$WORKDIR/redis.log" >&2 || true
  fi
  rm -rf "$WORKDIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

redis-server --bind 127.0.0.1 --port "$PORT" --dir "$WORKDIR" --daemonize no \
  --save "" --appendonly yes --appendfsync everysec --maxclients "$MAXCLIENTS" --tcp-backlog 4096 \
  --logfile "$WORKDIR/redis.log" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!

for _ in $(seq 1 100); do
  if ! kill -0 "$REDIS_PID" 2>/dev/null; then
    echo "redis_streams.sh: redis-server exited at start" >&2
    exit 1
  fi
  if [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" == PONG ]]; then break; fi
  sleep 0.1
done
if [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" != PONG ]]; then
  echo "redis_streams.sh: redis-server on port $PORT does not answer PING" >&2
  exit 1
fi
echo "redis_streams.sh: redis-server pid $REDIS_PID on 127.0.0.1:$PORT (maxclients $MAXCLIENTS)" >&2

# In the background so that a signal to this script still stops everything (see cleanup).
"$BIN" "$@" --redis "127.0.0.1:$PORT" --server_pid "$REDIS_PID" &
BENCH_PID=$!
wait "$BENCH_PID"
