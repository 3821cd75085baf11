"""The table printed at the end of a run: principal x action marks, counts, drift and failures.

Plain ASCII so it survives any CI log. Wide matrices are split into blocks of
columns rather than wrapped, and long lists are cut with a count of the rest.
"""

from __future__ import annotations

from tabulate import tabulate

from harness.reports.drift import Drift, DriftKind, diff
from harness.reports.redact import redact_text
from harness.reports.view import build_grid, counts, decision_text, ordered_cells
from harness.runresult import RunResult

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
    "marks: ok/FAIL/ERR = outcome; A allowed, X explicit deny, d implicit deny, E error; "
    "drift: + new access, - lost access, ! new error, ~ other change"
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
    if not run.cells:
        return redact_text("\n".join(out)) + "\n"

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
    out.append("")
    out.append(LEGEND)

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
