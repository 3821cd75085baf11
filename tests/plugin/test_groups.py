"""Which cells share a grouped item, and the item's name."""

from __future__ import annotations

from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.plugin.groups import group_by_scenario


def _cell(scenario: str, line: int, principal: str, action: str) -> Cell:
    return Cell(
        id=f"f.yaml::{scenario}[{principal}|{action}|*]",
        source=SourceRef("f.yaml", line, scenario),
        subject=Subject(principal_arn=f"arn:aws:iam::1:role/{principal}"),
        action=action,
        resource="*",
        expected=Expectation.ALLOWED,
        principal_label=principal,
    )


def test_one_group_per_scenario_and_principal_in_file_order():
    cells = [
        _cell("s", 3, "a", "kms:Decrypt"),
        _cell("s", 3, "b", "kms:Decrypt"),
        _cell("s", 3, "a", "kms:Encrypt"),
    ]
    groups = group_by_scenario(enumerate(cells))
    assert [g.name for g in groups] == ["s[a]", "s[b]"]
    assert [[i for i, _c in g.cells] for g in groups] == [[0, 2], [1]]


def test_a_scenario_name_written_twice_gets_a_numbered_group():
    cells = [_cell("s", 3, "a", "kms:Decrypt"), _cell("s", 9, "a", "kms:Decrypt")]
    assert [g.name for g in group_by_scenario(enumerate(cells))] == ["s[a]", "s[a]#2"]


def test_node_id_separators_and_newlines_leave_the_name():
    cells = [_cell("x::y\nz", 3, "arn:aws:iam::1:role/r", "kms:Decrypt")]
    assert group_by_scenario(enumerate(cells))[0].name == "x:y z[arn:aws:iam:1:role/r]"
