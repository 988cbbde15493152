#!/usr/bin/env bash
# k8s/scripts/create-secrets.sh makes every Secret the manifests mount, with fresh values:
# the service tokens are the registry's bootstrap "service" lines, and each --agency gets a
# signing key file in the format the distribution service loads (the loading itself, from
# a Secret mount, is tests/unit/signing_test.cc).
# Usage: tests/k8s/create_secrets_test.sh PATH-TO-pressrelay-CLI
set -euo pipefail
cli="$1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v kubectl >/dev/null || { echo "create_secrets_test: SKIPPED: no kubectl" >&2; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KUBECONFIG="$work/none"
: > "$KUBECONFIG"

# A bad agency code is refused before anything is made.
if bash "$repo_root/k8s/scripts/create-secrets.sh" --cli "$cli" --agency 'moh; rm' > "$work/bad.yaml" 2> "$work/bad.err"; then
  echo "FAIL: a malformed --agency was accepted" >&2; exit 1
fi
grep -q -- "--agency" "$work/bad.err" || { echo "FAIL: the refusal does not name --agency" >&2; cat "$work/bad.err" >&2; exit 1; }

for run in 1 2; do
  bash "$repo_root/k8s/scripts/create-secrets.sh" --cli "$cli" --agency MOH --agency HAN > "$work/$run.yaml"
  kubectl annotate --local -f "$work/$run.yaml" -o json none.invalid/none- > "$work/$run.json"
done
python3 - "$work/1.json" "$work/2.json" <<'PY'
import base64, json, sys

def load(path):
    # kubectl prints one JSON object per document, one after the other
    text, items, pos = open(path).read(), [], 0
    decoder = json.JSONDecoder()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        obj, pos = decoder.raw_decode(text, pos)
        items.extend(obj.get("items", [obj]))
    return {i["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in i.get("data", {}).items()} for i in items}

a, b = load(sys.argv[1]), load(sys.argv[2])
want = {"pressrelay-redis-auth", "pressrelay-registry-bootstrap", "pressrelay-distribution-token",
        "pressrelay-subscription-token", "pressrelay-gateway-token", "pressrelay-signing-keys"}
assert set(a) == want, f"Secrets: {sorted(a)}"
lines = [l.split() for l in a["pressrelay-registry-bootstrap"]["bootstrap-tokens"].splitlines() if l and not l.startswith("#")]
services = {l[1]: l[2] for l in lines if l[0] == "service"}
assert services.get("distribution") == a["pressrelay-distribution-token"]["token"], "distribution token not installed"
assert services.get("subscription") == a["pressrelay-subscription-token"]["token"], "subscription token not installed"
gateways = {l[1]: l[2] for l in lines if l[0] == "gateway"}
assert list(gateways.values()) == [a["pressrelay-gateway-token"]["token"]], "gateway token not installed"
for tok in list(services.values()) + list(gateways.values()):
    assert tok.startswith("prt_") and len(base64.urlsafe_b64decode(tok[4:] + "=")) == 32, tok[:6]
keys = a["pressrelay-signing-keys"]
assert sorted(k.split("-")[0] for k in keys) == ["HAN", "MOH"], sorted(keys)
for name, text in keys.items():
    fields = dict(l.split("=", 1) for l in text.splitlines() if "=" in l)
    assert fields["key_id"] + ".key" == name and fields["agency"] == name.split("-")[0], name
    assert len(base64.b64decode(fields["seed"], validate=True)) == 32, name
# Fresh values every run: nothing is fixed in the script.
assert a["pressrelay-redis-auth"]["password"] != b["pressrelay-redis-auth"]["password"]
assert a["pressrelay-distribution-token"]["token"] != b["pressrelay-distribution-token"]["token"]
assert set(keys.values()).isdisjoint(b["pressrelay-signing-keys"].values())
print("create_secrets_test: ok")
PY
