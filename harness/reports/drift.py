"""Drift: which requests got a different decision than in a baseline run.

Cells are matched by the request they ask about (account, principal, action,
resource, context; see `view.request_key`), not by test id, so renaming a
scenario does not look like drift. Decisions compared are the effective ones
(enforced where known, else the simulator's):

- new access: denied before, allowed now (a possible hole: listed first);
- lost access: allowed before, denied now (a possible outage);
- deny changed: explicit <-> implicit deny (access unchanged, the reason changed);
- new error / error resolved: the cell could or could no longer be evaluated;
- added / removed: the request is only in one of the runs (scenario change, not drift).

When the current run is partial (runselection.py), a baseline request it does
not hold was not evaluated, not removed: it is counted in
`Drift.outside_selection` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.reports.view import DENIES, cell_account, effective_decision, request_key
from harness.runresult import CellRecord, RunResult
from harness.runselection import is_partial


class DriftKind(StrEnum):
    NEW_ACCESS = "new_access"
    LOST_ACCESS = "lost_access"
    NEW_ERROR = "new_error"
    DENY_CHANGED = "deny_changed"
    ERROR_RESOLVED = "error_resolved"
    ADDED = "added"
    REMOVED = "removed"


# Report order and the words reports use.
KIND_RANK = {k: i for i, k in enumerate(DriftKind)}
KIND_LABEL = {
    DriftKind.NEW_ACCESS: "new access",
    DriftKind.LOST_ACCESS: "lost access",
    DriftKind.NEW_ERROR: "new error",
    DriftKind.DENY_CHANGED: "deny changed",
    DriftKind.ERROR_RESOLVED: "error resolved",
    DriftKind.ADDED: "added",
    DriftKind.REMOVED: "removed",
}
# Kinds that are a change of decision (what `report diff` fails on).
DECISION_CHANGES = frozenset(
    {
        DriftKind.NEW_ACCESS,
        DriftKind.LOST_ACCESS,
        DriftKind.NEW_ERROR,
        DriftKind.DENY_CHANGED,
        DriftKind.ERROR_RESOLVED,
    }
)


@dataclass(frozen=True)
class DriftChange:
    key: str
    kind: DriftKind
    before: str | None
    after: str | None
    account: str
    principal: str
    action: str
    resource: str
    cell_ids: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        return KIND_RANK[self.kind]

    @property
    def label(self) -> str:
        return KIND_LABEL[self.kind]

    @property
    def is_decision_change(self) -> bool:
        return self.kind in DECISION_CHANGES

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "before": self.before,
            "after": self.after,
            "account": self.account,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "cell_ids": list(self.cell_ids),
        }


@dataclass
class Drift:
    changes: list[DriftChange]
    baseline: dict[str, Any] = field(default_factory=dict)  # the baseline's metadata, for the report header
    # Baseline requests a partial current run did not evaluate (not "removed").
    outside_selection: int = 0
    _by_key: dict[str, DriftChange] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.changes.sort(key=lambda c: (c.rank, c.principal, c.action, c.resource))
        self._by_key = {c.key: c for c in self.changes if c.kind is not DriftKind.REMOVED}

    def for_cell(self, run: RunResult, cell: CellRecord) -> DriftChange | None:
        return self._by_key.get(request_key(cell_account(run, cell), cell))

    def changed(self, run: RunResult, cell: CellRecord) -> DriftChange | None:
        """The change for this cell if its decision changed (added cells are not drift)."""
        change = self.for_cell(run, cell)
        return change if change and change.is_decision_change else None

    @property
    def decision_changes(self) -> list[DriftChange]:
        return [c for c in self.changes if c.kind in DECISION_CHANGES]

    def count(self, kind: DriftKind) -> int:
        return sum(1 for c in self.changes if c.kind is kind)

    def summary(self) -> dict[str, int]:
        return {k.value: self.count(k) for k in DriftKind}

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": {
                k: self.baseline.get(k) for k in ("started", "finished", "account", "backend", "tool_version")
            },
            "summary": self.summary(),
            "changes": [c.to_dict() for c in self.changes],
        }


def _classify(before: str, after: str) -> DriftKind | None:
    if before == after:
        return None
    if after == "error":
        return DriftKind.NEW_ERROR
    if before == "error":
        return DriftKind.ERROR_RESOLVED
    if before in DENIES and after == "allowed":
        return DriftKind.NEW_ACCESS
    if before == "allowed" and after in DENIES:
        return DriftKind.LOST_ACCESS
    return DriftKind.DENY_CHANGED


def _decisions(run: RunResult) -> dict[str, tuple[str, list[CellRecord]]]:
    """Request key -> (decision, cells). Several cells asking the same request share a key;
    if they disagree (they should not), the worst is kept: error, then allowed."""
    out: dict[str, tuple[str, list[CellRecord]]] = {}
    order = {"error": 0, "allowed": 1, "explicitDeny": 2, "implicitDeny": 3}
    for cell in run.cells:
        key = request_key(cell_account(run, cell), cell)
        decision = effective_decision(cell)
        if key in out:
            prev, cells = out[key]
            cells.append(cell)
            if order.get(decision, 0) < order.get(prev, 0):
                out[key] = (decision, cells)
        else:
            out[key] = (decision, [cell])
    return out


def diff(baseline: RunResult, current: RunResult) -> Drift:
    """Compare `current` against `baseline`, request by request."""
    old = _decisions(baseline)
    new = _decisions(current)
    changes: list[DriftChange] = []

    def change(key: str, kind: DriftKind, before: str | None, after: str | None, run: RunResult, cells):
        cell = cells[0]
        changes.append(
            DriftChange(
                key=key,
                kind=kind,
                before=before,
                after=after,
                account=cell_account(run, cell),
                principal=cell.principal,
                action=cell.action,
                resource=cell.resource,
                cell_ids=tuple(c.id for c in cells),
            )
        )

    for key, (after, cells) in new.items():
        if key not in old:
            change(key, DriftKind.ADDED, None, after, current, cells)
            continue
        kind = _classify(old[key][0], after)
        if kind:
            change(key, kind, old[key][0], after, current, cells)
    partial = is_partial(current.metadata)
    outside = 0
    for key, (before, cells) in old.items():
        if key not in new:
            if partial:
                outside += 1
            else:
                change(key, DriftKind.REMOVED, before, None, baseline, cells)
    return Drift(changes=changes, baseline=dict(baseline.metadata), outside_selection=outside)
