"""What items and the session need of a scenario file's collector node.

The collector (collection.py) builds items and asks the session to evaluate; items and the
session only read the node through this interface, so neither imports the collector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pytest

from harness.cells import Cell, CellResult
from harness.scenarios import ScenarioFile


class ScenarioFileLike(Protocol):
    """A collected scenario file: what it loaded (None when it could not be loaded), its session,
    and the results of its cells (evaluated once per file, on first request)."""

    loaded: ScenarioFile | None
    session: pytest.Session

    def results_for(self, cells: Sequence[Cell]) -> list[CellResult]: ...
