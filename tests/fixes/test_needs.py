"""Which results get a fix: expected `allowed`, denied on the decision the cell is judged on."""

from __future__ import annotations

from dataclasses import replace

from harness.cells import Cell, CellResult, Expectation, SourceRef, Subject
from harness.fixes.needs import needs_fix

CELL = Cell(
    "c",
    SourceRef("f.yaml", 1, "s"),
    Subject(principal_arn="arn:aws:iam::1:role/r"),
    "kms:Decrypt",
    "*",
    Expectation.ALLOWED,
)


def test_a_denied_cell_that_expected_allowed_needs_a_fix():
    assert needs_fix(CELL, CellResult("c", "offline", "implicitDeny"))
    assert needs_fix(CELL, CellResult("c", "offline", "explicitDeny"))


def test_an_expected_deny_an_error_or_a_disagreement_needs_none():
    assert not needs_fix(
        replace(CELL, expected=Expectation.DENIED), CellResult("c", "offline", "implicitDeny")
    )
    assert not needs_fix(CELL, CellResult("c", "offline", "error"))
    assert not needs_fix(CELL, CellResult("c", "compare", "implicitDeny", disagreement="aws says allowed"))


def test_the_enforced_decision_counts_when_the_cell_checks_it():
    result = CellResult("c", "offline", "allowed", enforced_decision="implicitDeny")
    assert not needs_fix(CELL, result)
    assert needs_fix(replace(CELL, check_enforced=True), result)
