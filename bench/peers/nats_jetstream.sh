#!/usr/bin/env bash
# Runs the NATS JetStream peer benchmark against a private server: starts nats-server with
# JetStream (file storage in a fresh temp dir) on a free 127.0.0.1 port, runs
# bench-nats-jetstream with all of this script's arguments plus --nats and --server_pid, then
# stops the server and removes the temp dir. Only the RESULT line goes to stdout.
#
#   bench/peers/nats_jetstream.sh --subscribers 10000 --messages 20 [--rate R] [--timeout_s S]
set -euo pipefail

SERVER=${NATS_SERVER_BIN:-/usr/sbin/nats-server}
BIN_DIR=${BENCH_BIN_DIR:-build/bin}
if [[ ! -x "$BIN_DIR/bench-nats-jetstream" && -z "${BENCH_BIN_DIR:-}" ]]; then
  BIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin"
fi
BENCH="$BIN_DIR/bench-nats-jetstream"
[[ -x "$BENCH" ]] || { echo "nats_jetstream.sh: $BENCH not found (set BENCH_BIN_DIR)" >&2; exit 1; }
[[ -x "$SERVER" ]] || { echo "nats_jetstream.sh: $SERVER not found" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-nats.XXXXXX")
SERVER_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "nats_jetstream.sh: nats-server did not stop on SIGTERM, killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -f "$DIR/nats-server.log" ]]; then
    # Worth knowing about: slow consumers, write deadlines, JetStream API trouble.
    local n
    n=$(grep -c -E '\[(WRN|ERR)\]' "$DIR/nats-server.log" || true)
    if [[ "$n" != "0" || $rc -ne 0 ]]; then
      echo "nats_jetstream.sh: server log has $n warnings/errors; last lines:" >&2
      grep -E '\[(WRN|ERR)\]' "$DIR/nats-server.log" | tail -n 10 >&2 || true
      [[ $rc -eq 0 ]] || tail -n 20 "$DIR/nats-server.log" >&2 || true
    fi
  fi
  rm -rf "$DIR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$DIR/jetstream"
"$SERVER" -js -sd "$DIR/jetstream" -a 127.0.0.1 -p "$PORT" -l "$DIR/nats-server.log" >"$DIR/nats-server.stdout" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "nats_jetstream.sh: nats-server exited at start:" >&2
    cat "$DIR/nats-server.stdout" "$DIR/nats-server.log" >&2 2>/dev/null || true
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
[[ $ready -eq 1 ]] || { echo "nats_jetstream.sh: nats-server not accepting on port $PORT" >&2; exit 1; }
echo "nats_jetstream.sh: nats-server pid $SERVER_PID on 127.0.0.1:$PORT, dir $DIR" >&2

"$BENCH" "$@" --nats "nats://127.0.0.1:$PORT" --server_pid "$SERVER_PID"
