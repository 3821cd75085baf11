"""What every report format shares: cell identity, effective decision, ordering, the matrix grid.

Keeping this in one place means the terminal table, Markdown, HTML and CSV
agree on which cells come first and what a matrix cell shows.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.run.result import CellRecord, RunResult

if TYPE_CHECKING:
    from harness.reports.drift import Drift

DENIES = frozenset({"explicitDeny", "implicitDeny"})
# Worst first: an error hides more than a failure, a failure more than a pass.
OUTCOME_RANK = {"error": 0, "failed": 1, "passed": 2}


def cell_account(run: RunResult, cell: CellRecord) -> str:
    return cell.account or str(run.metadata.get("account") or "")


def effective_decision(cell: CellRecord) -> str:
    """What the service does: the enforced decision where the backend knows it, else the simulator's."""
    if cell.actual == "error":
        return "error"
    return cell.enforced or cell.actual


def request_key(account: str, cell: CellRecord) -> str:
    """The request a cell asks about, independent of which scenario or test id asked it.

    Drift compares requests: the same principal, action, resource and context
    in the same account, whatever the scenario file or cell id is called now.
    """
    context = (
        json.dumps(
            sorted((e.get("key", ""), list(e.get("values", [])), e.get("type", "")) for e in cell.context),
            separators=(",", ":"),
        )
        if cell.context
        else "[]"  # what json.dumps gives for no context, without the call
    )
    return "|".join((account, cell.principal, cell.action, cell.resource, context))


def counts(run: RunResult) -> dict[str, int]:
    c = Counter(cell.outcome for cell in run.cells)
    return {
        "cells": len(run.cells),
        "passed": c.get("passed", 0),
        "failed": c.get("failed", 0),
        "error": c.get("error", 0),
        "load_errors": len(run.errors),
    }


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


def statement_label(stmt: dict) -> str:
    """`policy#sid (Effect) L3-L9` for a deciding statement."""
    sid = stmt.get("sid")
    name = str(stmt.get("policy_id", "?")) + (f"#{sid}" if sid else "")
    effect = stmt.get("effect")
    lines = ""
    if stmt.get("start_line"):
        lines = f" L{stmt.get('start_line')}-L{stmt.get('end_line', stmt.get('start_line'))}"
    return f"{name}{f' ({effect})' if effect else ''}{lines}"


def decision_text(cell: CellRecord) -> str:
    """The simulator's decision, with the enforced one when it differs."""
    if cell.enforced and cell.enforced != cell.actual:
        return f"{cell.actual} (enforced: {cell.enforced})"
    return cell.actual
