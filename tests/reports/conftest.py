"""Sample run results for the report tests, built in code (no dependency on the plugin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.run.result import CellRecord, RunResult

# What a run writes under reports/, spelled out here (the expectation, not the code's table).
EVERY_REPORT_FILE = sorted(
    ["report.md", "report.html", "report.csv", "report.json", "report.sarif", "SHA256SUMS", "manifest.json"]
)
XSS_SID = "</script><script>alert('sid')</script>"
XSS_CONDITION = "<img src=x onerror=alert('cond')>"

POLICY_TEXT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadKeys", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
            {
                "Sid": XSS_SID,
                "Effect": "Deny",
                "Action": "kms:ScheduleKeyDeletion",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": XSS_CONDITION}},
            },
        ],
    },
    indent=2,
)


def cell(
    principal: str = "arn:aws:iam::111122223333:role/Reader",
    action: str = "kms:Decrypt",
    *,
    resource: str = "*",
    expected: str = "allowed",
    actual: str = "allowed",
    outcome: str | None = None,
    id: str | None = None,
    **extra: Any,
) -> CellRecord:
    if outcome is None:
        if actual == "error":
            outcome = "error"
        elif expected == "denied":
            outcome = "passed" if actual in ("explicitDeny", "implicitDeny") else "failed"
        else:
            outcome = "passed" if expected == actual else "failed"
    return CellRecord(
        id=id or f"scenarios/kms.yaml::{principal}::{action}::{resource}",
        principal=principal,
        action=action,
        resource=resource,
        expected=expected,
        actual=actual,
        outcome=outcome,
        backend="offline",
        scenario="kms keys",
        file="scenarios/kms.yaml",
        line=12,
        **extra,
    )


def run_of(cells: list[CellRecord], **metadata: Any) -> RunResult:
    meta = {
        "tool_version": "0.1.0",
        "backend": "offline",
        "account": "111122223333",
        "caller_arn": "arn:aws:iam::111122223333:user/ci",
        "region": "us-east-1",
        "started": "2026-11-28T02:00:00+00:00",
        "finished": "2026-11-28T02:01:00+00:00",
        "scenario_files": [{"path": "scenarios/kms.yaml", "sha256": "ab" * 32}],
        "policy_documents": [
            {
                "id": "PolicyInputList.1",
                "origin": "policies/reader.json",
                "sha256": "cd" * 32,
                "text": POLICY_TEXT,
            }
        ],
    }
    meta.update(metadata)
    return RunResult(metadata=meta, cells=cells)


@pytest.fixture
def sample_run() -> RunResult:
    return sample()


def sample() -> RunResult:
    """Three principals, a pass, a failure with a deciding statement, an error."""
    deny = {
        "policy_id": "PolicyInputList.1",
        "policy_type": "IAM Policy",
        "sid": XSS_SID,
        "effect": "Deny",
        "start_line": 10,
        "start_column": 5,
        "end_line": 21,
        "end_column": 6,
        "origin": "policies/reader.json",
    }
    return run_of(
        [
            cell(),
            cell(
                action="kms:ScheduleKeyDeletion",
                expected="allowed",
                actual="explicitDeny",
                deciding_statements=[deny],
                explanation=[f"Denied by {XSS_SID} because aws:PrincipalTag/team is {XSS_CONDITION}"],
                advisory="the key policy also denies this",
            ),
            cell("arn:aws:iam::111122223333:role/Admin", "kms:Decrypt", expected="allowed", actual="allowed"),
            cell(
                "arn:aws:iam::111122223333:role/Auditor",
                "kms:Decrypt",
                expected="denied",
                actual="error",
                error="Throttling: rate exceeded",
            ),
        ]
    )


@pytest.fixture
def write_run(tmp_path: Path) -> Callable[[RunResult, str], Path]:
    def write(run: RunResult, name: str = "run.json") -> Path:
        path = tmp_path / name
        path.write_text(run.dumps(), encoding="utf-8")
        return path

    return write


def big_run(principals: int, actions: int) -> RunResult:
    """A principals x actions run with some failures and errors sprinkled in."""
    cells = []
    for p in range(principals):
        for a in range(actions):
            n = p * actions + a
            actual = "error" if n % 97 == 0 else "implicitDeny" if n % 13 == 0 else "allowed"
            cells.append(
                cell(
                    f"arn:aws:iam::111122223333:role/role-{p:04d}",
                    f"svc{a % 7}:Action{a:03d}",
                    actual=actual,
                    error="AccessDenied calling SimulatePrincipalPolicy" if actual == "error" else None,
                )
            )
    return run_of(cells)


@pytest.fixture
def make_cell() -> Callable[..., CellRecord]:
    return cell


@pytest.fixture
def make_run() -> Callable[..., RunResult]:
    return run_of


@pytest.fixture
def make_big_run() -> Callable[[int, int], RunResult]:
    return big_run
