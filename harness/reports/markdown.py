"""Markdown report: summary, drift, failures and the matrix, for a CI job summary or a PR comment.

GitHub renders HTML inside Markdown, so every value from the run (policy
text, Sids, condition values, error messages) is escaped: `<`, `>` and `&`
become entities and Markdown punctuation is backslash-escaped, so a value can
neither open a tag nor a link nor break a table.
"""

from __future__ import annotations

import re

from harness.reports.cellfields import decision_text, statement_label
from harness.reports.drift import Drift, DriftKind
from harness.reports.summary import COUNT_FIELDS, RunSummary
from harness.run.result import RunResult
from harness.run.select import partial_banner

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_OUTCOME_MARK = {"passed": "✅", "failed": "❌", "error": "⚠️"}
_DRIFT_MARK = {
    DriftKind.NEW_ACCESS: "🔓+",
    DriftKind.LOST_ACCESS: "🔒-",
    DriftKind.NEW_ERROR: "❗",
    DriftKind.DENY_CHANGED: "~",
    DriftKind.ERROR_RESOLVED: "~",
}


def md(value: object, limit: int = 300) -> str:
    """Escape a value for a Markdown table cell (one line, no HTML, no Markdown syntax)."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(
    run: RunResult,
    *,
    drift: Drift | None = None,
    max_listed: int = 200,
    max_matrix_cells: int = 4000,
    columns_per_block: int = 25,
) -> str:
    from harness.reports.summary import summarise_run

    summary = summarise_run(run, drift)
    return markdown_from_summary(
        summary,
        drift,
        max_listed=max_listed,
        max_matrix_cells=max_matrix_cells,
        columns_per_block=columns_per_block,
    )


def markdown_from_summary(
    summary: RunSummary,
    drift: Drift | None = None,
    *,
    max_listed: int = 200,
    max_matrix_cells: int = 4000,
    columns_per_block: int = 25,
    max_services: int = 50,
) -> str:
    """The Markdown report from one pass's summary: its size is bounded whatever the run's."""
    meta = summary.metadata
    c = summary.counts()
    out: list[str] = ["# IAM permission matrix", ""]
    mark = _OUTCOME_MARK
    out.append(
        f"**{mark['passed']} {c['passed']} passed · {mark['failed']} {c['failed']} failed · "
        f"{mark['error']} {c['error']} errors** of {c['cells']} cells"
        + (f" · {c['load_errors']} files not loaded" if c["load_errors"] else "")
    )
    facts = [
        ("backend", meta.get("backend")),
        ("account", meta.get("account")),
        ("caller", meta.get("caller_arn")),
        ("region", meta.get("region")),
        ("started", meta.get("started")),
        ("finished", meta.get("finished")),
        ("tool", meta.get("tool_version")),
    ]
    out.append("")
    out.append(
        " · ".join(
            f"{k}: **{md(', '.join(map(str, v)) if isinstance(v, list) else v)}**" for k, v in facts if v
        )
    )

    banner = partial_banner(meta)
    if banner:
        out += ["", f"> **{md(banner)}**"]
    for via, n in sorted(summary.vias.items()):
        out += ["", f"{n} cells answered via: {md(via)} (see docs/aws-backend.md)."]

    if drift is not None:
        s = drift.summary()
        out += ["", "## Changes since baseline", ""]
        base = drift.baseline
        out.append(
            f"Baseline: {md(base.get('started') or 'unknown date')} ({md(base.get('backend') or '?')}). "
            f"**{s['new_access']} new access**, **{s['lost_access']} lost access**, "
            f"{s['new_error']} new errors, {s['deny_changed'] + s['error_resolved']} other changes; "
            f"{s['added']} cells added, {s['removed']} removed."
        )
        changes = drift.decision_changes
        if changes:
            out.append("")
            rows = [
                [
                    f"{_DRIFT_MARK.get(ch.kind, '')} {md(ch.label)}",
                    md(ch.principal),
                    md(ch.action),
                    md(ch.resource),
                    md(ch.before),
                    md(ch.after),
                ]
                for ch in changes[:max_listed]
            ]
            out += _table(["change", "principal", "action", "resource", "was", "now"], rows)
            if len(changes) > max_listed:
                out.append(f"\n…and {len(changes) - max_listed} more (see the HTML or CSV report).")

    bad = [p.cell for p in summary.failures()]
    out += ["", "## Failures and errors", ""]
    if not bad:
        out.append("None: every cell is as expected.")
    else:
        rows = []
        for cell in bad[:max_listed]:
            why = cell.error or "; ".join(cell.explanation[:2])
            if cell.advisory:
                why = f"{why} (advisory: {cell.advisory})" if why else f"advisory: {cell.advisory}"
            if cell.via:
                why = f"via: {cell.via}; {why}" if why else f"via: {cell.via}"
            rows.append(
                [
                    f"{_OUTCOME_MARK.get(cell.outcome, '')} {md(cell.outcome)}",
                    md(cell.principal),
                    md(cell.action),
                    md(cell.resource),
                    md(cell.expected),
                    md(decision_text(cell)),
                    md(", ".join(statement_label(s) for s in cell.deciding_statements)),
                    md(why),
                    md(f"{cell.file}:{cell.line}" if cell.file else ""),
                ]
            )
        out += _table(
            ["outcome", "principal", "action", "resource", "expected", "actual", "deciding", "why", "where"],
            rows,
        )
        if len(bad) > max_listed:
            out.append(f"\n…and {len(bad) - max_listed} more (see the HTML or CSV report).")

    errors = summary.errors
    if errors:
        out += ["", "## Files not loaded", ""]
        out += _table(
            ["file", "line", "field", "message"],
            [
                [md(e.get("file")), md(e.get("line")), md(e.get("field")), md(e.get("message"))]
                for e in errors[:max_listed]
            ],
        )

    if len(errors) > max_listed:
        out.append(f"\n…and {len(errors) - max_listed} more (see the HTML report).")

    if summary.cell_count:
        out += _service_table(summary, max_services)

    grid = summary.grid()
    out += ["", "## Matrix", ""]
    rows, actions = summary.row_count, summary.action_count
    if not summary.cell_count:
        out.append("No cells.")
    elif grid is None or rows * actions > max_matrix_cells:
        out.append(
            f"The matrix has {rows} principals x {actions} actions; "
            "too large for Markdown, see the HTML report."
        )
    else:
        out += ["<details><summary>Principal x action</summary>", ""]
        for start in range(0, len(grid.actions), columns_per_block):
            actions = grid.actions[start : start + columns_per_block]
            rows = []
            for p in grid.principals:
                row = [md(p)]
                for a in actions:
                    gc = grid.cells.get((p, a))
                    if gc is None:
                        row.append("")
                        continue
                    marks = "".join(_DRIFT_MARK.get(DriftKind(k), "") for k in gc.drift_kinds)
                    row.append(f"{marks}{_OUTCOME_MARK.get(gc.outcome, '')}")
                rows.append(row)
            out += _table(["principal \\\\ action", *(md(a) for a in actions)], rows)
            out.append("")
        out += [
            "✅ as expected · ❌ failed · ⚠️ error · 🔓+ new access · 🔒- lost access · ❗ new error "
            "· ~ other change",
            "",
            "</details>",
        ]
    return "\n".join(out) + "\n"


def _service_table(summary: RunSummary, max_services: int) -> list[str]:
    """Counts per service (the action's prefix), worst first: bounded by the services, not the cells."""
    matrix = summary.matrix()
    totals = [[0] * len(COUNT_FIELDS) for _ in matrix.services]
    for (_, service), counts in matrix.groups.items():
        for i, n in enumerate(counts):
            totals[service][i] += n
    out = ["", "## By service", ""]
    rows = [[md(name), *(str(n) for n in totals[i])] for i, name in enumerate(matrix.services[:max_services])]
    out += _table(["service", *COUNT_FIELDS], rows)
    if len(matrix.services) > max_services:
        out.append(f"\n…and {len(matrix.services) - max_services} more services (see the HTML report).")
    return out
