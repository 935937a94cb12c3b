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
from schema_validation import validator_for, validates

cases = json.loads((pathlib.Path(__file__).parent.parent / "Tests/Data/schemas/cases.json").read_text())
bad = 0
for case in cases:
    validator = validator_for(case["schema"])
    for text in case["valid"]:
        if not validates(validator, text):
            bad += 1
            print(f"FAIL {case['name']}: labelled valid but is not: {text}")
    for text in case["invalid"]:
        if validates(validator, text):
            bad += 1
            print(f"FAIL {case['name']}: labelled invalid but validates: {text}")
print(f"{len(cases)} schemas, {sum(len(c['valid']) + len(c['invalid']) for c in cases)} strings, {bad} wrong labels")
sys.exit(1 if bad else 0)
