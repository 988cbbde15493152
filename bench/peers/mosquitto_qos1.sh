#!/usr/bin/env bash
# Runs the mosquitto QoS 1 peer benchmark against a private broker: starts mosquitto with
# persistence on, on a free 127.0.0.1 port in a fresh temp dir, runs bench-mosquitto with all
# of this script's arguments plus --mqtt and --server_pid, then stops the broker and removes
# the temp dir. Only the RESULT line goes to stdout.
#
#   bench/peers/mosquitto_qos1.sh --subscribers 10000 --messages 20 [--rate R] [--timeout_s S]
set -euo pipefail

BROKER=${MOSQUITTO_BIN:-/usr/sbin/mosquitto}
BIN_DIR=${BENCH_BIN_DIR:-build/bin}
if [[ ! -x "$BIN_DIR/bench-mosquitto" && -z "${BENCH_BIN_DIR:-}" ]]; then
  BIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin"
fi
BENCH="$BIN_DIR/bench-mosquitto"
[[ -x "$BENCH" ]] || { echo "mosquitto_qos1.sh: $BENCH not found (set BENCH_BIN_DIR)" >&2; exit 1; }
[[ -x "$BROKER" ]] || { echo "mosquitto_qos1.sh: $BROKER not found" >&2; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-mosquitto.XXXXXX")
BROKER_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    # mosquitto writes its persistence file on the way out; give it time, then insist.
    for _ in $(seq 1 300); do
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$BROKER_PID" 2>/dev/null; then
      echo "mosquitto_qos1.sh: broker did not stop on SIGTERM, killing it" >&2
      kill -KILL "$BROKER_PID" 2>/dev/null || true
    fi
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  if [[ -f "$DIR/mosquitto.log" ]]; then
    local n
    n=$(grep -c -E ': (Warning|Error)' "$DIR/mosquitto.log" || true)
    if [[ "$n" != "0" ]]; then
      echo "mosquitto_qos1.sh: broker log has $n warnings/errors; last lines:" >&2
      grep -E ': (Warning|Error)' "$DIR/mosquitto.log" | tail -n 10 >&2 || true
    fi
    if [[ $rc -ne 0 ]]; then
      echo "mosquitto_qos1.sh: broker log tail:" >&2
      tail -n 20 "$DIR/mosquitto.log" >&2 || true
    fi
  fi
  rm -rf "$DIR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$DIR/mosquitto.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
# Persistent sessions and queued QoS 1 messages are saved to disk (every autosave_interval
# seconds and on shutdown).
persistence true
persistence_location $DIR/
autosave_interval 60
# Per client: up to 20 QoS 1 messages in flight (mosquitto's default), up to 1000 queued
# behind them.
max_inflight_messages 20
max_queued_messages 1000
max_connections -1
set_tcp_nodelay true
log_dest file $DIR/mosquitto.log
log_type error
log_type warning
log_type notice
connection_messages false
EOF

# Run as root, mosquitto drops privileges to its own user, which must be able to write the
# persistence directory and the log.
if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then
  chown -R mosquitto: "$DIR"
fi

"$BROKER" -c "$DIR/mosquitto.conf" >>"$DIR/mosquitto.stdout" 2>&1 &
BROKER_PID=$!

ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$BROKER_PID" 2>/dev/null; then
    echo "mosquitto_qos1.sh: broker exited at start:" >&2
    cat "$DIR/mosquitto.stdout" "$DIR/mosquitto.log" >&2 2>/dev/null || true
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
[[ $ready -eq 1 ]] || { echo "mosquitto_qos1.sh: broker not accepting on port $PORT" >&2; exit 1; }
echo "mosquitto_qos1.sh: mosquitto pid $BROKER_PID on 127.0.0.1:$PORT, dir $DIR" >&2

"$BENCH" "$@" --mqtt "127.0.0.1:$PORT" --server_pid "$BROKER_PID"
