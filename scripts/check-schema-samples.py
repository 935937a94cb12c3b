#!/usr/bin/env python3
"""Soundness of JSON Schema → grammar, checked by an independent validator (issue 15).

For every schema in Tests/Data/schemas (each case of cases.json, and every other *.json file),
draws random sentences of its grammar (`kinglet-grammar-bench sample`, uniform over allowed bytes:
UTF-8, escapes, whitespace and every alternative come up) and asserts that each parses as JSON and
validates with Python `jsonschema` (draft 2020-12, formats checked). Exit 1 on any failure.

  swift build -c release --product kinglet-grammar-bench
  python3 scripts/check-schema-samples.py [--bench PATH] [--count N]
"""
import argparse, json, pathlib, subprocess, sys, tempfile
from schema_validation import validator_for, validates

root = pathlib.Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--bench", default=str(root / ".build/release/kinglet-grammar-bench"))
ap.add_argument("--count", type=int, default=200)
args = ap.parse_args()

schemas = [(c["name"], c["schema"]) for c in json.loads((root / "Tests/Data/schemas/cases.json").read_text())]
for f in sorted((root / "Tests/Data/schemas").glob("*.json")):
    if f.name != "cases.json":
        schemas.append((f.stem, json.loads(f.read_text())))

failures = total = 0
for i, (name, schema) in enumerate(schemas):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as t:
        json.dump(schema, t)
    run = subprocess.run([args.bench, "sample", t.name, str(args.count), str(i + 1)], capture_output=True, text=True)
    pathlib.Path(t.name).unlink()
    if run.returncode != 0:
        print(f"FAIL {name}: sampler exited {run.returncode}: {run.stdout.strip()} {run.stderr.strip()}")
        failures += 1
        continue
    validator = validator_for(schema)
    lines = [l for l in run.stdout.split("\n") if l]  # not splitlines: U+2028 may occur inside
    bad = 0
    for line in lines:
        text = json.loads(line)
        if not validates(validator, text):
            bad += 1
            if bad <= 3:
                print(f"FAIL {name}: produced a string that does not validate: {text!r}")
    total += len(lines)
    failures += bad
    note = "  (no sentence finished within 4000 bytes: nothing checked)" if not lines else ""
    print(f"{'ok  ' if bad == 0 else 'FAIL'} {name}: {len(lines)} sentences, {bad} invalid{note}")
print(f"{len(schemas)} schemas, {total} sentences, {failures} failures")
sys.exit(1 if failures else 0)
