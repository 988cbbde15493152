#!/usr/bin/env bash
# Runs the mosquitto QoS 1 peer against a private broker with persistence on
# (bench/peers/lib.sh): bench-mosquitto with this script's arguments plus --mqtt.
#
#   bench/peers/mosquitto_qos1.sh --subscribers 10000 --messages 20 [--rate R] [--timeout_s S]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PEER=mosquitto-qos1
BROKER=${MOSQUITTO_BIN:-/usr/sbin/mosquitto}

peer_report_log() { peer_log_summary "$1" "$DIR/mosquitto.log" ': (Warning|Error)'; }
peer_setup bench-mosquitto "$BROKER"

cat >"$DIR/mosquitto.conf" <<CONF
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
CONF
# Run as root, mosquitto drops privileges to its own user, which must be able to write the
# persistence directory and the log.
if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then
  chown -R mosquitto: "$DIR"
fi

"$BROKER" -c "$DIR/mosquitto.conf" >>"$DIR/mosquitto.stdout" 2>&1 &
SERVER_PID=$!
peer_wait_ready
peer_run "$@" --mqtt "127.0.0.1:$PORT"
