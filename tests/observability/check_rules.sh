#!/usr/bin/env bash
# Checks deploy/observability/ (issue 17): the alerting rules, their unit tests, the example
# Prometheus configuration and the Grafana dashboard.
#
#   tests/observability/check_rules.sh     (from any directory; ctest -L deploy runs it)
#
# With promtool (Debian: apt-get install -y prometheus; or PROMTOOL=/path/to/promtool):
#   promtool check rules  alerts.yml
#   promtool test rules   alerts_test.yml
#   promtool check rules  on every PromQL expression of dashboard.json (as recording rules)
#   promtool check config prometheus.yml
# Without it (python3 and the standard library only):
#   dashboard.json is valid JSON, its data source is the variable ${datasource} on every panel
#   and query, panel ids are unique, every metric of the catalogue has a panel;
#   every metric name used in alerts.yml, alerts_test.yml, dashboard.json and README.md is in
#   METRICS below (histograms also with _bucket, _sum, _count), and README.md lists them all;
#   every alert of REQUIRED_ALERTS exists; each alert has a severity label, summary, description
#   and a runbook_url naming a heading of README.md; each alert (and each `reason` of one) has
#   a test where it fires and each alert one where it must not;
#   prometheus.yml's kubernetes_sd block uses only __meta_kubernetes_* labels of its role.
#
# Exit: 0 all passed; 1 something failed; 77 (skipped) promtool is missing and the checks
# that do not need it passed.
set -uo pipefail

# The metrics the services expose (deploy/observability/README.md, "The metrics"): name, type.
METRICS='
pressrelay_build_info gauge
pressrelay_ready gauge
pressrelay_rpc_requests_total counter
pressrelay_rpc_duration_seconds histogram
pressrelay_redis_round_trips_total counter
pressrelay_redis_errors_total counter
pressrelay_publishes_total counter
pressrelay_publish_duration_seconds histogram
pressrelay_fanout_recipients histogram
pressrelay_fanout_duration_seconds histogram
pressrelay_fanout_oldest_pending_seconds gauge
pressrelay_fanout_lease_expired_total counter
pressrelay_fanout_retries_total counter
pressrelay_questions_overdue gauge
pressrelay_deliveries_queued_total counter
pressrelay_deliveries_sent_total counter
pressrelay_deliveries_acknowledged_total counter
pressrelay_delivery_lag_seconds histogram
pressrelay_open_streams gauge
pressrelay_stream_open_waiting gauge
pressrelay_stream_open_batches_total counter
pressrelay_stream_open_calls_total counter
pressrelay_slow_readers_cut_total counter
pressrelay_revocations_applied_total counter
'

# The alerts operators were promised (issue 17); alerts.yml may have more.
REQUIRED_ALERTS='
PressrelayFanoutStuck
PressrelayDeliveriesNotAcknowledged
PressrelayReplicaNotReady
PressrelayRedisErrors
PressrelayStatementNotQueuedWithinAMinute
PressrelayDeliveryLagHigh
'

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OBS=$ROOT/deploy/observability
PROMTOOL=${PROMTOOL:-promtool}

failures=0
ok() { printf 'ok    %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$*"
  failures=$((failures + 1))
}
indent() { sed 's/^/      /'; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check_rules.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

for f in alerts.yml alerts_test.yml prometheus.yml dashboard.json README.md; do
  [[ -f $OBS/$f ]] || fail "deploy/observability/$f is missing"
done
((failures == 0)) || exit 1

if ! command -v python3 >/dev/null; then
  fail "python3 not found (needed to check the dashboard and metric names)"
  exit 1
fi

# ---- Checks without promtool (python3, standard library only) ----------------------------
# Prints "ok ..." / "FAIL ..." lines; writes $TMP/dashboard_rules.yml (the dashboard's PromQL as
# recording rules) and $TMP/prometheus.k8s-less.yml (prometheus.yml without kubernetes_sd_configs,
# for a promtool built without Kubernetes discovery).
METRICS=$METRICS REQUIRED_ALERTS=$REQUIRED_ALERTS python3 - "$OBS" "$TMP" <<'PY'
import json, os, re, sys

obs, tmp = sys.argv[1], sys.argv[2]
failures = 0

def ok(msg):
    print(f"ok    {msg}")

def fail(msg):
    global failures
    failures += 1
    print(f"FAIL  {msg}")

def read(name):
    with open(os.path.join(obs, name), encoding="utf-8") as f:
        return f.read()

metrics = {}
for line in os.environ["METRICS"].split("\n"):
    if line.strip():
        name, kind = line.split()
        metrics[name] = kind
required_alerts = os.environ["REQUIRED_ALERTS"].split()

# ---- dashboard.json ----
dash_text = read("dashboard.json")
try:
    dash = json.loads(dash_text)
except ValueError as e:
    fail(f"dashboard.json is not valid JSON: {e}")
    dash = None

dash_exprs = []  # (panel id, refId, expr)
if dash is not None:
    problems = []
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append('no variable "datasource" of type datasource (query prometheus)')

    def uses_ds_var(d):
        return isinstance(d, dict) and d.get("uid") in ("${datasource}", "$datasource")

    for name, v in variables.items():
        if v.get("type") == "query" and not uses_ds_var(v.get("datasource")):
            problems.append(f"variable {name}: datasource is not ${{datasource}}")

    def all_panels(panels):
        for p in panels:
            yield p
            yield from all_panels(p.get("panels", []))

    panels = list(all_panels(dash.get("panels", [])))
    ids = [p.get("id") for p in panels]
    dup = sorted({i for i in ids if ids.count(i) > 1}, key=str)
    if dup or None in ids:
        problems.append(f"panel ids missing or not unique: {dup}")
    for p in panels:
        title = p.get("title") or "(untitled)"
        if not p.get("title"):
            problems.append(f"panel {p.get('id')} has no title")
        g = p.get("gridPos", {})
        if not all(k in g for k in ("h", "w", "x", "y")) or g.get("x", 0) + g.get("w", 0) > 24:
            problems.append(f"panel {title!r}: bad gridPos {g}")
        if p.get("type") == "row":
            continue
        if not uses_ds_var(p.get("datasource")):
            problems.append(f"panel {title!r}: datasource is not ${{datasource}}")
        targets = p.get("targets") or []
        if not targets:
            problems.append(f"panel {title!r}: no queries")
        for t in targets:
            if not uses_ds_var(t.get("datasource")):
                problems.append(f"panel {title!r} query {t.get('refId')}: datasource is not ${{datasource}}")
            if not (t.get("expr") or "").strip():
                problems.append(f"panel {title!r} query {t.get('refId')}: empty expr")
            else:
                dash_exprs.append((p.get("id"), t.get("refId", "X"), t["expr"]))
    if problems:
        for m in problems:
            fail(f"dashboard.json: {m}")
    else:
        ok(f"dashboard.json: valid JSON, {len(panels)} panels, {len(dash_exprs)} queries, "
           "data source ${datasource} everywhere, unique ids")

    # Every dashboard query as a recording rule, Grafana's variables replaced, for promtool.
    subst = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h", "datasource": "prometheus"}
    for name in variables:
        subst.setdefault(name, ".*")
    rules, unknown = [], set()
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in subst:
            unknown.add(name)
            return ".*"
        return subst[name]
    for pid, ref, expr in dash_exprs:
        rules.append({"record": f"dashboard:panel_{pid}:{ref}",
                      "expr": re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, expr)})
    if unknown:
        fail(f"dashboard.json: queries use undefined variables {sorted(unknown)}")
    with open(os.path.join(tmp, "dashboard_rules.yml"), "w") as f:
        json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f, indent=1)  # JSON is YAML

# ---- metric names ----
name_re = re.compile(r"(?<![A-Za-z0-9_:])pressrelay_[a-z0-9_]+")

def known(name):
    if name in metrics:
        return True
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and metrics.get(name[: -len(suffix)]) == "histogram":
            return True
    return False

def base(name):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and metrics.get(name[: -len(suffix)]) == "histogram":
            return name[: -len(suffix)]
    return name

used = {}
for fname in ("alerts.yml", "alerts_test.yml", "dashboard.json", "README.md"):
    names = set(name_re.findall(read(fname)))
    used[fname] = {base(n) for n in names if known(n)}
    bad = sorted(n for n in names if not known(n))
    if bad:
        fail(f"{fname}: metric names not in the catalogue (METRICS in this script): {', '.join(bad)}")
    else:
        ok(f"{fname}: {len(names)} metric names, all in the catalogue")
missing = sorted(set(metrics) - used["dashboard.json"])
if missing:
    fail(f"dashboard.json: no panel shows {', '.join(missing)}")
else:
    ok("dashboard.json: every metric of the catalogue is on a panel")
missing = sorted(set(metrics) - used["README.md"])
if missing:
    fail(f"README.md: the metrics catalogue lacks {', '.join(missing)}")
else:
    ok("README.md: lists every metric of the catalogue")

# ---- alerts: labels, annotations, runbooks ----
alerts_text = read("alerts.yml")
readme = read("README.md")

def slug(heading):  # GitHub's anchor for a heading
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")

anchors = {slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", readme, flags=re.M)}
headings = {h.strip() for h in re.findall(r"^#{1,6}\s+(.+?)\s*$", readme, flags=re.M)}

blocks = re.split(r"^\s*- alert:\s*", alerts_text, flags=re.M)[1:]
rules = []  # (alert, reason or None)
problems = []
for block in blocks:
    name = block.split()[0]
    body = block[len(name):]
    # This rule's text ends where the next rule (- record / - alert) starts.
    body = re.split(r"^\s*- (?:record|alert):", body, flags=re.M)[0]
    sev = re.search(r"^\s+severity:\s*(\S+)", body, flags=re.M)
    reason = re.search(r"^\s+reason:\s*(\S+)", body, flags=re.M)
    rules.append((name, reason.group(1) if reason else None))
    if not sev or sev.group(1) not in ("critical", "warning", "info"):
        problems.append(f"{name}: no severity label (critical, warning or info)")
    for ann in ("summary", "description"):
        if not re.search(rf"^\s+{ann}:\s*\S", body, flags=re.M):
            problems.append(f"{name}: no {ann} annotation")
    rb = re.search(r"^\s+runbook_url:\s*(\S+)", body, flags=re.M)
    if not rb:
        problems.append(f"{name}: no runbook_url annotation")
    else:
        url = rb.group(1).strip("'\"")
        path, _, anchor = url.partition("#")
        if not path.endswith("deploy/observability/README.md") or anchor not in anchors:
            problems.append(f"{name}: runbook_url {url} is not a heading of deploy/observability/README.md")
    if name not in headings:
        problems.append(f"{name}: README.md has no runbook heading '{name}'")
alert_names = sorted({n for n, _ in rules})
for name in required_alerts:
    if name not in alert_names:
        problems.append(f"required alert {name} is missing")
if problems:
    for m in problems:
        fail(f"alerts.yml: {m}")
else:
    ok(f"alerts.yml: {len(rules)} rules, {len(alert_names)} alerts, the {len(required_alerts)} required ones "
       "present; each with severity, summary, description and a runbook in README.md")

# ---- alerts_test.yml covers every alert (and reason) firing and not firing ----
test_text = read("alerts_test.yml")
fires, quiet = {}, set()
cases = re.split(r"^\s*- eval_time:", test_text, flags=re.M)[1:]
for case in cases:
    case = re.split(r"^\s*- name:", case, flags=re.M)[0]
    m = re.search(r"^\s+alertname:\s*(\S+)", case, flags=re.M)
    if not m:
        continue
    alert = m.group(1)
    if re.search(r"^\s+exp_alerts:\s*\[\s*\]", case, flags=re.M):
        quiet.add(alert)
    else:
        fires.setdefault(alert, set()).update(re.findall(r"^\s+reason:\s*(\S+)", case, flags=re.M))
        fires[alert].add(None)
problems = []
for name, reason in rules:
    if name not in fires or reason not in fires[name]:
        problems.append(f"{name}{f' (reason {reason})' if reason else ''} has no case where it fires")
for name in alert_names:
    if name not in quiet:
        problems.append(f"{name} has no case where it must not fire")
if problems:
    for m in problems:
        fail(f"alerts_test.yml: {m}")
else:
    ok(f"alerts_test.yml: every alert has a case where it fires and one where it does not")

# ---- prometheus.yml: the Kubernetes discovery block, and a copy without it ----
conf = read("prometheus.yml")
pod_meta = re.compile(r"__meta_kubernetes_(namespace|pod_(name|ip|uid|node_name|host_ip|ready|phase|"
                      r"controller_kind|controller_name|container_(init|name|id|image|port_name|port_number|"
                      r"port_protocol)|(label|labelpresent|annotation|annotationpresent)_\w+))$")
roles = re.findall(r"^\s*-?\s*role:\s*(\S+)", conf, flags=re.M)
used_meta = set(re.findall(r"__meta_kubernetes_\w+", conf))
problems = []
if "kubernetes_sd_configs" in conf:
    if roles != ["pod"] * len(roles) or not roles:
        problems.append(f"kubernetes_sd_configs roles {roles}: this check knows the pod role only")
    for label in sorted(used_meta):
        if not pod_meta.match(label):
            problems.append(f"{label} is not a meta label of the pod role")
    if not re.search(r"__meta_kubernetes_pod_annotation_prometheus_io_scrape", conf):
        problems.append("does not select pods by the prometheus.io/scrape annotation")
if not re.search(r"^\s*static_configs:", conf, flags=re.M):
    problems.append("no static_configs example for a local run")
if problems:
    for m in problems:
        fail(f"prometheus.yml: {m}")
else:
    ok(f"prometheus.yml: kubernetes_sd (role pod) uses {len(used_meta)} known meta labels; static_configs present")

out, skip_indent = [], None
for line in conf.split("\n"):
    indent = len(line) - len(line.lstrip(" "))
    if skip_indent is not None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or indent > skip_indent or (
                indent == skip_indent and stripped.startswith("- ")):
            continue
        skip_indent = None
    m = re.match(r"^(\s*)kubernetes_sd_configs:\s*$", line)
    if m:
        out.append(f"{m.group(1)}static_configs: []")
        skip_indent = len(m.group(1))
        continue
    out.append(line)
with open(os.path.join(tmp, "prometheus.k8s-less.yml"), "w") as f:
    f.write("\n".join(out))

sys.exit(min(failures, 100))  # the number of failed checks (1 as well if python3 itself fails)
PY
failures=$((failures + $?))

# ---- promtool --------------------------------------------------------------------------
if ! command -v "$PROMTOOL" >/dev/null; then
  if ((failures > 0)); then
    echo "FAILED: the checks above failed (promtool not found: its checks were not run)"
    exit 1
  fi
  echo "SKIP: promtool not found, so the rules, their unit tests and prometheus.yml were not checked"
  echo "      (Debian: apt-get install -y prometheus; or set PROMTOOL=/path/to/promtool)"
  exit 77
fi
echo "using $("$PROMTOOL" --version 2>&1 | head -1)"

run_promtool() { # description, then promtool's arguments
  local what=$1
  shift
  local out
  if out=$("$PROMTOOL" "$@" 2>&1); then
    ok "$what"
    printf '%s\n' "$out" | indent
  else
    fail "$what"
    printf '%s\n' "$out" | indent
  fi
}

# promtool resolves rule_files relative to the test file and the configuration file.
run_promtool "promtool check rules alerts.yml" check rules "$OBS/alerts.yml"
run_promtool "promtool test rules alerts_test.yml" test rules "$OBS/alerts_test.yml"
if [[ -s $TMP/dashboard_rules.yml ]]; then
  run_promtool "promtool check rules: every PromQL query of dashboard.json parses" \
    check rules "$TMP/dashboard_rules.yml"
fi

if out=$("$PROMTOOL" check config "$OBS/prometheus.yml" 2>&1); then
  ok "promtool check config prometheus.yml"
  printf '%s\n' "$out" | indent
elif grep -q 'field kubernetes_sd_configs not found' <<<"$out"; then
  # Debian's promtool is built without Kubernetes discovery. Check the rest of the file with
  # promtool; the discovery block was checked above.
  mkdir -p "$TMP/config"
  cp "$OBS"/*.yml "$TMP/config/" # the rule files it loads, relative to it
  cp "$TMP/prometheus.k8s-less.yml" "$TMP/config/prometheus.yml"
  echo "note  this promtool has no Kubernetes service discovery (Debian's build); checking" \
    "prometheus.yml with kubernetes_sd_configs replaced by an empty static_configs"
  run_promtool "promtool check config prometheus.yml (kubernetes_sd_configs checked by this script)" \
    check config "$TMP/config/prometheus.yml"
else
  fail "promtool check config prometheus.yml"
  printf '%s\n' "$out" | indent
fi

if ((failures > 0)); then
  echo "FAILED: $failures check(s) failed"
  exit 1
fi
echo "PASSED: deploy/observability"
