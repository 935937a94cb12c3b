"""Shared by check-schema-cases.py and check-schema-samples.py: the independent validator."""
import json
import jsonschema

FORMATS = ("date", "time", "date-time", "uuid")


def validator_for(schema):
    """A draft 2020-12 validator that also checks formats (needs rfc3339-validator for times)."""
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    missing = [f for f in FORMATS if f not in checker.checkers]
    if missing:
        raise SystemExit(f"format checkers missing: {missing} (pip install rfc3339-validator)")
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def validates(validator, text):
    """Whether `text` is JSON that validates."""
    try:
        return validator.is_valid(json.loads(text))
    except json.JSONDecodeError:
        return False
