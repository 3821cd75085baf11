"""Cells evaluated again by the offline engine, in the world a fix makes.

The same request the offline backend builds (the account model's policies, the cell's own
documents), answered by an engine of the fixes' own so the run's backend counts only the
run's cells. A cell whose resource policy the capture could not read is an error here as
in the backend: a fix is never proven on a policy assumed absent.

`Limit`s can be lifted from one request (its SCPs, RCPs, permissions boundary or session
policies left out) to tell which of them still blocks a cell once everything a fix may
change allows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from harness.account import AccountModel
from harness.backends.batching import Batch, batch_key
from harness.backends.offline import OfflineBackend, SimulationEngine
from harness.cells import Cell, CellDecision, judged_decision
from harness.engine.errors import SimulationError
from harness.engine.types import MatchedStatement, SimulationInput, SimulationOutput


class Limit(StrEnum):
    """What a fix does not change: limits set by others, or by the caller at sign-in."""

    SCP = "SCP"
    RCP = "RCP"
    BOUNDARY = "permissions boundary"
    SESSION = "session policy"


@dataclass(frozen=True)
class Answer:
    """The engine's answer for one cell: both decisions and the statements behind them."""

    decision: CellDecision
    enforced: CellDecision | None = None
    matched: tuple[MatchedStatement, ...] = ()
    request: SimulationInput | None = None
    error: str | None = None

    def judged(self, cell: Cell) -> CellDecision:
        """The decision the cell is judged on (cells.judge): enforced when the cell asks for it."""
        if self.error is not None:
            return CellDecision.ERROR
        if cell.check_enforced and self.enforced is not None:
            return self.enforced
        return self.decision

    @property
    def both_allowed(self) -> bool:
        """The simulator and the service (where it decides otherwise) both allow."""
        return self.decision is CellDecision.ALLOWED and self.enforced in (None, CellDecision.ALLOWED)


class Reevaluator:
    """Asks the engine; counts the cells it asked about (the per-file budget reads it)."""

    def __init__(self, engine: SimulationEngine) -> None:
        self.engine = engine
        self.evaluations = 0

    def answer(
        self, cell: Cell, model: AccountModel | None, lifted: frozenset[Limit] = frozenset()
    ) -> Answer:
        self.evaluations += 1
        gap = None
        if model is not None and cell.resource_policy is None:
            gap = model.resource_gap(cell.resource)
        if gap:
            return Answer(CellDecision.ERROR, error=f"{cell.resource}: {gap}")
        try:
            request = _lift(self.request(cell, model), lifted)
            output = self.engine.simulate(request)
        except SimulationError as exc:
            return Answer(CellDecision.ERROR, error=f"{exc.code}: {exc.message}")
        except Exception as exc:  # an engine bug is no proof either way
            return Answer(CellDecision.ERROR, error=f"internal error: {type(exc).__name__}: {exc}")
        return _answer_for(cell, output, request)

    def judged(self, cells: Sequence[Cell], model: AccountModel | None) -> list[CellDecision]:
        """The judged decision of each cell (errors as `error`), batched as the backend batches."""
        self.evaluations += len(cells)
        results = OfflineBackend(model, self.engine).evaluate(cells)
        pairs = zip(cells, results, strict=True)
        return [CellDecision.ERROR if r.is_error else judged_decision(c, r) for c, r in pairs]

    def request(self, cell: Cell, model: AccountModel | None) -> SimulationInput:
        """The engine's input for `cell` (SimulationError when it cannot be built)."""
        return OfflineBackend(model, self.engine).simulation_input(Batch(batch_key(cell), [cell]))


def _lift(request: SimulationInput, lifted: frozenset[Limit]) -> SimulationInput:
    if not lifted:
        return request
    return dataclasses.replace(
        request,
        scp_levels=() if Limit.SCP in lifted else request.scp_levels,
        rcp_levels=() if Limit.RCP in lifted else request.rcp_levels,
        permissions_boundaries=() if Limit.BOUNDARY in lifted else request.permissions_boundaries,
        session_policies=() if Limit.SESSION in lifted else request.session_policies,
    )


def _answer_for(cell: Cell, output: SimulationOutput, request: SimulationInput) -> Answer:
    wanted = cell.action.lower()
    for er in output.results:
        if er.action.lower() != wanted:
            continue
        found = next((rr for rr in er.resource_results if rr.resource == cell.resource), None)
        source = found if found is not None else er
        enforced = source.enforced_decision or er.enforced_decision
        return Answer(
            decision=CellDecision(source.decision),
            enforced=CellDecision(enforced) if enforced is not None else None,
            matched=tuple(source.matched_statements),
            request=request,
        )
    return Answer(CellDecision.ERROR, error=f"the engine returned no result for {cell.action}")


def denies(answer: Answer) -> tuple[MatchedStatement, ...]:
    """The deny statements behind an explicit deny (MatchedStatements list only those then)."""
    return tuple(m for m in answer.matched if m.effect == "Deny")
