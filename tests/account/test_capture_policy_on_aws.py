"""The capture's least-privilege scenario passes on the AWS backend too (loopback simulator endpoint)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from harness.testing.iam_endpoint import LocalIamEndpoint

pytest_plugins = ["pytester"]

SELF = Path(__file__).resolve().parents[2] / "scenarios" / "harness-self"


def test_the_capture_policy_scenario_passes_on_the_aws_backend(pytester):
    target = pytester.path / "scenarios"
    target.mkdir()
    shutil.copy(SELF / "capture-least-privilege.yaml", target)
    shutil.copytree(SELF / "policies", target / "policies")
    with LocalIamEndpoint() as endpoint:
        result = pytester.runpytest(
            "scenarios", "-p", "no:cacheprovider", "--iam-backend", "aws",
            "--iam-backend-opt", f"endpoint_url={endpoint.url}", "--iam-aws-region", "us-east-1",
            "--iam-no-reports",
        )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0
    # Cells, not pytest items (one item may hold a scenario's cells): every one was asked.
    (cells,) = [line for line in result.outlines if line.startswith("IAM cells (aws):")]
    assert re.match(r"IAM cells \(aws\): (\d+) passed, 0 failed, 0 error", cells)
    assert int(cells.split()[3]) > 1000
