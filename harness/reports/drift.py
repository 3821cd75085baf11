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

When the current run is partial (run/select.py), a baseline request it does
not hold was not evaluated, not removed: it is counted in
`Drift.outside_selection` instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from harness.reports.cellfields import DENIES, NOT_EVALUATED, cell_account, effective_decision, request_key
from harness.reports.source import RunSource
from harness.run.load import RunInputError
from harness.run.result import CellRecord, RunResult
from harness.run.select import is_partial


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
    # The planned change (--iam-plan) that caused it: the cell's `source` (docs/plans.md).
    source: dict[str, Any] | None = None

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
            **({"source": self.source} if self.source else {}),
        }


@dataclass
class Drift:
    changes: list[DriftChange]
    baseline: dict[str, Any] = field(default_factory=dict)  # the baseline's metadata, for the report header
    # Baseline requests a partial current run did not evaluate (not "removed").
    outside_selection: int = 0
    # Exact counts per kind when `changes` lists only some added/removed requests (a streamed
    # diff lists at most `list_limit` of each; decision changes are always all listed).
    totals: dict[str, int] | None = None
    _by_key: dict[str, DriftChange] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.changes.sort(key=lambda c: (c.rank, c.principal, c.action, c.resource))
        self._by_key = {c.key: c for c in self.changes if c.kind is not DriftKind.REMOVED}

    def lookup(self, account: str, cell: CellRecord) -> DriftChange | None:
        """The change for the request `cell` asks in `account` (any kind but removed)."""
        return self._by_key.get(request_key(account, cell))

    def for_cell(self, run: RunResult, cell: CellRecord) -> DriftChange | None:
        return self.lookup(cell_account(run, cell), cell)

    def changed(self, run: RunResult, cell: CellRecord) -> DriftChange | None:
        """The change for this cell if its decision changed (added cells are not drift)."""
        change = self.for_cell(run, cell)
        return change if change and change.is_decision_change else None

    @property
    def decision_changes(self) -> list[DriftChange]:
        return [c for c in self.changes if c.kind in DECISION_CHANGES]

    def count(self, kind: DriftKind) -> int:
        if self.totals is not None:
            return self.totals.get(kind.value, 0)
        return sum(1 for c in self.changes if c.kind is kind)

    def summary(self) -> dict[str, int]:
        return {k.value: self.count(k) for k in DriftKind}

    def not_listed(self) -> dict[str, int]:
        """Per kind, how many changes the summary counts but `changes` does not list."""
        listed: dict[str, int] = {}
        for c in self.changes:
            listed[c.kind.value] = listed.get(c.kind.value, 0) + 1
        return {k: n - listed.get(k, 0) for k, n in self.summary().items() if n > listed.get(k, 0)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "baseline": {
                k: self.baseline.get(k) for k in ("started", "finished", "account", "backend", "tool_version")
            },
            "summary": self.summary(),
            "changes": [c.to_dict() for c in self.changes],
        }
        missing = self.not_listed()
        if missing:
            out["not_listed"] = missing
        return out


def classify(before: str, after: str) -> DriftKind | None:
    """The kind of change from one effective decision to another; None when it is the same."""
    if before == after:
        return None
    # Not evaluated (an error, or a cell skipped because the model cannot answer it) is never a
    # decision: going to it is a new error, coming from it an error resolved, never "deny changed".
    if after in NOT_EVALUATED:
        return DriftKind.NEW_ERROR
    if before in NOT_EVALUATED:
        return DriftKind.ERROR_RESOLVED
    if before in DENIES and after == "allowed":
        return DriftKind.NEW_ACCESS
    if before == "allowed" and after in DENIES:
        return DriftKind.LOST_ACCESS
    return DriftKind.DENY_CHANGED


# Worst first, for several cells asking the same request (they should agree; if not, the
# worst decides): an error, then access.
_DECISION_ORDER = {"error": 0, "allowed": 1, "explicitDeny": 2, "implicitDeny": 3}
_SEEN = 1  # flag bits of an index value: the current run asked this request...
_ADDED = 2  # ...and the baseline did not


def _digest(key: str) -> bytes:
    # 128 bits: a collision (a change hidden behind another request) is ~1e-26 likely at a
    # million requests; the key text itself would cost ~200 bytes per request.
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class BaselineIndex:
    """The baseline's decision per request, compact: a 16-byte digest of the request key -> a small int
    (decision number x 4 + flags). Built in one pass over the baseline; the current run is then
    streamed against it (`DriftTracker`), so neither run's cells are held."""

    def __init__(self, metadata: dict[str, Any], source: RunSource | None = None) -> None:
        self.metadata = metadata
        self.source = source
        self.decisions: list[str] = list(_DECISION_ORDER)
        self._codes: dict[str, int] = {d: i for i, d in enumerate(self.decisions)}
        self.entries: dict[bytes, int] = {}

    def code(self, decision: str) -> int:
        found = self._codes.get(decision)
        if found is None:
            found = self._codes[decision] = len(self.decisions)
            self.decisions.append(decision)
        return found

    @classmethod
    def build(cls, source: RunSource) -> BaselineIndex:
        index = cls(dict(source.metadata), source)
        account = str(source.metadata.get("account") or "")
        entries = index.entries
        for cell in source.cells():
            decision = effective_decision(cell)
            d = _digest(request_key(cell.account or account, cell))
            prev = entries.get(d)
            if prev is not None and _DECISION_ORDER.get(index.decisions[prev >> 2], 0) <= _DECISION_ORDER.get(
                decision, 0
            ):
                continue
            entries[d] = index.code(decision) << 2
        return index


class DriftTracker:
    """Classifies each cell of the current run against a `BaselineIndex` as it streams past.

    Holds the decision changes (bounded by drift), at most `list_limit` added
    requests (all are counted) and, at the end, at most `list_limit` removed ones
    (a second pass over the baseline finds them; counted only when the baseline
    file changed since, e.g. the plugin's run.json was the baseline).
    """

    def __init__(
        self, index: BaselineIndex, *, partial: bool = False, list_limit: int | None = 10_000
    ) -> None:
        self.index = index
        self.partial = partial
        self.list_limit = list_limit
        self._changes: dict[bytes, DriftChange] = {}
        self._added: list[DriftChange] = []
        self.added = 0

    def _listable(self, listed: int) -> bool:
        return self.list_limit is None or listed < self.list_limit

    def observe(self, account: str, cell: CellRecord) -> DriftChange | None:
        """The cell's change since the baseline: a decision change, `added`, or None."""
        key = request_key(account, cell)
        d = _digest(key)
        after = effective_decision(cell)
        entries = self.index.entries
        value = entries.get(d)
        if value is None or value & _ADDED:
            change = DriftChange(
                key,
                DriftKind.ADDED,
                None,
                after,
                account,
                cell.principal,
                cell.action,
                cell.resource,
                (cell.id,),
                cell.source,
            )
            if value is None:
                entries[d] = (self.index.code(after) << 2) | _SEEN | _ADDED
                self.added += 1
                if self._listable(len(self._added)):
                    self._added.append(change)
            return change
        entries[d] = value | _SEEN
        before = self.index.decisions[value >> 2]
        kind = classify(before, after)
        if kind is None:
            return None
        change = self._changes.get(d)
        if change is None:
            change = self._changes[d] = DriftChange(
                key, kind, before, after, account, cell.principal, cell.action, cell.resource, (cell.id,),
                cell.source,
            )
        elif cell.id not in change.cell_ids:  # several cells asking one request: one change
            change = self._changes[d] = replace(change, cell_ids=(*change.cell_ids, cell.id))
        return change

    def finish(self) -> Drift:
        unseen = {d for d, v in self.index.entries.items() if not v & _SEEN}
        totals = {k.value: 0 for k in DriftKind}
        for change in self._changes.values():
            totals[change.kind.value] += 1
        totals[DriftKind.ADDED.value] = self.added
        changes = [*self._changes.values(), *self._added]
        outside = 0
        if self.partial:
            outside = len(unseen)
        else:
            totals[DriftKind.REMOVED.value] = len(unseen)
            changes.extend(self._removed(unseen))
        return Drift(changes=changes, baseline=self.index.metadata, outside_selection=outside, totals=totals)

    def _removed(self, unseen: set[bytes]) -> list[DriftChange]:
        source = self.index.source
        if not unseen or source is None or self.list_limit == 0:
            return []
        account = str(source.metadata.get("account") or "")
        found: dict[bytes, DriftChange] = {}
        try:
            for cell in source.cells():
                acct = cell.account or account
                key = request_key(acct, cell)
                d = _digest(key)
                if d not in unseen:
                    continue
                before = self.index.decisions[self.index.entries[d] >> 2]
                prev = found.get(d)
                if prev is not None:
                    found[d] = replace(prev, cell_ids=(*prev.cell_ids, cell.id))
                elif self._listable(len(found)):
                    found[d] = DriftChange(
                        key,
                        DriftKind.REMOVED,
                        before,
                        None,
                        acct,
                        cell.principal,
                        cell.action,
                        cell.resource,
                        (cell.id,),
                    )
        except (RunInputError, OSError, ValueError):
            return []  # the baseline file is gone or was replaced: removed requests stay counted only
        return list(found.values())


def diff(
    baseline: RunResult | RunSource, current: RunResult | RunSource, *, list_limit: int | None = None
) -> Drift:
    """Compare `current` against `baseline`, request by request (every change listed by default)."""
    base = baseline if isinstance(baseline, RunSource) else RunSource.from_run(baseline)
    cur = current if isinstance(current, RunSource) else RunSource.from_run(current)
    tracker = DriftTracker(BaselineIndex.build(base), partial=is_partial(cur.metadata), list_limit=list_limit)
    account = str(cur.metadata.get("account") or "")
    for cell in cur.cells():
        tracker.observe(cell.account or account, cell)
    return tracker.finish()
