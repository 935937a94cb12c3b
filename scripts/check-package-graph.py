#!/usr/bin/env python3
"""Every module a target imports is declared as its dependency in Package.swift (issue 11).

SwiftPM builds a target that imports an undeclared module as long as the module happens to be
built first; the next change to the build order breaks it. This reads the manifest
(`swift package dump-package`) and every Swift and C source of each target, and fails on an import
of a module (a target of this package or an external one) that the target does not declare.
Prints the graph it checked. Exit 1 on any undeclared import.
"""
import glob, json, re, subprocess, sys

SYSTEM = {"Foundation", "FoundationNetworking", "FoundationEssentials", "Glibc", "Darwin", "Dispatch",
          "Testing", "XCTest", "Musl", "Android", "Synchronization", "CoreFoundation"}
IMPORT = re.compile(r"^\s*(?:@[\w()]+\s+)*import\s+(?:(?:struct|class|enum|func|protocol|typealias)\s+)?([A-Z]\w*)")

manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                     capture_output=True, text=True).stdout)
products = {p["name"] for p in manifest.get("products", [])}
failures = 0
for t in manifest["targets"]:
    name = t["name"]
    deps = {v[0] for dep in t["dependencies"] for v in dep.values()}
    path = t.get("path") or ("Tests/" if t["type"] == "test" else "Sources/") + name
    imports = set()
    for f in glob.glob(path + "/**/*.swift", recursive=True):
        in_string = False
        for line in open(f, encoding="utf-8"):
            if line.count('"""') % 2 == 1:
                in_string = not in_string
                continue
            m = None if in_string else IMPORT.match(line)
            if m:
                imports.add(m.group(1))
    undeclared = sorted(i for i in imports - deps - SYSTEM if i != name)
    print(f"{'FAIL' if undeclared else 'ok  '}  {name}: {', '.join(sorted(deps)) or '(none)'}"
          + (f"  — imports but does not declare: {', '.join(undeclared)}" if undeclared else ""))
    failures += bool(undeclared)
print(f"{len(manifest['targets']) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
