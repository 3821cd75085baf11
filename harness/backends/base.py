"""The one interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from harness.cells import Cell, CellResult


@runtime_checkable
class Backend(Protocol):
    """Evaluate many cells at once; return exactly one result per cell, in order.

    A backend batches as it sees fit. It never raises for one bad cell: a
    failure to evaluate becomes an error result for the cells it touches.
    """

    name: str

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]: ...

    def metadata(self) -> dict[str, object]:
        """Run metadata for the report (account, caller, region, API calls, ...)."""
        ...
