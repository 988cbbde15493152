#!/usr/bin/env python3
"""The rooms of services/common stand on each other in one order, and docs/ARCHITECTURE.md
names every room and service folder there is.

    base  <-  domain  <-  redis  <-  rpc  <-  services (registry, distribution, subscription,
                                                         cli, gateway)

A room includes only rooms below it; base, domain and redis include no gRPC header (they
build without gRPC: the domain's rules and the Redis adapter are tested and fuzzed without
it). Services include no other service's files. Run: layering_test.py SOURCE_DIR
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
ORDER = ["base", "domain", "redis", "rpc"]
SERVICES = ["registry", "distribution", "subscription", "cli"]
INCLUDE = re.compile(r'^#include\s+[<"]([^>"]+)[>"]', re.M)
failures = []


def sources(folder):
    for root, _, files in os.walk(os.path.join(ROOT, folder)):
        for f in sorted(files):
            if f.endswith((".h", ".cc")):
                path = os.path.join(root, f)
                yield os.path.relpath(path, ROOT), open(path, encoding="utf-8").read()


for level, room in enumerate(ORDER):
    allowed = set(ORDER[: level + 1])
    for path, text in sources(f"services/common/{room}"):
        for inc in INCLUDE.findall(text):
            if inc.startswith("services/common/"):
                other = inc.split("/")[2]
                if other not in allowed:
                    failures.append(f"{path} ({room}) includes {inc} ({other} stands above it)")
            elif inc.startswith("services/"):
                failures.append(f"{path} ({room}) includes a service's file {inc}")
            if room != "rpc" and (inc.startswith("grpc") or inc.endswith(".grpc.pb.h")):
                failures.append(f"{path} ({room}) includes gRPC ({inc}); only rpc/ may")

for service in SERVICES:
    for path, text in sources(f"services/{service}"):
        for inc in INCLUDE.findall(text):
            if inc.startswith("services/") and not inc.startswith(("services/common/", f"services/{service}/")):
                failures.append(f"{path} includes another service's file {inc}")

arch = os.path.join(ROOT, "docs", "ARCHITECTURE.md")
if not os.path.exists(arch):
    failures.append("docs/ARCHITECTURE.md is missing")
else:
    text = open(arch, encoding="utf-8").read()
    for room in ORDER:
        if f"services/common/{room}/" not in text:
            failures.append(f"docs/ARCHITECTURE.md does not name services/common/{room}/")
    for folder in sorted(os.listdir(os.path.join(ROOT, "services"))):
        if os.path.isdir(os.path.join(ROOT, "services", folder)) and folder != "common":
            if f"services/{folder}/" not in text:
                failures.append(f"docs/ARCHITECTURE.md does not name services/{folder}/")
    for room in ORDER:
        for path, _ in sources(f"services/common/{room}"):
            if path.endswith(".h") and os.path.basename(path) not in text:
                failures.append(f"docs/ARCHITECTURE.md does not name {path}")

for f in failures:
    print("FAIL", f)
print("layering: " + ("all rules hold" if not failures else f"{len(failures)} violation(s)"))
sys.exit(1 if failures else 0)
