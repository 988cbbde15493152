#!/usr/bin/env bash
# Smoke test of deploy/local/run.sh, the README's "run the whole suite locally" command.
#
#   bash tests/deploy/local_run_test.sh BIN_DIR      (BIN_DIR: the build's bin/ with pressrelay,
#                                                     pressrelay-registry, -distribution, -subscription)
#
# With a temporary PRESSRELAY_RUN_DIR, four free ports on 127.0.0.1, PRESSRELAY_SKIP_DEPS=1 and
# PRESSRELAY_SKIP_BUILD=1, it runs the command twice with the same run directory and ports. Each
# time it waits (with a deadline) for "pressrelay is running.", then does what the script printed:
# a demo newsroom (the printed `subscribe --verify` command, with --count 1 and a cursor file)
# waits while the demo spokesperson publishes a statement (the printed `publish` command, on a
# copy of the demo draft with a unique headline); the newsroom must receive exactly that
# headline, signature verified. It stops the suite with `deploy/local/run.sh --stop` and checks
# every process is gone and the ports are free. The second run must come up again, keep every
# token and signing key (same checksums), reuse all tokens, load the demo data again with the
# same counts, still hold the first run's statement (Redis data kept), and resume the newsroom
# after its cursor (the second statement arrives, not the first one again).
#
# On failure it prints the run.sh output and the service logs, and exits 1. Whatever happens,
# it stops everything it started and removes the temporary directory.
#
# run.sh uses <repository>/build/bin. If BIN_DIR is another directory, the test runs the same
# run.sh through a temporary tree of symbolic links (deploy/local/run.sh, deploy/local/demo and
# build/bin -> BIN_DIR), so that it is exactly those binaries that are tested.
set -euo pipefail

START_SECONDS=$SECONDS
READY_DEADLINE=120 # seconds for run.sh to print that the suite is up
HOST=127.0.0.1

say() { printf '[local_run_test] %s\n' "$*"; }
fail() {
  printf '[local_run_test] FAIL: %s\n' "$*" >&2
  exit 1
}

(($# == 1)) || {
  echo "usage: $0 BIN_DIR" >&2
  exit 2
}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../support/local_suite.sh
source "$ROOT/tests/support/local_suite.sh"
BIN_DIR=$(realpath -e "$1" 2>/dev/null) || fail "$1: no such directory"
for b in pressrelay pressrelay-registry pressrelay-distribution pressrelay-subscription pressrelay-gateway; do
  [[ -x $BIN_DIR/$b ]] || fail "$BIN_DIR/$b is missing or not executable"
done
for tool in flock setsid timeout sha256sum redis-server redis-cli; do
  command -v "$tool" >/dev/null || fail "$tool is needed (and by deploy/local/run.sh)"
done

# Nothing from the caller's environment may steer the script, the services or the CLI.
for v in $(compgen -e); do [[ $v == PRESSRELAY_* ]] && unset "$v"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pressrelay-local-run-test.XXXXXX")
RUN_DIR=$WORK/run # PRESSRELAY_RUN_DIR, kept between the two runs
RUN_ABS=$(realpath -m "$RUN_DIR")
MARK="PRESSRELAY_LOCAL_RUN_MARK=$RUN_ABS" # run.sh puts it in its services' environment

SCRIPT_ROOT=$(script_root "$ROOT" "$BIN_DIR" "$WORK")
[[ $SCRIPT_ROOT == "$ROOT" ]] ||
  say "binaries are not in $ROOT/build/bin: running run.sh from $SCRIPT_ROOT (links to $ROOT and $BIN_DIR)"
RUN_SH=$SCRIPT_ROOT/deploy/local/run.sh

# --- processes and clean-up ----------------------------------------------------------------------
RUN_PID=""   # the run.sh in the background (own session and process group: setsid)
SUB_PID=""   # a subscriber in the background
OUTPUTS=()   # run.sh outputs, printed on failure

dump_diagnostics() {
  local f
  echo "================ diagnostics ================"
  for f in "${OUTPUTS[@]}" "$WORK"/*.stdout "$WORK"/*.stderr; do
    [[ -f $f ]] || continue
    echo "---------------- $f"
    cat "$f"
  done
  for f in "$RUN_DIR"/logs/* "$RUN_DIR"/load.err "$RUN_DIR"/probe.err; do
    [[ -f $f ]] || continue
    echo "---------------- $f (last 60 lines)"
    tail -n 60 "$f"
  done
  echo "============================================="
}

cleanup() {
  local rc=$? pid
  trap '' INT TERM HUP
  set +e
  if [[ -n $SUB_PID ]] && alive "$SUB_PID"; then kill -TERM "$SUB_PID" 2>/dev/null; fi
  if [[ -n $RUN_PID ]] && alive "$RUN_PID"; then
    PRESSRELAY_RUN_DIR=$RUN_DIR timeout 80 bash "$RUN_SH" --stop >"$WORK/cleanup-stop.stdout" 2>&1
    for _ in $(seq 100); do alive "$RUN_PID" || break; sleep 0.1; done
    if alive "$RUN_PID"; then
      kill -TERM -- "-$RUN_PID" 2>/dev/null
      for _ in $(seq 100); do alive "$RUN_PID" || break; sleep 0.1; done
      kill -KILL -- "-$RUN_PID" 2>/dev/null
    fi
  fi
  # Services run in their own sessions: whatever is still ours is stopped by pid.
  for pid in $(our_processes); do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do [[ -z $(our_processes) ]] && break; sleep 0.1; done
  for pid in $(our_processes); do
    echo "[local_run_test] killing leftover pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  ((rc == 0)) || dump_diagnostics >&2
  rm -rf "$WORK"
  if ((rc == 0)); then
    say "PASS in $((SECONDS - START_SECONDS)) s"
  else
    say "FAILED (exit $rc) after $((SECONDS - START_SECONDS)) s"
  fi
  exit $((rc == 0 ? 0 : 1))
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- ports: 5 consecutive free ports, below the ephemeral range -----------------------------------
BASE=$(pick_base 5) || fail "found no 5 consecutive free ports on $HOST"
PORTS=("$BASE" $((BASE + 1)) $((BASE + 2)) $((BASE + 3)) $((BASE + 4)))
GATEWAY_PORT=$((BASE + 4))
say "run dir $RUN_DIR, ports ${PORTS[0]}-${PORTS[4]}, run.sh $RUN_SH"

export PRESSRELAY_RUN_DIR=$RUN_DIR PRESSRELAY_PORT_BASE=$BASE PRESSRELAY_SKIP_DEPS=1 PRESSRELAY_SKIP_BUILD=1

# --- one run ---------------------------------------------------------------------------------------
OUT=""        # output of the current run
TRY_DIR=""    # the directory run.sh says to run the printed commands from
SUB_CMD=()    # printed: newsroom subscribe
PUB_CMD=()    # printed: spokesperson publish (first draft)
OP_CMD=()     # printed: operator agency list

start_run() { # N
  OUT=$WORK/run$1.out
  OUTPUTS+=("$OUT")
  say "run $1: starting deploy/local/run.sh"
  setsid bash "$RUN_SH" </dev/null >"$OUT" 2>&1 &
  RUN_PID=$!
  local deadline=$((SECONDS + READY_DEADLINE))
  # Ready: the "pressrelay is running." banner and the instructions after it, down to the last one.
  until grep -qx 'pressrelay is running\..*' "$OUT" && grep -q 'subscription get client:' "$OUT"; do
    alive "$RUN_PID" || {
      wait "$RUN_PID" && rc=0 || rc=$?
      RUN_PID=""
      fail "run $1: run.sh exited (status $rc) before the suite was up"
    }
    ((SECONDS < deadline)) || fail "run $1: the suite was not up within $READY_DEADLINE s"
    sleep 0.2
  done
  say "run $1: up after $((SECONDS + READY_DEADLINE - deadline)) s"
  for p in "${PORTS[@]}"; do port_busy "$p" || fail "run $1: nothing listens on $HOST:$p"; done
  # The desk: its address and a sign-in for each kind of person, and it is ready.
  grep -qF "The desk (admin gateway) in a browser: http://$HOST:$GATEWAY_PORT/" "$OUT" ||
    fail "run $1: the gateway's address is not printed"
  for who in 'spokesperson (' 'press officer (' 'operator  '; do
    grep -qE "^  $(sed 's/[()]/\\&/g' <<<"$who").* password [A-Za-z0-9_-]{20}$" "$OUT" ||
      fail "run $1: no demo sign-in printed for the $who"
  done
  [[ $(http_status /readyz "$GATEWAY_PORT") == 200 ]] || fail "run $1: the gateway's /readyz is not 200"

  # What run.sh told the user to do.
  TRY_DIR=$(sed -n 's/^Try it in another terminal, from \(.*\):$/\1/p' "$OUT")
  [[ -d $TRY_DIR ]] || fail "run $1: cannot find the 'Try it ... from DIR:' line"
  grep -qxF "  source $RUN_DIR/env    # tells the CLI where the services are" "$OUT" ||
    fail "run $1: the output does not say to source $RUN_DIR/env"
  [[ -f $RUN_DIR/env ]] || fail "run $1: $RUN_DIR/env is missing"
  printed() { grep -E -e "$1" "$OUT" | head -n 1 | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*#.*$//'; }
  read -r -a SUB_CMD <<<"$(printed 'tuoitre-cms\.token subscribe --verify')"
  read -r -a PUB_CMD <<<"$(printed '--token-file [^ ]+ publish [^ ]+\.json$')"
  read -r -a OP_CMD <<<"$(printed 'operator\.token agency list')"
  ((${#SUB_CMD[@]} && ${#PUB_CMD[@]} && ${#OP_CMD[@]})) ||
    fail "run $1: cannot find the printed subscribe, publish and agency list commands"
  [[ ${OP_CMD[2]} == "$RUN_DIR/secrets/operator.token" ]] ||
    fail "run $1: the printed operator command does not use $RUN_DIR/secrets/operator.token"
}

# try OUTFILE COMMAND...: a printed command, run as the user would: from TRY_DIR, after sourcing env.
try() {
  local out=$1
  shift
  # shellcheck source=/dev/null
  (cd "$TRY_DIR" && source "$RUN_DIR/env" && exec timeout 60 "$@") >"$out.stdout" 2>"$out.stderr"
}

# publish_and_receive N: the newsroom subscribes (from its cursor file), the spokesperson publishes
# a copy of the printed draft with a unique headline, and the newsroom's next delivery must be it.
STATEMENT_IDS=()
publish_and_receive() {
  local n=$1 marker draft headline sub_rc id received
  marker="[local_run_test $n $$-$RANDOM]"
  draft=$WORK/draft$n.json
  sed "s/^\([[:space:]]*\"headline\": \"\)/\1$marker /" "$TRY_DIR/${PUB_CMD[-1]}" >"$draft"
  headline=$(sed -n 's/^[[:space:]]*"headline": "\(.*\)",$/\1/p' "$draft")
  [[ $headline == "$marker "* ]] || fail "could not give the draft ${PUB_CMD[-1]} a unique headline"

  # In the background, as the newsroom's own terminal; $! is the timeout process itself.
  # shellcheck source=/dev/null
  (cd "$TRY_DIR" && source "$RUN_DIR/env" &&
    exec timeout 60 "${SUB_CMD[@]}" --count 1 --cursor-file "$WORK/tuoitre.cursor") \
    >"$WORK/subscribe$n.stdout" 2>"$WORK/subscribe$n.stderr" &
  SUB_PID=$!
  try "$WORK/publish$n" "${PUB_CMD[@]:0:${#PUB_CMD[@]}-1}" "$draft" ||
    fail "run $n: publish failed: $(cat "$WORK/publish$n.stderr")"
  id=$(sed -n 's/^  "id": "\([^"]*\)",$/\1/p' "$WORK/publish$n.stdout" | head -n 1)
  [[ -n $id ]] || fail "run $n: no statement id in the publish answer"
  grep -qE '"recipients_queued": [1-9]' "$WORK/publish$n.stdout" ||
    fail "run $n: the statement was queued for no recipient"
  STATEMENT_IDS+=("$id")
  say "run $n: published $id; waiting for the newsroom to receive it"

  wait "$SUB_PID" && sub_rc=0 || sub_rc=$?
  SUB_PID=""
  ((sub_rc == 0)) || fail "run $n: subscribe --verify --count 1 failed (status $sub_rc; 124 = no delivery in 60 s): $(cat "$WORK/subscribe$n.stderr")"
  (($(wc -l <"$WORK/subscribe$n.stdout") == 1)) || fail "run $n: expected exactly one delivery"
  received=$(grep -o '"headline":"[^"]*"' "$WORK/subscribe$n.stdout" || true)
  [[ $received == "\"headline\":\"$headline\"" ]] ||
    fail "run $n: the newsroom received ${received:-nothing}, expected the headline \"$headline\""
  grep -qF "\"id\":\"$id\"" "$WORK/subscribe$n.stdout" || fail "run $n: the delivery is not statement $id"
  [[ -s $WORK/tuoitre.cursor ]] || fail "run $n: subscribe did not write its cursor file"
  say "run $n: the newsroom received \"$headline\" (signature verified)"
}

agency_count() { # N
  try "$WORK/agencies$1" "${OP_CMD[@]}" || fail "run $1: agency list failed: $(cat "$WORK/agencies$1.stderr")"
  grep -cE '^   "code": ' "$WORK/agencies$1.stdout" || true
}

load_lines() { grep -E '^    (agency put|outlet put|spokesperson put|press-officer put|journalist put|client put|subscription set) ' "$OUT" || true; }

state_checksums() {
  (cd "$RUN_DIR" && sha256sum secrets/*.token secrets/passwords tokens/*.token signing-keys/*.key)
}

stop_run() { # N
  local n=$1 pids=() pid deadline rc p
  for pid in "$RUN_DIR"/pids/*.pid; do [[ -f $pid ]] && pids+=("$(cat "$pid")"); done
  ((${#pids[@]} == 5)) || fail "run $n: expected 5 pid files in $RUN_DIR/pids, found ${#pids[@]}"
  say "run $n: deploy/local/run.sh --stop"
  timeout 80 bash "$RUN_SH" --stop >"$WORK/stop$n.stdout" 2>"$WORK/stop$n.stderr" ||
    fail "run $n: run.sh --stop failed: $(cat "$WORK/stop$n.stdout" "$WORK/stop$n.stderr")"
  grep -qx stopped "$WORK/stop$n.stdout" || fail "run $n: run.sh --stop did not say 'stopped'"
  deadline=$((SECONDS + 30))
  while alive "$RUN_PID"; do
    ((SECONDS < deadline)) || fail "run $n: run.sh (pid $RUN_PID) still runs after --stop"
    sleep 0.1
  done
  wait "$RUN_PID" && rc=0 || rc=$?
  RUN_PID=""
  for pid in "${pids[@]}"; do
    while alive "$pid"; do
      ((SECONDS < deadline)) || fail "run $n: pid $pid still runs after --stop"
      sleep 0.1
    done
  done
  [[ -z $(our_processes) ]] || fail "run $n: processes of the run still alive: $(our_processes)"
  for p in "${PORTS[@]}"; do port_busy "$p" && fail "run $n: $HOST:$p still accepts connections"; done
  grep -q 'stopping everything this run started' "$OUT" || fail "run $n: run.sh did not report stopping"
  [[ ! -e $RUN_DIR/run.pid ]] || fail "run $n: $RUN_DIR/run.pid is left behind"
  say "run $n: stopped (run.sh exit status $rc), all processes gone, ports free"
}

# --- run 1: a fresh run directory ------------------------------------------------------------------
start_run 1
grep -qE '^    0 reused, [1-9][0-9]* issued$' "$OUT" || fail "run 1: expected every token to be issued"
DEMO_ACCOUNTS=$(grep -c . "$ROOT/deploy/local/demo/accounts.jsonl")
grep -qE "^    account put +$DEMO_ACCOUNTS new of $DEMO_ACCOUNTS " "$OUT" || fail "run 1: expected every desk account to be created"
SIGNINS_1=$(grep -E ' password [A-Za-z0-9_-]{20}$' "$OUT")
publish_and_receive 1
AGENCIES_1=$(agency_count 1)
DEMO_AGENCIES=$(grep -c '"code"' "$ROOT/deploy/local/demo/agencies.jsonl")
((AGENCIES_1 == DEMO_AGENCIES)) || fail "run 1: agency list has $AGENCIES_1 agencies, the demo data $DEMO_AGENCIES"
LOAD_1=$(load_lines)
(($(wc -l <<<"$LOAD_1") == 7)) || fail "run 1: expected 7 demo data load lines"
TOKEN_LIST=("$RUN_DIR"/tokens/*.token)
TOKEN_FILES=${#TOKEN_LIST[@]}
SUMS_1=$(state_checksums)
stop_run 1

# --- run 2: same run directory and ports -----------------------------------------------------------
start_run 2
SUMS_2=$(state_checksums)
[[ $SUMS_1 == "$SUMS_2" ]] || fail "run 2: token or key files changed:
$(diff <(echo "$SUMS_1") <(echo "$SUMS_2") || true)"
grep -qx "    $TOKEN_FILES reused, 0 issued" "$OUT" || fail "run 2: expected all $TOKEN_FILES tokens reused, none issued"
grep -qE "^    account put +0 new of $DEMO_ACCOUNTS " "$OUT" || fail "run 2: desk accounts were created again"
[[ $(grep -E ' password [A-Za-z0-9_-]{20}$' "$OUT") == "$SIGNINS_1" ]] || fail "run 2: the printed desk sign-ins changed"
LOAD_2=$(load_lines)
[[ $LOAD_1 == "$LOAD_2" ]] || fail "run 2: demo data load differs from run 1:
$(diff <(echo "$LOAD_1") <(echo "$LOAD_2") || true)"
AGENCIES_2=$(agency_count 2)
((AGENCIES_2 == AGENCIES_1)) || fail "run 2: agency list has $AGENCIES_2 agencies, run 1 had $AGENCIES_1"
# Redis data kept: the first run's statement is still there.
try "$WORK/get1" "${PUB_CMD[@]:0:3}" get "${STATEMENT_IDS[0]}" ||
  fail "run 2: get ${STATEMENT_IDS[0]} (published in run 1) failed: $(cat "$WORK/get1.stderr")"
grep -qF "\"id\": \"${STATEMENT_IDS[0]}\"" "$WORK/get1.stdout" || fail "run 2: get returned another statement"
# The newsroom resumes after its cursor: the new statement arrives, not the first one again.
publish_and_receive 2
stop_run 2

say "checked: up twice on ports ${PORTS[0]}-${PORTS[4]}, publish/subscribe each time, tokens and keys kept," \
  "demo data reloaded ($AGENCIES_2 agencies), statement kept across restarts, clean stops"
