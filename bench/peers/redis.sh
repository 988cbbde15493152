#!/usr/bin/env bash
# Runs a Redis peer against a private redis-server (bench/peers/lib.sh):
#   bench/peers/redis.sh pubsub  ARGS...   plain pub/sub, no persistence: the speed to beat
#   bench/peers/redis.sh streams ARGS...   naive durable per-subscriber Streams fan-out, with an
#                                          append-only file fsynced every second
# ARGS: --subscribers N --messages M --bytes B [--rate R] [--timeout_s S] ...
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  pubsub) PEER=redis-pubsub; PERSISTENCE=(--appendonly no) ;;
  streams) PEER=redis-streams; PERSISTENCE=(--appendonly yes --appendfsync everysec) ;;
  *) echo "usage: bench/peers/redis.sh pubsub|streams ARGS..." >&2; exit 2 ;;
esac
shift

# Redis logs its ordinary shutdown at warning level: only a failed run shows the log's tail.
peer_report_log() { [[ $1 -eq 0 ]] || peer_log_summary "$1" "$DIR/redis.log" '^$^'; }
peer_setup "bench-$PEER" redis-server
# Let Redis accept every subscriber connection.
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --daemonize no --save "" "${PERSISTENCE[@]}" \
  --maxclients $((FD_LIMIT - 64)) --tcp-backlog 4096 --logfile "$DIR/redis.log" </dev/null >/dev/null 2>&1 &
SERVER_PID=$!
peer_wait_ready
peer_run "$@" --redis "127.0.0.1:$PORT"
