"""What one pass over a run's cells keeps: counts, the summary matrix, and the cells worth showing.

`RunSummary.add` sees every cell once. It keeps:

- counts (outcomes, `via`, per scenario);
- the summary matrix: rows (principal, qualified like `view.principal_label`)
  x services (the action's prefix, `kms` in `kms:Decrypt`), each with counts of
  cells, allowed, denied, failed, errors and changed decisions;
- a principal x action grid for small runs (dropped once it would pass
  `grid_limit` entries: the terminal and Markdown then show the summary matrix);
- every cell that is not a plain pass (failed, error, or its decision changed
  since the baseline): bounded by failures and drift, never by passing cells;
- the readiness view (harness/reports/readiness.py): one state per volume the
  cells cover, bounded by the run's estate.

Rows, services and actions are numbered in the order first seen (renderers
that write as they go refer to them by number) and ordered worst first at the
end (`finish`): rows and columns holding drift or failures come first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.reports.cellfields import DENIES, OUTCOME_RANK, effective_decision
from harness.reports.drift import Drift, DriftChange
from harness.reports.readiness import Readiness
from harness.run.result import CellRecord, RunResult

# Summary counters, in this order (the HTML report's data uses the same order).
COUNT_FIELDS = ("cells", "allowed", "denied", "failed", "error", "changed")
_CELLS, _ALLOWED, _DENIED, _FAILED, _ERROR, _CHANGED = range(len(COUNT_FIELDS))
_CLEAN_RANK = (99, OUTCOME_RANK["passed"])


def service_of(action: str) -> str:
    """`kms` for `kms:Decrypt`; an action without a prefix is its own group."""
    prefix, sep, _ = action.partition(":")
    return prefix if sep else action


@dataclass
class PlacedCell:
    """One cell as the pass saw it: where it sits in the summary and its change since the baseline."""

    index: int
    cell: CellRecord
    account: str
    change: DriftChange | None  # any change (added included): the CSV's drift column
    triple: int  # (account, principal, file) number, first seen first
    action: int  # action number, first seen first

    @property
    def decision_change(self) -> DriftChange | None:
        change = self.change
        return change if change is not None and change.is_decision_change else None

    @property
    def rank(self) -> tuple[int, int, int]:
        """Report order: drift first (new access first), then errors, failures, passes; then run order."""
        change = self.decision_change
        return (change.rank if change else 99, OUTCOME_RANK.get(self.cell.outcome, 0), self.index)


@dataclass
class GridEntry:
    """One principal x action of the small grid: the worst outcome, the distinct decisions, drift kinds."""

    outcome: str = "passed"
    decisions: list[str] = field(default_factory=list)
    drift_kinds: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, outcome: str, decision: str, drift_kind: str | None) -> None:
        self.count += 1
        if OUTCOME_RANK.get(outcome, 0) < OUTCOME_RANK.get(self.outcome, 0):
            self.outcome = outcome
        if decision not in self.decisions:
            self.decisions.append(decision)
        if drift_kind and drift_kind not in self.drift_kinds:
            self.drift_kinds.append(drift_kind)

    def merge(self, other: GridEntry) -> None:
        self.count += other.count
        if OUTCOME_RANK.get(other.outcome, 0) < OUTCOME_RANK.get(self.outcome, 0):
            self.outcome = other.outcome
        self.decisions += [d for d in other.decisions if d not in self.decisions]
        self.drift_kinds += [k for k in other.drift_kinds if k not in self.drift_kinds]


@dataclass
class SmallGrid:
    """Principal x action, rows and columns worst first (only for runs under the grid limit)."""

    principals: list[str]
    actions: list[str]
    cells: dict[tuple[str, str], GridEntry]


@dataclass
class SummaryMatrix:
    """Rows x services, worst first; `groups[(row, service)]` are counts in COUNT_FIELDS order."""

    rows: list[str]
    services: list[str]
    groups: dict[tuple[int, int], list[int]]
    # Per (account, principal, file) number, its row number (renderers that wrote numbers as they went).
    row_of_triple: list[int]
    triple_keys: list[tuple[str, str, str]]
    # Per action number, its service number.
    service_of_action: list[int]
    # Action names by number (first seen first) and their order worst first.
    actions: list[str]
    action_order: list[int]


class RunSummary:
    """Aggregates of one pass over a run's cells (see the module docstring)."""

    def __init__(
        self,
        metadata: dict[str, Any],
        errors: list[dict[str, Any]],
        *,
        grid_limit: int = 20_000,
        estate: list[dict[str, str]] | None = None,
    ):
        self.metadata = metadata
        self.errors = errors
        # The run's estate table (facts of covered resources), which report.json carries on.
        self.estate = list(estate or [])
        self.readiness = Readiness(self.estate)
        self.default_account = str(metadata.get("account") or "")
        self.outcomes: Counter[str] = Counter()
        self.vias: Counter[str] = Counter()
        self.scenarios: dict[tuple[str, str], Counter[str]] = {}
        self.held: list[PlacedCell] = []
        self._triples: dict[tuple[str, str, str], int] = {}
        self._triple_keys: list[tuple[str, str, str]] = []
        self._triple_rank: list[tuple[int, int]] = []
        self._actions: dict[str, int] = {}
        self._action_names: list[str] = []
        self._action_rank: list[tuple[int, int]] = []
        self._services: dict[str, int] = {}
        self._service_names: list[str] = []
        self._service_rank: list[tuple[int, int]] = []
        self._service_of_action: list[int] = []
        self._groups: dict[tuple[int, int], list[int]] = {}
        self._accounts: set[str] = set()
        self._files_of: dict[str, set[str]] = {}
        self.grid_limit = grid_limit
        self._grid: dict[tuple[int, int], GridEntry] | None = {}
        self.cell_count = 0

    # -- the pass ---------------------------------------------------------------------------------

    def _triple(self, account: str, cell: CellRecord) -> int:
        key = (account, cell.principal, cell.file)
        found = self._triples.get(key)
        if found is None:
            found = self._triples[key] = len(self._triple_keys)
            self._triple_keys.append(key)
            self._triple_rank.append(_CLEAN_RANK)
            self._accounts.add(account)
            self._files_of.setdefault(cell.principal, set()).add(cell.file)
        return found

    def _action(self, action: str) -> int:
        found = self._actions.get(action)
        if found is None:
            found = self._actions[action] = len(self._action_names)
            self._action_names.append(action)
            self._action_rank.append(_CLEAN_RANK)
            service = service_of(action)
            s = self._services.get(service)
            if s is None:
                s = self._services[service] = len(self._service_names)
                self._service_names.append(service)
                self._service_rank.append(_CLEAN_RANK)
            self._service_of_action.append(s)
        return found

    def add(self, index: int, cell: CellRecord, change: DriftChange | None) -> PlacedCell:
        """Count one cell; hold it when it is not a plain pass. `change`: its drift (or None)."""
        self.cell_count += 1
        account = cell.account or self.default_account
        outcome = cell.outcome
        self.outcomes[outcome] += 1
        if cell.via:
            self.vias[cell.via] += 1
        per = self.scenarios.get((cell.file, cell.scenario))
        if per is None:
            per = self.scenarios[(cell.file, cell.scenario)] = Counter()
        per[outcome] += 1
        if cell.covers:
            self.readiness.add(cell)
        t = self._triple(account, cell)
        a = self._action(cell.action)
        s = self._service_of_action[a]
        placed = PlacedCell(index, cell, account, change, t, a)
        decision_change = placed.decision_change
        decision = effective_decision(cell)
        counts = self._groups.get((t, s))
        if counts is None:
            counts = self._groups[(t, s)] = [0] * len(COUNT_FIELDS)
        counts[_CELLS] += 1
        if decision == "allowed":
            counts[_ALLOWED] += 1
        elif decision in DENIES:  # an error or a skipped cell decided nothing: never "denied"
            counts[_DENIED] += 1
        if outcome == "failed":
            counts[_FAILED] += 1
        elif outcome != "passed":
            counts[_ERROR] += 1
        if decision_change is not None:
            counts[_CHANGED] += 1
        if outcome != "passed" or decision_change is not None:
            self.held.append(placed)
            rank = placed.rank[:2]
            if rank < self._triple_rank[t]:
                self._triple_rank[t] = rank
            if rank < self._action_rank[a]:
                self._action_rank[a] = rank
            if rank < self._service_rank[s]:
                self._service_rank[s] = rank
        if self._grid is not None:
            entry = self._grid.get((t, a))
            if entry is None:
                if len(self._grid) >= self.grid_limit:
                    self._grid = None  # too large for a text grid: the summary matrix stands in
                    return placed
                entry = self._grid[(t, a)] = GridEntry()
            entry.add(outcome, decision, decision_change.kind.value if decision_change else None)
        return placed

    # -- after the pass ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            "cells": self.cell_count,
            "passed": self.outcomes.get("passed", 0),
            "failed": self.outcomes.get("failed", 0),
            "error": self.outcomes.get("error", 0),
            "skipped": self.outcomes.get("skipped", 0),  # not evaluated: not in the account model
            "load_errors": len(self.errors),
        }

    def held_in_order(self) -> list[PlacedCell]:
        """Held cells in report order (drift first, then errors, failures)."""
        self.held.sort(key=lambda p: p.rank)
        return self.held

    def failures(self) -> list[PlacedCell]:
        return [p for p in self.held_in_order() if p.cell.outcome != "passed"]

    def _labels(self) -> list[str]:
        multi = len(self._accounts) > 1
        shared = {name for name, files in self._files_of.items() if len(files) > 1}
        labels = []
        for account, principal, file in self._triple_keys:
            label = principal
            if principal in shared and file:
                label = f"{label} ({file})"
            # A cell without its own account falls back to metadata.account, which lists every
            # account of a multi-account run ("a,b"): that names no one account, so no prefix.
            if multi and account and "," not in account and account not in principal:
                label = f"{account}:{label}"
            labels.append(label)
        return labels

    def matrix(self) -> SummaryMatrix:
        labels = self._labels()
        row_rank: dict[str, tuple[int, int]] = {}
        for label, rank in zip(labels, self._triple_rank, strict=True):
            row_rank[label] = min(row_rank.get(label, rank), rank)
        rows = sorted(row_rank, key=lambda r: (row_rank[r], r))
        row_no = {r: i for i, r in enumerate(rows)}
        row_of_triple = [row_no[label] for label in labels]
        s_order = sorted(
            range(len(self._service_names)), key=lambda s: (self._service_rank[s], self._service_names[s])
        )
        s_no = {s: i for i, s in enumerate(s_order)}
        groups: dict[tuple[int, int], list[int]] = {}
        for (t, s), counts in self._groups.items():
            key = (row_of_triple[t], s_no[s])
            found = groups.get(key)
            if found is None:
                groups[key] = list(counts)
            else:
                for i, n in enumerate(counts):
                    found[i] += n
        action_order = sorted(
            range(len(self._action_names)), key=lambda a: (self._action_rank[a], self._action_names[a])
        )
        return SummaryMatrix(
            rows=rows,
            services=[self._service_names[s] for s in s_order],
            groups=groups,
            row_of_triple=row_of_triple,
            triple_keys=list(self._triple_keys),
            service_of_action=[s_no[s] for s in self._service_of_action],
            actions=list(self._action_names),
            action_order=action_order,
        )

    def grid(self) -> SmallGrid | None:
        """The principal x action grid, or None when the run was too large to keep one."""
        if self._grid is None:
            return None
        labels = self._labels()
        cells: dict[tuple[str, str], GridEntry] = {}
        row_rank: dict[str, tuple[int, int]] = {}
        col_rank: dict[str, tuple[int, int]] = {}
        for (t, a), entry in self._grid.items():
            label, action = labels[t], self._action_names[a]
            found = cells.get((label, action))
            if found is None:
                cells[(label, action)] = GridEntry(
                    entry.outcome, list(entry.decisions), list(entry.drift_kinds), entry.count
                )
            else:
                found.merge(entry)
            rank = self._triple_rank[t]
            row_rank[label] = min(row_rank.get(label, rank), rank)
            col_rank[action] = min(col_rank.get(action, self._action_rank[a]), self._action_rank[a])
        return SmallGrid(
            principals=sorted(row_rank, key=lambda p: (row_rank[p], p)),
            actions=sorted(col_rank, key=lambda a: (col_rank[a], a)),
            cells=cells,
        )

    @property
    def row_count(self) -> int:
        return len(set(self._labels()))

    @property
    def action_count(self) -> int:
        return len(self._action_names)


def summarise(
    metadata: dict[str, Any],
    errors: list[dict[str, Any]],
    cells: Iterable[CellRecord],
    drift: Drift | None = None,
    estate: list[dict[str, str]] | None = None,
) -> RunSummary:
    """A summary of `cells` (an iterable of CellRecord), with drift looked up in a ready `drift`."""
    summary = RunSummary(metadata, errors, estate=estate)
    for i, cell in enumerate(cells):
        change = drift.lookup(cell.account or summary.default_account, cell) if drift else None
        summary.add(i, cell, change)
    return summary


def summarise_run(run: RunResult, drift: Drift | None = None) -> RunSummary:
    """`summarise` for a run in memory, redacted once on the way (RunSource.from_run)."""
    from harness.reports.source import RunSource

    source = RunSource.from_run(run)
    return summarise(source.metadata, source.errors, source.cells(), drift, source.estate)
