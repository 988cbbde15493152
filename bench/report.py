#!/usr/bin/env python3
"""Tabulates bench/run.sh's results: one row per system, the ratios pressrelay/peer, and
pressrelay's targets (issue 4) checked against the measured figures.

Usage: bench/report.py RESULTS.jsonl [--smoke]

With --smoke it checks only that every system ran and that pressrelay lost and duplicated
nothing (a smoke run is too small to judge throughput); it exits non-zero otherwise. A full
run exits non-zero if a pressrelay delivery was lost or duplicated; the targets are reported
as met or not, for the humans reading the table.
"""
import json
import os
import sys

PEERS = ["redis-pubsub", "redis-streams", "mosquitto-qos1", "nats-jetstream"]
OWN = ["pressrelay", "pressrelay-async"]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(v, digits=0):
    return f"{v:,.{digits}f}"


def print_cost(fanout):
    """What one delivery cost each system in the same run, in figures that hold across hosts:
    CPU microseconds per delivery of each process (server side and client), and system calls
    and context switches per delivery counted across the whole machine (perf stat -a)."""
    print("\nCost per delivery (delivery phase only; machine-wide counts include every process)\n")
    header = f"{'system':<16}{'server CPU us':>14}{'client CPU us':>14}{'total CPU us':>14}{'syscalls':>10}{'ctx sw':>9}"
    print(header)
    print("-" * len(header))
    for system in OWN + PEERS:
        r = fanout.get(system)
        if r is None:
            continue
        e = r.get("extra", {})
        if "cpu_us_per_delivery" not in e:
            print(f"{system:<16}{'(not measured)':>14}")
            continue
        client_keys = ["client_cpu_us_per_delivery", "loadgen_cpu_us_per_delivery"]
        client = sum(e.get(k, 0) for k in client_keys)
        server = e["cpu_us_per_delivery"] - client
        sys_calls = e.get("machine_syscalls_per_delivery")
        ctx = e.get("machine_context_switches_per_delivery")
        print(f"{system:<16}{server:>14.1f}{client:>14.1f}{e['cpu_us_per_delivery']:>14.1f}"
              f"{'-' if sys_calls is None else f'{sys_calls:.2f}':>10}{'-' if ctx is None else f'{ctx:.3f}':>9}")
    pr = fanout.get("pressrelay", {}).get("extra", {})
    parts = [f"{k.replace('_cpu_us_per_delivery', '')} {v:.1f}" for k, v in sorted(pr.items())
             if k.endswith("_cpu_us_per_delivery")]
    if parts:
        print(f"\n  pressrelay by process, CPU us per delivery: {', '.join(parts)}")
    print_switches("pressrelay by process, context switches per delivery", pr)


def print_switches(title, extra, suffix="_context_switches_per_delivery"):
    """Each process's own context switches (from /proc), beside the machine-wide count."""
    parts = [f"{k.replace(suffix, '')} {v:.3f}" for k, v in sorted(extra.items())
             if k.endswith(suffix) and not k.startswith("machine_")]
    if parts:
        print(f"  {title}: {', '.join(parts)}")


def floor_ms(result, cores):
    """The soonest the p99 delivery of one statement alone can land: 99% of its deliveries,
    each at the CPU a delivery cost across all processes in this run (services, Redis and the
    load generator), spread perfectly over the machine's cores."""
    per_delivery = result.get("extra", {}).get("cpu_us_per_delivery")
    if per_delivery is None:
        return None
    return 0.99 * result["subscribers"] * per_delivery / cores / 1000


def print_floors(scenario, fanout):
    """Where the two latency targets stand against what a statement's deliveries cost here."""
    cores = os.cpu_count() or 1
    rows = [("alone", "one statement at a time to {n:,} idle streams", None),
            ("rate", "N={n:,} at 10/s", 25.0)]
    streams = fanout.get("redis-streams")
    lines = []
    for key, title, target in rows:
        r = scenario.get(key)
        floor = floor_ms(r, cores) if r else None
        if floor is None:
            continue
        e = r["extra"]
        if target is None and streams and streams["p99_ms"]:
            target = 0.5 * streams["p99_ms"]
        want = "" if target is None else f"; the target asks for p99 <= {target:,.0f} ms"
        lines.append(f"  {title.format(n=r['subscribers'])}: p50 {fmt(r['p50_ms'], 1)} ms, "
                     f"p99 {fmt(r['p99_ms'], 1)} ms, "
                     f"{e.get('deliveries_per_message', 0):.2f} deliveries per stream message\n"
                     f"    {e['cpu_us_per_delivery']:.1f} us CPU per delivery across all processes (subscription "
                     f"{e.get('subscription_cpu_us_per_delivery', 0):.1f}, load generator "
                     f"{e.get('loadgen_cpu_us_per_delivery', 0):.1f})\n"
                     f"    -> its p99 delivery cannot land before {floor:,.0f} ms on {cores} cores{want}")
    if lines:
        print(f"\nCPU floors under the latency targets (a lone statement's deliveries, this run)")
        print("\n".join(lines))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    smoke = "--smoke" in argv
    results = load(argv[1])
    fanout = {r["system"]: r for r in results if r.get("scenario") == "fanout"}
    scenario = {r["scenario"]: r for r in results if r["system"] == "pressrelay"}
    ok = True

    pr = fanout.get("pressrelay")
    if pr is None:
        print("no pressrelay fan-out result")
        return 1
    shape = f"N={pr['subscribers']:,} subscribers, M={pr['messages']} messages of {pr['bytes']:,} bytes, back to back"
    print(f"\nFan-out: {shape}\n")
    header = f"{'system':<16}{'deliveries/s':>14}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'lost':>9}{'dup':>8}" \
             f"{'  pressrelay/peer: rate':>24}{'  p99':>8}"
    print(header)
    print("-" * len(header))
    for system in OWN + PEERS:
        r = fanout.get(system)
        if r is None and system == "pressrelay-async":
            continue
        if r is None:
            print(f"{system:<16}{'(did not run)':>14}")
            ok = False
            continue
        ratio_rate = pr["deliveries_per_s"] / r["deliveries_per_s"] if r["deliveries_per_s"] else float("inf")
        ratio_p99 = pr["p99_ms"] / r["p99_ms"] if r["p99_ms"] else float("inf")
        ratios = "" if system in OWN else f"{ratio_rate:>24.2f}{ratio_p99:>8.2f}"
        print(f"{system:<16}{fmt(r['deliveries_per_s']):>14}{fmt(r['p50_ms'], 1):>10}{fmt(r['p99_ms'], 1):>10}"
              f"{fmt(r['max_ms'], 1):>10}{r['lost']:>9,}{r['duplicated']:>8,}{ratios}")
    print()
    for r in [fanout.get(s) for s in OWN + PEERS]:
        if r and r.get("notes"):
            print(f"  {r['system']}: {r['notes']}")

    print_cost(fanout)

    if pr["lost"] != 0 or pr["duplicated"] != 0:
        print("\npressrelay lost or duplicated deliveries")
        ok = False
    if smoke:
        print("\nsmoke run: every system ran, pressrelay lost and duplicated nothing" if ok else "\nsmoke run FAILED")
        return 0 if ok else 1

    # Targets (issue 4), on this machine, in this run.
    extra = pr.get("extra", {})
    checks = []
    pubsub = fanout.get("redis-pubsub")
    if pubsub:
        checks.append(("deliveries/s >= Redis pub/sub's", pr["deliveries_per_s"] >= pubsub["deliveries_per_s"],
                       f"{fmt(pr['deliveries_per_s'])} vs {fmt(pubsub['deliveries_per_s'])}"))
        checks.append(("p99 <= Redis pub/sub's", pr["p99_ms"] <= pubsub["p99_ms"],
                       f"{fmt(pr['p99_ms'], 1)} ms vs {fmt(pubsub['p99_ms'], 1)} ms"))
        committed = fanout.get("pressrelay-async")
        if committed:
            # The same targets when each Publish returns at commit (return_when_committed).
            checks.append(("deliveries/s >= Redis pub/sub's, Publish returning at commit",
                           committed["deliveries_per_s"] >= pubsub["deliveries_per_s"]
                           and committed["lost"] == 0 and committed["duplicated"] == 0,
                           f"{fmt(committed['deliveries_per_s'])} vs {fmt(pubsub['deliveries_per_s'])}"))
            checks.append(("p99 <= Redis pub/sub's, Publish returning at commit",
                           committed["p99_ms"] <= pubsub["p99_ms"],
                           f"{fmt(committed['p99_ms'], 1)} ms vs {fmt(pubsub['p99_ms'], 1)} ms"))
    checks.append(("0 lost, 0 duplicated", pr["lost"] == 0 and pr["duplicated"] == 0,
                   f"{pr['lost']} lost, {pr['duplicated']} duplicated"))
    rate = scenario.get("rate")
    if rate:
        checks.append(("N=1,000 at 10/s: p99 <= 25 ms", rate["p99_ms"] <= 25 and rate["lost"] == 0,
                       f"p99 {fmt(rate['p99_ms'], 1)} ms, {rate['lost']} lost"))
    big = scenario.get("fanout100k")
    if big:
        e = big.get("extra", {})
        checks.append(("one statement queued for 100,000 in <= 0.5 s", e.get("publish_to_all_queued_s", 9) <= 0.5,
                       f"{e.get('publish_to_all_queued_s', 0):.3f} s (first, cold: {e.get('publish_to_all_queued_s_first', 0):.3f} s)"))
        checks.append(("<= 1 KiB Redis per idle recipient (100,000)", e.get("redis_bytes_per_idle_recipient", 1e9) <= 1024,
                       f"{e.get('redis_bytes_per_idle_recipient', 0):.0f} bytes"))
    checks.append(("<= 16 KiB subscription memory per idle subscriber (10,000)",
                   extra.get("subscription_kib_per_idle_stream", 1e9) <= 16,
                   f"{extra.get('subscription_kib_per_idle_stream', 0):.1f} KiB"))
    rec = scenario.get("reconnect")
    if rec:
        secs = rec.get("extra", {}).get("seconds_from_restart_to_all_caught_up", 1e9)
        checks.append(("after a restart, all reconnect and catch up in <= 10 s", secs <= 10 and rec["lost"] == 0,
                       f"{secs:.2f} s, {rec['lost']} lost, {rec['duplicated']} duplicated"))

    print("\nTargets")
    for name, met, detail in checks:
        print(f"  [{'met' if met else 'NOT met'}] {name}: {detail}")

    # Issue 16's: ahead of every durable peer, in the same run, on any host.
    print("\nAgainst the durable peers, and CPU (issue 16)")
    for system in ["redis-streams", "mosquitto-qos1", "nats-jetstream"]:
        r = fanout.get(system)
        if not r or not r["deliveries_per_s"] or not r["p99_ms"]:
            continue
        rate_ratio = pr["deliveries_per_s"] / r["deliveries_per_s"]
        p99_ratio = pr["p99_ms"] / r["p99_ms"]
        print(f"  [{'met' if rate_ratio >= 1.5 else 'NOT met'}] rate >= 1.5x {system}'s: {rate_ratio:.2f}x")
        print(f"  [{'met' if p99_ratio <= 0.5 else 'NOT met'}] p99 <= 0.5x {system}'s: {p99_ratio:.2f}x")
    sub_cpu = extra.get("subscription_cpu_us_per_delivery")
    if sub_cpu is not None:
        print(f"  [{'met' if sub_cpu <= 12 else 'NOT met'}] subscription service <= 12 us CPU per delivery: "
              f"{sub_cpu:.1f} us")
    if pubsub:
        print(f"  (moonshot) Redis pub/sub: rate {pr['deliveries_per_s'] / pubsub['deliveries_per_s']:.2f}x, "
              f"p99 {pr['p99_ms'] / pubsub['p99_ms']:.2f}x")

    print_floors(scenario, fanout)

    if rec:
        # The storm's cost per reconnecting stream (each also catching up M statements).
        e = rec.get("extra", {})
        parts = [f"{k.replace('_cpu_us_per_delivery', '')} {v:.0f}" for k, v in sorted(e.items())
                 if k.endswith("_cpu_us_per_delivery")]
        print(f"\nReconnect storm, per stream: CPU us {', '.join(parts)}; machine-wide system calls "
              f"{e.get('machine_syscalls_per_delivery', 0):.1f}, context switches "
              f"{e.get('machine_context_switches_per_delivery', 0):.1f}")
        print_switches("context switches per stream", e)

    print("\nMemory (peak RSS, MiB)")
    for key in ["subscription_peak_rss_kib", "distribution_peak_rss_kib", "registry_peak_rss_kib", "redis_peak_rss_kib",
                "loadgen_peak_rss_kib"]:
        if key in extra:
            print(f"  pressrelay {key.replace('_peak_rss_kib', ''):<14}{extra[key] / 1024:>10.1f}")
    print(f"  Redis bytes per queued entry: {extra.get('redis_bytes_per_queued_entry', 0):.0f}; "
          f"deliveries per stream message: {extra.get('deliveries_per_message', 0):.2f}")
    for system in PEERS:
        r = fanout.get(system)
        if r:
            e = r.get("extra", {})
            server = e.get("redis_peak_rss_kib", e.get("server_peak_rss_kib"))
            if server is not None:
                print(f"  {system:<15} server {server / 1024:>8.1f}   client {e.get('client_peak_rss_kib', 0) / 1024:>8.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
