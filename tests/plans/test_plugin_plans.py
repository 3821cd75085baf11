"""--iam-plan on the KMS pack: the account as it will be after apply, checked by the pack's own scenarios."""

from __future__ import annotations

from harness.reports.drift import diff
from harness.run.load import load_run
from tests.plans.conftest import run_pytest

PACK_09 = "scenarios/kms/09-only-ir-decrypts.yaml"
ADDRESS = "module.security.module.keys.aws_kms_key_policy.evidence"


def test_a_key_policy_giving_a_new_role_decrypt_fails_naming_the_terraform_address(tmp_path):
    run = run_pytest(tmp_path, PACK_09, "--iam-plan", "tests/plans/data/kms-evidence-decrypt.json")
    assert run.code == 1, run.out
    assert ADDRESS in run.out and "FAIL allowed (want denied)" in run.out
    result, _ = load_run(tmp_path / "run.json")
    (failed,) = [c for c in result.cells if c.outcome == "failed"]
    assert failed.principal.endswith("role/Auditor") and failed.action == "kms:Decrypt"
    assert failed.source == {
        "kind": "terraform",
        "address": ADDRESS,
        "file": "tests/plans/data/kms-evidence-decrypt.json",
        "line": 0,
    }


def test_a_plan_that_only_renames_a_tag_changes_no_cell_of_the_kms_pack(tmp_path):
    before = run_pytest(tmp_path / "before", "scenarios/kms")
    after = run_pytest(tmp_path / "after", "scenarios/kms", "--iam-plan", "tests/plans/data/kms-tag-rename.json")
    assert before.code == after.code == 0, after.out
    baseline, _ = load_run(tmp_path / "before" / "run.json")
    current, _ = load_run(tmp_path / "after" / "run.json")
    assert _decisions(current) == _decisions(baseline)
    # Drift against the baseline is what drift of the baseline against itself is: nothing new.
    assert _kinds(diff(baseline, current)) <= _kinds(diff(baseline, baseline))


def _decisions(run):
    return {c.id: (c.actual, c.enforced, c.outcome) for c in run.cells}


def _kinds(drift):
    return {(c.kind, c.key) for c in drift.changes if c.is_decision_change}


def test_a_plan_that_cannot_be_read_stops_the_run_before_any_cell_with_exit_2(tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2", "resource_changes": [')
    run = run_pytest(tmp_path / "reports", PACK_09, "--iam-plan", str(bad))
    assert run.code == 2
    assert f"--iam-plan: {bad}: line 1: not valid JSON" in run.out
    assert not (tmp_path / "reports" / "run.json").exists()
