#!/usr/bin/env bash
# Validates the Kubernetes manifests under k8s/, offline: renders k8s/overlays/local and
# k8s/overlays/production with `kubectl kustomize` and checks the rendered objects
# (security context, resources, probes, named ports, Services and ServiceAccounts, shard
# agreement, TLS and HA settings, env vars against the services' real flags, the gateway
# and its TLS Ingress, ...).
#
# Then it checks itself: it copies k8s/ to a temporary directory, breaks it in several
# known ways, one at a time, and requires each broken copy to be rejected.
#
# Usage: tests/k8s/validate_manifests.sh [--no-self-test] [--k8s-dir DIR] [--quiet]
# Needs kubectl (for kustomize; no cluster is contacted) and python3 (standard library).
# Exit: 0 all checks passed, 1 a check failed, 77 kubectl is missing (CTest: SKIP_RETURN_CODE).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
k8s_dir="$repo_root/k8s"
self_test=1
quiet=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-self-test) self_test=0 ;;
    --quiet) quiet=1 ;;
    --k8s-dir) k8s_dir="$(cd "$2" && pwd)"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "validate_manifests: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v kubectl >/dev/null 2>&1; then
  echo "validate_manifests: SKIPPED: kubectl is not installed (needed for 'kubectl kustomize')" >&2
  exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "validate_manifests: FAIL: python3 is not installed" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# No cluster, ever: an empty kubeconfig makes any accidental server call fail fast.
export KUBECONFIG="$work/kubeconfig-none"
: > "$KUBECONFIG"

say() { if [ "$quiet" -eq 0 ]; then echo "$@"; fi; }

# kubectl kustomize prints YAML; `kubectl annotate --local` (no server) turns it into JSON
# objects that python3 reads without a YAML library. Removing an absent annotation is a
# no-op, so the objects are otherwise unchanged.
render() {
  local overlay="$1" out="$2"
  if ! kubectl kustomize "$k8s_dir/overlays/$overlay" > "$out.yaml" 2> "$out.err"; then
    echo "FAIL render overlays/$overlay: kubectl kustomize failed:" >&2
    cat "$out.err" >&2
    return 1
  fi
  if ! kubectl annotate --local -f "$out.yaml" -o json validate.pressrelay.invalid/none- > "$out.json" 2> "$out.err"; then
    echo "FAIL render overlays/$overlay: converting the rendered YAML to JSON failed:" >&2
    cat "$out.err" >&2
    return 1
  fi
}

cat > "$work/check.py" <<'PY'
"""Checks one rendered overlay. argv: rendered.json overlay-name tls(on|off) ha(on|off)
secrets(generated|external) source-dir quiet(0|1)."""
import json
import os
import re
import sys

path, overlay, tls_mode, ha_mode, secrets_mode, source_dir, quiet = sys.argv[1:8]
quiet = quiet == "1"

NAMESPACE = "pressrelay"
SERVICES = {"registry": 7401, "distribution": 7402, "subscription": 7403}
HEALTH_PROBE = "/usr/local/bin/pressrelay"
LIVENESS = "pressrelay.liveness"
failures = []


def check(ok, what, detail=""):
    if ok:
        if not quiet:
            print(f"  ok    {what}")
    else:
        failures.append(what)
        print(f"  FAIL  [{overlay}] {what}" + (f": {detail}" if detail else ""))
    return ok


# --- load --------------------------------------------------------------------------------
text = open(path).read()
objs, dec, i = [], json.JSONDecoder(), 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    objs.extend(obj["items"] if obj.get("kind") == "List" else [obj])
by_kind = {}
for o in objs:
    by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o


def get(kind, name):
    return by_kind.get(kind, {}).get(name)


configmaps = by_kind.get("ConfigMap", {})
secrets = by_kind.get("Secret", {})
workloads = [o for o in objs if o["kind"] in ("Deployment", "StatefulSet")]

# --- the services' real flags, from the source: an env var no flag reads is a silent no-op
# ABSL_FLAG(type, name, ...), PRESSRELAY_INT_FLAG(type, name, ...), PRESSRELAY_DURATION_FLAG(name, ...)
flag_re = re.compile(r"(?:ABSL_FLAG|PRESSRELAY_INT_FLAG)\(\s*[^,]+,\s*([a-z0-9_]+)\s*,|PRESSRELAY_DURATION_FLAG\(\s*([a-z0-9_]+)\s*,")


def flags_in(*dirs):
    """Flags defined in the sources under each directory (recursively)."""
    names = set()
    for d in dirs:
        full = os.path.join(source_dir, d)
        for root, _, files in os.walk(full):
            for f in sorted(files):
                if not f.endswith((".cc", ".h")):
                    continue
                for pair in flag_re.findall(open(os.path.join(root, f), encoding="utf-8").read()):
                    names.update(n for n in pair if n)
    return names


shared_flags = flags_in("services/common")
service_flags = {s: shared_flags | flags_in(f"services/{s}") for s in SERVICES}
check(len(shared_flags) >= 10 and "listen" in shared_flags,
      f"read the services' flags from {source_dir}/services ({len(shared_flags)} shared)",
      "ABSL_FLAG definitions not found; is --source-dir right?")


# --- helpers -----------------------------------------------------------------------------
def env_value(env):
    """The value of one env entry, following configMapKeyRef into rendered ConfigMaps."""
    if "value" in env:
        return env["value"]
    ref = env.get("valueFrom", {}).get("configMapKeyRef")
    if ref:
        cm = configmaps.get(ref["name"])
        if cm is None or ref["key"] not in cm.get("data", {}):
            return None
        return cm["data"][ref["key"]]
    if "secretKeyRef" in env.get("valueFrom", {}):
        return "<secret>"
    return None


def env_map(container):
    return {e["name"]: env_value(e) for e in container.get("env", [])}


def duration_seconds(text):
    """An absl duration such as 20s, 1m30s, 500ms."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", text or "")
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(a) * unit[b] for a, b in parts)


def effective(container, pod_spec, key):
    c = container.get("securityContext", {})
    return c[key] if key in c else pod_spec.get("securityContext", {}).get(key)


def pod_spec_of(w):
    return w["spec"]["template"]["spec"]


def short(o):
    return f'{o["kind"]}/{o["metadata"]["name"]}'


# --- every object ------------------------------------------------------------------------
print(f"[{overlay}] {len(objs)} objects: " + ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items())))
ns_obj = get("Namespace", NAMESPACE)
check(ns_obj is not None, f"Namespace {NAMESPACE} is part of the render")
if ns_obj:
    check(ns_obj["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
          f"Namespace {NAMESPACE} enforces the restricted Pod Security Standard")
cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
bad_ns = [short(o) for o in objs if o["kind"] not in cluster_scoped and o["metadata"].get("namespace") != NAMESPACE]
check(not bad_ns, f"every namespaced object is in namespace {NAMESPACE}", ", ".join(bad_ns))
unlabelled = [short(o) for o in objs if o["kind"] != "Namespace"
              and o["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") != "pressrelay"]
check(not unlabelled, "every object is labelled app.kubernetes.io/part-of=pressrelay", ", ".join(unlabelled))

# --- every workload and container --------------------------------------------------------
for w in workloads:
    spec = pod_spec_of(w)
    name = short(w)
    labels = w["spec"]["template"]["metadata"].get("labels", {})
    check("app.kubernetes.io/name" in labels and labels.get("app.kubernetes.io/part-of") == "pressrelay",
          f"{name}: pod labels app.kubernetes.io/name and part-of=pressrelay")
    sel = w["spec"]["selector"].get("matchLabels", {})
    check(sel and all(labels.get(k) == v for k, v in sel.items()), f"{name}: selector matches the pod labels")
    check(spec.get("automountServiceAccountToken") is False or
          (get("ServiceAccount", spec.get("serviceAccountName", "")) or {}).get("automountServiceAccountToken") is False,
          f"{name}: no Kubernetes API token mounted")
    check(effective({}, spec, "seccompProfile") == {"type": "RuntimeDefault"} or
          all(c.get("securityContext", {}).get("seccompProfile") == {"type": "RuntimeDefault"} for c in spec["containers"]),
          f"{name}: seccompProfile RuntimeDefault")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    claim_names = {t["metadata"]["name"] for t in w["spec"].get("volumeClaimTemplates", [])}
    for kind in ("containers", "initContainers"):
        for c in spec.get(kind, []):
            cn = f'{name} container {c["name"]}'
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                missing = [r for r in ("cpu", "memory") if r not in res.get(part, {})]
                check(not missing, f"{cn}: resources.{part} has cpu and memory", f"missing {missing}")
            check(effective(c, spec, "runAsNonRoot") is True, f"{cn}: runAsNonRoot true")
            uid = effective(c, spec, "runAsUser")
            check(isinstance(uid, int) and uid >= 1000, f"{cn}: runAsUser is a non-root uid", f"runAsUser={uid}")
            sc = c.get("securityContext", {})
            check(sc.get("readOnlyRootFilesystem") is True, f"{cn}: readOnlyRootFilesystem true")
            check(sc.get("allowPrivilegeEscalation") is False, f"{cn}: allowPrivilegeEscalation false")
            check("ALL" in sc.get("capabilities", {}).get("drop", []), f"{cn}: capabilities drop ALL")
            check(not sc.get("privileged"), f"{cn}: not privileged")
            image = c.get("image", "")
            tag = image.rsplit("/", 1)[-1]
            check("@sha256:" in image or (":" in tag and not tag.endswith(":latest")),
                  f"{cn}: image pinned to a tag or digest, not latest", image)
            if kind == "containers":
                check("readinessProbe" in c, f"{cn}: has a readinessProbe")
                check("livenessProbe" in c, f"{cn}: has a livenessProbe")
            ports = c.get("ports", [])
            unnamed = [p.get("containerPort") for p in ports if not p.get("name")]
            check(ports and not unnamed, f"{cn}: declares its ports, all named", f"unnamed: {unnamed}" if ports else "no ports")
            port_names = {p.get("name") for p in ports}
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                for handler in ("tcpSocket", "httpGet"):
                    ref = c.get(probe, {}).get(handler, {}).get("port")
                    if isinstance(ref, str):
                        check(ref in port_names, f"{cn}: {probe} port {ref} names a container port")
            for m in c.get("volumeMounts", []):
                check(m["name"] in volumes or m["name"] in claim_names, f"{cn}: volume {m['name']} exists")
    for v in volumes.values():
        if "configMap" in v:
            check(v["configMap"]["name"] in configmaps, f"{name}: ConfigMap {v['configMap']['name']} is rendered")

# --- the three services ------------------------------------------------------------------
shards = {}
referenced_secrets = set()
for svc, port in SERVICES.items():
    full = f"pressrelay-{svc}"
    dep = get("Deployment", full)
    if not check(dep is not None, f"{full}: Deployment exists"):
        continue
    spec = pod_spec_of(dep)
    c = next((c for c in spec["containers"] if c["name"] == svc), spec["containers"][0])
    env = env_map(c)
    mounts = [m["mountPath"].rstrip("/") + "/" for m in c.get("volumeMounts", [])]
    pod_labels = dep["spec"]["template"]["metadata"].get("labels", {})

    # Service and ServiceAccount
    service = get("Service", full)
    if check(service is not None, f"{full}: Service exists"):
        sel = service["spec"].get("selector", {})
        check(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{full}: Service selects the pods")
        sp = [p for p in service["spec"].get("ports", []) if p.get("name") == "grpc"]
        check(sp and sp[0].get("port") == port and sp[0].get("targetPort") == "grpc",
              f"{full}: Service port grpc {port} -> targetPort grpc", json.dumps(service["spec"].get("ports")))
    check(get("ServiceAccount", full) is not None, f"{full}: ServiceAccount exists")
    check(spec.get("serviceAccountName") == full, f"{full}: pods run as ServiceAccount {full}")

    cports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    check(cports.get("grpc") == port, f"{full}: container port named grpc is {port}", json.dumps(cports))
    check(c.get("command", [""])[0] == f"/usr/local/bin/{full}", f"{full}: command runs /usr/local/bin/{full}",
          json.dumps(c.get("command")))

    # env: every variable is a real flag of this service, every value resolves
    unknown = [k for k in env if not (k.startswith("PRESSRELAY_") and k[len("PRESSRELAY_"):].lower() in service_flags[svc])]
    check(not unknown, f"{full}: every env var is PRESSRELAY_<a flag of this service>", ", ".join(unknown))
    unresolved = [k for k, v in env.items() if v is None]
    check(not unresolved, f"{full}: every env value resolves (ConfigMap keys exist)", ", ".join(unresolved))
    check(spec.get("enableServiceLinks") is False,
          f"{full}: enableServiceLinks false (service links would inject PRESSRELAY_* variables)")
    check(env.get("PRESSRELAY_LISTEN") == f"0.0.0.0:{port}", f"{full}: listens on 0.0.0.0:{port}",
          str(env.get("PRESSRELAY_LISTEN")))
    for k, v in env.items():
        if v and (k.endswith(("_FILE", "_DIR")) or k.startswith(("PRESSRELAY_TLS_", "PRESSRELAY_PEER_TLS_"))) and v.startswith("/"):
            check(any((v.rstrip("/") + "/").startswith(m) for m in mounts), f"{full}: {k} ({v}) lies in a mounted volume")
    for k in ("PRESSRELAY_REDIS", "PRESSRELAY_REGISTRY", "PRESSRELAY_DISTRIBUTION", "PRESSRELAY_SUBSCRIPTION"):
        if env.get(k):
            host, _, p = env[k].rpartition(":")
            target = get("Service", host)
            check(target is not None and any(sp.get("port") == int(p) for sp in target["spec"].get("ports", [])),
                  f"{full}: {k}={env[k]} is a rendered Service and port")
    check(bool(env.get("PRESSRELAY_REDIS_PASSWORD_FILE")), f"{full}: authenticates to Redis (PRESSRELAY_REDIS_PASSWORD_FILE)")
    if svc != "registry":
        check(bool(env.get("PRESSRELAY_SERVICE_TOKEN_FILE")), f"{full}: has a service token file")
        check(bool(env.get("PRESSRELAY_REGISTRY")), f"{full}: knows the registry address")
        shards[svc] = env.get("PRESSRELAY_SHARDS")
    else:
        check(bool(env.get("PRESSRELAY_BOOTSTRAP_TOKENS_FILE")), f"{full}: installs bootstrap tokens")
    for v in spec.get("volumes", []):
        if "secret" in v:
            referenced_secrets.add(v["secret"]["secretName"])
    # signing keys: the distribution service cannot start without them, and nobody else
    # may hold the agencies' private keys
    key_volumes = {v["name"] for v in spec.get("volumes", []) if "secret" in v and "signing" in v["secret"]["secretName"]}
    if svc == "distribution":
        keys_dir = (env.get("PRESSRELAY_SIGNING_KEYS_DIR") or "").rstrip("/") + "/"
        key_mounts = [m for m in c.get("volumeMounts", []) if m["name"] in key_volumes]
        check(keys_dir != "/" and any(keys_dir == m["mountPath"].rstrip("/") + "/" and m.get("readOnly") for m in key_mounts),
              f"{full}: PRESSRELAY_SIGNING_KEYS_DIR is a read-only mount of the signing-keys Secret", keys_dir)
    else:
        check(not key_volumes, f"{full}: does not mount the agencies' signing keys", ", ".join(key_volumes))

    # drain: the kubelet must wait for the preStop sleep and the whole drain
    grace = duration_seconds(env.get("PRESSRELAY_DRAIN_GRACE") or "20s")
    pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_s = float(pre[1]) if len(pre) == 2 and pre[0].endswith("sleep") else 0
    tgps = spec.get("terminationGracePeriodSeconds", 30)
    check(grace is not None and tgps >= grace + pre_s + 10,
          f"{full}: terminationGracePeriodSeconds ({tgps}) >= preStop ({pre_s:g}) + drain_grace ({grace}) + 10")

    # probes: native gRPC on plaintext listeners; the exec health probe on TLS listeners
    tls_on = bool(env.get("PRESSRELAY_TLS_CERT"))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        p = c.get(probe)
        if not check(p is not None, f"{full}: has a {probe}"):
            continue
        # Liveness asks for the always-SERVING "pressrelay.liveness" name, readiness and
        # startup for the server's readiness ("").
        wants_liveness = probe == "livenessProbe"
        if not tls_on:
            g = p.get("grpc", {})
            check(g.get("port") == port and "exec" not in p,
                  f"{full}: {probe} is a native gRPC probe on port {port}", json.dumps(p))
            check((g.get("service") == LIVENESS) == wants_liveness,
                  f"{full}: {probe} checks health name {LIVENESS if wants_liveness else 'readiness'}", json.dumps(p))
        else:
            cmd = p.get("exec", {}).get("command", [])
            ok = ("grpc" not in p and cmd[:1] == [HEALTH_PROBE] and "health" in cmd and f"127.0.0.1:{port}" in cmd
                  and "--ca" in cmd and ("--cert" in cmd or env.get("PRESSRELAY_TLS_REQUIRE_CLIENT_CERT") != "true"))
            check(ok, f"{full}: {probe} runs `pressrelay health` over TLS on port {port} "
                      "(native gRPC probes cannot speak TLS)", json.dumps(p))
            check((LIVENESS in cmd) == wants_liveness,
                  f"{full}: {probe} checks health name {LIVENESS if wants_liveness else 'readiness'}", json.dumps(p))

    # TLS
    tls_vars = ["PRESSRELAY_TLS_CERT", "PRESSRELAY_TLS_KEY", "PRESSRELAY_TLS_CLIENT_CA"]
    peer_vars = ["PRESSRELAY_PEER_TLS_CA", "PRESSRELAY_PEER_TLS_CERT", "PRESSRELAY_PEER_TLS_KEY"]
    if tls_mode == "on":
        missing = [k for k in tls_vars if not env.get(k)]
        check(not missing, f"{full}: TLS listener env vars set", f"missing {missing}")
        if svc in ("registry", "distribution"):
            check(env.get("PRESSRELAY_TLS_REQUIRE_CLIENT_CERT") == "true", f"{full}: requires client certificates (mutual TLS)")
        if svc != "registry":
            missing = [k for k in peer_vars if not env.get(k)]
            check(not missing, f"{full}: peer TLS env vars set (mutual TLS to the other services)", f"missing {missing}")
    else:
        present = [k for k in tls_vars + peer_vars if env.get(k)]
        check(not present, f"{full}: no TLS env vars in a plaintext overlay", ", ".join(present))

    # replicas
    replicas = dep["spec"].get("replicas", 1)
    if ha_mode == "on" and svc in ("distribution", "subscription"):
        check(replicas == 2, f"{full}: 2 replicas", f"replicas={replicas}")
        check(bool(spec.get("topologySpreadConstraints")), f"{full}: topology spread constraints")
        pdbs = [p for p in by_kind.get("PodDisruptionBudget", {}).values()
                if all(pod_labels.get(k) == v for k, v in p["spec"]["selector"].get("matchLabels", {}).items())]
        check(len(pdbs) == 1, f"{full}: one PodDisruptionBudget selects its pods", f"found {len(pdbs)}")
    else:
        check(replicas == 1, f"{full}: 1 replica", f"replicas={replicas}")

# --- the gateway ---------------------------------------------------------------------------
GATEWAY, GATEWAY_PORT = "pressrelay-gateway", 8080
gateway_flags = shared_flags | flags_in("gateway")
dep = get("Deployment", GATEWAY)
if check(dep is not None, f"{GATEWAY}: Deployment exists"):
    spec = pod_spec_of(dep)
    c = next((c for c in spec["containers"] if c["name"] == "gateway"), spec["containers"][0])
    env = env_map(c)
    mounts = [m["mountPath"].rstrip("/") + "/" for m in c.get("volumeMounts", [])]
    pod_labels = dep["spec"]["template"]["metadata"].get("labels", {})
    service = get("Service", GATEWAY)
    if check(service is not None, f"{GATEWAY}: Service exists"):
        sel = service["spec"].get("selector", {})
        check(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{GATEWAY}: Service selects the pods")
        sp = [p for p in service["spec"].get("ports", []) if p.get("name") == "http"]
        check(sp and sp[0].get("port") == GATEWAY_PORT and sp[0].get("targetPort") == "http",
              f"{GATEWAY}: Service port http {GATEWAY_PORT} -> targetPort http")
    check(get("ServiceAccount", GATEWAY) is not None and spec.get("serviceAccountName") == GATEWAY,
          f"{GATEWAY}: pods run as ServiceAccount {GATEWAY}")
    check(c.get("command", [""])[0] == f"/usr/local/bin/{GATEWAY}", f"{GATEWAY}: command runs /usr/local/bin/{GATEWAY}")
    cports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    check(cports.get("http") == GATEWAY_PORT, f"{GATEWAY}: container port named http is {GATEWAY_PORT}")
    unknown = [k for k in env if not (k.startswith("PRESSRELAY_") and k[len("PRESSRELAY_"):].lower() in gateway_flags)]
    check(not unknown, f"{GATEWAY}: every env var is PRESSRELAY_<a flag of the gateway>", ", ".join(unknown))
    check(not [k for k, v in env.items() if v is None], f"{GATEWAY}: every env value resolves")
    check(spec.get("enableServiceLinks") is False, f"{GATEWAY}: enableServiceLinks false")
    check(env.get("PRESSRELAY_LISTEN") == f"0.0.0.0:{GATEWAY_PORT}", f"{GATEWAY}: listens on 0.0.0.0:{GATEWAY_PORT}")
    check(not any("REDIS" in k for k in env), f"{GATEWAY}: has no Redis settings (it never touches Redis)")
    for k in ("PRESSRELAY_REGISTRY", "PRESSRELAY_DISTRIBUTION"):
        host, _, p = (env.get(k) or "").rpartition(":")
        target = get("Service", host)
        check(target is not None and p.isdigit() and any(sp.get("port") == int(p) for sp in target["spec"].get("ports", [])),
              f"{GATEWAY}: {k}={env.get(k)} is a rendered Service and port")
    for k, v in env.items():
        if v and (k.endswith(("_FILE", "_DIR")) or k.startswith("PRESSRELAY_PEER_TLS_")) and v.startswith("/") \
                and k != "PRESSRELAY_WEB_DIR":
            check(any((v.rstrip("/") + "/").startswith(m) for m in mounts), f"{GATEWAY}: {k} ({v}) lies in a mounted volume")
    check(bool(env.get("PRESSRELAY_GATEWAY_TOKEN_FILE")), f"{GATEWAY}: has its gateway token file")
    check(env.get("PRESSRELAY_TRUST_FORWARDED_FOR") == "true" and env.get("PRESSRELAY_SECURE_COOKIES") == "true",
          f"{GATEWAY}: behind the TLS Ingress: client address from X-Forwarded-For, Secure cookies")
    check(not [v for v in spec.get("volumes", []) if "secret" in v and "signing" in v["secret"]["secretName"]],
          f"{GATEWAY}: does not mount the agencies' signing keys")
    for v in spec.get("volumes", []):
        if "secret" in v:
            referenced_secrets.add(v["secret"]["secretName"])
    for probe, path in (("startupProbe", "/readyz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        g = c.get(probe, {}).get("httpGet", {})
        check(g.get("path") == path and g.get("port") == "http", f"{GATEWAY}: {probe} is GET {path} on port http",
              json.dumps(c.get(probe)))
    grace = duration_seconds(env.get("PRESSRELAY_DRAIN_GRACE") or "20s")
    pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_s = float(pre[1]) if len(pre) == 2 and pre[0].endswith("sleep") else 0
    tgps = spec.get("terminationGracePeriodSeconds", 30)
    check(grace is not None and tgps >= grace + pre_s + 10,
          f"{GATEWAY}: terminationGracePeriodSeconds ({tgps}) >= preStop ({pre_s:g}) + drain_grace ({grace}) + 10")
    peer_vars = ["PRESSRELAY_PEER_TLS_CA", "PRESSRELAY_PEER_TLS_CERT", "PRESSRELAY_PEER_TLS_KEY"]
    if tls_mode == "on":
        missing = [k for k in peer_vars if not env.get(k)]
        check(not missing, f"{GATEWAY}: peer TLS env vars set (the services require client certificates)", f"missing {missing}")
    else:
        check(not [k for k in peer_vars if env.get(k)], f"{GATEWAY}: no TLS env vars in a plaintext overlay")
    replicas = dep["spec"].get("replicas", 1)
    check(replicas == (2 if ha_mode == "on" else 1), f"{GATEWAY}: {2 if ha_mode == 'on' else 1} replica(s)", f"replicas={replicas}")

# The way in from outside: an Ingress to the gateway's Service, HTTPS for every host.
ingresses = list(by_kind.get("Ingress", {}).values())
if check(len(ingresses) == 1, "one Ingress (the desk's way in)", f"found {len(ingresses)}"):
    ing = ingresses[0]
    hosts = [r.get("host") for r in ing["spec"].get("rules", [])]
    tls_hosts = {h for t in ing["spec"].get("tls", []) if t.get("secretName") for h in t.get("hosts", [])}
    check(hosts and all(h and h in tls_hosts for h in hosts), "Ingress: TLS (with a secretName) for every host",
          f"hosts {hosts}, tls {sorted(tls_hosts)}")
    backends = [p["backend"].get("service", {}) for r in ing["spec"].get("rules", [])
                for p in r.get("http", {}).get("paths", [])]
    check(backends and all(b.get("name") == GATEWAY and b.get("port") in ({"name": "http"}, {"number": GATEWAY_PORT})
                           for b in backends), f"Ingress: every path goes to {GATEWAY} port http", json.dumps(backends))
    ann = ing["metadata"].get("annotations", {})
    check(ann.get("nginx.ingress.kubernetes.io/ssl-redirect") == "true", "Ingress: plain HTTP is redirected to HTTPS")
    check(ann.get("nginx.ingress.kubernetes.io/proxy-buffering") == "off",
          "Ingress: no proxy buffering (delivery reports are server-sent events)")

# --- shards ------------------------------------------------------------------------------
s_dist, s_sub = shards.get("distribution"), shards.get("subscription")
check(s_dist is not None and s_dist == s_sub,
      f"shard count is the same in distribution and subscription ({s_dist} / {s_sub})")
check(s_dist is not None and s_dist.isdigit() and 1 <= int(s_dist) <= 1024, "shard count is an integer in 1-1024", str(s_dist))

# --- redis -------------------------------------------------------------------------------
redis = get("StatefulSet", "pressrelay-redis")
if check(redis is not None, "pressrelay-redis: StatefulSet exists"):
    rs = redis["spec"]
    check(bool(rs.get("volumeClaimTemplates")), "pressrelay-redis: has a PersistentVolumeClaim template")
    svc_obj = get("Service", rs.get("serviceName", ""))
    check(svc_obj is not None and svc_obj["spec"].get("clusterIP") == "None",
          "pressrelay-redis: governed by a headless Service")
    conf = None
    for v in pod_spec_of(redis).get("volumes", []):
        if "configMap" in v and "redis.conf" in configmaps.get(v["configMap"]["name"], {}).get("data", {}):
            conf = configmaps[v["configMap"]["name"]]["data"]["redis.conf"]
        if "secret" in v:
            referenced_secrets.add(v["secret"]["secretName"])
    if check(conf is not None, "pressrelay-redis: mounts a ConfigMap with redis.conf"):
        directives = {}
        for line in conf.splitlines():
            words = line.split()
            if words and not words[0].startswith("#"):
                directives[words[0].lower()] = " ".join(words[1:])
        for key, want in (("appendonly", "yes"), ("appendfsync", "everysec"), ("zset-max-listpack-entries", "256")):
            check(directives.get(key) == want, f"redis.conf: {key} {want}", f"found {directives.get(key)!r}")
        check("include" in directives or "requirepass" in directives, "redis.conf: password authentication configured")
    cmd = " ".join(pod_spec_of(redis)["containers"][0].get("command", []) + pod_spec_of(redis)["containers"][0].get("args", []))
    check("redis.conf" in cmd, "pressrelay-redis: redis-server is started with the mounted redis.conf", cmd)

# --- secrets -----------------------------------------------------------------------------
def secret_named(name):
    return secrets.get(name)


if secrets_mode == "generated":
    missing = sorted(s for s in referenced_secrets if secret_named(s) is None)
    check(not missing, "every referenced Secret is generated by the overlay", ", ".join(missing))
    # the service tokens must be the ones the registry installs at start
    import base64

    def secret_text(name, key):
        s = secret_named(name) or {}
        raw = s.get("data", {}).get(key)
        return base64.b64decode(raw).decode() if raw else s.get("stringData", {}).get(key, "")

    boot_name = next((s for s in referenced_secrets if "bootstrap" in s), "")
    lines = [l.split() for l in secret_text(boot_name, "bootstrap-tokens").splitlines() if l.strip() and not l.startswith("#")]
    check(lines and all(len(l) == 3 and l[0] in ("operator", "service", "gateway") and len(l[2]) >= 16 for l in lines),
          "bootstrap tokens: every line is 'operator|service|gateway <name> <token of 16+ chars>'")
    installed = {l[2] for l in lines if len(l) == 3 and l[0] == "service"}
    for svc in ("distribution", "subscription"):
        dep = get("Deployment", f"pressrelay-{svc}")
        if not dep:
            continue
        vols = [v["secret"]["secretName"] for v in pod_spec_of(dep).get("volumes", [])
                if "secret" in v and "token" in v["secret"]["secretName"]]
        tok = secret_text(vols[0], "token") if vols else ""
        check(tok in installed, f"pressrelay-{svc}: its service token is a 'service' line of the bootstrap tokens")
    gateway_dep = get("Deployment", "pressrelay-gateway")
    if gateway_dep:
        vols = [v["secret"]["secretName"] for v in pod_spec_of(gateway_dep).get("volumes", [])
                if "secret" in v and "token" in v["secret"]["secretName"]]
        tok = secret_text(vols[0], "token") if vols else ""
        check(tok and tok in {l[2] for l in lines if len(l) == 3 and l[0] == "gateway"},
              "pressrelay-gateway: its token is a 'gateway' line of the bootstrap tokens")
    # every generated signing key is a key file the distribution service can load
    signing = next((s for s in referenced_secrets if "signing" in s), "")
    key_entries = list((secret_named(signing) or {}).get("data", {}))
    check(key_entries and all(k.endswith(".key") for k in key_entries),
          "signing keys: the Secret holds '<key id>.key' entries", ", ".join(key_entries))
    for k in key_entries:
        fields = dict(l.split("=", 1) for l in secret_text(signing, k).splitlines() if "=" in l)
        seed_ok = False
        try:
            seed_ok = len(base64.b64decode(fields.get("seed", ""), validate=True)) == 32
        except Exception:
            pass
        check(fields.get("agency") and fields.get("key_id") == k[:-len(".key")] and fields.get("created") and seed_ok,
              f"signing keys: {k} has agency, key_id (= its name), created and a 32-byte seed")
else:
    check(not secrets, "no Secret is rendered (real credentials are created out of band)", ", ".join(secrets))
    check("DEV-ONLY" not in text, "no development placeholder credentials in the render")
    check(not any(c.get("image", "").endswith(":dev") for w in workloads for c in pod_spec_of(w)["containers"]),
          "no development image tag")
    if not quiet:
        print(f"  note  Secrets to create before applying: {', '.join(sorted(referenced_secrets))}")

if failures:
    print(f"[{overlay}] {len(failures)} check(s) FAILED")
    sys.exit(1)
print(f"[{overlay}] all checks passed")
PY

validate() {
  local status=0
  # overlay  tls  ha  secrets
  while read -r overlay tls ha secrets; do
    say "== overlays/$overlay (tls=$tls ha=$ha secrets=$secrets)"
    if ! render "$overlay" "$work/$overlay"; then status=1; continue; fi
    if ! python3 "$work/check.py" "$work/$overlay.json" "$overlay" "$tls" "$ha" "$secrets" "$repo_root" "$quiet"; then
      status=1
    fi
  done <<'EOF'
local off off generated
production on on external
EOF
  return $status
}

if ! validate; then
  echo "validate_manifests: FAILED (see FAIL lines above)" >&2
  exit 1
fi

if [ "$self_test" -eq 1 ]; then
  say "== self-test: each deliberately broken copy of k8s/ must be rejected"
  # name | file (under k8s/) | python str.replace(old, new) applied once
  python3 - "$k8s_dir" "$work/mutants" <<'PY'
import json, os, shutil, sys
src, out = sys.argv[1], sys.argv[2]
mutants = [
    ("writable root filesystem", "base/registry.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"),
    ("redis container may run as root", "base/redis.yaml", "\n            runAsNonRoot: true", "\n            runAsNonRoot: false"),
    ("missing limits", "base/distribution.yaml", "            limits:\n              cpu: \"2\"\n              memory: 1Gi\n", ""),
    ("missing liveness probe", "base/registry.yaml", "livenessProbe:\n            grpc:\n              port: 7401\n              service: pressrelay.liveness\n", "xLivenessProbe:\n            grpc:\n              port: 7401\n              service: pressrelay.liveness\n"),
    ("liveness on readiness", "base/registry.yaml", "              service: pressrelay.liveness\n", ""),
    ("unnamed port", "base/distribution.yaml", "- name: grpc\n              containerPort: 7402", "- containerPort: 7402"),
    ("shards disagree", "base/subscription.yaml",
     "- name: PRESSRELAY_SHARDS\n              valueFrom:\n                configMapKeyRef:\n                  name: pressrelay-config\n                  key: shards",
     "- name: PRESSRELAY_SHARDS\n              value: \"32\""),
    ("misspelt env var", "base/registry.yaml", "PRESSRELAY_REDIS_PASSWORD_FILE", "PRESSRELAY_REDIS_PASSWORD_FIEL"),
    ("no ServiceAccount", "base/subscription.yaml", "kind: ServiceAccount", "kind: ConfigMap"),
    ("AOF off", "base/redis.yaml", "appendonly yes", "appendonly no"),
    ("HA with one replica", "components/ha/subscription.yaml", "replicas: 2", "replicas: 1"),
    ("mTLS not required", "components/tls/registry.yaml", "PRESSRELAY_TLS_REQUIRE_CLIENT_CERT\n              value: \"true\"", "PRESSRELAY_TLS_REQUIRE_CLIENT_CERT\n              value: \"false\""),
    ("native gRPC probe on a TLS listener", "components/tls/distribution.yaml", "readinessProbe:\n            grpc: null\n", "readinessProbe:\n"),
    ("signing keys not configured", "base/distribution.yaml", "            - name: PRESSRELAY_SIGNING_KEYS_DIR\n              value: /etc/pressrelay/signing-keys\n", ""),
    ("signing keys mounted elsewhere", "base/subscription.yaml", "      volumes:\n", "      volumes:\n        - name: stolen-keys\n          secret:\n            secretName: pressrelay-signing-keys\n"),
    ("a broken signing key", "overlays/local/dev-signing-keys/MOH-dev-1.key", "seed=", "seed=AAAA"),
    ("grace shorter than the drain", "base/subscription.yaml", "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 20"),
    ("gateway given Redis", "base/gateway.yaml", "          env:\n", "          env:\n            - name: PRESSRELAY_REDIS\n              value: pressrelay-redis:6379\n"),
    ("Ingress without TLS", "base/gateway.yaml", "  tls:\n    - hosts:\n        - desk.pressrelay.example\n      secretName: pressrelay-gateway-ingress-tls\n", ""),
    ("gateway ready when only alive", "base/gateway.yaml", "          readinessProbe:\n            httpGet:\n              path: /readyz", "          readinessProbe:\n            httpGet:\n              path: /healthz"),
    ("gateway cookies not Secure", "base/gateway.yaml", "PRESSRELAY_SECURE_COOKIES\n              value: \"true\"", "PRESSRELAY_SECURE_COOKIES\n              value: \"false\""),
    ("gateway without mutual TLS", "components/tls/gateway.yaml", "            - name: PRESSRELAY_PEER_TLS_CERT\n              value: \"/etc/pressrelay/tls/tls.crt\"\n", ""),
    ("gateway token not installed", "overlays/local/dev-bootstrap-tokens", "gateway desk", "gateway-x desk"),
]
os.makedirs(out)
for n, (name, rel, old, new) in enumerate(mutants):
    d = os.path.join(out, str(n))
    shutil.copytree(src, d)
    p = os.path.join(d, rel)
    t = open(p).read()
    if t.count(old) < 1:
        print(f"self-test setup: '{old[:40]}...' not found in {rel}; update the mutant '{name}'", file=sys.stderr)
        sys.exit(1)
    open(p, "w").write(t.replace(old, new, 1))
    open(os.path.join(out, f"{n}.name"), "w").write(name)
PY
  failed=0
  for d in "$work"/mutants/*/; do
    n="$(basename "$d")"
    name="$(cat "$work/mutants/$n.name")"
    if bash "$script_dir/$(basename "${BASH_SOURCE[0]}")" --k8s-dir "$d" --no-self-test --quiet \
        > "$work/mutant-$n.log" 2>&1; then
      echo "FAIL self-test: a copy broken by '$name' was accepted" >&2
      failed=1
    else
      say "  ok    rejected: $name ($(grep -m1 -o 'FAIL.*' "$work/mutant-$n.log" | cut -c1-110))"
    fi
  done
  if [ "$failed" -ne 0 ]; then
    echo "validate_manifests: FAILED: the validator accepts broken manifests" >&2
    exit 1
  fi
fi

echo "validate_manifests: all checks passed"
