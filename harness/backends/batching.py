"""Group cells into simulator-shaped requests.

Cells that share everything but action and resource can be answered by one
simulator call over ActionNames x ResourceArns. Both backends use this; the
AWS backend splits batches further to respect the API's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.cells import Cell, Subject
from harness.engine.types import ContextEntry, PolicySource


@dataclass(frozen=True)
class BatchKey:
    subject: Subject
    resource_policy: PolicySource | None
    resource_owner: str | None
    context: tuple[ContextEntry, ...]
    scp_levels: tuple[tuple[PolicySource, ...], ...]
    rcp_levels: tuple[tuple[PolicySource, ...], ...]
    policy_exclusions: tuple[str, ...]


@dataclass
class Batch:
    key: BatchKey
    cells: list[Cell]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.action for c in self.cells))

    @property
    def resources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.resource for c in self.cells))


def batch_key(cell: Cell) -> BatchKey:
    return BatchKey(
        subject=cell.subject,
        resource_policy=cell.resource_policy,
        resource_owner=cell.resource_owner,
        context=tuple(sorted(cell.context, key=lambda e: e.key.lower())),
        scp_levels=cell.scp_levels,
        rcp_levels=cell.rcp_levels,
        policy_exclusions=cell.policy_exclusions,
    )


def group_cells(cells: Sequence[Cell]) -> list[Batch]:
    """Batches in first-seen order; identical requests from different scenarios share one batch."""
    batches: dict[BatchKey, Batch] = {}
    for cell in cells:
        key = batch_key(cell)
        batch = batches.get(key)
        if batch is None:
            batches[key] = batch = Batch(key=key, cells=[])
        batch.cells.append(cell)
    return list(batches.values())
