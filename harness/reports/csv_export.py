"""CSV: one row per cell, for spreadsheets and SIEM import.

Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and some
treat a leading tab or carriage return the same way) as a formula, so such a
value gets a leading apostrophe (OWASP "CSV injection"). Lists are joined
with " | " so each cell stays one field.

Every cell has its row. Rows are written as the run streams past (`CsvFormat`),
cells that are not a plain pass first (drift, then errors, failures), then the
passing cells in run order.

readiness.csv (`readiness_csv`): one row per covered volume
(harness/reports/readiness.py), blocked first, with the same guards. It is
written with report.csv when any cell covers estate resources
(harness/reports/render.py).
"""

from __future__ import annotations

import csv
import io
from typing import IO

from harness.reports.cellfields import effective_decision, statement_label
from harness.reports.drift import Drift
from harness.reports.files import HashingWriter
from harness.reports.readiness import ReadinessRow
from harness.reports.summary import PlacedCell, RunSummary

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


_FORMULA_FIRST = frozenset(_FORMULA_START)


class StatementLabels:
    """Labels of the deciding statements seen lately (a run repeats a few statements in many cells)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: dict[tuple, str] = {}

    def __call__(self, stmt: dict) -> str:
        key = (
            stmt.get("policy_id"),
            stmt.get("sid"),
            stmt.get("effect"),
            stmt.get("start_line"),
            stmt.get("end_line"),
        )
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) >= self.size:
                self._seen.clear()
            found = self._seen[key] = statement_label(stmt)
        return found


def row(placed: PlacedCell, label=statement_label) -> list[str | int]:
    """The cell's fields in COLUMNS order, guarded (`label`: how a deciding statement is named)."""
    cell, change = placed.cell, placed.change
    fields = [
        change.kind.value if change else "",
        (change.before or "") if change else "",
        placed.account,
        cell.principal,
        cell.action,
        cell.resource,
        cell.expected,
        cell.actual,
        cell.enforced or "",
        effective_decision(cell),
        cell.advisory or "",
        cell.outcome,
        cell.backend,
        " | ".join([label(s) for s in cell.deciding_statements]) if cell.deciding_statements else "",
        " | ".join(cell.explanation),
        " | ".join(cell.missing_context),
        cell.error or "",
        cell.scenario,
        cell.file,
        "",  # line, below: a number stays a number
        cell.id,
        cell.mode,
        cell.reason,
        " | ".join(cell.tags),
        cell.via or "",
    ]
    out: list[str | int] = ["'" + f if f[:1] in _FORMULA_FIRST else f for f in fields]
    out[19] = guard(cell.line)
    return out


class CsvFormat:
    """report.csv, streamed: passing rows go to `spool` as they come; `finish` writes the file."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\r\n")
        self._pending = 0
        self._labels = StatementLabels()

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
        self._row(row(placed, self._labels), self.spool)

    def finish(self, out: HashingWriter, summary: RunSummary, drift: Drift | None) -> None:
        self._flush(self.spool)
        self._row(COLUMNS, out)
        for placed in summary.held_in_order():
            self._row(row(placed, self._labels), out)
        self._flush(out)
        out.copy_from(self.spool)


READINESS_COLUMNS = (
    "account",
    "region",
    "volume_id",
    "instance_id",
    "instance_name",
    "key_arn",
    "verdict",
    "blocking_cells",
    "covering_cells",
    "volume_arn",
)


def readiness_csv(rows: list[ReadinessRow]) -> bytes:
    """readiness.csv: the header, then one guarded row per volume (a volume on several instances
    names each, joined with " | " like every list here)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(READINESS_COLUMNS)
    for r in rows:
        fields = (
            r.account,
            r.region,
            r.volume_id,
            " | ".join(r.instance_ids),
            " | ".join(r.instance_names),
            r.key_arn,
            r.verdict.value,
            " | ".join(r.blocking_cells),
            r.cells,
            r.volume_arn,
        )
        writer.writerow([guard(f) for f in fields])
    return buf.getvalue().encode("utf-8")
