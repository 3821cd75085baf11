"""Every way a call can fail becomes an error cell naming its cause; the rest of the run goes on."""

from __future__ import annotations

import pytest
from aws_builders import BUCKET, ROLE_ARN, allow, aws_backend, cell, custom, identity_policy, principal

from harness.backends.aws import AwsBackend, AwsOptions
from harness.cells import Outcome, judge
from harness.testing.iam_endpoint import THROTTLE, LocalIamEndpoint, ScriptedError


def _custom_cells() -> list:
    return [cell(custom(identity_policy(allow("s3:GetObject"))), "s3:GetObject", f"{BUCKET}/k")]


def test_throttled_calls_are_retried_until_they_succeed(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", THROTTLE, THROTTLE, THROTTLE)
    backend = aws_backend(endpoint.url, max_attempts=5)
    [result] = backend.evaluate(_custom_cells())
    assert result.decision == "allowed"
    meta = backend.metadata()
    assert meta["throttles"] == 3
    assert meta["retries"] == 3
    assert endpoint.calls["SimulateCustomPolicy"] == 4


def test_throttling_that_never_ends_becomes_error_cells(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.throttle_forever = True
    [result] = aws_backend(endpoint.url, max_attempts=3).evaluate(_custom_cells())
    assert result.is_error
    assert "throttled" in (result.error or "")
    assert "after 3 attempts" in (result.error or "")
    assert endpoint.calls["SimulateCustomPolicy"] == 3


def test_a_throttle_lowers_the_learned_rate(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", THROTTLE)
    backend = aws_backend(endpoint.url)
    backend.evaluate(_custom_cells())
    assert backend.metadata()["learned_rate_per_second"] is not None


def test_access_denied_on_the_simulate_call_is_an_error_cell(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script(
        "SimulateCustomPolicy",
        ScriptedError("AccessDenied", "not authorized to iam:SimulateCustomPolicy", 403),
    )
    [result] = aws_backend(endpoint.url).evaluate(_custom_cells())
    assert result.is_error
    assert (result.error or "").startswith("SimulateCustomPolicy failed: access denied: AccessDenied")
    assert endpoint.calls["SimulateCustomPolicy"] == 1  # not retried


def test_unknown_principal_is_an_error_cell_and_other_cells_go_on(
    endpoint: LocalIamEndpoint, alice: str
) -> None:
    cells = [
        cell(principal(ROLE_ARN), "s3:GetObject", f"{BUCKET}/k"),
        cell(principal(alice), "s3:GetObject", f"{BUCKET}/k"),
    ]
    missing, present = aws_backend(endpoint.url).evaluate(cells)
    assert missing.is_error
    assert "no such entity" in (missing.error or "")
    assert judge(cells[0], missing) is Outcome.ERROR
    assert present.decision == "allowed"


def test_a_dropped_connection_is_retried_as_a_network_error(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", ScriptedError("", drop=True))
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate(_custom_cells())
    assert result.decision == "allowed"
    assert backend.metadata()["retries"] == 1


def test_an_unreachable_endpoint_is_a_network_error_cell() -> None:
    backend = aws_backend("http://127.0.0.1:9", max_attempts=2, connect_timeout=0.5)
    [result] = backend.evaluate(_custom_cells())
    assert result.is_error
    assert "network error" in (result.error or "")


def test_expired_credentials_are_an_error_cell(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script(
        "SimulateCustomPolicy", ScriptedError("ExpiredToken", "The security token included is expired", 403)
    )
    [result] = aws_backend(endpoint.url).evaluate(_custom_cells())
    assert result.is_error
    assert "expired credentials" in (result.error or "")


def test_expired_credentials_at_start_make_every_cell_an_error(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("GetCallerIdentity", ScriptedError("ExpiredToken", "expired", 403))
    results = aws_backend(endpoint.url).evaluate(_custom_cells() * 2)
    assert all(r.is_error and "expired credentials" in (r.error or "") for r in results)
    assert endpoint.calls["SimulateCustomPolicy"] == 0


def test_missing_credentials_are_an_error_cell(
    endpoint: LocalIamEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    [result] = aws_backend(endpoint.url).evaluate(_custom_cells())
    assert result.is_error
    assert "missing credentials" in (result.error or "")
    assert endpoint.calls["GetCallerIdentity"] == 0


def test_unknown_profile_is_an_error_cell(endpoint: LocalIamEndpoint) -> None:
    backend = AwsBackend(AwsOptions(profile="nope", endpoint_url=endpoint.url))
    [result] = backend.evaluate(_custom_cells())
    assert result.is_error
    assert "profile" in (result.error or "")


def test_a_failed_request_is_not_cached(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", ScriptedError("AccessDenied", "denied", 403))
    backend = aws_backend(endpoint.url)
    [first] = backend.evaluate(_custom_cells())
    [second] = backend.evaluate(_custom_cells())
    assert first.is_error
    assert second.decision == "allowed"


def test_server_errors_are_retried(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", ScriptedError("ServiceUnavailable", "try later", 503))
    [result] = aws_backend(endpoint.url).evaluate(_custom_cells())
    assert result.decision == "allowed"


def test_no_test_can_reach_beyond_loopback() -> None:
    import socket

    with socket.socket() as s, pytest.raises(AssertionError, match="only loopback"):
        s.connect(("iam.amazonaws.com", 443))


def test_an_internal_failure_becomes_error_cells(endpoint: LocalIamEndpoint) -> None:
    backend = aws_backend(endpoint.url)

    def broken(pattern: str) -> list[str]:
        raise RuntimeError("catalog exploded")

    backend._expand_action = broken
    cells = [cell(custom(identity_policy(allow("s3:*"))), "s3:Get*"), *_custom_cells()]
    wildcard, plain = backend.evaluate(cells)
    assert wildcard.is_error and "catalog exploded" in (wildcard.error or "")
    assert plain.decision == "allowed"


def test_a_response_cut_off_mid_body_is_retried_as_a_network_error(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", ScriptedError("", truncate=True))
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate(_custom_cells())
    assert result.decision == "allowed"
    assert backend.metadata()["retries"] == 1
    assert endpoint.calls["SimulateCustomPolicy"] == 2


def test_a_reset_connection_is_retried_as_a_network_error(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", ScriptedError("", reset=True))
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate(_custom_cells())
    assert result.decision == "allowed"
    assert backend.metadata()["retries"] == 1


def test_responses_cut_off_every_time_end_as_network_error_cells(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.script("SimulateCustomPolicy", *[ScriptedError("", truncate=True)] * 3)
    [result] = aws_backend(endpoint.url, max_attempts=3).evaluate(_custom_cells())
    assert result.is_error
    assert "network error" in (result.error or "")


def test_endless_throttling_stops_after_max_stall_with_error_cells(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.throttle_forever = True
    backend = aws_backend(endpoint.url, max_attempts=1_000_000, max_stall=0.2)
    cells = [
        cell(custom(identity_policy(allow("s3:GetObject"), name=f"doc{i}")), "s3:GetObject", f"{BUCKET}/k")
        for i in range(6)
    ]
    results = backend.evaluate(cells)
    assert all(r.is_error and "throttled: no successful call for" in (r.error or "") for r in results)
    assert backend.metadata()["api_calls"] < 1_000_000


def test_after_a_stall_later_cells_fail_without_calling_aws(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.throttle_forever = True
    backend = aws_backend(endpoint.url, max_attempts=1_000_000, max_stall=0.2)
    backend.evaluate(_custom_cells())
    calls = endpoint.calls["SimulateCustomPolicy"]
    endpoint.faults.throttle_forever = False
    [later] = backend.evaluate([cell(custom(identity_policy(allow("s3:PutObject"))), "s3:PutObject", BUCKET)])
    assert later.is_error and "no successful call" in (later.error or "")
    assert endpoint.calls["SimulateCustomPolicy"] == calls


def test_missing_credentials_are_found_once_per_backend(
    endpoint: LocalIamEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    backend = aws_backend(endpoint.url)
    assert "missing credentials" in (backend.unavailable_reason() or "")
    [result] = backend.evaluate(_custom_cells())
    assert result.is_error and "missing credentials" in (result.error or "")
