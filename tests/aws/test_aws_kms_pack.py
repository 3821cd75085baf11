"""The KMS pack on `--iam-backend aws` against an account holding its roles and keys (the local endpoint).

The outcome issue 11 asks for: no error cell, and the simulator-side answers
equal the offline engine's on the same account.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import harness.scenarios  # noqa: F401  (the account loader needs the scenario package first)
from harness.account import load_account_model
from harness.run.stream import load_document
from harness.testing.iam_endpoint import LocalIamEndpoint
from harness.testing.seed import seed

pytest_plugins = ["pytester"]

PACK = Path(__file__).resolve().parents[2] / "scenarios" / "kms"
ACCOUNT_VAR = "account_id=123456789012"  # the platform account is the endpoint's own


def _run(pytester: pytest.Pytester, *args: str) -> dict:
    result = pytester.runpytest("kms", "-p", "no:cacheprovider", "--iam-var", ACCOUNT_VAR, *args)
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()[-3000:]
    run = load_document(pytester.path / "reports" / "run.json")
    return {c["id"]: c for c in run["cells"]} | {"_meta": run["metadata"]}


def test_the_kms_pack_has_no_error_cell_and_matches_the_offline_engine(
    pytester: pytest.Pytester, endpoint: LocalIamEndpoint
) -> None:
    shutil.copytree(PACK, pytester.path / "kms")
    model = pytester.path / "kms" / "accounts" / "example.yaml"
    seed(endpoint, load_account_model(model, {"account_id": "123456789012"}))
    offline = _run(pytester, "--iam-no-reports")
    aws = _run(
        pytester, "--iam-no-reports", "--iam-backend", "aws", "--iam-account", str(model),
        "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-aws-region", "us-east-1",
    )  # fmt: skip
    meta = aws.pop("_meta")["backend_metadata"]
    offline.pop("_meta")
    assert set(aws) == set(offline)
    assert all(c["outcome"] == "passed" for c in aws.values())
    assert {i: c["actual"] for i, c in aws.items()} == {i: c["actual"] for i, c in offline.items()}
    assert {i: c["enforced"] for i, c in aws.items()} == {i: c["enforced"] for i, c in offline.items()}
    stand_in = [c for c in aws.values() if c["via"] == "stand-in caller"]
    assert len(stand_in) > len(aws) / 2  # the pack's role against key policies: answered, not refused
    meta = meta[0] if isinstance(meta, list) else meta
    assert meta["api_calls"] < len(aws) / 5  # batching: far fewer calls than cells
