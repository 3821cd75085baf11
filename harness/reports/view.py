"""The matrix grid and the order of cells that the terminal table, Markdown and HTML share.

Keeping this in one place means the formats agree on which cells come first and what a
matrix cell shows. What one cell shows (its decision, its labels) is harness/reports/cellfields.py,
below drift, which this module reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.reports.cellfields import OUTCOME_RANK, cell_account, effective_decision
from harness.reports.drift import Drift
from harness.run.result import CellRecord, RunResult


def ordered_cells(run: RunResult, drift: Drift | None = None) -> list[CellRecord]:
    """Cells in report order: drifted cells first, then errors, failures, passes (stable)."""

    def rank(item: tuple[int, CellRecord]) -> tuple[int, int, int]:
        index, cell = item
        change = drift.changed(run, cell) if drift else None
        drift_rank = change.rank if change else 99
        return (drift_rank, OUTCOME_RANK.get(cell.outcome, 0), index)

    return [cell for _, cell in sorted(enumerate(run.cells), key=rank)]


def multi_account(run: RunResult) -> bool:
    return len({cell_account(run, c) for c in run.cells}) > 1


def names_in_several_files(run: RunResult) -> frozenset[str]:
    """Principal names that two scenario files both define: different identities, so different rows."""
    files: dict[str, set[str]] = {}
    for cell in run.cells:
        files.setdefault(cell.principal, set()).add(cell.file)
    return frozenset(name for name, found in files.items() if len(found) > 1)


def principal_label(
    run: RunResult, cell: CellRecord, multi: bool, shared: frozenset[str] = frozenset()
) -> str:
    """Row label; in a merged run of several accounts a label without the account gets it as a prefix,
    and a name that several files define (`shared`) gets its file."""
    label = cell.principal
    if cell.principal in shared and cell.file:
        label = f"{label} ({cell.file})"
    account = cell_account(run, cell)
    if multi and account and account not in cell.principal:
        return f"{account}:{label}"
    return label


@dataclass
class GridCell:
    """All cells for one principal x action (several resources or contexts may share it)."""

    cells: list[CellRecord] = field(default_factory=list)
    drift_kinds: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return min((c.outcome for c in self.cells), key=lambda o: OUTCOME_RANK.get(o, 0))

    @property
    def decisions(self) -> list[str]:
        seen: list[str] = []
        for c in self.cells:
            d = effective_decision(c)
            if d not in seen:
                seen.append(d)
        return seen


@dataclass
class Grid:
    principals: list[str]
    actions: list[str]
    cells: dict[tuple[str, str], GridCell]


def build_grid(run: RunResult, drift: Drift | None = None) -> Grid:
    """Principal x action grid; rows and columns holding drift or failures come first."""
    multi = multi_account(run)
    shared = names_in_several_files(run)
    grid: dict[tuple[str, str], GridCell] = {}
    row_rank: dict[str, tuple[int, int]] = {}
    col_rank: dict[str, tuple[int, int]] = {}
    for cell in ordered_cells(run, drift):
        p = principal_label(run, cell, multi, shared)
        gc = grid.setdefault((p, cell.action), GridCell())
        gc.cells.append(cell)
        change = drift.changed(run, cell) if drift else None
        if change and change.kind not in gc.drift_kinds:
            gc.drift_kinds.append(change.kind)
        rank = (change.rank if change else 99, OUTCOME_RANK.get(cell.outcome, 0))
        row_rank[p] = min(row_rank.get(p, rank), rank)
        col_rank[cell.action] = min(col_rank.get(cell.action, rank), rank)
    principals = sorted(row_rank, key=lambda p: (row_rank[p], p))
    actions = sorted(col_rank, key=lambda a: (col_rank[a], a))
    return Grid(principals=principals, actions=actions, cells=grid)
