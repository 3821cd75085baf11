from harness.model import CellResult, Expectation


def test_denied_expectation_accepts_both_kinds_of_deny():
    assert Expectation.DENIED.accepts("explicitDeny")
    assert Expectation.DENIED.accepts("implicitDeny")
    assert not Expectation.DENIED.accepts("allowed")


def test_error_is_never_accepted_by_any_expectation():
    for expectation in Expectation:
        assert not expectation.accepts("error")


def test_error_result_reports_is_error():
    assert CellResult(cell_id="c", backend="offline", decision="error", error="boom").is_error
