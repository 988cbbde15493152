#!/usr/bin/env bash
# The browser test of the admin gateway, against the real suite: deploy/local/run.sh (the
# README's "run it locally" command) starts a private Redis, the three services and the gateway
# with the demo data and desk sign-ins on free ports; test.mjs then drives Debian's Chromium
# through the desk as the demo press officer, spokesperson and operator (who enrols a second
# factor on the pages), while the demo newsroom Báo Tuổi Trẻ's CMS receives over gRPC with the
# project's CLI (`pressrelay subscribe --verify`).
#
#   bash tests/gateway/browser/run_test.sh BIN_DIR SCREENSHOT_DIR
#
# Screenshots of every main page go to SCREENSHOT_DIR (under the build folder); with
# UPDATE_README_SCREENSHOTS=1 the README's copies in docs/screenshots are refreshed too.
# Whatever happens, everything started is stopped and the temporary directory removed.
set -euo pipefail

START_SECONDS=$SECONDS
READY_DEADLINE=180
HOST=127.0.0.1
say() { printf '[browser_test] %s\n' "$*"; }
fail() {
  printf '[browser_test] FAIL: %s\n' "$*" >&2
  exit 1
}

(($# == 2)) || {
  echo "usage: $0 BIN_DIR SCREENSHOT_DIR" >&2
  exit 2
}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/gateway/browser
# shellcheck source=../../support/local_suite.sh
source "$ROOT/tests/support/local_suite.sh"
BIN_DIR=$(realpath -e "$1" 2>/dev/null) || fail "$1: no such directory"
SHOTS=$(realpath -m "$2")
for tool in node chromium flock setsid timeout redis-server redis-cli; do
  command -v "$tool" >/dev/null || fail "$tool is needed (deploy/install-deps.sh installs it)"
done
(($(node -p 'process.versions.node.split(".")[0]') >= 20)) ||
  fail "node $(node --version) is too old for playwright-core (package.json: engines.node >= 20)"
[[ -d $HERE/node_modules/playwright-core && -d $HERE/node_modules/@axe-core/playwright ]] ||
  fail "the npm packages are missing: run tests/gateway/browser/install.sh (tests/run.sh does)"

for v in $(compgen -e); do [[ $v == PRESSRELAY_* ]] && unset "$v"; done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pressrelay-browser-test.XXXXXX")
RUN_DIR=$WORK/run
RUN_ABS=$(realpath -m "$RUN_DIR")
MARK="PRESSRELAY_LOCAL_RUN_MARK=$RUN_ABS"
SCRIPT_ROOT=$(script_root "$ROOT" "$BIN_DIR" "$WORK")
RUN_SH=$SCRIPT_ROOT/deploy/local/run.sh
RUN_PID=""

cleanup() {
  local rc=$? pid f
  trap '' INT TERM HUP
  set +e
  if [[ -n $RUN_PID ]] && alive "$RUN_PID"; then
    PRESSRELAY_RUN_DIR=$RUN_DIR timeout 80 bash "$RUN_SH" --stop >/dev/null 2>&1
    for _ in $(seq 100); do alive "$RUN_PID" || break; sleep 0.1; done
    alive "$RUN_PID" && kill -KILL -- "-$RUN_PID" 2>/dev/null
  fi
  for pid in $(our_processes); do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do [[ -z $(our_processes) ]] && break; sleep 0.1; done
  for pid in $(our_processes); do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if ((rc != 0)); then
    for f in "$WORK/run.out" "$RUN_DIR"/logs/gateway.log "$RUN_DIR"/logs/registry.log "$RUN_DIR"/logs/distribution.log \
      "$RUN_DIR"/logs/subscription.log; do
      [[ -f $f ]] && { echo "---------------- $f (last 40 lines)"; tail -n 40 "$f"; } >&2
    done
  fi
  rm -rf "$WORK"
  say "$( ((rc == 0)) && echo PASS || echo "FAILED (exit $rc)") in $((SECONDS - START_SECONDS)) s"
  exit $((rc == 0 ? 0 : 1))
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BASE=$(pick_base 5) || fail "found no 5 consecutive free ports on $HOST"
export PRESSRELAY_RUN_DIR=$RUN_DIR PRESSRELAY_PORT_BASE=$BASE PRESSRELAY_SKIP_DEPS=1 PRESSRELAY_SKIP_BUILD=1
say "starting the suite with deploy/local/run.sh on ports $BASE-$((BASE + 4))"
setsid bash "$RUN_SH" </dev/null >"$WORK/run.out" 2>&1 &
RUN_PID=$!
deadline=$((SECONDS + READY_DEADLINE))
until grep -qx 'pressrelay is running\..*' "$WORK/run.out" && grep -q 'subscription get client:' "$WORK/run.out"; do
  alive "$RUN_PID" || fail "run.sh exited before the suite was up"
  ((SECONDS < deadline)) || fail "the suite was not up within $READY_DEADLINE s"
  sleep 0.2
done
unset PRESSRELAY_RUN_DIR PRESSRELAY_PORT_BASE PRESSRELAY_SKIP_DEPS PRESSRELAY_SKIP_BUILD

# The demo sign-ins (deploy/local/demo/accounts.jsonl: MOH spokesperson, MOH press officer,
# ..., the operator last) and their generated passwords.
user() { sed -n "$1s/.*\"username\": *\"\\([^\"]*\\)\".*/\\1/p" "$ROOT/deploy/local/demo/accounts.jsonl"; }
password() { grep "^$1 " "$RUN_DIR/secrets/passwords" | cut -d' ' -f2-; }
SPOKES_USER=$(user 1) PRESS_USER=$(user 2) OPERATOR_USER=$(user 5)
for u in "$SPOKES_USER" "$PRESS_USER" "$OPERATOR_USER"; do
  [[ -n $u && -n $(password "$u") ]] || fail "no demo sign-in for \"$u\" in $RUN_DIR/secrets/passwords"
done

mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
README_SHOTS=""
[[ ${UPDATE_README_SHOTS:-${UPDATE_README_SCREENSHOTS:-0}} == 1 ]] && README_SHOTS=$ROOT/docs/screenshots

say "driving Chromium through the desk (screenshots in $SHOTS)"
(cd "$HERE" && GATEWAY_URL="http://$HOST:$((BASE + 4))" \
  PRESS_USER=$PRESS_USER PRESS_PASSWORD=$(password "$PRESS_USER") \
  SPOKES_USER=$SPOKES_USER SPOKES_PASSWORD=$(password "$SPOKES_USER") \
  OPERATOR_USER=$OPERATOR_USER OPERATOR_PASSWORD=$(password "$OPERATOR_USER") \
  NEWSROOM_CMD="PRESSRELAY_REGISTRY=$HOST:$((BASE + 1)) PRESSRELAY_SUBSCRIPTION=$HOST:$((BASE + 3)) exec '$BIN_DIR/pressrelay' --token-file '$RUN_DIR/tokens/tuoitre-cms.token' subscribe --verify" \
  SCREENSHOT_DIR=$SHOTS README_SCREENSHOT_DIR=$README_SHOTS CHROMIUM=$(command -v chromium) \
  timeout 900 node test.mjs)
