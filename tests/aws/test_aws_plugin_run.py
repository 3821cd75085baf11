"""`pytest --iam-backend aws|compare` end to end, against the loopback endpoint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    result.assert_outcomes(passed=450)
    run = json.loads((pytester.path / "reports" / "run.json").read_text())
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
    result.assert_outcomes(passed=450)


def test_an_access_denied_simulator_makes_errors_not_passes(pytester, endpoint: LocalIamEndpoint) -> None:
    _copy_scenarios(pytester)
    endpoint.faults.script("SimulateCustomPolicy", *[ScriptedError("AccessDenied", "no", 403)] * 50)
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-no-reports",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    assert outcomes["errors"] == 450
    result.stdout.fnmatch_lines(["*access denied: AccessDenied*"])
