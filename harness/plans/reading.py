"""Reading a plan or template as hostile input: bounded size, bounded nesting, clear errors.

A plan comes from a pull request, so from anyone. The file is refused above
MAX_PLAN_BYTES before it is read, JSON nested deeper than MAX_PLAN_DEPTH is refused
before it is parsed (a cheap bracket scan), and any parse failure names the file
and line: never a traceback, never a partly read plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.inputs.textfiles import FileProblem, nesting_line, read_text_checked
from harness.plans.errors import PlanError

# `terraform show -json` of a large estate runs to tens of MB; hundreds of MB is no plan a
# review should wait for, and refusing it before reading bounds memory.
MAX_PLAN_BYTES = 64 * 1024 * 1024
# A plan nests modules, resources, attributes and policy documents; 100 levels is far beyond.
MAX_PLAN_DEPTH = 100


def read_plan_text(path: Path, display: str | None = None, max_bytes: int = MAX_PLAN_BYTES) -> str:
    try:
        return read_text_checked(path, max_bytes)
    except FileProblem as exc:
        where = f"line {exc.line}" if exc.line else ""
        raise PlanError(
            display or str(path), where, f"{exc.message}{'; ' + exc.hint if exc.hint else ''}"
        ) from None


def parse_json(text: str, file: str) -> Any:
    deep = nesting_line(text, MAX_PLAN_DEPTH)
    if deep:
        raise PlanError(file, f"line {deep}", f"nested deeper than {MAX_PLAN_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(file, f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from None
    except RecursionError:  # the bracket scan ignores quoting; this is the backstop
        raise PlanError(file, "", f"nested deeper than {MAX_PLAN_DEPTH} levels") from None
