"""The capture's Organizations section: the account's path, SCPs and RCPs, or the gap that hides them."""

from __future__ import annotations

import pytest
from capture_builders import ALLOW_DECRYPT, TRUST_EC2, capture, doc, refuse

from harness.engine.errors import SimulationError

MANAGEMENT = "123456789012"
DENY_DELETION = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}],
}


@pytest.fixture
def organization(moto):
    """A management account, an OU `workloads` with an SCP, a member account in it with a role."""
    org = moto.client("organizations", "us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    member = org.create_account(Email="m@example.com", AccountName="member")["CreateAccountStatus"][
        "AccountId"
    ]
    org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
    policy = org.create_policy(
        Content=doc(DENY_DELETION), Description="", Name="DenyKeyDeletion", Type="SERVICE_CONTROL_POLICY"
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=ou)
    org.attach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)
    org.attach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
    iam = moto.client("iam", "us-east-1", member)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=doc(TRUST_EC2))
    iam.put_role_policy(RoleName="app", PolicyName="all", PolicyDocument=doc(ALLOW_DECRYPT))
    return {"root": root, "ou": ou, "member": member}


def _member_role(organization):
    return (f"arn:aws:iam::{organization['member']}:role/iam-harness-audit",)


def test_the_path_from_the_root_and_the_scps_at_each_level_are_captured(moto, tmp_path, organization):
    _, model = capture(moto, tmp_path, assume_roles=_member_role(organization))
    member = organization["member"]
    assert model.accounts[member].organization_path == (organization["root"], organization["ou"])
    assert model.management_account == MANAGEMENT
    levels = model.scp_levels_for(member)
    assert [[p.source_id for p in level] for level in levels] == [
        ["FullAWSAccess"],
        ["DenyKeyDeletion", "FullAWSAccess"],
        ["FullAWSAccess"],
    ]


def test_a_policy_type_that_is_not_enabled_applies_nothing(moto, tmp_path, organization):
    _, model = capture(moto, tmp_path, assume_roles=_member_role(organization))
    assert model.has_rcps is False and model.rcp_levels_for(organization["member"]) == ()


def test_an_account_outside_any_organization_has_no_scps(moto, tmp_path):
    result, model = capture(moto, tmp_path)
    assert model.accounts[MANAGEMENT].outside_organization
    assert model.scp_levels_for(MANAGEMENT) == ()
    assert result.gaps == []


def test_refused_organizations_is_a_gap_and_the_accounts_principal_cells_are_errors(
    moto, tmp_path, organization, monkeypatch
):
    refuse(monkeypatch, "organizations", "ListParents", "AccessDeniedException")
    result, model = capture(moto, tmp_path, assume_roles=_member_role(organization))
    member = organization["member"]
    assert [(g.section, g.action, g.code) for g in result.gaps] == [
        ("organizations", "organizations:ListParents", "AccessDeniedException")
    ]
    with pytest.raises(SimulationError) as raised:
        model.simulation_input_for(f"arn:aws:iam::{member}:role/app", ["kms:Decrypt"], ["*"], context=())
    assert raised.value.code == "CaptureGap"
    assert "SCPs" in raised.value.message and "organizations:ListParents" in raised.value.message


def test_a_scenario_with_its_own_scps_does_not_depend_on_the_gap(moto, tmp_path, organization, monkeypatch):
    refuse(monkeypatch, "organizations", "ListParents", "AccessDeniedException")
    _, model = capture(moto, tmp_path, assume_roles=_member_role(organization))
    member = organization["member"]
    inp = model.simulation_input_for(
        f"arn:aws:iam::{member}:role/app", ["kms:Decrypt"], ["*"], context=(), scp_levels=[], rcp_levels=[]
    )
    assert inp.scp_levels == ()
