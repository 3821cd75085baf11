"""Plans and templates written for these tests (tests/plans/data) and builders for small ones."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.account import AccountModel, load_account_model

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
KMS_MODEL = REPO / "scenarios" / "kms" / "accounts" / "example.yaml"
ACCOUNT = "012345678910"
EVIDENCE_KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/c0570000-0000-4000-8000-000000000002"


def change(
    address: str,
    rtype: str,
    actions: list[str],
    *,
    before: Any = None,
    after: Any = None,
    unknown: Any = None,
) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": address.rsplit(".", 1)[-1],
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {}},
    }


def referencing(address: str, expression: str, target: str) -> dict[str, Any]:
    """A plan's `configuration` in which the root module's `address` takes `expression` from `target`."""
    return {
        "root_module": {
            "resources": [{"address": address, "expressions": {expression: {"references": [target]}}}]
        }
    }


def tf_plan(*changes: dict[str, Any], configuration: Any = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"format_version": "1.2", "resource_changes": list(changes)}
    if configuration is not None:
        doc["configuration"] = configuration
    return doc


def policy(action: str, principal: str | None = None, resource: str = "*") -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if principal:
        statement["Principal"] = {"AWS": principal}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture(scope="module")
def kms_model() -> AccountModel:
    return load_account_model(KMS_MODEL)


@pytest.fixture
def write_plan(tmp_path):
    def write(doc: Any, name: str = "plan.json") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    return write


@dataclass(frozen=True)
class PytestRun:
    code: int
    out: str
    reports: Path


def run_pytest(reports: Path, *args: str, cwd: Path = REPO) -> PytestRun:
    """The harness's pytest in a child process (on the repository's packs unless `cwd` says)."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-W", "ignore"]
    argv += ["--iam-report-dir", str(reports), *args]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    return PytestRun(done.returncode, done.stdout + done.stderr, reports)
