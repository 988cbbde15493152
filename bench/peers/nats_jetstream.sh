#!/usr/bin/env bash
# Runs the NATS JetStream peer against a private nats-server with JetStream file storage
# (bench/peers/lib.sh): bench-nats-jetstream with this script's arguments plus --nats.
#
#   bench/peers/nats_jetstream.sh --subscribers 10000 --messages 20 [--rate R] [--timeout_s S]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PEER=nats-jetstream
SERVER=${NATS_SERVER_BIN:-/usr/sbin/nats-server}

# Worth knowing about: slow consumers, write deadlines, JetStream API trouble.
peer_report_log() { peer_log_summary "$1" "$DIR/nats-server.log" '\[(WRN|ERR)\]'; }
peer_setup bench-nats-jetstream "$SERVER"

mkdir -p "$DIR/jetstream"
"$SERVER" -js -sd "$DIR/jetstream" -a 127.0.0.1 -p "$PORT" -l "$DIR/nats-server.log" >"$DIR/nats-server.stdout" 2>&1 &
SERVER_PID=$!
peer_wait_ready
peer_run "$@" --nats "nats://127.0.0.1:$PORT"
