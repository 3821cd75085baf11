"""`pytest --iam-backend aws|compare` end to end, against the loopback endpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.run.stream import load_document
from harness.testing.iam_endpoint import LocalIamEndpoint, ScriptedError

pytest_plugins = ["pytester"]

SELF = Path(__file__).resolve().parents[2] / "scenarios" / "harness-self"


def _copy_scenarios(pytester) -> None:
    # The harness's own policy only: the capture's (capture-least-privilege.yaml) has its own test.
    shutil.copytree(SELF, pytester.path / "scenarios", ignore=shutil.ignore_patterns("capture-*"))


def test_least_privilege_scenario_passes_on_the_aws_backend(pytester, endpoint: LocalIamEndpoint) -> None:
    _copy_scenarios(pytester)
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-aws-region", "us-east-1",
        "--iam-no-reports",
    )  # fmt: skip
    result.assert_outcomes(passed=460)
    run = load_document(pytester.path / "reports" / "run.json")
    meta = run["metadata"]["backend_metadata"]
    assert meta["account"] == "123456789012"
    assert meta["api_calls"] >= 2


def test_compare_mode_fails_nothing_when_engine_and_simulator_agree(
    pytester, endpoint: LocalIamEndpoint
) -> None:
    _copy_scenarios(pytester)
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "compare",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    result.assert_outcomes(passed=460)


def test_an_access_denied_simulator_makes_errors_not_passes(pytester, endpoint: LocalIamEndpoint) -> None:
    _copy_scenarios(pytester)
    endpoint.faults.script("SimulateCustomPolicy", *[ScriptedError("AccessDenied", "no", 403)] * 50)
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    assert outcomes["errors"] == 460
    result.stdout.fnmatch_lines(["*access denied: AccessDenied*"])


def test_missing_credentials_are_one_error_per_file_and_the_run_exits_2(
    pytester, endpoint: LocalIamEndpoint, monkeypatch
) -> None:
    _copy_scenarios(pytester)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    result.assert_outcomes(errors=1)
    assert result.ret == 2
    result.stdout.fnmatch_lines(
        ["*460 cells of this file could not be evaluated (aws): *missing credentials*"]
    )
    assert result.stdout.str().count("missing credentials") < 5  # not once per cell
    run = load_document(pytester.path / "reports" / "run.json")
    assert len(run["cells"]) == 460
    assert {c["outcome"] for c in run["cells"]} == {"error"}


def test_caller_identity_is_asked_once_per_run(pytester, endpoint: LocalIamEndpoint) -> None:
    _copy_scenarios(pytester)
    shutil.copy(
        pytester.path / "scenarios" / "least-privilege.yaml", pytester.path / "scenarios" / "again.yaml"
    )
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    result.assert_outcomes(passed=920)
    assert endpoint.calls["GetCallerIdentity"] == 1


def test_run_metadata_names_the_scenario_region_and_the_api_region_apart(
    pytester, endpoint: LocalIamEndpoint
) -> None:
    _copy_scenarios(pytester)
    pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws", "--iam-aws-region", "us-east-1",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    meta = load_document(pytester.path / "reports" / "run.json")["metadata"]
    assert "region" not in meta["backend_metadata"]
    assert meta["backend_metadata"]["api_region"] == "us-east-1"
    assert isinstance(meta["backend_metadata"]["started"], str)
