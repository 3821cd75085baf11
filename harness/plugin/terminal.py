"""The end-of-run summary: permission matrix (tabulate), counts, where the reports are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tabulate import tabulate

from harness.plugin.options import AUTO_MATRIX_LIMIT
from harness.plugin.session import HarnessSession
from harness.runresult import CellRecord


def cell_text(record: CellRecord) -> str:
    """The decision the cell was judged on; the other one alongside where the two differ."""
    if record.outcome == "error":
        return "ERROR"
    differs = bool(record.enforced) and record.enforced != record.actual
    if record.check_enforced and differs:
        shown = f"{record.enforced} (enforced; simulator {record.actual})"
    elif differs:
        shown = f"{record.actual} (enforced {record.enforced})"
    else:
        shown = record.actual
    return shown if record.outcome == "passed" else f"FAIL {shown} (want {record.expected})"


def matrix_tables(records: list[CellRecord]) -> list[tuple[str, str]]:
    """One (title, table) per scenario: rows principal x resource, columns actions."""
    scenarios: dict[tuple[str, str], list[CellRecord]] = {}
    for r in records:
        scenarios.setdefault((r.file, r.scenario), []).append(r)
    out = []
    for (file, scenario), rows in scenarios.items():
        actions = list(dict.fromkeys(r.action for r in rows))
        grid: dict[tuple[str, str], dict[str, str]] = {}
        for r in rows:
            grid.setdefault((r.principal, r.resource), {})[r.action] = cell_text(r)
        body = [[p, res, *(cells.get(a, "") for a in actions)] for (p, res), cells in grid.items()]
        out.append(
            (
                f"{file} :: {scenario}",
                tabulate(body, headers=["principal", "resource", *actions], tablefmt="simple"),
            )
        )
    return out


def counts_table(records: list[CellRecord]) -> str:
    per: dict[tuple[str, str], dict[str, int]] = {}
    for r in records:
        row = per.setdefault((r.file, r.scenario), {"passed": 0, "failed": 0, "error": 0})
        row[r.outcome] = row.get(r.outcome, 0) + 1
    body = [[f, s, c["passed"], c["failed"], c["error"]] for (f, s), c in per.items()]
    return tabulate(body, headers=["file", "scenario", "passed", "failed", "error"], tablefmt="simple")


def write_summary(harness: HarnessSession, write: Callable[..., None], section: Callable[..., None]) -> None:
    collector = harness.collector
    if collector.empty:
        return
    records = collector.records()
    section("IAM permission matrix")
    mode = harness.options.matrix
    if mode == "full" or (mode == "auto" and len(records) <= AUTO_MATRIX_LIMIT):
        for title, table in matrix_tables(records):
            write(title + "\n", bold=True)
            write(table + "\n\n")
    elif mode == "auto":
        write(f"{len(records)} cells: matrix omitted (--iam-matrix full shows it)\n")
        write(counts_table(records) + "\n\n")
    counts = collector.counts()
    files = {r.file for r in records}
    parts = [f"{counts['passed']} passed", f"{counts['failed']} failed", f"{counts['error']} error"]
    summary = f"IAM cells ({harness.options.backend}): {', '.join(parts)} in {len(files)} file(s)"
    if collector.broken_files:
        summary += f"; {len(collector.broken_files)} invalid scenario file(s)"
    write(summary + "\n", bold=True, red=bool(counts["failed"] or counts["error"] or collector.errors))
    if harness.run_json is not None:
        write(f"run result: {_shown(harness.run_json)}\n")
    for path in harness.report_paths:
        write(f"report: {_shown(path)}\n")
    if harness.report_error:
        write(f"reports not rendered: {harness.report_error}\n", yellow=True)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
