# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""The account model: GetAccountAuthorizationDetails shape plus organization and resource policies."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from harness.account import load_account_model
from harness.engine.errors import NoSuchEntity
from harness.engine.types import ContextEntry, PolicyKind
from harness.inputs.errors import ScenarioFileErrors

ALLOW_ALL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
RESOURCE_ALLOW = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}'
ENCODED = urllib.parse.quote(
    '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
)

MODEL = f"""
accounts:
  - AccountId: "111122223333"
    OrganizationPath: [r-root, ou-a]
    UserDetailList:
      - UserName: alice
        Arn: arn:aws:iam::111122223333:user/staff/alice
        GroupList: [devs]
        UserPolicyList: [{{PolicyName: own, PolicyDocument: "{ENCODED}"}}]
        Tags: [{{Key: team, Value: red}}]
        PermissionsBoundary: {{PermissionsBoundaryType: Policy, PermissionsBoundaryArn: "arn:aws:iam::111122223333:policy/Boundary"}}
    GroupDetailList:
      - GroupName: devs
        GroupPolicyList: [{{PolicyName: group-inline, PolicyDocument: {{Statement: [{{Effect: Allow, Action: kms:Decrypt, Resource: "*"}}]}}}}]
        AttachedManagedPolicies: [{{PolicyName: ReadOnlyAccess, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}]
    RoleDetailList:
      - RoleName: app
        Arn: arn:aws:iam::111122223333:role/app
        AttachedManagedPolicies: [{{PolicyName: Boundary, PolicyArn: "arn:aws:iam::111122223333:policy/Boundary"}}]
    Policies:
      - PolicyName: Boundary
        Arn: arn:aws:iam::111122223333:policy/Boundary
        DefaultVersionId: v2
        PolicyVersionList:
          - {{VersionId: v1, IsDefaultVersion: false, Document: {{Statement: [{{Effect: Deny, Action: "*", Resource: "*"}}]}}}}
          - {{VersionId: v2, IsDefaultVersion: true, Document: '{ALLOW_ALL}'}}
      - PolicyName: ReadOnlyAccess
        Arn: arn:aws:iam::aws:policy/ReadOnlyAccess
        PolicyVersionList: [{{VersionId: v1, IsDefaultVersion: true, Document: '{ALLOW_ALL}'}}]
    ResourcePolicies:
      - Arn: arn:aws:s3:::bucket
        Policy: policies/bucket.json
      - Arn: arn:aws:kms:eu-west-3:111122223333:key/k1
        Aliases: [alias/app]
        Tags: [{{Key: env, Value: prod}}]
        Policy: '{RESOURCE_ALLOW}'
Organization:
  ManagementAccountId: "999999999999"
  ServiceControlPolicies:
    r-root: ['{ALLOW_ALL}']
    ou-a: [{{Name: FullAWSAccess, Document: '{ALLOW_ALL}'}}]
    "111122223333": ['{ALLOW_ALL}']
"""


@pytest.fixture
def model(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/bucket.json").write_text(RESOURCE_ALLOW)
    path = tmp_path / "account.yaml"
    path.write_text(MODEL)
    return load_account_model(path)


def _input(model, arn, **kwargs):
    return model.simulation_input_for(arn, ["kms:Decrypt"], ["*"], context=(), **kwargs)


def test_user_policies_are_inline_managed_and_groups(model):
    inp = _input(model, "arn:aws:iam::111122223333:user/staff/alice")
    got = [(p.source_id, p.source_type) for p in inp.identity_policies]
    assert got == [("own", "user"), ("group-inline", "group"), ("ReadOnlyAccess", "aws-managed")]


def test_url_encoded_documents_are_decoded(model):
    inp = _input(model, "arn:aws:iam::111122223333:user/staff/alice")
    assert json.loads(inp.identity_policies[0].text)["Statement"][0]["Action"] == "s3:GetObject"


def test_permissions_boundary_uses_the_default_version(model):
    inp = _input(model, "arn:aws:iam::111122223333:user/staff/alice")
    [boundary] = inp.permissions_boundaries
    assert boundary.kind is PolicyKind.PERMISSIONS_BOUNDARY and boundary.source_type == "user-managed"
    assert json.loads(boundary.text)["Statement"][0]["Effect"] == "Allow"


def test_principal_tags_become_principal_tag_context(model):
    inp = _input(model, "arn:aws:iam::111122223333:user/staff/alice")
    assert ContextEntry("aws:PrincipalTag/team", ("red",), "string") in inp.context


def test_assumed_role_session_has_its_roles_policies(model):
    inp = _input(model, "arn:aws:sts::111122223333:assumed-role/app/session-1")
    assert [p.source_id for p in inp.identity_policies] == ["Boundary"]
    assert inp.principal_arn == "arn:aws:sts::111122223333:assumed-role/app/session-1"


def test_unknown_principal_is_no_such_entity_with_a_suggestion(model):
    with pytest.raises(NoSuchEntity, match="did you mean arn:aws:iam::111122223333:role/app"):
        _input(model, "arn:aws:iam::111122223333:role/apps")


def test_excluded_policies_are_left_out(model):
    inp = _input(model, "arn:aws:iam::111122223333:user/staff/alice", policy_exclusions=["ReadOnlyAccess"])
    assert [p.source_id for p in inp.identity_policies] == ["own", "group-inline"]


def test_scps_apply_root_to_account(model):
    inp = _input(model, "arn:aws:iam::111122223333:role/app")
    assert len(inp.scp_levels) == 3 and all(len(level) == 1 for level in inp.scp_levels)
    assert inp.scp_levels[1][0].source_id == "FullAWSAccess"


def test_no_scps_for_the_management_account(model):
    model.accounts["111122223333"].account_id = "111122223333"
    model.management_account = "111122223333"
    assert _input(model, "arn:aws:iam::111122223333:role/app").scp_levels == ()


def test_object_arn_gets_its_bucket_policy(model):
    assert model.resource_policy_for("arn:aws:s3:::bucket/some/key").kind is PolicyKind.RESOURCE


def test_kms_key_context_has_aliases_and_tags(model):
    context = model.resource_context_for("arn:aws:kms:eu-west-3:111122223333:key/k1")
    assert ContextEntry("kms:ResourceAliases", ("alias/app",), "stringList") in context
    assert ContextEntry("aws:ResourceTag/env", ("prod",), "string") in context


def test_managed_policy_missing_from_policies_is_a_load_error(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(
        'accounts:\n  - AccountId: "111122223333"\n    RoleDetailList:\n      - RoleName: r\n'
        "        AttachedManagedPolicies: [{PolicyArn: 'arn:aws:iam::aws:policy/Missing'}]\n"
    )
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(path)
    [err] = info.value.errors
    assert err.file == str(path) and "arn:aws:iam::aws:policy/Missing" in err.message


def test_unquoted_account_id_that_lost_its_zero_is_reported(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("accounts:\n  - AccountId: 12345\n")
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(path)
    assert info.value.errors[0].line == 2 and "12 digits" in info.value.errors[0].message


@pytest.mark.parametrize(
    ("typo", "field", "hint"),
    [
        ("Organization:", "Organisation", "Organization"),
        ("PermissionsBoundary:", "PermissionsBoundry", "PermissionsBoundary"),
        ("RoleDetailList:", "RoleDetailLists", "RoleDetailList"),
        ("Aliases:", "Alias", "Aliases"),
    ],
)
def test_misspelled_key_is_an_error_not_a_silently_dropped_control(tmp_path, typo, field, hint):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/bucket.json").write_text(RESOURCE_ALLOW)
    path = tmp_path / "account.yaml"
    path.write_text(MODEL.replace(typo, f"{field}:", 1))
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(path)
    [err] = info.value.errors
    assert err.field.endswith(field) and f"unknown key {field!r}" in err.message
    assert hint in err.suggestion


def test_snapshot_fields_aws_returns_are_accepted(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/bucket.json").write_text(RESOURCE_ALLOW)
    path = tmp_path / "account.yaml"
    extra = (
        "        RoleId: AROAEXAMPLE\n        CreateDate: 2026-01-01T00:00:00Z\n        RoleLastUsed: {}\n"
    )
    path.write_text(
        MODEL.replace(
            "        Arn: arn:aws:iam::111122223333:role/app\n",
            "        Arn: arn:aws:iam::111122223333:role/app\n" + extra,
        )
    )
    assert "app" in load_account_model(path).accounts["111122223333"].roles


def test_resource_policy_without_principal_is_reported_at_its_line(tmp_path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/bucket.json").write_text(ALLOW_ALL)  # no Principal: malformed as a resource policy
    path = tmp_path / "account.yaml"
    path.write_text(MODEL)
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(path)
    assert [e.field for e in info.value.errors] == ["accounts[0].ResourcePolicies[0].Policy"]
    assert "Principal" in info.value.errors[0].message


def test_malformed_inline_policy_is_reported_at_load_with_model_file_and_line(tmp_path):
    from harness.account import load_account_model
    from harness.inputs.errors import ScenarioFileErrors

    model = tmp_path / "a.yaml"
    model.write_text(
        'accounts:\n  - AccountId: "111122223333"\n    RoleDetailList:\n      - RoleName: app\n'
        "        RolePolicyList:\n          - PolicyName: p\n            PolicyDocument:\n"
        '              {Version: "2012-10-17", Statement: [{Effect: Maybe, Action: "kms:*", Resource: "*"}]}\n'
    )
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(model)
    (error,) = info.value.errors
    assert error.file == str(model) and error.line == 7
    assert error.field.endswith("RolePolicyList[0].PolicyDocument") and "Effect" in error.message


def test_a_misspelled_capture_key_is_an_error(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('accounts: [{AccountId: "111122223333"}]\ncapture: {whenn: now}\n')
    with pytest.raises(ScenarioFileErrors) as raised:
        load_account_model(path)
    assert "did you mean when?" in str(raised.value)


def test_a_gap_needs_its_section_and_code(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('accounts: [{AccountId: "111122223333", Gaps: [{Section: iam}]}]\n')
    with pytest.raises(ScenarioFileErrors) as raised:
        load_account_model(path)
    assert "Gaps[0]" in str(raised.value)


def test_an_alias_arn_of_another_account_does_not_name_this_accounts_key(model):
    assert model.resource_policy_for("arn:aws:kms:eu-west-3:444455556666:alias/app") is None
    assert model.resource_policy_for("arn:aws:kms:eu-west-3:111122223333:alias/app") is not None
