#!/usr/bin/env bash
# The fan-out benchmark, one command: pressrelay and its peers (Redis pub/sub, naive Redis
# Streams fan-out, mosquitto QoS 1, NATS JetStream) under the same load shape, one after the
# other on this machine, then one table with the ratios pressrelay/peer.
#
#   bench/run.sh            full run: N=10,000 subscribers, M=20 statements of 5,000 bytes,
#                           plus pressrelay's rate (N=1,000 at 10/s), reconnect and
#                           100,000-recipient scenarios; checks the targets
#   bench/run.sh --smoke    N=200, M=5, every system once (what the test command runs)
#
# Options: --subscribers N --messages M --bytes B. PRESSRELAY_SKIP_DEPS=1 and
# PRESSRELAY_SKIP_BUILD=1 skip installing and building. Results also go to
# build/bench-results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=0
N=10000
M=20
B=5000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1; N=200; M=5; shift ;;
    --subscribers) N=$2; shift 2 ;;
    --messages) M=$2; shift 2 ;;
    --bytes) B=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ "${PRESSRELAY_SKIP_DEPS:-0}" != 1 ]]; then deploy/install-deps.sh; fi
if [[ "${PRESSRELAY_SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C build -j2
fi
export BENCH_BIN_DIR=${BENCH_BIN_DIR:-$PWD/build/bin}
RESULTS=${BENCH_RESULTS:-build/bench-results.jsonl}
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"

# Runs one benchmark and keeps its RESULT lines.
run() {
  echo "== $*" >&2
  "$@" | grep '^RESULT ' | sed 's/^RESULT //' | tee -a "$RESULTS" >/dev/null
}

SHAPE=(--subscribers "$N" --messages "$M" --bytes "$B")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run "$BENCH_BIN_DIR/bench-pressrelay" "${SHAPE[@]}" --reconnect 1
run "$BENCH_BIN_DIR/bench-pressrelay" "${SHAPE[@]}" --publish committed
run bench/peers/redis.sh pubsub "${SHAPE[@]}"
run bench/peers/redis.sh streams "${SHAPE[@]}"
run bench/peers/mosquitto_qos1.sh "${SHAPE[@]}"
run bench/peers/nats_jetstream.sh "${SHAPE[@]}"
if [[ $SMOKE == 0 ]]; then
  run "$BENCH_BIN_DIR/bench-pressrelay" --subscribers 1000 --messages 100 --bytes "$B" --rate 10
  # One statement at a time to the N idle streams: the floor under the burst's p99 (report.py).
  run "$BENCH_BIN_DIR/bench-pressrelay" --subscribers "$N" --messages 3 --bytes "$B" --rate 1 --label alone
  run "$BENCH_BIN_DIR/bench-pressrelay" --scenario fanout100k --recipients 100000
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 bench/report.py "$RESULTS" $([[ $SMOKE == 1 ]] && echo --smoke)
