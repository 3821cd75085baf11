"""`harness preflight`: the scenarios on the account as it is and as the plan leaves it, access diff first."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.cli.preflight_diff import cell_changes
from harness.reports.drift import DriftKind
from tests.reports.conftest import cell, run_of

REPO = Path(__file__).resolve().parents[2]
MODEL = "scenarios/kms/accounts/example.yaml"
PACK_09 = "scenarios/kms/09-only-ir-decrypts.yaml"
ADDRESS = "module.security.module.keys.aws_kms_key_policy.evidence"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def preflight(reports: Path, plan: str, *extra: str) -> int:
    argv = ["preflight", "--account", MODEL, "--plan", plan, "--iam-report-dir", str(reports)]
    return main([*argv, PACK_09, "-q", "-p", "no:cacheprovider", "-n", "0", *extra])


def test_new_decrypt_on_the_evidence_key_fails_and_the_diff_comes_first(tmp_path, capsys):
    model_digest = hashlib.sha256(Path(MODEL).read_bytes()).hexdigest()
    assert preflight(tmp_path, "tests/plans/data/kms-evidence-decrypt.json") == 1
    out = capsys.readouterr().out
    first, second = out.splitlines()[:2]
    assert first == "access diff: 1 cell(s) change with the plan"
    assert second.startswith("  new access: arn:aws:iam::012345678910:role/Auditor kms:Decrypt")
    assert second.endswith(f"(absent -> allowed)  <- terraform {ADDRESS}")
    assert (tmp_path / "run.json").is_file() and (tmp_path / "baseline" / "run.json").is_file()
    assert (tmp_path / "report.sarif").is_file()
    assert hashlib.sha256(Path(MODEL).read_bytes()).hexdigest() == model_digest


def test_a_plan_that_only_renames_a_tag_passes_with_an_empty_diff(tmp_path, capsys):
    assert preflight(tmp_path, "tests/plans/data/kms-tag-rename.json") == 0
    assert capsys.readouterr().out.startswith("access diff: the plan adds or removes no access\n")


def test_a_plan_that_cannot_be_read_is_exit_2_and_nothing_runs(tmp_path, capsys):
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2", "resource_changes": [{"address": "a\\u001b[2J", "type": "t"}]}')
    assert preflight(tmp_path / "reports", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"harness preflight: {bad}: a\\x1b[2J: a resource address with control characters")
    assert not os.path.exists(tmp_path / "reports")


def test_a_plan_that_changes_only_the_enforced_decision_is_in_the_diff(tmp_path):
    # The simulator allows both times; only the enforced decision (a key policy) changes, and the
    # cell does not ask for check_enforced: the diff compares effective decisions, as drift does.
    before, after = tmp_path / "baseline.json", tmp_path / "run.json"
    before.write_text(run_of([cell(enforced="implicitDeny", expected="denied")]).dumps(), encoding="utf-8")
    after.write_text(run_of([cell(enforced="allowed", expected="denied")]).dumps(), encoding="utf-8")
    [change] = cell_changes(before, after)
    assert (change.kind, change.before, change.after) == (DriftKind.NEW_ACCESS, "implicitDeny", "allowed")
