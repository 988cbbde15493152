#!/usr/bin/env bash
# A Redis Cluster on this machine for trying the suite against one by hand: three primaries
# and three replicas on 127.0.0.1, ports BASE+11 .. BASE+16 (cluster bus: +10000), data and
# logs under <run dir>/redis-cluster/<port>, append-only files on.
#
#   deploy/local/redis-cluster.sh start   start the nodes (and create the cluster the first
#                                         time); prints the seeds for PRESSRELAY_REDIS_CLUSTER
#   deploy/local/redis-cluster.sh stop    stop them (data kept: start again resumes it)
#
# Then: PRESSRELAY_REDIS_CLUSTER=$(deploy/local/redis-cluster.sh seeds) deploy/local/run.sh
# Environment: PRESSRELAY_PORT_BASE (7400), PRESSRELAY_RUN_DIR (.run), as deploy/local/run.sh.
set -euo pipefail
umask 077
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BASE=${PRESSRELAY_PORT_BASE:-7400}
DIR=$(realpath -m "${PRESSRELAY_RUN_DIR:-.run}/redis-cluster")
HOST=127.0.0.1
PORTS=()
for i in 11 12 13 14 15 16; do PORTS+=($((BASE + i))); done

seeds() {
  local out=() p
  for p in "${PORTS[@]}"; do out+=("$HOST:$p"); done
  (IFS=,; echo "${out[*]}")
}

state() { redis-cli -h "$HOST" -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'; }

case "${1:-}" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server not found (deploy/install-deps.sh)" >&2; exit 1; }
    for p in "${PORTS[@]}"; do
      mkdir -p "$DIR/$p"
      if redis-cli -h "$HOST" -p "$p" ping >/dev/null 2>&1; then continue; fi
      redis-server --bind "$HOST" --port "$p" --protected-mode yes --daemonize yes \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
        --dir "$DIR/$p" --appendonly yes --appendfsync everysec --save "" \
        --pidfile "$DIR/$p/redis.pid" --logfile "$DIR/$p/redis.log"
    done
    for p in "${PORTS[@]}"; do
      for _ in $(seq 100); do redis-cli -h "$HOST" -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
      redis-cli -h "$HOST" -p "$p" ping >/dev/null 2>&1 || {
        echo "the node on $p did not start (is $p or its bus port $((p + 10000)) in use?):" >&2
        tail -n 3 "$DIR/$p/redis.log" >&2
        exit 1
      }
    done
    known=$(redis-cli -h "$HOST" -p "${PORTS[0]}" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')
    if [[ $known != 6 ]]; then
      echo "creating the cluster (3 primaries, 3 replicas)" >&2
      redis-cli --cluster create $(seeds | tr , ' ') --cluster-replicas 1 --cluster-yes >"$DIR/create.log"
    fi
    for _ in $(seq 300); do [[ $(state "${PORTS[0]}") == ok ]] && break; sleep 0.1; done
    [[ $(state "${PORTS[0]}") == ok ]] || { echo "the cluster did not reach cluster_state:ok" >&2; exit 1; }
    echo "Redis Cluster up; seeds: $(seeds)" >&2
    seeds
    ;;
  stop)
    for p in "${PORTS[@]}"; do redis-cli -h "$HOST" -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
    ;;
  seeds) seeds ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
