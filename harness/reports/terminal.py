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

from harness.redact import redact_text
from harness.reports.cellfields import decision_text
from harness.reports.drift import Drift, DriftKind, diff
from harness.reports.summary import RunSummary, SmallGrid, SummaryMatrix
from harness.run.result import CellRecord, RunResult
from harness.run.select import partial_banner

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
    from harness.reports.summary import summarise_run

    if drift is None and baseline is not None:
        drift = diff(baseline, run)
    summary = summarise_run(run, drift)
    return matrix_from_summary(
        summary, drift, columns_per_block=columns_per_block, max_rows=max_rows, max_listed=max_listed
    )


def matrix_from_summary(
    summary: RunSummary,
    drift: Drift | None = None,
    *,
    columns_per_block: int = 8,
    max_rows: int = 200,
    max_listed: int = 20,
    max_grid_actions: int = 64,
    max_services: int = 48,
) -> str:
    """The text matrix from one pass's summary; bounded at any size.

    A run with few actions gets the principal x action grid; a larger one the
    principal x service summary (counts per cell), at most `max_rows` rows
    and `max_services` services, worst first.
    """
    out = _heading(summary, drift)
    if summary.cell_count:
        grid = summary.grid()
        if grid is not None and len(grid.actions) <= max_grid_actions:
            out.append(LEGEND)  # before the matrix: a long matrix must not push it out of sight
            out += _grid_blocks(grid, columns_per_block, max_rows)
        else:
            out.append(SUMMARY_LEGEND)
            out += _summary_blocks(summary.matrix(), columns_per_block, max_rows, max_services)
        if drift is not None and drift.decision_changes:
            out += _drift_lines(drift, max_listed)
        out += _failure_lines(summary, max_listed)
    return redact_text("\n".join(out)) + "\n"


def _heading(summary: RunSummary, drift: Drift | None) -> list[str]:
    """Counts, drift counts, the partial-run banner and the readiness counts."""
    c = summary.counts()
    out: list[str] = [
        f"IAM permission matrix: {c['cells']} cells, {c['passed']} passed, {c['failed']} failed, "
        f"{c['error']} errors"
        + (f", {c['skipped']} skipped" if c.get("skipped") else "")
        + (f", {c['load_errors']} files not loaded" if c["load_errors"] else "")
    ]
    if drift is not None:
        s = drift.summary()
        out.append(
            f"drift since baseline: {s['new_access']} new access, {s['lost_access']} lost access, "
            f"{s['new_error']} new errors, {s['deny_changed'] + s['error_resolved']} other changes "
            f"({s['added']} added, {s['removed']} removed)"
        )
    banner = partial_banner(summary.metadata)
    if banner:
        out.append(banner)
    if summary.readiness.covered:
        n = summary.readiness.counts()
        out.append(
            f"readiness: {sum(n.values())} covered volumes, {n['blocked']} blocked, {n['error']} error, "
            f"{n['ready']} ready (readiness.csv lists them)"
        )
    return out


def _drift_lines(drift: Drift, max_listed: int) -> list[str]:
    changes = drift.decision_changes
    rows = [
        [ch.label, _shorten(ch.principal, 50), ch.action, _shorten(ch.resource, 50), ch.before, ch.after]
        for ch in changes[:max_listed]
    ]
    out = ["", "changed since baseline:"]
    out.append(tabulate(rows, headers=["change", "principal", "action", "resource", "was", "now"]))
    if len(changes) > max_listed:
        out.append(f"... and {len(changes) - max_listed} more")
    return out


def _failure_lines(summary: RunSummary, max_listed: int) -> list[str]:
    bad = summary.failures()
    if not bad:
        return []
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
        for cell in (p.cell for p in bad[:max_listed])
    ]
    headers = ["outcome", "principal", "action", "resource", "expected", "actual", "where"]
    out = ["", "failures and errors:", tabulate(rows, headers=headers)]
    if len(bad) > max_listed:
        out.append(f"... and {len(bad) - max_listed} more")
    return out


SUMMARY_LEGEND = (
    "legend: each cell counts the requests of one principal and service: A allowed, D denied, "
    "F failed (not as expected), E error (not evaluated), ~ changed since the baseline; ok: none failed"
)


def _grid_blocks(grid: SmallGrid, columns_per_block: int, max_rows: int) -> list[str]:
    out: list[str] = []
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
                n = f"x{gc.count}" if gc.count > 1 else ""
                row.append(f"{marks}{_OUTCOME_MARK.get(gc.outcome, gc.outcome)} {decisions}{n}")
            rows.append(row)
        out.append("")
        out.append(tabulate(rows, headers=["principal \\ action", *actions], tablefmt="simple"))
    if len(grid.principals) > max_rows:
        out.append(f"... {len(grid.principals) - max_rows} more principals (see the HTML report)")
    return out


def _group_text(counts: list[int]) -> str:
    _, allowed, denied, failed, error, changed = counts
    parts = [f"~{changed}"] if changed else []
    if error:
        parts.append(f"E{error}")
    if failed:
        parts.append(f"F{failed}")
    if not (error or failed):
        parts.append("ok")
    parts.append(f"A{allowed} D{denied}")
    return " ".join(parts)


def _summary_blocks(
    matrix: SummaryMatrix, columns_per_block: int, max_rows: int, max_services: int
) -> list[str]:
    out: list[str] = []
    services = matrix.services[:max_services]
    rows = matrix.rows[:max_rows]
    for start in range(0, len(services), columns_per_block):
        block = range(start, min(start + columns_per_block, len(services)))
        body = []
        for r, label in enumerate(rows):
            line = [_shorten(label, 60)]
            for s in block:
                counts = matrix.groups.get((r, s))
                line.append(_group_text(counts) if counts else "")
            body.append(line)
        out.append("")
        out.append(
            tabulate(body, headers=["principal \\ service", *(services[s] for s in block)], tablefmt="simple")
        )
    if len(matrix.rows) > max_rows:
        out.append(f"... {len(matrix.rows) - max_rows} more principals (see the HTML report)")
    if len(matrix.services) > max_services:
        out.append(f"... {len(matrix.services) - max_services} more services (see the HTML report)")
    return out


def cell_text(record: CellRecord) -> str:
    """The decision the cell was judged on; the other one alongside where the two differ."""
    if record.outcome == "error":
        return "ERROR"
    if record.outcome == "skipped":  # not evaluated: the account model does not hold what it is about
        return "skipped"
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


def scenario_counts_table(records: Iterable[CellRecord] | RunSummary, max_rows: int = 50) -> str:
    """Counts per scenario, failing scenarios first, at most `max_rows` rows (then one line for the rest).

    Takes the records (one pass) or a RunSummary whose pass already counted them
    (the report pass: no second read of run.json).
    """
    if isinstance(records, RunSummary):
        per = {key: dict(c) for key, c in records.scenarios.items()}
    else:
        per = {}
        for r in records:
            row = per.setdefault((r.file, r.scenario), {})
            row[r.outcome] = row.get(r.outcome, 0) + 1
    order = sorted(per, key=lambda k: (-(per[k].get("error", 0) + per[k].get("failed", 0)), k))
    body = [
        [f, s, per[(f, s)].get("passed", 0), per[(f, s)].get("failed", 0), per[(f, s)].get("error", 0)]
        for f, s in order[:max_rows]
    ]
    text = tabulate(body, headers=["file", "scenario", "passed", "failed", "error"], tablefmt="simple")
    rest = order[max_rows:]
    if rest:
        totals = {k: sum(per[key].get(k, 0) for key in rest) for k in ("passed", "failed", "error")}
        text += (
            f"\n... {len(rest)} more scenarios: {totals['passed']} passed, {totals['failed']} failed, "
            f"{totals['error']} error (see the reports)"
        )
    return text
