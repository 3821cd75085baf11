"""Terminal tables.

`scenario_tables` / `scenario_counts_table`: what pytest prints at the end of
a run, one principal x resource by action table per scenario, each cell the
decision it was judged on. `matrix_table`: the whole run as principal x action
marks with counts, drift and failures (`harness report export`).

Plain ASCII so it survives any CI log. Wide matrices are split into blocks of
columns rather than wrapped, and long lists are cut with a count of the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from tabulate import tabulate

from harness.reports.drift import Drift, DriftKind, diff
from harness.reports.redact import redact_text
from harness.reports.view import build_grid, counts, decision_text, ordered_cells
from harness.runresult import CellRecord, RunResult
from harness.runselection import partial_banner

_DECISION_MARK = {"allowed": "A", "explicitDeny": "X", "implicitDeny": "d", "error": "E"}
_OUTCOME_MARK = {"passed": "ok", "failed": "FAIL", "error": "ERR"}
_DRIFT_MARK = {
    DriftKind.NEW_ACCESS: "+",
    DriftKind.LOST_ACCESS: "-",
    DriftKind.NEW_ERROR: "!",
    DriftKind.DENY_CHANGED: "~",
    DriftKind.ERROR_RESOLVED: "~",
}
LEGEND = (
    "legend: each cell is <outcome> <decisions>[xN]: outcome ok (as expected), FAIL (not as expected), "
    "ERR (not evaluated); decisions A allowed, X explicit deny, d implicit deny, E error, one letter per "
    "distinct decision among the cell's requests; xN: N requests (resources, contexts) share the cell; "
    "a leading mark is drift since the baseline: + new access, - lost access, ! new error, ~ other change"
)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3) :]


def matrix_table(
    run: RunResult,
    *,
    drift: Drift | None = None,
    baseline: RunResult | None = None,
    columns_per_block: int = 8,
    max_rows: int = 200,
    max_listed: int = 20,
) -> str:
    """Render the run as text: counts, drift, the matrix and the failing cells.

    Pass `drift` (from `drift.diff`) or `baseline` (diffed here) to mark changed cells.
    """
    if drift is None and baseline is not None:
        drift = diff(baseline, run)
    grid = build_grid(run, drift)
    c = counts(run)
    out: list[str] = [
        f"IAM permission matrix: {c['cells']} cells, {c['passed']} passed, {c['failed']} failed, "
        f"{c['error']} errors" + (f", {c['load_errors']} files not loaded" if c["load_errors"] else "")
    ]
    if drift is not None:
        s = drift.summary()
        out.append(
            f"drift since baseline: {s['new_access']} new access, {s['lost_access']} lost access, "
            f"{s['new_error']} new errors, {s['deny_changed'] + s['error_resolved']} other changes "
            f"({s['added']} added, {s['removed']} removed)"
        )
    banner = partial_banner(run.metadata)
    if banner:
        out.append(banner)
    if not run.cells:
        return redact_text("\n".join(out)) + "\n"
    out.append(LEGEND)  # before the matrix: a long matrix must not push it out of sight

    principals = grid.principals[:max_rows]
    for start in range(0, len(grid.actions), columns_per_block):
        actions = grid.actions[start : start + columns_per_block]
        rows = []
        for p in principals:
            row = [_shorten(p, 60)]
            for a in actions:
                gc = grid.cells.get((p, a))
                if gc is None:
                    row.append("")
                    continue
                marks = "".join(_DRIFT_MARK.get(DriftKind(k), "") for k in gc.drift_kinds)
                decisions = "".join(_DECISION_MARK.get(d, "?") for d in gc.decisions)
                n = f"x{len(gc.cells)}" if len(gc.cells) > 1 else ""
                row.append(f"{marks}{_OUTCOME_MARK.get(gc.outcome, gc.outcome)} {decisions}{n}")
            rows.append(row)
        out.append("")
        out.append(tabulate(rows, headers=["principal \\ action", *actions], tablefmt="simple"))
    if len(grid.principals) > max_rows:
        out.append(f"... {len(grid.principals) - max_rows} more principals (see the HTML report)")

    if drift is not None and drift.decision_changes:
        out.append("")
        out.append("changed since baseline:")
        rows = [
            [ch.label, _shorten(ch.principal, 50), ch.action, _shorten(ch.resource, 50), ch.before, ch.after]
            for ch in drift.decision_changes[:max_listed]
        ]
        out.append(tabulate(rows, headers=["change", "principal", "action", "resource", "was", "now"]))
        if len(drift.decision_changes) > max_listed:
            out.append(f"... and {len(drift.decision_changes) - max_listed} more")

    bad = [cell for cell in ordered_cells(run, drift) if cell.outcome != "passed"]
    if bad:
        out.append("")
        out.append("failures and errors:")
        rows = [
            [
                cell.outcome,
                _shorten(cell.principal, 50),
                cell.action,
                _shorten(cell.resource, 50),
                cell.expected,
                decision_text(cell),
                f"{cell.file}:{cell.line}" if cell.file else "",
            ]
            for cell in bad[:max_listed]
        ]
        out.append(
            tabulate(
                rows, headers=["outcome", "principal", "action", "resource", "expected", "actual", "where"]
            )
        )
        if len(bad) > max_listed:
            out.append(f"... and {len(bad) - max_listed} more")
    return redact_text("\n".join(out)) + "\n"


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


def scenario_tables(records: list[CellRecord]) -> list[tuple[str, str]]:
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


def scenario_counts_table(records: Iterable[CellRecord]) -> str:
    per: dict[tuple[str, str], dict[str, int]] = {}
    for r in records:
        row = per.setdefault((r.file, r.scenario), {"passed": 0, "failed": 0, "error": 0})
        row[r.outcome] = row.get(r.outcome, 0) + 1
    body = [[f, s, c["passed"], c["failed"], c["error"]] for (f, s), c in per.items()]
    return tabulate(body, headers=["file", "scenario", "passed", "failed", "error"], tablefmt="simple")
