#!/usr/bin/env python3
"""Render every case in Tests/Data/templates with Python's jinja2, configured exactly as
Hugging Face transformers renders chat templates, and write the reference outputs that
the Swift tests (KingletChatTemplateTests) compare Kinglet's engine against.

A case is NAME.json (the render context). Its template is NAME.jinja, or, for a name
"FAMILY--VARIANT", FAMILY.jinja (one model template, several message lists).
Writes NAME.expected (exact output) or NAME.error ("ExceptionType: message") and removes
the other. strftime_now reads a fixed clock (2024-07-26 09:05:03) so outputs are stable;
the Swift tests use the same instant.

Usage: pip install jinja2==3.1.6 && python3 scripts/render-templates-jinja2.py [CASE_DIR]
"""
import json
import pathlib
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime(2024, 7, 26, 9, 5, 3)
CASES = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Data" / "templates"


def make_environment():
    """transformers.utils.chat_template_utils._cached_compile_jinja_template, minus the
    assistant-mask tracker (its {% generation %} tag only renders its body)."""

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    class GenerationTag(jinja2.ext.Extension):
        tags = {"generation"}

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

        def _render(self, caller):
            return caller()

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    env.globals["namespace"] = jinja2.utils.Namespace
    env.globals["dict"] = dict
    return env


def template_path(case: pathlib.Path) -> pathlib.Path:
    own = case.with_suffix(".jinja")
    if own.exists():
        return own
    return case.with_name(case.stem.split("--")[0] + ".jinja")


def main() -> int:
    cases = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else CASES
    if jinja2.__version__ != "3.1.6":
        print(f"warning: references were made with jinja2 3.1.6, this is {jinja2.__version__}", file=sys.stderr)
    env = make_environment()
    counts = {"expected": 0, "error": 0}
    for case in sorted(cases.glob("*.json")):
        source = template_path(case).read_text(encoding="utf-8")
        context = json.loads(case.read_text(encoding="utf-8"))
        expected, error = case.with_suffix(".expected"), case.with_suffix(".error")
        try:
            output = env.from_string(source).render(**context)
        except Exception as e:  # the reference for error cases is that jinja2 raises
            error.write_text(f"{type(e).__name__}: {e}\n", encoding="utf-8", newline="")
            expected.unlink(missing_ok=True)
            counts["error"] += 1
        else:
            expected.write_text(output, encoding="utf-8", newline="")
            error.unlink(missing_ok=True)
            counts["expected"] += 1
    print(f"{counts['expected']} outputs, {counts['error']} errors written to {cases}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
