#!/usr/bin/env bash
# Installs the Debian 12 packages pressrelay needs, and only those that are missing.
# Idempotent: a second run installs nothing. Used by deploy/local/run.sh and tests/run.sh.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries fixed by the design card
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libabsl-dev libhiredis-dev
  libspdlog-dev libsodium-dev libicu-dev libssl-dev
  # the admin gateway's HTTP server (cpp-httplib 0.11, see README "The desk")
  libcpp-httplib-dev
  # runtime peers
  redis-server
  # tests: GoogleTest, Debian's own python3 with gRPC for the newsroom example client
  libgtest-dev libgmock-dev python3-grpcio python3-protobuf python3-cryptography
  # tests: certificates for the TLS tests, clang's libFuzzer for the fuzzers
  openssl clang libclang-rt-14-dev
  # the benchmark's peers and their C clients
  nats-server mosquitto libnats-dev libmosquitto-dev
  # the benchmark's machine-wide system-call and context-switch counts (perf stat -a)
  linux-perf
  # tests: promtool checks the metrics, alerting rules and dashboard queries, and a real
  # Prometheus scrapes a running suite (deploy/observability)
  prometheus
  # the desk's browser test: Debian's Chromium driven by playwright-core (from npm, lock file
  # in tests/gateway/browser), and a font with Vietnamese diacritics for its screenshots
  chromium fonts-dejavu-core
)
# Node.js and npm for the browser test: Debian's, unless a node with npm is already on PATH.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
