#!/usr/bin/env bash
# Prints fresh, random credentials for pressrelay as Kubernetes Secret manifests (YAML) on
# standard output, for overlays that do not generate their own (overlays/production):
#
#   pressrelay-redis-auth            password          Redis requirepass, --redis_password_file
#   pressrelay-registry-bootstrap    bootstrap-tokens  --bootstrap_tokens_file of the registry
#   pressrelay-distribution-token    token             --service_token_file of distribution
#   pressrelay-subscription-token    token             --service_token_file of subscription
#   pressrelay-gateway-token         token             --gateway_token_file of the gateway
#   pressrelay-signing-keys          <key id>.key      --signing_keys_dir of distribution: a new
#                                                      Ed25519 key per --agency (none: empty)
#
# The two service tokens appear as "service <name> <token>" lines of the bootstrap tokens,
# the gateway's as a "gateway desk <token>" line, so the registry knows them; an operator
# token is added for the CLI.
#
# Usage:
#   k8s/scripts/create-secrets.sh [--namespace NS] [--operator NAME] [--agency CODE ...] \
#       [--cli PATH] | kubectl apply -f -
#   k8s/scripts/create-secrets.sh > pressrelay-secrets.yaml   # then seal/encrypt it; never commit it
#
# Tokens are what the services themselves issue: "prt_" + 32 random bytes, URL-safe base64
# without padding. Run it once per installation. Applying it again REPLACES the values; the
# registry installs the new tokens at its next start but does not revoke the old ones
# (use `pressrelay token revoke`).
#
# Signing keys are made by the pressrelay CLI (`pressrelay keygen`; --cli, else the one on
# PATH, else build/bin/pressrelay). To rotate or add an agency later, make a key with
# `pressrelay keygen --agency CODE --out DIR` and add it to the Secret, keeping the old keys.
#
# The operator token, afterwards:
#   kubectl -n pressrelay get secret pressrelay-registry-bootstrap \
#     -o jsonpath='{.data.bootstrap-tokens}' | base64 -d | awk '$1 == "operator" {print $3}'
set -euo pipefail

namespace=pressrelay
operator="admin"
agencies=()
cli=""
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$2"; shift ;;
    --operator) operator="$2"; shift ;;
    --agency) agencies+=("$2"); shift ;;
    --cli) cli="$2"; shift ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "create-secrets: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$operator" =~ ^[a-z0-9][a-z0-9._-]{0,63}$ ]]; then
  echo "create-secrets: --operator must be a lower-case slug (a-z 0-9 . _ -)" >&2
  exit 2
fi
if [ -t 1 ]; then
  echo "create-secrets: refusing to print live credentials to a terminal; pipe or redirect the output" >&2
  exit 2
fi
command -v kubectl >/dev/null || { echo "create-secrets: kubectl is needed" >&2; exit 2; }
for code in "${agencies[@]}"; do
  if ! [[ "$code" =~ ^[A-Z0-9][A-Z0-9_-]{0,31}$ ]]; then
    echo "create-secrets: --agency must be an agency code (A-Z 0-9 _ -), got '$code'" >&2
    exit 2
  fi
done
if [ ${#agencies[@]} -gt 0 ] && [ -z "$cli" ]; then
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if command -v pressrelay >/dev/null; then cli="$(command -v pressrelay)"
  elif [ -x "$script_dir/../../build/bin/pressrelay" ]; then cli="$script_dir/../../build/bin/pressrelay"
  else echo "create-secrets: --agency needs the pressrelay CLI (--cli PATH)" >&2; exit 2
  fi
fi

token() {
  printf 'prt_%s' "$(head -c32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
}

umask 077
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

redis_password="$(head -c32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
distribution_token="$(token)"
subscription_token="$(token)"
gateway_token="$(token)"
operator_token="$(token)"
printf '%s\n' \
  "# Installed by the registry at every start: operator|service|gateway <name> <token>" \
  "operator $operator $operator_token" \
  "service distribution $distribution_token" \
  "service subscription $subscription_token" \
  "gateway desk $gateway_token" > "$tmp/bootstrap-tokens"
printf '%s' "$redis_password" > "$tmp/password"
printf '%s' "$distribution_token" > "$tmp/distribution-token"
printf '%s' "$subscription_token" > "$tmp/subscription-token"
printf '%s' "$gateway_token" > "$tmp/gateway-token"

secret() {  # name, then kubectl --from-file arguments
  local name="$1"; shift
  echo "---"
  kubectl create secret generic "$name" --namespace "$namespace" "$@" --dry-run=client -o yaml \
    | kubectl label --local -f - -o yaml app.kubernetes.io/part-of=pressrelay
}

secret pressrelay-redis-auth --from-file=password="$tmp/password"
secret pressrelay-registry-bootstrap --from-file=bootstrap-tokens="$tmp/bootstrap-tokens"
secret pressrelay-distribution-token --from-file=token="$tmp/distribution-token"
secret pressrelay-subscription-token --from-file=token="$tmp/subscription-token"
secret pressrelay-gateway-token --from-file=token="$tmp/gateway-token"
mkdir "$tmp/signing-keys"
for code in "${agencies[@]}"; do
  "$cli" keygen --agency "$code" --key-id "$code-$(date -u +%Y%m%d)-1" --out "$tmp/signing-keys" >/dev/null
done
secret pressrelay-signing-keys --from-file="$tmp/signing-keys"
echo "create-secrets: wrote 6 Secrets for namespace $namespace (operator: $operator; signing keys: ${agencies[*]:-none})" >&2
