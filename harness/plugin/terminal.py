"""The end-of-run summary in pytest's terminal: per-scenario matrices, counts, where the reports are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.plugin.options import AUTO_MATRIX_LIMIT
from harness.plugin.session import HarnessSession
from harness.reports.terminal import scenario_counts_table, scenario_tables


def write_summary(harness: HarnessSession, write: Callable[..., None], section: Callable[..., None]) -> None:
    collector = harness.collector
    if collector.empty:
        return
    total = collector.cell_count
    section("IAM permission matrix")
    mode = harness.options.matrix
    if mode == "full" or (mode == "auto" and total <= AUTO_MATRIX_LIMIT):
        for title, table in scenario_tables(list(collector.iter_records())):
            write(title + "\n", bold=True)
            write(table + "\n\n")
    elif mode == "auto":  # counted by the report pass if there was one, else one pass here
        write(f"{total} cells: matrix omitted (--iam-matrix full shows it)\n")
        counted = getattr(harness, "report_summary", None)
        write(scenario_counts_table(counted or collector.iter_records()) + "\n\n")
    counts = collector.counts()
    files = collector.cell_files
    parts = [f"{counts['passed']} passed", f"{counts['failed']} failed", f"{counts['error']} error"]
    if counts.get("skipped"):  # not in the account model: never passes (pytest -rs lists why)
        parts.append(f"{counts['skipped']} skipped")
    summary = f"IAM cells ({harness.options.backend}): {', '.join(parts)} in {len(files)} file(s)"
    if collector.broken_files:
        summary += f"; {len(collector.broken_files)} invalid scenario file(s)"
    write(summary + "\n", bold=True, red=bool(counts["failed"] or counts["error"] or collector.errors))
    if harness.partial_line:
        write(harness.partial_line + "\n", yellow=True)
    if harness.drift_line:
        write(harness.drift_line + "\n", bold=True)
    caveats = collector.caveats.lines()
    if caveats:
        write(f"caveats ({len(caveats)} distinct; expected differences, not failures):\n")
        for line in caveats:
            write(f"  {line}\n")
    for via, n in sorted(collector.vias.items()):
        write(f"{n} cells via: {via} (docs/aws-backend.md)\n")
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
