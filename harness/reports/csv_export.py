"""CSV: one row per cell, for spreadsheets and SIEM import.

Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and some
treat a leading tab or carriage return the same way) as a formula, so such a
value gets a leading apostrophe (OWASP "CSV injection"). Lists are joined
with " | " so each cell stays one field.

Every cell has its row. Rows are written as the run streams past (`CsvFormat`),
cells that are not a plain pass first (drift, then errors, failures), then the
passing cells in run order.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from harness.reports.drift import Drift
from harness.reports.files import HashingWriter
from harness.reports.summary import PlacedCell, RunSummary
from harness.reports.view import effective_decision, statement_label
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
_FLUSH_ROWS = 2048


def guard(value: object) -> str | int:
    """A CSV field that no spreadsheet will evaluate."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _g(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(placed: PlacedCell) -> list[str | int]:
    """The cell's fields in COLUMNS order, guarded."""
    cell, change = placed.cell, placed.change
    return [
        change.kind.value if change else "",
        _g(change.before or "") if change else "",
        _g(placed.account),
        _g(cell.principal),
        _g(cell.action),
        _g(cell.resource),
        _g(cell.expected),
        _g(cell.actual),
        _g(cell.enforced or ""),
        _g(effective_decision(cell)),
        _g(cell.advisory or ""),
        _g(cell.outcome),
        _g(cell.backend),
        _g(" | ".join(statement_label(s) for s in cell.deciding_statements)),
        _g(" | ".join(cell.explanation)),
        _g(" | ".join(cell.missing_context)),
        _g(cell.error or ""),
        _g(cell.scenario),
        _g(cell.file),
        guard(cell.line),
        _g(cell.id),
        _g(cell.mode),
        _g(cell.reason),
        _g(" | ".join(cell.tags)),
        _g(cell.via or ""),
    ]


class CsvFormat:
    """report.csv, streamed: passing rows go to `spool` as they come; `finish` writes the file."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\r\n")
        self._pending = 0

    def _flush(self, out) -> None:
        out.write(self._buf.getvalue().encode("utf-8"))
        self._buf.seek(0)
        self._buf.truncate()
        self._pending = 0

    def _row(self, fields: list[str | int] | tuple[str, ...], out) -> None:
        self._writer.writerow(fields)
        self._pending += 1
        if self._pending >= _FLUSH_ROWS:
            self._flush(out)

    def take(self, placed: PlacedCell) -> None:
        self._row(row(placed), self.spool)

    def finish(self, out: HashingWriter, summary: RunSummary, drift: Drift | None) -> None:
        self._flush(self.spool)
        self._row(COLUMNS, out)
        for placed in summary.held_in_order():
            self._row(row(placed), out)
        self._flush(out)
        out.copy_from(self.spool)


def render_csv(run: RunResult, *, drift: Drift | None = None) -> str:
    from harness.reports.render import render_text

    return render_text(run, "csv", drift=drift)
