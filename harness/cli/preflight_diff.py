"""The access diff `harness preflight` prints first: each changed cell and the plan resource behind it.

Both runs ask the same scenarios of the same model, so cells are matched by id (a request
asked by several cells is each cell's own change; a cell only the plan run has is new
access when allowed, a new error when it errs), and classified as drift classifies them
(harness/reports/drift.py): new access, lost access, new error, error resolved, deny changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.reports.cellfields import DENIES, effective_decision
from harness.reports.drift import KIND_LABEL, KIND_RANK, DriftKind, classify
from harness.run.load import load_run

_ABSENT = "absent"  # the cell is not in the baseline: its principal or resource is new


@dataclass(frozen=True)
class CellChange:
    kind: DriftKind
    before: str
    after: str
    principal: str
    action: str
    resource: str
    expected: str
    source: dict[str, Any] | None


def _kind(before: str, after: str) -> DriftKind | None:
    """Decisions compared as drift compares them (the effective decision: enforced wherever known,
    so a change only the enforced decision shows, such as a key policy, is in the diff)."""
    if "skipped" in (before, after) or (before == _ABSENT and after in DENIES):
        return None
    # A cell only the plan run has had no access before: an implicit deny.
    return classify("implicitDeny" if before == _ABSENT else before, after)


def cell_changes(baseline: Path, current: Path) -> list[CellChange]:
    before_run, _ = load_run(baseline)
    before = {c.id: effective_decision(c) for c in before_run.cells}
    del before_run
    after_run, _ = load_run(current)
    out = []
    for cell in after_run.cells:
        # A cell only the plan run has (a principal or resource the plan creates) had no access before.
        was, now = before.get(cell.id, _ABSENT), effective_decision(cell)
        kind = _kind(was, now)
        if kind is not None:
            out.append(CellChange(kind, was, now, cell.principal, cell.action, cell.resource,
                                  cell.expected, cell.source))  # fmt: skip
    out.sort(key=lambda c: (KIND_RANK[c.kind], c.principal, c.action, c.resource))
    return out


def access_diff_lines(changes: list[CellChange]) -> list[str]:
    if not changes:
        return ["access diff: the plan adds or removes no access"]
    lines = [f"access diff: {len(changes)} cell(s) change with the plan"]
    for change in changes:
        source = change.source or {}
        cause = source.get("address") or source.get("logical_id")
        where = f" ({source.get('file')}:{source.get('line')})" if source.get("line") else ""
        caused = f"  <- {source.get('kind')} {cause}{where}" if cause else ""
        lines.append(
            f"  {KIND_LABEL[change.kind]}: {change.principal} {change.action} {change.resource} "
            f"({change.before} -> {change.after}){caused}"
        )
    return lines


def new_access_on_expected_deny(changes: list[CellChange]) -> bool:
    return any(c.kind is DriftKind.NEW_ACCESS and c.expected != "allowed" for c in changes)
