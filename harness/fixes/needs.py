"""Which results get a fix: a cell that expected `allowed` and was denied.

The decision is the one the cell is judged on (`cells.judge`): the enforced decision when the
scenario asks for it (`enforced: true`) and the backend gave one, else the simulator's. An
error is never fixed (it is no decision), nor a compare-mode disagreement (the backends
disagree on the facts, not on a missing permission).
"""

from __future__ import annotations

from harness.cells import Cell, CellDecision, CellResult, Expectation, judged_decision

DENIALS = frozenset({CellDecision.EXPLICIT_DENY, CellDecision.IMPLICIT_DENY})


def needs_fix(cell: Cell, result: CellResult) -> bool:
    if cell.expected is not Expectation.ALLOWED or result.is_error or result.disagreement:
        return False
    return judged_decision(cell, result) in DENIALS
