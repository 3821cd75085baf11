"""CSV: one row per cell, for spreadsheets and SIEM import.

Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and some
treat a leading tab or carriage return the same way) as a formula, so such a
value gets a leading apostrophe (OWASP "CSV injection"). Lists are joined
with " | " so each cell stays one field.
"""

from __future__ import annotations

import csv
import io

from harness.reports.drift import Drift
from harness.reports.view import cell_account, effective_decision, ordered_cells, statement_label
from harness.runresult import RunResult

COLUMNS = (
    "drift",
    "drift_before",
    "account",
    "principal",
    "action",
    "resource",
    "expected",
    "actual",
    "enforced",
    "effective",
    "advisory",
    "outcome",
    "backend",
    "deciding_statements",
    "explanation",
    "missing_context",
    "error",
    "scenario",
    "file",
    "line",
    "id",
    "mode",
    "reason",
    "tags",
    "via",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(value: object) -> str | int:
    """A CSV field that no spreadsheet will evaluate."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(run: RunResult, *, drift: Drift | None = None) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for cell in ordered_cells(run, drift):
        change = drift.for_cell(run, cell) if drift else None
        row = {
            "drift": change.kind.value if change else "",
            "drift_before": (change.before or "") if change else "",
            "account": cell_account(run, cell),
            "principal": cell.principal,
            "action": cell.action,
            "resource": cell.resource,
            "expected": cell.expected,
            "actual": cell.actual,
            "enforced": cell.enforced or "",
            "effective": effective_decision(cell),
            "advisory": cell.advisory or "",
            "via": cell.via or "",
            "outcome": cell.outcome,
            "backend": cell.backend,
            "deciding_statements": " | ".join(statement_label(s) for s in cell.deciding_statements),
            "explanation": " | ".join(cell.explanation),
            "missing_context": " | ".join(cell.missing_context),
            "error": cell.error or "",
            "scenario": cell.scenario,
            "file": cell.file,
            "line": cell.line,
            "id": cell.id,
            "mode": cell.mode,
            "reason": cell.reason,
            "tags": " | ".join(cell.tags),
        }
        writer.writerow([guard(row[c]) for c in COLUMNS])
    return buf.getvalue()
