#!/usr/bin/env python3
"""Checks the labels of Tests/Data/schemas/cases.json with an independent validator (issue 15).

KingletGrammarTests (JSONSchemaTests) asserts that the grammar made from each schema accepts the
strings listed as valid and rejects those listed as invalid. This script asserts that the labels
are right: every "valid" string parses as JSON and validates against the schema (Python
`jsonschema`, draft 2020-12, formats checked), and every "invalid" string either is not JSON or
does not validate. Needs `pip install jsonschema rfc3339-validator` (formats date-time/time).
Exit 1 on any wrong label.
"""
import json, pathlib, sys
import jsonschema

cases = json.loads((pathlib.Path(__file__).parent.parent / "Tests/Data/schemas/cases.json").read_text())
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
missing = [f for f in ("date", "time", "date-time", "uuid") if f not in checker.checkers]
if missing:
    print(f"format checkers missing: {missing} (pip install rfc3339-validator)")
    sys.exit(1)
bad = 0
for case in cases:
    validator = jsonschema.Draft202012Validator(case["schema"], format_checker=checker)
    for text in case["valid"]:
        try:
            ok = validator.is_valid(json.loads(text))
        except json.JSONDecodeError:
            ok = False
        if not ok:
            bad += 1
            print(f"FAIL {case['name']}: labelled valid but is not: {text}")
    for text in case["invalid"]:
        try:
            ok = validator.is_valid(json.loads(text))
        except json.JSONDecodeError:
            ok = False
        if ok:
            bad += 1
            print(f"FAIL {case['name']}: labelled invalid but validates: {text}")
print(f"{len(cases)} schemas, {sum(len(c['valid']) + len(c['invalid']) for c in cases)} strings, {bad} wrong labels")
sys.exit(1 if bad else 0)
