"""Replay through the plugin: a scenario run with --iam-account on a capture with gaps."""

from __future__ import annotations

import json

pytest_plugins = ["pytester"]

KEY = "arn:aws:kms:eu-west-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
ALLOW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
}


def _model(key_entry, extra=""):
    return f"""
accounts:
  - AccountId: "111122223333"
    OutsideOrganization: true
{extra}    RoleDetailList:
      - RoleName: app
        Arn: arn:aws:iam::111122223333:role/app
        RolePolicyList: [{{PolicyName: decrypt, PolicyDocument: '{json.dumps(ALLOW)}'}}]
    ResourcePolicies:
      - {key_entry}
"""


SCENARIO = f"""
version: 1
scenarios:
  - name: the app decrypts with its key
    principal: "arn:aws:iam::111122223333:role/app"
    actions: [kms:Decrypt]
    resources: ["{KEY}"]
    enforced: true
    expect: allowed
"""


def _run(pytester, model):
    pytester.makefile(".yaml", model=model, app=SCENARIO)
    return pytester.runpytest(
        "app.yaml", "-p", "no:cacheprovider", "--iam-account", "model.yaml", "--iam-no-reports"
    )


def test_a_captured_key_policy_decides_the_cell(pytester):
    result = _run(pytester, _model(f"{{Arn: '{KEY}', Policy: '{json.dumps(ROOT_POLICY)}'}}"))
    result.assert_outcomes(passed=1)


def test_a_key_whose_policy_could_not_be_read_is_an_error_cell_naming_the_gap(pytester):
    gap = "kms:GetKeyPolicy was refused (AccessDeniedException): no"
    result = _run(pytester, _model(f"{{Arn: '{KEY}', Gap: '{gap}'}}"))
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0 and outcomes["errors"] == 1
    result.stdout.fnmatch_lines(["*CaptureGap*kms:GetKeyPolicy was refused (AccessDeniedException)*"])
    assert result.ret == 2


def test_scps_that_could_not_be_read_make_the_accounts_cells_errors(pytester):
    gaps = (
        "    Gaps: [{Section: organizations, Operation: organizations:ListParents,"
        " Code: AccessDeniedException}]\n"
    )
    model = _model(f"{{Arn: '{KEY}', Policy: '{json.dumps(ROOT_POLICY)}'}}", gaps).replace(
        "    OutsideOrganization: true\n", ""
    )
    result = _run(pytester, model)
    assert result.parseoutcomes()["errors"] == 1
    result.stdout.fnmatch_lines(["*CaptureGap*SCPs of account 111122223333*organizations:ListParents*"])
