"""--iam-plan on the KMS pack: the account as it will be after apply, checked by the pack's own scenarios."""

from __future__ import annotations

import json

from harness.reports.drift import diff
from harness.run.load import load_run
from tests.plans.conftest import DATA, run_pytest

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
    after = run_pytest(
        tmp_path / "after", "scenarios/kms", "--iam-plan", "tests/plans/data/kms-tag-rename.json"
    )
    assert before.code == after.code == 0, after.out
    baseline, _ = load_run(tmp_path / "before" / "run.json")
    current, _ = load_run(tmp_path / "after" / "run.json")
    assert _decisions(current) == _decisions(baseline)
    assert _kinds(diff(baseline, current)) == set()


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


LOGS_MODEL = """
vars: {account_id: "111122223333", region: eu-west-1, partition: aws}
accounts:
  - AccountId: "111122223333"
    OutsideOrganization: true
    RoleDetailList:
      - {RoleName: app, Arn: "arn:aws:iam::111122223333:role/app"}
    ResourcePolicies:
      - Arn: arn:aws:s3:::evidence-logs
        Policy: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:Put*", "Resource": "*"}]}'
"""
LOGS_SCENARIO = """
version: 1
account: accounts/m.yaml
scenarios:
  - name: nobody reads the evidence logs
    principals: all
    actions: [s3:GetObject]
    resources: ["arn:aws:s3:::evidence-logs/case-1"]
    expect: denied
    reason: evidence stays sealed
"""


def test_a_template_role_reading_sealed_logs_fails_at_its_statements_template_line(tmp_path):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "m.yaml").write_text(LOGS_MODEL)
    (tmp_path / "logs.yaml").write_text(LOGS_SCENARIO)
    (tmp_path / "stack.yaml").write_text((DATA / "stack.yaml").read_text())
    run = run_pytest(
        tmp_path / "r", "logs.yaml", "--iam-plan", "stack.yaml", "--iam-var", "TeamRole=app", cwd=tmp_path
    )
    assert run.code == 1, run.out
    result, _ = load_run(tmp_path / "r" / "run.json")
    (failed,) = [c for c in result.cells if c.outcome == "failed"]
    assert failed.principal.endswith("role/Auditor")
    assert failed.source == {
        "kind": "cloudformation",
        "logical_id": "LogsPolicy",
        "file": "stack.yaml",
        "line": 33,
    }
    (finding,) = json.loads((tmp_path / "r" / "report.sarif").read_text())["runs"][0]["results"]
    # The deciding statement is the role's ReadLogs statement, written on line 25 of the template.
    assert finding["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "stack.yaml"},
        "region": {"startLine": 25},
    }


def test_an_unlisted_type_that_can_carry_policy_is_named_in_the_run(tmp_path):
    plan = json.loads((DATA / "kms-tag-rename.json").read_text())
    queue = {"address": "module.q.aws_sqs_queue_policy.q", "mode": "managed", "type": "aws_sqs_queue_policy"}
    queue["change"] = {"actions": ["create"], "after": {"policy": "{}"}, "after_unknown": {}}
    plan["resource_changes"].append(queue)
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    argv = [PACK_09, "--iam-plan", str(tmp_path / "plan.json"), "-W", "default"]
    run = run_pytest(tmp_path / "r", *argv)
    assert run.code == 0, run.out
    assert (
        "--iam-plan: module.q.aws_sqs_queue_policy.q: type aws_sqs_queue_policy can carry IAM policy"
        in run.out
    )
    result, _ = load_run(tmp_path / "r" / "run.json")
    (listed,) = result.metadata["plans"]
    assert listed["warnings"][0].startswith("module.q.aws_sqs_queue_policy.q: type aws_sqs_queue_policy")
