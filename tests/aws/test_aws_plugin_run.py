"""`pytest --iam-backend aws|compare` end to end, against the loopback endpoint."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from harness.run.stream import load_document
from harness.testing.iam_endpoint import LocalIamEndpoint, ScriptedError, SimulatorStyle

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


ROLE_SCENARIO = """
version: 1
description: a role reads a bucket through its bucket policy alone
policies:
  nothing: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:DescribeKey", Resource: "*"}]}
  bucket:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Principal: {AWS: "arn:aws:iam::123456789012:role/reader"}
        Action: s3:GetObject
        Resource: "arn:aws:s3:::bucket/*"
principals:
  reader: {policies: [nothing], caller: "arn:aws:iam::123456789012:role/reader"}
scenarios:
  - name: the bucket policy grants the role
    principal: reader
    actions: [s3:GetObject]
    resources: ["arn:aws:s3:::bucket/k"]
    resource_policy: bucket
    expect: allowed
"""


def _role_cell(pytester, endpoint: LocalIamEndpoint, *args: str) -> dict:
    """The run's one cell, as run.json has it."""
    (pytester.path / "scenarios").mkdir()
    (pytester.path / "scenarios" / "role.yaml").write_text(ROLE_SCENARIO)
    result = pytester.runpytest(
        "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", *args,
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    [cell] = load_document(pytester.path / "reports" / "run.json")["cells"]
    return cell


def test_a_role_sent_as_itself_says_via_direct_in_the_reports(pytester, endpoint: LocalIamEndpoint) -> None:
    assert _role_cell(pytester, endpoint)["via"] == "direct"
    [row] = csv.DictReader(io.StringIO((pytester.path / "reports" / "report.csv").read_text()))
    assert row["via"] == "direct"
    assert '"via":"direct"' in (pytester.path / "reports" / "report.html").read_text().replace(" ", "")


def test_the_caller_mode_ini_key_pins_the_stand_in(pytester, endpoint: LocalIamEndpoint) -> None:
    pytester.makeini("[pytest]\niam_caller_mode = stand-in\n")
    assert _role_cell(pytester, endpoint, "--iam-no-reports")["via"] == "stand-in caller"


def test_a_refusing_simulator_is_answered_through_the_stand_in_in_a_plugin_run(
    pytester, endpoint: LocalIamEndpoint
) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    assert _role_cell(pytester, endpoint, "--iam-no-reports")["via"] == "stand-in caller"
    meta = load_document(pytester.path / "reports" / "run.json")["metadata"]["backend_metadata"]
    assert (meta["role_caller_refusals"], meta["caller_mode"]) == (1, "auto")
