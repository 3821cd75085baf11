# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Cells the account model cannot answer are skipped with the reason; nothing else is."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenarios import ScenarioFileErrors, ScenarioLoader

KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"
MODEL = """
accounts:
  - AccountId: "111122223333"
    RoleDetailList:
      - {RoleName: ir, Arn: "arn:aws:iam::111122223333:role/ir", RolePolicyList: []}
    ResourcePolicies:
      - Arn: arn:aws:kms:eu-west-3:111122223333:key/k1
        Aliases: [alias/evidence]
        Policy: {Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/ir"}, Action: "kms:*", Resource: "*"}]}
"""
HEAD = """version: 1
account: model.yaml
vars: {key_id: k1, other_key_id: k9}
policies:
  kp: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:*", Resource: "*"}]}
principals:
  ir: {arn: "arn:aws:iam::111122223333:role/ir"}
  admin: {arn: "arn:aws:iam::111122223333:role/KeyAdministrator", optional: true}
  typo: {arn: "arn:aws:iam::111122223333:role/iir"}
  remote: {arn: "arn:aws:iam::444455556666:role/remote"}
scenarios:
"""


def load(tmp_path: Path, scenarios: str, head: str = HEAD):
    (tmp_path / "model.yaml").write_text(MODEL)
    (tmp_path / "s.yaml").write_text(head + scenarios)
    return ScenarioLoader().load(tmp_path / "s.yaml", "s.yaml")


def reasons(tmp_path: Path, scenario: str) -> list[str]:
    return [c.skip_reason for c in load(tmp_path, scenario).cells]


def test_a_principal_of_an_account_not_in_the_model_is_skipped_with_the_capture_command(tmp_path):
    [why] = reasons(
        tmp_path,
        f"  - {{name: s, principal: remote, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    assert why.startswith(
        "account 444455556666 of arn:aws:iam::444455556666:role/remote is not in the account model"
    )
    assert "(it holds 111122223333)" in why
    assert (
        "harness account capture -o " in why
        and "--assume-role arn:aws:iam::111122223333:role/AUDIT_ROLE --assume-role arn:aws:iam::444455556666:role/AUDIT_ROLE"
        in why
    )


def test_a_resource_of_an_account_not_in_the_model_is_skipped_when_its_policy_is_left_to_the_model(tmp_path):
    remote_key = "arn:aws:kms:eu-west-3:444455556666:key/k2"
    [why] = reasons(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{remote_key}'], expect: denied}}\n",
    )
    assert why.startswith(f"account 444455556666 of {remote_key} is not in the account model")


def test_a_scenario_that_names_the_resource_policy_is_answered_whatever_the_model_holds(tmp_path):
    remote_key = "arn:aws:kms:eu-west-3:444455556666:key/k2"
    assert reasons(
        tmp_path,
        f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{remote_key}', 'arn:aws:kms:eu-west-3:111122223333:key/k9'], resource_policy: kp, expect: allowed}}\n",
    ) == ["", ""]


def test_an_optional_principal_the_model_lacks_is_skipped(tmp_path):
    [why] = reasons(
        tmp_path,
        f"  - {{name: s, principal: admin, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    )
    assert "role/KeyAdministrator is not in the account model" in why
    assert "principals.admin is `optional`" in why


def test_a_principal_the_model_lacks_in_an_account_it_holds_is_not_skipped(tmp_path):
    # A misspelt role name must stay an error cell (with "did you mean"), never a quiet skip.
    assert reasons(
        tmp_path,
        f"  - {{name: s, principal: typo, actions: [kms:Decrypt], resources: ['{KEY}'], expect: denied}}\n",
    ) == [""]


def test_a_key_the_model_lacks_is_skipped_naming_its_keys_and_the_variable_to_set(tmp_path):
    [why] = reasons(
        tmp_path,
        "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: ['arn:aws:kms:eu-west-3:111122223333:key/${other_key_id}'], expect: allowed}\n",
    )
    assert why == (
        "KMS key arn:aws:kms:eu-west-3:111122223333:key/k9 is not in the account model "
        f"{tmp_path / 'model.yaml'} (its keys in account 111122223333, eu-west-3: k1 (alias/evidence)); "
        "name one of them with --iam-var other_key_id=KEY_ID"
    )


def test_resources_that_need_no_key_policy_are_answered(tmp_path):
    f = load(
        tmp_path,
        "  - {name: s, principal: ir, actions: [iam:CreateServiceLinkedRole], resources: ['arn:aws:iam::111122223333:role/aws-service-role/x/y'], expect: denied}\n"
        f"  - {{name: t, principal: ir, actions: [kms:Decrypt], resources: ['{KEY}', '*'], expect: allowed}}\n",
    )
    assert [c.skip_reason for c in f.cells] == ["", "", ""]


def test_a_capture_gap_stays_an_error_not_a_skip(tmp_path):
    model = MODEL.replace(
        "    ResourcePolicies:",
        "    Gaps: [{Section: kms/eu-west-3, Operation: kms:ListKeys, Code: AccessDenied, Message: no}]\n    ResourcePolicies:",
    )
    (tmp_path / "model.yaml").write_text(model)
    (tmp_path / "s.yaml").write_text(
        HEAD
        + "  - {name: s, principal: ir, actions: [kms:Decrypt], resources: ['arn:aws:kms:eu-west-3:111122223333:key/k9'], expect: allowed}\n"
    )
    [cell] = ScenarioLoader().load(tmp_path / "s.yaml", "s.yaml").cells
    assert cell.skip_reason == ""


def test_without_an_account_model_nothing_is_skipped(tmp_path):
    head = HEAD.replace("account: model.yaml\n", "").replace(
        '  admin: {arn: "arn:aws:iam::111122223333:role/KeyAdministrator", optional: true}\n', ""
    )
    f = load(tmp_path, "  - {name: s, principal: remote, actions: [kms:Decrypt], expect: denied}\n", head)
    assert [c.skip_reason for c in f.cells] == [""]


@pytest.mark.parametrize(
    ("principal", "message"),
    [
        ('{arn: "arn:aws:iam::111122223333:role/x", optional: "yes"}', "`optional` is true or false"),
        ("{policies: [kp], optional: true}", "only a principal named by `arn` can be optional"),
    ],
)
def test_optional_is_a_boolean_on_a_principal_named_by_arn(tmp_path, principal, message):
    head = HEAD.replace("  typo:", f"  bad: {principal}\n  typo:")
    with pytest.raises(ScenarioFileErrors) as info:
        load(
            tmp_path,
            f"  - {{name: s, principal: ir, actions: [kms:Decrypt], resources: ['{KEY}'], expect: allowed}}\n",
            head,
        )
    assert any(message in e.message and e.field == "principals.bad.optional" for e in info.value.errors)
