#!/usr/bin/env bash
# Runs the whole pressrelay suite on this machine with demo data, in the foreground.
#
#   deploy/local/run.sh          install what is missing, build, start a private Redis, the
#                                three services and the admin gateway (the desk in a browser),
#                                load the demo data and desk sign-ins, print how to try it, then
#                                wait; Ctrl-C (or SIGTERM) stops everything it started
#   deploy/local/run.sh --stop   stop a run that is in the foreground in another terminal
#
# Environment:
#   PRESSRELAY_PORT_BASE=7400  Redis on BASE, registry BASE+1, distribution BASE+2,
#                              subscription BASE+3, the gateway's desk BASE+4 (all on 127.0.0.1)
#   PRESSRELAY_METRICS_PORT_BASE=9400  also serve Prometheus metrics: registry on M+1,
#                              distribution M+2, subscription M+3, the gateway M+4 (what
#                              deploy/observability/prometheus.yml's local jobs scrape); unset: none
#   PRESSRELAY_REDIS_CLUSTER=host:port,...  use this Redis Cluster (its seed nodes; e.g. the
#                              one deploy/local/redis-cluster.sh starts) instead of a private
#                              redis-server: the services get --redis=<seeds> --redis_cluster
#   PRESSRELAY_SKIP_DEPS=1     do not call deploy/install-deps.sh
#   PRESSRELAY_SKIP_BUILD=1    do not run cmake/ninja; use the binaries already in build/bin
#   PRESSRELAY_BUILD_JOBS=2    ninja -j
#   PRESSRELAY_RUN_DIR=.run    state: Redis data, tokens, logs, pid files
#
# Idempotent: Redis data and every token in the run directory are kept between runs, the demo
# data is loaded with upserts, and tokens are issued only when their file is missing or no
# longer accepted.
set -euo pipefail
umask 077 # tokens, Redis data and logs are for this user only

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

DEMO=deploy/local/demo
BIN=build/bin
RUN=${PRESSRELAY_RUN_DIR:-.run}
HOST=127.0.0.1
BASE=${PRESSRELAY_PORT_BASE:-7400}
if ! [[ $BASE =~ ^[0-9]+$ ]] || ((BASE < 1024 || BASE > 65532)); then
  echo "run.sh: PRESSRELAY_PORT_BASE must be a port number 1024-65532" >&2
  exit 2
fi
if [[ -n ${PRESSRELAY_METRICS_PORT_BASE:-} ]] &&
  { ! [[ $PRESSRELAY_METRICS_PORT_BASE =~ ^[0-9]+$ ]] ||
    ((PRESSRELAY_METRICS_PORT_BASE < 1024 || PRESSRELAY_METRICS_PORT_BASE > 65530)); }; then
  echo "run.sh: PRESSRELAY_METRICS_PORT_BASE must be a port number 1024-65530" >&2
  exit 2
fi
REDIS_PORT=$BASE
CLUSTER_SEEDS=${PRESSRELAY_REDIS_CLUSTER:-}
if [[ -n $CLUSTER_SEEDS ]]; then
  REDIS_FLAGS=(--redis "$CLUSTER_SEEDS" --redis_cluster)
else
  REDIS_FLAGS=(--redis "$HOST:$REDIS_PORT")
fi
REGISTRY_PORT=$((BASE + 1))
DISTRIBUTION_PORT=$((BASE + 2))
SUBSCRIPTION_PORT=$((BASE + 3))
GATEWAY_PORT=$((BASE + 4))

SECRETS=$RUN/secrets # bootstrap tokens: operator and services
TOKENS=$RUN/tokens   # tokens issued through the registry: <subject>.token
LOGS=$RUN/logs
PIDS=$RUN/pids

log() { printf '==> %s\n' "$*"; }
die() {
  printf 'run.sh: %s\n' "$*" >&2
  exit 1
}

# A process is alive if it exists and is not a zombie waiting to be reaped.
alive() { [[ -e /proc/$1 ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# True if something accepts connections on 127.0.0.1:PORT (bash's /dev/tcp: no extra tools).
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A later run must be able to tell its own leftovers (e.g. after this script was killed
# with SIGKILL) from unrelated processes: the services carry a marker in their environment;
# Redis overwrites its environment with its process title, but works in our data directory.
RUN_ABS=$(realpath -m "$RUN")
MARK="PRESSRELAY_LOCAL_RUN_MARK=$RUN_ABS"
ours() {
  [[ $(readlink "/proc/$1/cwd" 2>/dev/null) == "$RUN_ABS/redis" ]] ||
    { [[ -r /proc/$1/environ ]] && tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "$MARK"; }
}

# Stops processes left over by an earlier run that could not clean up.
stop_leftovers() {
  local name pid
  for name in gateway subscription distribution registry redis; do
    pid=$(cat "$RUN/pids/$name.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && alive "$pid" && ours "$pid"; then
      log "stopping $name (pid $pid) left over from an earlier run"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$RUN/pids/$name.pid"
  done
}

# --- --stop: ask the run in the other terminal to shut down -------------------------------------
if [[ ${1:-} == --stop ]]; then
  if flock -n "$RUN/run.lock" true 2>/dev/null; then
    stop_leftovers
    echo "pressrelay is not running from $RUN_ABS"
    exit 0
  fi
  pid=$(cat "$RUN/run.pid" 2>/dev/null || true)
  [[ -n $pid ]] || die "a run holds $RUN/run.lock but $RUN/run.pid is missing"
  kill -TERM "$pid"
  # The lock is released when that run has stopped everything and exited.
  flock -w 60 "$RUN/run.lock" true || die "run (pid $pid) did not stop within 60 s"
  echo "stopped"
  exit 0
elif [[ $# -gt 0 ]]; then
  sed -n '2,20s/^# \{0,1\}//p' "$0"
  [[ $1 == --help || $1 == -h ]] && exit 0 || exit 2
fi

# --- one run at a time -------------------------------------------------------------------------
# flock is released by the kernel when this script exits, however it exits. Children get
# the descriptor closed (9>&- below) so that orphans cannot hold the lock.
mkdir -p "$RUN"
exec 9>"$RUN/run.lock"
if ! flock -n 9; then
  die "pressrelay is already running from $RUN_ABS (pid $(cat "$RUN/run.pid" 2>/dev/null || echo '?')).
Use that one, or stop it with Ctrl-C in its terminal or: deploy/local/run.sh --stop"
fi
echo $$ >"$RUN/run.pid"

# Stopping: whatever this run started, newest first (services, then Redis).
STARTED=() # "name:pid", in start order; stopped in reverse order

stop_all() {
  local i name pid
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    name=${STARTED[i]%%:*}
    pid=${STARTED[i]##*:}
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      # The services drain for --drain_grace (2 s here); Redis flushes its AOF.
      for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then
        echo "    $name did not stop within 15 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$PIDS/$name.pid"
    echo "    stopped $name"
  done
  STARTED=()
}

on_exit() {
  local rc=$?
  trap '' INT TERM HUP # a second Ctrl-C must not cut the orderly stop short
  if ((${#STARTED[@]} > 0)); then
    echo
    log "stopping everything this run started"
    stop_all
  fi
  rm -f "$RUN/run.pid"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$SECRETS" "$TOKENS" "$LOGS" "$PIDS" "$RUN/redis"

stop_leftovers # only processes proven to be ours (see ours())

check_ports() {
  local port
  for port in $([[ -n $CLUSTER_SEEDS ]] || echo "$REDIS_PORT") $REGISTRY_PORT $DISTRIBUTION_PORT $SUBSCRIPTION_PORT $GATEWAY_PORT; do
    port_busy "$port" && die "port $port on $HOST is in use by another program.
Stop it, or pick other ports, e.g.: PRESSRELAY_PORT_BASE=$((BASE < 50000 ? BASE + 10000 : 17400)) deploy/local/run.sh"
  done
  return 0
}
check_ports # now, rather than after a long first build

# --- 1. dependencies and 2. build ----------------------------------------------------------------
if [[ ${PRESSRELAY_SKIP_DEPS:-0} == 1 ]]; then
  log "skipping deploy/install-deps.sh (PRESSRELAY_SKIP_DEPS=1)"
else
  log "checking Debian packages (deploy/install-deps.sh; may ask for sudo)"
  deploy/install-deps.sh
fi

if [[ ${PRESSRELAY_SKIP_BUILD:-0} == 1 ]]; then
  log "skipping the build (PRESSRELAY_SKIP_BUILD=1)"
else
  log "building (cmake + ninja; nothing to do if build/ is up to date)"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$LOGS/cmake.log" ||
    die "cmake failed; see $LOGS/cmake.log"
  ninja -C build -j"${PRESSRELAY_BUILD_JOBS:-2}"
fi
for b in pressrelay pressrelay-registry pressrelay-distribution pressrelay-subscription pressrelay-gateway; do
  [[ -x $BIN/$b ]] || die "$BIN/$b is missing: build it (unset PRESSRELAY_SKIP_BUILD)"
done
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  die "redis-server/redis-cli not found (apt-get install redis-server)"
fi

# --- 4. bootstrap tokens (before start-up: the registry installs them when it starts) ----------
new_token() { printf 'prt_%s\n' "$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"; }
# Generated once; a file that exists with a well-formed token is reused.
ensure_secret() {
  if ! grep -qxE 'prt_[A-Za-z0-9_-]{43}' "$1" 2>/dev/null; then
    new_token >"$1.tmp" && mv "$1.tmp" "$1"
  fi
  chmod 600 "$1"
}
ensure_secret "$SECRETS/operator.token"
ensure_secret "$SECRETS/distribution.token"
ensure_secret "$SECRETS/subscription.token"
ensure_secret "$SECRETS/gateway.token"
{
  echo "# written by deploy/local/run.sh at each start from the *.token files next to it"
  echo "operator local-operator $(cat "$SECRETS/operator.token")"
  echo "service distribution $(cat "$SECRETS/distribution.token")"
  echo "service subscription $(cat "$SECRETS/subscription.token")"
  echo "gateway local-gateway $(cat "$SECRETS/gateway.token")"
} >"$SECRETS/bootstrap-tokens"
chmod 600 "$SECRETS/bootstrap-tokens"

# --- 3. start Redis and the services ------------------------------------------------------------

# The services read PRESSRELAY_<FLAG> variables as flags (e.g. PRESSRELAY_TLS_CERT): start
# them without any, so that settings meant for another deployment cannot leak in.
CLEAN_ENV=()
for v in $(compgen -e); do [[ $v == PRESSRELAY_* ]] && CLEAN_ENV+=(-u "$v"); done

# start NAME STDOUT STDERR COMMAND...: in its own session (setsid), so that Ctrl-C reaches
# only this script, which then stops the children in order (services first, Redis last).
start() {
  local name=$1 out=$2 err=$3
  shift 3
  if [[ $out == "$err" ]]; then
    env "${CLEAN_ENV[@]}" "$MARK" setsid "$@" </dev/null >"$out" 2>&1 9>&- &
  else
    env "${CLEAN_ENV[@]}" "$MARK" setsid "$@" </dev/null >"$out" 2>"$err" 9>&- &
  fi
  local pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  STARTED+=("$name:$pid")
}

failed_start() { # NAME PID LOG
  if alive "$2"; then kill -TERM "$2" 2>/dev/null || true; fi
  echo "---- last lines of $3:" >&2
  tail -n 20 "$3" >&2 || true
  die "$1 did not start"
}

check_ports # again: the build may have taken a while
if [[ -n $CLUSTER_SEEDS ]]; then
  seed=${CLUSTER_SEEDS%%,*}
  log "using the Redis Cluster at $CLUSTER_SEEDS"
  redis-cli -h "${seed%:*}" -p "${seed##*:}" cluster info 2>/dev/null | grep -q '^cluster_state:ok' ||
    die "the Redis Cluster at $seed does not answer cluster_state:ok (deploy/local/redis-cluster.sh start?)"
else
  log "starting redis-server on $HOST:$REDIS_PORT (data in $RUN/redis)"
  start redis "$LOGS/redis.log" "$LOGS/redis.log" \
    redis-server --bind "$HOST" --port "$REDIS_PORT" --protected-mode yes --daemonize no \
    --dir "$RUN_ABS/redis" --appendonly yes --appendfsync everysec \
    --zset-max-listpack-entries 256 --save ""
  redis_pid=${STARTED[-1]##*:}
  # PING answers PONG only once the AOF is loaded (LOADING before that).
  for i in $(seq 300); do
    [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
    if ! alive "$redis_pid" || ((i == 300)); then failed_start redis "$redis_pid" "$LOGS/redis.log"; fi
    sleep 0.1
  done
fi

# metrics_flag PORT: the --metrics_listen flag of the process listening on PORT, when
# PRESSRELAY_METRICS_PORT_BASE asks for metrics (the same offset from its base).
metrics_flag() {
  [[ -n ${PRESSRELAY_METRICS_PORT_BASE:-} ]] || return 0
  echo "--metrics_listen=$HOST:$((PRESSRELAY_METRICS_PORT_BASE + $1 - BASE))"
}

# start_service NAME PORT FLAGS...: waits for its "READY <name> port=<port>" line on stdout
# (logs go to stderr).
start_service() {
  local name=$1 port=$2
  shift 2
  log "starting pressrelay-$name on $HOST:$port"
  # shellcheck disable=SC2046 # metrics_flag prints one word or none
  start "$name" "$LOGS/$name.out" "$LOGS/$name.log" "$BIN/pressrelay-$name" \
    --listen "$HOST:$port" "${REDIS_FLAGS[@]}" --log_level info $(metrics_flag "$port") \
    --drain_grace 2s "$@" # a short drain: Ctrl-C should be quick on a laptop
  local pid=${STARTED[-1]##*:} i
  for i in $(seq 300); do
    grep -qx "READY $name port=$port" "$LOGS/$name.out" 2>/dev/null && return 0
    if ! alive "$pid" || ((i == 300)); then failed_start "$name" "$pid" "$LOGS/$name.log"; fi
    sleep 0.1
  done
}
# Each demo agency signs its statements with its own Ed25519 key; the private halves stay in
# .run/signing-keys (mode 600), read by the distribution service only.
KEYS_DIR=$RUN/signing-keys
mkdir -p "$KEYS_DIR"
chmod 700 "$KEYS_DIR"
for code in $(sed -n 's/.*"code": *"\([^"]*\)".*/\1/p' "$DEMO/agencies.jsonl"); do
  if ! ls "$KEYS_DIR/$code-"*.key >/dev/null 2>&1; then
    "$BIN/pressrelay" keygen --agency "$code" --key-id "$code-local-1" --out "$KEYS_DIR" >/dev/null
  fi
done

start_service registry "$REGISTRY_PORT" --bootstrap_tokens_file "$SECRETS/bootstrap-tokens"
# Distribution asks subscription's ledger for delivery reports; it connects when first asked.
start_service distribution "$DISTRIBUTION_PORT" --registry "$HOST:$REGISTRY_PORT" \
  --subscription "$HOST:$SUBSCRIPTION_PORT" --service_token_file "$SECRETS/distribution.token" --shards 16 \
  --signing_keys_dir "$KEYS_DIR"
start_service subscription "$SUBSCRIPTION_PORT" --registry "$HOST:$REGISTRY_PORT" \
  --distribution "$HOST:$DISTRIBUTION_PORT" --service_token_file "$SECRETS/subscription.token" --shards 16

# --- 5. demo data -------------------------------------------------------------------------------
cli() {
  "$BIN/pressrelay" --registry "$HOST:$REGISTRY_PORT" --distribution "$HOST:$DISTRIBUTION_PORT" \
    --subscription "$HOST:$SUBSCRIPTION_PORT" "$@" </dev/null
}
as_operator() { cli --token-file "$SECRETS/operator.token" "$@"; }

# load FILE COMMAND...: runs "pressrelay COMMAND <line>" for each JSON line of FILE (upserts).
load() {
  local file=$1 line n=0
  shift
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*$ ]] && continue
    as_operator "$@" "$line" >>"$LOGS/load.log" 2>"$RUN/load.err" ||
      die "loading $file failed on: $line
$(cat "$RUN/load.err")"
    n=$((n + 1))
  done <"$file"
  printf '    %-22s %3d from %s\n' "$*" "$n" "$file"
}

log "loading demo data from $DEMO (upserts; output in $LOGS/load.log)"
: >"$LOGS/load.log"
load "$DEMO/agencies.jsonl" agency put
load "$DEMO/outlets.jsonl" outlet put
load "$DEMO/spokespeople.jsonl" spokesperson put
load "$DEMO/press-officers.jsonl" press-officer put
load "$DEMO/journalists.jsonl" journalist put
load "$DEMO/clients.jsonl" client put
load "$DEMO/subscriptions.jsonl" subscription set

# The value of "KEY": "..." on each line of a JSONL file (our own, simple files).
field() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" "$2"; }

# ensure_token KIND SUBJECT PROBE...: reuse .run/tokens/SUBJECT.token while the services accept
# it (PROBE is a harmless read with it); issue a new one if it is missing or refused (e.g.
# the Redis data was deleted, or it expired after the default 90 days).
issued=0 reused=0 replaced=0
ensure_token() {
  local kind=$1 subject=$2 file="$TOKENS/$2.token"
  shift 2
  if [[ -s $file ]]; then
    if cli --token-file "$file" "$@" >/dev/null 2>"$RUN/probe.err"; then
      reused=$((reused + 1))
      return 0
    fi
    grep -q UNAUTHENTICATED "$RUN/probe.err" || die "checking $file failed: $(cat "$RUN/probe.err")"
    replaced=$((replaced + 1))
  fi
  as_operator token issue --kind "$kind" --subject "$subject" --token-only \
    --description "demo token from deploy/local/run.sh" >"$file.tmp" 2>"$RUN/probe.err" ||
    die "issuing a token for $subject failed: $(cat "$RUN/probe.err")"
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
  issued=$((issued + 1))
}

log "tokens for spokespeople, newsroom clients and journalists ($TOKENS/<id>.token)"
for id in $(field id "$DEMO/spokespeople.jsonl"); do
  ensure_token spokesperson "$id" list --page-size 1
done
for id in $(field id "$DEMO/clients.jsonl"); do
  ensure_token newsroom_client "$id" history --page-size 1
done
for id in $(field card_number "$DEMO/journalists.jsonl"); do
  ensure_token journalist "$id" history --page-size 1
done
rm -f "$RUN/probe.err" "$RUN/load.err"
summary="    $reused reused, $issued issued"
((replaced == 0)) || summary+=" ($replaced of them to replace tokens no longer accepted)"
echo "$summary"

# Desk sign-ins: each demo account gets a generated password the first time (kept in
# $SECRETS/passwords, "username password" lines); an existing account is left as it is, so its
# password, second factor and sessions survive restarts.
PASSWORDS=$SECRETS/passwords
touch "$PASSWORDS"
chmod 600 "$PASSWORDS"
as_operator account list >"$RUN/accounts.json" 2>"$RUN/load.err" || die "listing accounts failed: $(cat "$RUN/load.err")"
created=0
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[[:space:]]*$ ]] && continue
  user=$(field username /dev/stdin <<<"$line")
  if grep -qF "\"$user\"" "$RUN/accounts.json" && grep -q "^$user " "$PASSWORDS"; then continue; fi
  password=$(grep "^$user " "$PASSWORDS" | cut -d' ' -f2- || true)
  if [[ -z $password ]]; then
    password=$(head -c 15 /dev/urandom | base64 -w0 | tr '+/' '-_')
    echo "$user $password" >>"$PASSWORDS"
  fi
  printf '%s' "$password" >"$RUN/password.tmp"
  as_operator account put "$line" --password-file "$RUN/password.tmp" >>"$LOGS/load.log" 2>"$RUN/load.err" ||
    die "creating the desk account $user failed: $(cat "$RUN/load.err")"
  created=$((created + 1))
done <"$DEMO/accounts.jsonl"
rm -f "$RUN/password.tmp" "$RUN/accounts.json" "$RUN/load.err"
printf '    %-22s %3d new of %d from %s\n' "account put" "$created" "$(grep -c . "$DEMO/accounts.jsonl")" "$DEMO/accounts.jsonl"
password_of() { grep "^$1 " "$PASSWORDS" | cut -d' ' -f2-; }

# --- the admin gateway: the desk in a browser -----------------------------------------------------
log "starting pressrelay-gateway on http://$HOST:$GATEWAY_PORT/"
# shellcheck disable=SC2046 # metrics_flag prints one word or none
start gateway "$LOGS/gateway.out" "$LOGS/gateway.log" "$BIN/pressrelay-gateway" \
  --listen "$HOST:$GATEWAY_PORT" --registry "$HOST:$REGISTRY_PORT" --distribution "$HOST:$DISTRIBUTION_PORT" \
  --gateway_token_file "$SECRETS/gateway.token" --web_dir "$ROOT/gateway/web" --log_level info --drain_grace 2s \
  $(metrics_flag "$GATEWAY_PORT")
gateway_pid=${STARTED[-1]##*:}
for i in $(seq 300); do
  grep -qx "READY gateway port=$GATEWAY_PORT" "$LOGS/gateway.out" 2>/dev/null && break
  if ! alive "$gateway_pid" || ((i == 300)); then failed_start gateway "$gateway_pid" "$LOGS/gateway.log"; fi
  sleep 0.1
done

# For the CLI in other terminals: source .run/env.
cat >"$RUN/env" <<EOF
# source this file to point build/bin/pressrelay at the local suite
export PRESSRELAY_REGISTRY=$HOST:$REGISTRY_PORT
export PRESSRELAY_DISTRIBUTION=$HOST:$DISTRIBUTION_PORT
export PRESSRELAY_SUBSCRIPTION=$HOST:$SUBSCRIPTION_PORT
EOF

# --- 6. how to try it ---------------------------------------------------------------------------
# The spokesperson (from the demo data) who may publish for the agency of a draft.
speaker_for() {
  local agency
  agency=$(field agency_code "$1" | head -n 1)
  grep -F "\"agency_code\": \"$agency\"" "$DEMO/spokespeople.jsonl" | field id /dev/stdin | head -n 1
}
PR="$BIN/pressrelay"
cat <<EOF

pressrelay is running. Ctrl-C here stops everything it started (or: deploy/local/run.sh --stop).

  redis          $(if [[ -n $CLUSTER_SEEDS ]]; then echo "cluster $CLUSTER_SEEDS"; else echo "$HOST:$REDIS_PORT   data $RUN/redis, log $LOGS/redis.log"; fi)
  registry       $HOST:$REGISTRY_PORT   log $LOGS/registry.log
  distribution   $HOST:$DISTRIBUTION_PORT   log $LOGS/distribution.log
  subscription   $HOST:$SUBSCRIPTION_PORT   log $LOGS/subscription.log
  gateway        http://$HOST:$GATEWAY_PORT/   log $LOGS/gateway.log

The desk (admin gateway) in a browser: http://$HOST:$GATEWAY_PORT/
  spokesperson (Bộ Y tế)     $(field username "$DEMO/accounts.jsonl" | sed -n 1p)   password $(password_of "$(field username "$DEMO/accounts.jsonl" | sed -n 1p)")
  press officer (Bộ Y tế)    $(field username "$DEMO/accounts.jsonl" | sed -n 2p)   password $(password_of "$(field username "$DEMO/accounts.jsonl" | sed -n 2p)")
  operator                   $(field username "$DEMO/accounts.jsonl" | sed -n 5p)   password $(password_of "$(field username "$DEMO/accounts.jsonl" | sed -n 5p)")
    (operators must use a second factor: the first sign-in shows a TOTP secret for an
     authenticator app. Every demo sign-in is in $PASSWORDS.)

Tokens (mode 600): operator $SECRETS/operator.token; spokespeople, newsroom clients and
journalists $TOKENS/<id>.token (ids in $DEMO/*.jsonl).

Try it in another terminal, from $ROOT:

  source $RUN/env    # tells the CLI where the services are

1. Receive as a newsroom: Báo Tuổi Trẻ's CMS (subscribed to every agency) waits for statements:

  $PR --token-file $TOKENS/tuoitre-cms.token subscribe --verify   # checks each signature

   Others with narrower subscriptions ($DEMO/subscriptions.jsonl):
  $PR --token-file $TOKENS/vnexpress-cms.token subscribe    # topics health, economy
  $PR --token-file $TOKENS/DEMO-0001.token subscribe        # journalist: Hà Nội + national

2. Publish as a spokesperson, in a third terminal:

EOF
drafts=("$DEMO"/statements/*.json)
for draft in "${drafts[@]}"; do
  echo "  $PR --token-file $TOKENS/$(speaker_for "$draft").token publish $draft"
done
cat <<EOF

   The answer shows the statement id and how many recipients it was queued for. Then:
  $PR --token-file $TOKENS/$(speaker_for "${drafts[0]}").token report <statement id>

3. Administer as the operator:

  $PR --token-file $SECRETS/operator.token agency list
  $PR --token-file $SECRETS/operator.token subscription get client:vnexpress-cms

EOF

# --- 7. stay in the foreground ------------------------------------------------------------------
# wait -n returns when a child exits, or at once when a trapped signal arrives (the trap then
# exits, and on_exit stops the rest). A child that dies on its own takes the suite down with it.
pids=()
for s in "${STARTED[@]}"; do pids+=("${s##*:}"); done
while :; do
  wait -n "${pids[@]}" 2>/dev/null || true
  for s in "${STARTED[@]}"; do
    alive "${s##*:}" || die "${s%%:*} stopped unexpectedly; see $LOGS/${s%%:*}.log"
  done
done
