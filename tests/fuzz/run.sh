#!/usr/bin/env bash
# Bounded fuzzing: builds every libFuzzer target (tests/fuzz/*_fuzz.cc) with clang, ASan and
# UBSan in a separate build tree, then runs each for PRESSRELAY_FUZZ_SECONDS (default 15)
# from a copy of its checked-in corpus (tests/fuzz/corpus/<name>, never modified). Fails if any
# target crashes or breaks a property, naming the saved input and how to reproduce it.
#
# Environment:
#   PRESSRELAY_FUZZ_SECONDS    seconds per target (default 15)
#   PRESSRELAY_FUZZ_TARGETS    names to run, space-separated (default: all), e.g. "cursor draft"
#   PRESSRELAY_FUZZ_BUILD_DIR  the build tree (default: build-fuzz next to build)
#   PRESSRELAY_SKIP_DEPS=1     do not check for clang's packages
#   PRESSRELAY_SKIP_BUILD=1    run the binaries already built
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${PRESSRELAY_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
PER_TARGET=${PRESSRELAY_FUZZ_SECONDS:-15}
ARTIFACTS=$BUILD/fuzz-artifacts
started=$(date +%s)

if [ -n "${PRESSRELAY_FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$PRESSRELAY_FUZZ_TARGETS"
else
  targets=()
  for src in "$HERE"/*_fuzz.cc; do
    name=$(basename "$src" _fuzz.cc)
    targets+=("$name")
  done
fi

if [ "${PRESSRELAY_SKIP_DEPS:-0}" != 1 ]; then
  "$ROOT/deploy/install-deps.sh"
fi

if [ "${PRESSRELAY_SKIP_BUILD:-0}" != 1 ]; then
  echo "fuzz: building ${#targets[@]} targets in $BUILD"
  mkdir -p "$BUILD"
  # The system libraries are gcc-built and uninstrumented; the project's code gets
  # coverage, ASan and UBSan (any undefined behaviour aborts).
  # -O1 with line tables only, as libFuzzer's documentation suggests: stack traces keep file
  # and line, without full debug information to generate for every instrumented object.
  if ! CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE= \
      -DPRESSRELAY_FUZZ=ON -DPRESSRELAY_BUILD_TESTS=OFF -DPRESSRELAY_BUILD_BENCH=OFF \
      "-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
      >"$BUILD/fuzz-configure.log" 2>&1; then
    tail -n 40 "$BUILD/fuzz-configure.log"
    echo "fuzz: FAILED to configure $BUILD (log: $BUILD/fuzz-configure.log)"
    exit 1
  fi
  if ! ninja -C "$BUILD" -j2 "${targets[@]/#/fuzz_}" >"$BUILD/fuzz-build.log" 2>&1; then
    grep -E -A20 'FAILED|error:' "$BUILD/fuzz-build.log" | head -n 60 || tail -n 40 "$BUILD/fuzz-build.log"
    echo "fuzz: FAILED to build (log: $BUILD/fuzz-build.log)"
    exit 1
  fi
  echo "fuzz: built in $(($(date +%s) - started)) s"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pressrelay-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$ARTIFACTS"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for name in "${targets[@]}"; do
  bin=$BUILD/bin/fuzz_$name
  seeds=$HERE/corpus/$name
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "fuzz: $name: missing $bin or $seeds"
    failed+=("$name")
    summary+=("$(printf '%-18s MISSING' "$name")")
    continue
  fi
  corpus=$work/$name
  mkdir -p "$corpus" "$ARTIFACTS/$name"
  cp -R "$seeds/." "$corpus/"
  dict=()
  if [ -f "$HERE/dict/$name.dict" ]; then dict=("-dict=$HERE/dict/$name.dict"); fi
  log=$work/$name.log
  echo "fuzz: $name for ${PER_TARGET} s"
  # New inputs go to the first directory (the copy); the checked-in seeds are only read.
  rc=0
  "$bin" -max_total_time="$PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$ARTIFACTS/$name/" "${dict[@]}" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
  cov=$(grep -oE '(INITED|DONE|REDUCE|NEW|pulse) +cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+$' || true)
  if [ "$rc" -ne 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "----- fuzz_$name FAILED (exit $rc) -----"
    grep -E -B2 -A40 'property violated|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==ERROR' "$log" |
      head -n 80 || tail -n 60 "$log"
    if [ -n "$crash" ]; then
      echo "crash input: $crash"
      echo "reproduce:   $bin $crash"
    else
      echo "no input saved; full log follows"
      tail -n 60 "$log"
    fi
    echo "-----"
    failed+=("$name")
    summary+=("$(printf '%-18s FAILED  %s' "$name" "${crash:-(see log above)}")")
  else
    summary+=("$(printf '%-18s ok      %10s execs  %5s new units  cov %s' "$name" "${execs:-?}" "${units:-?}" "${cov:-?}")")
  fi
done

echo
echo "fuzz summary (${PER_TARGET} s per target, $(($(date +%s) - started)) s in all):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs kept in $ARTIFACTS)"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ok"
