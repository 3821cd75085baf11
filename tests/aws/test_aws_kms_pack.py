"""The KMS pack on `--iam-backend aws|compare` against an account holding its roles and keys.

The account is the local endpoint's. The outcome issues 11 and 25 ask for: no
error cell, the simulator-side answers equal the offline engine's on the same
account, the pack's roles sent as themselves where the simulator takes them,
and through the stand-in user, after one refused call per account, where it
does not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import harness.scenarios  # noqa: F401  (the account loader needs the scenario package first)
from harness.account import load_account_model
from harness.run.stream import load_document
from harness.testing.iam_endpoint import LocalIamEndpoint, SimulatorStyle
from harness.testing.seed import seed

pytest_plugins = ["pytester"]

PACK = Path(__file__).resolve().parents[2] / "scenarios" / "kms"
ACCOUNT_VAR = "account_id=123456789012"  # the platform account is the endpoint's own


def _run(pytester: pytest.Pytester, *args: str) -> dict:
    result = pytester.runpytest("kms", "-p", "no:cacheprovider", "--iam-var", ACCOUNT_VAR, *args)
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()[-3000:]
    run = load_document(pytester.path / "reports" / "run.json")
    meta = run["metadata"]["backend_metadata"]
    return {c["id"]: c for c in run["cells"]} | {"_meta": meta[0] if isinstance(meta, list) else meta}


def _pack(pytester: pytest.Pytester, endpoint: LocalIamEndpoint, style: SimulatorStyle) -> Path:
    endpoint.reset(style=style)
    shutil.copytree(PACK, pytester.path / "kms")
    model = pytester.path / "kms" / "accounts" / "example.yaml"
    seed(endpoint, load_account_model(model, {"account_id": "123456789012"}))
    return model


def _on(pytester: pytest.Pytester, endpoint: LocalIamEndpoint, model: Path, backend: str) -> dict:
    return _run(
        pytester, "--iam-no-reports", "--iam-backend", backend, "--iam-account", str(model),
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-aws-region", "us-east-1",
    )  # fmt: skip


def _assert_matches_offline(aws: dict, offline: dict) -> None:
    assert set(aws) == set(offline)
    assert all(c["outcome"] == "passed" for c in aws.values())
    assert {i: c["actual"] for i, c in aws.items()} == {i: c["actual"] for i, c in offline.items()}
    assert {i: c["enforced"] for i, c in aws.items()} == {i: c["enforced"] for i, c in offline.items()}


def test_on_todays_simulator_the_pack_sends_its_roles_as_themselves(
    pytester: pytest.Pytester, endpoint: LocalIamEndpoint
) -> None:
    model = _pack(pytester, endpoint, SimulatorStyle.CURRENT)
    offline = _run(pytester, "--iam-no-reports")
    offline.pop("_meta")
    aws = _on(pytester, endpoint, model, "aws")
    meta = aws.pop("_meta")
    _assert_matches_offline(aws, offline)
    vias = [c["via"] for c in aws.values()]
    assert vias.count("direct") > len(aws) / 2 and "stand-in caller" not in vias
    assert (meta["role_caller_refusals"], meta["stand_in_cells"]) == (0, 0)
    assert meta["api_calls"] < len(aws) / 5  # batching: far fewer calls than cells


def test_on_a_simulator_that_refuses_roles_the_pack_falls_back_after_one_refusal_per_account(
    pytester: pytest.Pytester, endpoint: LocalIamEndpoint
) -> None:
    model = _pack(pytester, endpoint, SimulatorStyle.PRE_2026)
    offline = _run(pytester, "--iam-no-reports")
    offline.pop("_meta")
    aws = _on(pytester, endpoint, model, "aws")
    meta = aws.pop("_meta")
    _assert_matches_offline(aws, offline)
    vias = [c["via"] for c in aws.values()]
    assert vias.count("stand-in caller") > len(aws) / 2 and "direct" not in vias
    assert meta["role_callers_refused_in"] == ["aws:123456789012", "aws:210987654321"]
    assert meta["role_caller_refusals"] == 2


def test_compare_mode_on_todays_simulator_has_no_disagreement_and_no_error_among_role_callers(
    pytester: pytest.Pytester, endpoint: LocalIamEndpoint
) -> None:
    model = _pack(pytester, endpoint, SimulatorStyle.CURRENT)
    compared = _on(pytester, endpoint, model, "compare")
    meta = compared.pop("_meta")
    assert meta["disagreements"] == 0
    assert all(c["outcome"] == "passed" for c in compared.values())
    assert meta["aws_direct_cells"] == sum(c["via"] == "direct" for c in compared.values()) > 0
