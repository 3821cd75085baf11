from harness.reports.terminal import cell_text
from harness.run.result import CellRecord


def _record(**kw) -> CellRecord:
    base = dict(
        id="c",
        principal="p",
        action="kms:Decrypt",
        resource="*",
        expected="denied",
        actual="allowed",
        outcome="passed",
        backend="offline",
    )
    base.update(kw)
    return CellRecord(**base)


def test_matrix_shows_the_enforced_decision_when_the_cell_is_judged_on_it():
    text = cell_text(_record(enforced="implicitDeny", check_enforced=True))
    assert text == "implicitDeny (enforced; simulator allowed)"


def test_matrix_shows_the_enforced_decision_beside_the_simulators_when_they_differ():
    assert (
        cell_text(_record(expected="allowed", enforced="implicitDeny")) == "allowed (enforced implicitDeny)"
    )


def test_matrix_marks_a_failed_cell_with_what_was_wanted():
    text = cell_text(_record(expected="allowed", actual="implicitDeny", outcome="failed"))
    assert text == "FAIL implicitDeny (want allowed)"
