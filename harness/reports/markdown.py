"""Markdown report: summary, drift, failures and the matrix, for a CI job summary or a PR comment.

GitHub renders HTML inside Markdown, so every value from the run (policy
text, Sids, condition values, error messages) is escaped: `<`, `>` and `&`
become entities and Markdown punctuation is backslash-escaped, so a value can
neither open a tag nor a link nor break a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from harness.reports.cellfields import decision_text, statement_label
from harness.reports.drift import Drift, DriftKind
from harness.reports.summary import COUNT_FIELDS, RunSummary, SmallGrid
from harness.run.celltext import fix_heading, fix_json
from harness.run.result import CellRecord, RunResult
from harness.run.select import partial_banner

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_OUTCOME_MARK = {"passed": "✅", "failed": "❌", "error": "⚠️"}
_VERDICT_MARK = {"ready": "✅", "blocked": "❌", "error": "⚠️"}
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


@dataclass(frozen=True)
class MarkdownLimits:
    """How much of a large run report.md lists (the rest is counted; HTML and CSV hold it all)."""

    max_listed: int = 200
    max_matrix_cells: int = 4000
    columns_per_block: int = 25
    max_services: int = 50
    # A fix is a JSON block of a dozen lines: a PR comment holds at most 65,536 characters.
    max_fixes: int = 20


def markdown_from_summary(
    summary: RunSummary,
    drift: Drift | None = None,
    *,
    max_listed: int = 200,
    max_matrix_cells: int = 4000,
    columns_per_block: int = 25,
    max_services: int = 50,
    max_fixes: int = 20,
) -> str:
    """The Markdown report from one pass's summary: its size is bounded whatever the run's."""
    limits = MarkdownLimits(max_listed, max_matrix_cells, columns_per_block, max_services, max_fixes)
    out = _heading(summary)
    if drift is not None:
        out += _drift_section(drift, limits)
    out += _readiness_section(summary, limits)
    out += _failures_section(summary, limits)
    out += _fixes_section(summary, limits)
    out += _load_errors_section(summary, limits)
    if summary.cell_count:
        out += _service_table(summary, limits.max_services)
    out += _matrix_section(summary, limits)
    return "\n".join(out) + "\n"


def _heading(summary: RunSummary) -> list[str]:
    """Title, counts, the run's facts, the partial-run banner and the `via` notes."""
    meta = summary.metadata
    c = summary.counts()
    mark = _OUTCOME_MARK
    out: list[str] = ["# IAM permission matrix", ""]
    out.append(
        f"**{mark['passed']} {c['passed']} passed · {mark['failed']} {c['failed']} failed · "
        f"{mark['error']} {c['error']} errors** of {c['cells']} cells"
        + (f" · {c['skipped']} skipped" if c.get("skipped") else "")
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
    return out


def _drift_section(drift: Drift, limits: MarkdownLimits) -> list[str]:
    s = drift.summary()
    base = drift.baseline
    out = ["", "## Changes since baseline", ""]
    out.append(
        f"Baseline: {md(base.get('started') or 'unknown date')} ({md(base.get('backend') or '?')}). "
        f"**{s['new_access']} new access**, **{s['lost_access']} lost access**, "
        f"{s['new_error']} new errors, {s['deny_changed'] + s['error_resolved']} other changes; "
        f"{s['added']} cells added, {s['removed']} removed."
    )
    changes = drift.decision_changes
    # --iam-plan: the plan resource behind each change (docs/plans.md), when any change has one.
    caused = any(ch.source for ch in changes)
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
                *([md(_caused_by(ch.source))] if caused else []),
            ]
            for ch in changes[: limits.max_listed]
        ]
        headers = ["change", "principal", "action", "resource", "was", "now"]
        out += _table(headers + (["caused by"] if caused else []), rows)
        out += _more(len(changes), limits.max_listed, "see the HTML or CSV report")
    return out


def _caused_by(source: dict[str, Any] | None) -> str:
    if not source:
        return ""
    where = f"{source.get('file')}:{source.get('line')}" if source.get("line") else str(source.get("file"))
    return f"{source.get('kind')} {source.get('address') or source.get('logical_id')} ({where})"


def _readiness_section(summary: RunSummary, limits: MarkdownLimits) -> list[str]:
    """One row per covered volume, blocked first; nothing at all when no cell covers anything."""
    readiness = summary.readiness
    if not readiness.covered:
        return []
    rows = readiness.rows()
    n = readiness.counts()
    out = ["", "## Readiness of covered volumes", ""]
    out.append(
        f"**{len(rows)} volumes: {_VERDICT_MARK['blocked']} {n['blocked']} blocked · "
        f"{_VERDICT_MARK['error']} {n['error']} error · {_VERDICT_MARK['ready']} {n['ready']} ready.** "
        "Blocked: a cell covering the volume failed; error: one could not be evaluated and none "
        "failed; ready: every covering cell passed."
    )
    out.append("")
    body = [
        [
            f"{_VERDICT_MARK.get(r.verdict.value, '')} {r.verdict.value}",
            md(r.account),
            md(r.region),
            md(r.volume_id),
            md(", ".join(r.instance_ids)),
            md(", ".join(r.instance_names)),
            md(r.key_arn),
            md(_first(r.blocking_cells, 3)),
        ]
        for r in rows[: limits.max_listed]
    ]
    out += _table(
        ["verdict", "account", "Region", "volume", "instance", "Name", "key", "blocking cells"], body
    )
    out += _more(len(rows), limits.max_listed, "readiness.csv lists every volume")
    return out


def _failures_section(summary: RunSummary, limits: MarkdownLimits) -> list[str]:
    bad = [p.cell for p in summary.failures()]
    out = ["", "## Failures and errors", ""]
    if not bad:
        out.append("None: every cell is as expected.")
        return out
    rows = [_failure_row(cell) for cell in bad[: limits.max_listed]]
    headers = ["outcome", "principal", "action", "resource", "expected", "actual", "deciding", "why"]
    out += _table([*headers, "fix", "where"], rows)
    out += _more(len(bad), limits.max_listed, "see the HTML or CSV report")
    return out


def _failure_row(cell: CellRecord) -> list[str]:
    why = cell.error or "; ".join(cell.explanation[:2])
    if cell.advisory:
        why = f"{why} (advisory: {cell.advisory})" if why else f"advisory: {cell.advisory}"
    if cell.via:
        why = f"via: {cell.via}; {why}" if why else f"via: {cell.via}"
    fix = ""
    if isinstance(cell.fix, dict):
        fix = "verified, below" if cell.fix.get("verified") is True else "NOT verified, below"
    return [
        f"{_OUTCOME_MARK.get(cell.outcome, '')} {md(cell.outcome)}",
        md(cell.principal),
        md(cell.action),
        md(cell.resource),
        md(cell.expected),
        md(decision_text(cell)),
        md(", ".join(statement_label(s) for s in cell.deciding_statements)),
        md(why),
        fix,
        md(f"{cell.file}:{cell.line}" if cell.file else ""),
    ]


def _fixes_section(summary: RunSummary, limits: MarkdownLimits) -> list[str]:
    """Each failed cell's fix: whether it was proven and its note, then its JSON, ready to paste."""
    fixed = [p.cell for p in summary.failures() if isinstance(p.cell.fix, dict)]
    if not fixed:
        return []
    out = ["", "### Fixes", ""]
    for cell in fixed[: limits.max_fixes]:
        out += [f"**{md(cell.id)}**: {md(fix_heading(cell.fix))}", ""]
        out += _code_block(fix_json(cell.fix), "json")
        out.append("")
    out += _more(len(fixed), limits.max_fixes, "report.json and report.html hold every fix")
    return out


def _load_errors_section(summary: RunSummary, limits: MarkdownLimits) -> list[str]:
    errors = summary.errors
    if not errors:
        return []
    out = ["", "## Files not loaded", ""]
    out += _table(
        ["file", "line", "field", "message"],
        [
            [md(e.get("file")), md(e.get("line")), md(e.get("field")), md(e.get("message"))]
            for e in errors[: limits.max_listed]
        ],
    )
    out += _more(len(errors), limits.max_listed, "see the HTML report")
    return out


def _matrix_section(summary: RunSummary, limits: MarkdownLimits) -> list[str]:
    grid = summary.grid()
    out = ["", "## Matrix", ""]
    rows, actions = summary.row_count, summary.action_count
    if not summary.cell_count:
        out.append("No cells.")
    elif grid is None or rows * actions > limits.max_matrix_cells:
        out.append(
            f"The matrix has {rows} principals x {actions} actions; "
            "too large for Markdown, see the HTML report."
        )
    else:
        out += ["<details><summary>Principal x action</summary>", ""]
        out += _grid_blocks(grid, limits.columns_per_block)
        out += [
            "✅ as expected · ❌ failed · ⚠️ error · 🔓+ new access · 🔒- lost access · ❗ new error "
            "· ~ other change",
            "",
            "</details>",
        ]
    return out


def _grid_blocks(grid: SmallGrid, columns_per_block: int) -> list[str]:
    out: list[str] = []
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
    return out


def _more(total: int, shown: int, where: str) -> list[str]:
    return [f"\n…and {total - shown} more ({where})."] if total > shown else []


def _first(items: tuple[str, ...], shown: int) -> str:
    text = ", ".join(items[:shown])
    return text + (f" (+{len(items) - shown} more)" if len(items) > shown else "")


def _code_block(text: str, language: str) -> list[str]:
    """A fenced block no value can close: the fence is longer than any backtick run inside it
    (CommonMark: a closing fence is at least as long as the opening one)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


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
