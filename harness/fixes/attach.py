"""Fixes attached to a file's results: the blocked cells only, at a bounded cost per file.

Nothing is done unless a cell that expected `allowed` was denied: a passing run costs one
look at each result. Per file at most MAX_FIXES cells get a computed fix and at most
MAX_REEVALUATIONS cells are evaluated again for them (the blocked cells and the
expected-deny cells their changes reach); past either bound a blocked cell's fix says it
was not computed, and why. Only the file being fixed is kept (its expected-deny cells'
index), so memory follows one file, not the run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.cells import Cell, CellResult, Fix
from harness.fixes.keys import ConditionKeys
from harness.fixes.needs import needs_fix

if TYPE_CHECKING:  # imported on the first blocked cell: a passing run never loads them
    from harness.account import AccountModel
    from harness.backends.offline import SimulationEngine
    from harness.fixes.fixer import FileFixContext

MAX_FIXES = 1_000
MAX_REEVALUATIONS = 200_000


@dataclass(frozen=True)
class FixableFile:
    """What the fixes need of one scenario file: its cells (all of them: the expected-deny ones
    are checked against), its account model and the backend that answered."""

    key: str
    cells: Sequence[Cell]
    model: AccountModel | None
    backend: str


@dataclass
class _FileState:
    key: str
    context: FileFixContext
    fixed: int = 0


def _default_engine() -> SimulationEngine:
    from harness.engine import Engine

    return Engine(explain=False)


class Fixes:
    """A run's fixes: one engine, the state of the file being fixed."""

    def __init__(self, engine: Callable[[], SimulationEngine] = _default_engine) -> None:
        self._make_engine = engine
        self._engine: SimulationEngine | None = None
        self._keys = ConditionKeys()  # the catalog is read on the first fix, not before
        self._state: _FileState | None = None
        # Cells fixed per file: a file whose chunks interleave with another's keeps its count.
        self._fixed: dict[str, int] = {}

    def attach(
        self, file: FixableFile, cells: Sequence[Cell], results: Sequence[CellResult]
    ) -> list[CellResult]:
        """`results` with a `fix` on each blocked cell (the same results when none is blocked)."""
        out = list(results)
        for i, (cell, result) in enumerate(zip(cells, results, strict=True)):
            if needs_fix(cell, result):
                try:
                    fix = self._fix(file, cell, result)
                except Exception as exc:  # a bug in a fix must not hide the failure it is attached to
                    why = f"internal error in harness.fixes: {type(exc).__name__}: {exc}"
                    fix = Fix((), False, f"not computed: {why}")
                out[i] = dataclasses.replace(result, fix=fix)
        return out

    def _fix(self, file: FixableFile, cell: Cell, result: CellResult) -> Fix:
        state = self._state_for(file)
        if state.fixed >= MAX_FIXES:
            return Fix((), False, f"not computed: more than {MAX_FIXES} blocked cells in this file")
        if state.context.reevaluator.evaluations >= MAX_REEVALUATIONS:
            return Fix(
                (),
                False,
                f"not computed: this file's fixes have re-evaluated {MAX_REEVALUATIONS} cells already",
            )
        state.fixed += 1
        self._fixed[file.key] = state.fixed
        from harness.fixes.fixer import fix_for

        return fix_for(cell, result, state.context)

    def _state_for(self, file: FixableFile) -> _FileState:
        from harness.fixes.fixer import FileFixContext
        from harness.fixes.leaks import LeakCheck
        from harness.fixes.reevaluate import Reevaluator

        if self._state is None or self._state.key != file.key:
            if self._engine is None:
                self._engine = self._make_engine()
            reevaluator = Reevaluator(self._engine)
            leaks = LeakCheck(file.cells, file.model, reevaluator)
            context = FileFixContext(file.model, reevaluator, leaks, file.backend, self._keys)
            self._state = _FileState(file.key, context, self._fixed.get(file.key, 0))
        return self._state
