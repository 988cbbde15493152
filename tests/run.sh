#!/usr/bin/env bash
# The test command: installs what is missing (Debian 12 packages), builds once, and runs
# every test (unit, integration, e2e, fault, the benchmark's smoke run, fuzzing). Idempotent.
# Extra arguments go to ctest, e.g. `tests/run.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
tests/gateway/browser/install.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j2
ctest --test-dir build --output-on-failure -j2 "$@"
