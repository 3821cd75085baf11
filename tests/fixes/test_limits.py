# ruff: noqa: E501  (account models written inline read best on one line)
"""Limits a fix does not change (boundary, SCP, RCP, session policy) are named, never edited silently."""

from __future__ import annotations

from tests.fixes.accounts import ACCOUNT, DECRYPT_ANYWHERE, HEAD, IR, K1, MODEL, scenario

ONLY_S3 = f"arn:aws:iam::{ACCOUNT}:policy/only-s3"
POLICIES = f"""    Policies:
      - {{PolicyName: only-s3, Arn: "{ONLY_S3}", PolicyVersionList: [{{VersionId: v1, IsDefaultVersion: true, Document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:*", Resource: "*"}}]}}}}]}}
"""
BOUNDED = f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: POLICIES_OF_IR, PermissionsBoundary: {{PermissionsBoundaryType: Policy, PermissionsBoundaryArn: "{ONLY_S3}"}}}}'


def bounded_model(ir_policies: str) -> str:
    role = BOUNDED.replace("POLICIES_OF_IR", ir_policies)
    return MODEL.replace(f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: []}}', role).replace(
        "    ResourcePolicies:\n", POLICIES + "    ResourcePolicies:\n"
    )


def test_a_boundary_that_does_not_allow_is_named_and_nothing_else_is_needed(run_file):
    run = run_file(
        HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), bounded_model(DECRYPT_ANYWHERE)
    )
    fix = run.fix("ir decrypts")
    assert not fix.verified and fix.changes == ()
    assert "permissions boundary" in fix.note
    assert "no other change is needed" in fix.note
    assert "service control policy" not in fix.note


def test_with_a_boundary_and_no_identity_allow_the_allow_is_given_and_the_boundary_named(run_file):
    run = run_file(HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), bounded_model("[]"))
    fix = run.fix("ir decrypts")
    assert not fix.verified
    [change] = fix.changes
    assert change.target == IR and change.statement["Action"] == ["kms:Decrypt"]
    assert "permissions boundary" in fix.note
    assert "with that changed, these changes make the cell allowed" in fix.note
