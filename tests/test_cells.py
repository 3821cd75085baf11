import pytest

from harness.cells import CellDecision, CellResult, Expectation
from harness.engine.types import Decision


def test_denied_expectation_accepts_both_kinds_of_deny():
    assert Expectation.DENIED.accepts("explicitDeny")
    assert Expectation.DENIED.accepts("implicitDeny")
    assert not Expectation.DENIED.accepts("allowed")


def test_error_is_never_accepted_by_any_expectation():
    for expectation in Expectation:
        assert not expectation.accepts("error")


def test_error_result_reports_is_error():
    assert CellResult(cell_id="c", backend="offline", decision="error", error="boom").is_error


def test_a_result_holds_its_decision_as_the_enum_whatever_the_backend_passed():
    result = CellResult(cell_id="c", backend="b", decision=Decision.ALLOWED, enforced_decision="implicitDeny")
    assert result.decision is CellDecision.ALLOWED
    assert result.enforced_decision is CellDecision.IMPLICIT_DENY


def test_a_result_with_a_value_that_is_no_decision_is_refused():
    with pytest.raises(ValueError):
        CellResult(cell_id="c", backend="b", decision="Allowed")  # not the API's spelling
