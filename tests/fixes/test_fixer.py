# ruff: noqa: E501  (account models and scenarios written inline read best on one line)
"""A blocked cell's fix: the smallest change that allows it, proven by evaluating the cell again."""

from __future__ import annotations

import json

from harness.cells import ChangeKind
from harness.fixes.documents import statements_of
from harness.fixes.patch import apply_to_model
from tests.fixes.accounts import (
    ACCOUNT,
    ADMIN_KEY_POLICY,
    DECRYPT_ANYWHERE,
    DENIED,
    FOREIGN_KEY,
    HEAD,
    IR,
    IR2,
    K1,
    K2,
    MODEL,
    OTHER,
    ROOT_KEY_POLICY,
    scenario,
)


def test_missing_identity_allow_in_the_same_account_is_a_new_inline_policy_on_the_role(run_file):
    run = run_file(HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), MODEL)
    fix = run.fix("ir decrypts")
    [change] = fix.changes
    assert fix.verified
    assert (change.action, change.target) == (ChangeKind.ADD_STATEMENT, IR)
    assert change.policy.startswith("harness-fix-")
    assert change.statement == {
        "Sid": change.statement["Sid"],
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": K1,
    }


def test_key_policy_not_naming_the_role_gets_a_key_policy_statement_for_the_enforced_decision(run_file):
    run = run_file(
        HEAD + scenario("ir decrypts k2", IR, "kms:Decrypt", K2, "allowed", "    enforced: true\n"), MODEL
    )
    fix = run.fix("ir decrypts k2")
    [change] = fix.changes
    assert fix.verified
    assert (change.target, change.policy) == (K2, "key_policy")
    assert change.statement["Principal"] == {"AWS": IR}
    assert change.statement["Resource"] == "*"
    assert change.statement["Action"] == ["kms:Decrypt"]


def test_an_aws_managed_keys_policy_is_never_a_verified_fix(run_file):
    managed = MODEL.replace(
        f'      - {{Arn: "{K2}", Policy: {ADMIN_KEY_POLICY}}}',
        f'      - {{Arn: "{K2}", KeyManager: AWS, Policy: {ADMIN_KEY_POLICY}}}',
    )
    run = run_file(
        HEAD + scenario("ir decrypts the aws managed key", IR, "kms:Decrypt", K2, "allowed", "    enforced: true\n"),
        managed,
    )
    fix = run.fix("ir decrypts the aws managed key")
    assert not fix.verified
    assert "AWS managed key, whose key policy only AWS changes" in fix.note


def test_kms_via_service_from_the_context_is_carried_into_the_statement(run_file):
    extra = "    context: {kms:ViaService: ec2.eu-west-3.amazonaws.com, aws:SourceVpc: vpc-1}\n"
    run = run_file(HEAD + scenario("ir decrypts via ebs", IR, "kms:Decrypt", K1, "allowed", extra), MODEL)
    [change] = run.fix("ir decrypts via ebs").changes
    # kms:ViaService says how the key is used; aws:SourceVpc is tested by no policy here.
    assert change.statement["Condition"] == {
        "StringEquals": {"kms:ViaService": "ec2.eu-west-3.amazonaws.com"}
    }


def test_a_wildcard_principal_statement_with_another_via_service_is_left_alone_and_a_new_one_names_the_role(
    run_file,
):
    via_us = f'{{Version: "2012-10-17", Statement: [{{Sid: ViaEbs, Effect: Allow, Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: {{StringEquals: {{"kms:ViaService": ec2.us-east-1.amazonaws.com, "kms:CallerAccount": "{ACCOUNT}"}}}}}}]}}'
    model = MODEL.replace(ADMIN_KEY_POLICY, via_us)
    extra = f'    enforced: true\n    context: {{kms:ViaService: ec2.eu-west-3.amazonaws.com, kms:CallerAccount: "{ACCOUNT}"}}\n'
    run = run_file(
        HEAD + scenario("ir decrypts via ebs in paris", IR, "kms:Decrypt", K2, "allowed", extra), model
    )
    fix = run.fix("ir decrypts via ebs in paris")
    [change] = fix.changes
    assert fix.verified
    assert change.action is ChangeKind.ADD_STATEMENT and change.policy == "key_policy"
    assert change.statement["Principal"] == {"AWS": IR}
    assert change.statement["Condition"] == {
        "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.eu-west-3.amazonaws.com"}
    }
    patched = apply_to_model(run.loaded.account_model, fix.changes)
    statements = statements_of(patched.resource_policy_for(K2).text)
    original = statements_of(run.loaded.account_model.resource_policy_for(K2).text)[0]
    assert statements[0] == original  # the wildcard statement others match is untouched
    assert len(statements) == 2


def test_an_explicit_deny_in_an_identity_policy_is_removed_by_naming_the_statement(run_file):
    run = run_file(HEAD + scenario("denied role decrypts", DENIED, "kms:Decrypt", K1, "allowed"), MODEL)
    fix = run.fix("denied role decrypts")
    [change] = fix.changes
    assert fix.verified
    assert (change.action, change.target, change.policy) == (ChangeKind.REMOVE_STATEMENT, DENIED, "kms")
    assert change.statement == {
        "Sid": "NoDecrypt",
        "Effect": "Deny",
        "Action": "kms:Decrypt",
        "Resource": "*",
    }


def test_an_scp_deny_is_not_verified_and_the_note_says_what_must_change(run_file):
    model = MODEL.replace("    OutsideOrganization: true\n", "    OrganizationPath: [r-root]\n") + (
        "Organization:\n  ServiceControlPolicies:\n"
        '    r-root: [{Name: all, Document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]\n'
        f'    "{ACCOUNT}": [{{Name: all, Document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "*", Resource: "*"}}, {{Sid: NoKms, Effect: Deny, Action: "kms:Decrypt", Resource: "*"}}]}}}}]\n'
    )
    model = model.replace(
        f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: []}}',
        f'{{RoleName: ir, Arn: "{IR}", RolePolicyList: {DECRYPT_ANYWHERE}}}',
    )
    run = run_file(HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), model)
    fix = run.fix("ir decrypts")
    assert not fix.verified
    assert fix.changes == ()
    assert "service control policy" in fix.note
    assert "no other change is needed" in fix.note


def test_a_cross_account_key_needs_two_changes_the_key_policy_and_the_role(run_file):
    model = MODEL + (
        f'  - AccountId: "{OTHER}"\n    OutsideOrganization: true\n    UserDetailList: []\n    GroupDetailList: []\n    RoleDetailList: []\n'
        f'    ResourcePolicies:\n      - {{Arn: "{FOREIGN_KEY}", Policy: {ROOT_KEY_POLICY.replace(ACCOUNT, OTHER)}}}\n'
    )
    run = run_file(
        HEAD + scenario("ir decrypts the other account's key", IR, "kms:Decrypt", FOREIGN_KEY, "allowed"),
        model,
    )
    fix = run.fix("ir decrypts the other account's key")
    assert fix.verified
    assert {(c.target, c.policy.startswith("harness-fix-") or c.policy) for c in fix.changes} == {
        (IR, True),
        (FOREIGN_KEY, "key_policy"),
    }


def test_the_other_accounts_key_policy_outside_the_model_makes_a_proposal_that_is_not_verified(run_file):
    run = run_file(
        HEAD + scenario("ir decrypts an unknown key", IR, "kms:Decrypt", FOREIGN_KEY, "allowed"), MODEL
    )
    fix = run.fix("ir decrypts an unknown key")
    assert not fix.verified
    assert {c.target for c in fix.changes} == {IR, FOREIGN_KEY}
    assert "not in the account model" in fix.note


def test_a_fix_that_would_also_allow_an_expected_deny_cell_is_not_verified(run_file):
    allowed = scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed")
    # The same request from another network: no policy tells them apart, so no narrow fix exists.
    denied = scenario(
        "ir does not decrypt from elsewhere",
        IR,
        "kms:Decrypt",
        K1,
        "denied",
        "    context: {aws:SourceVpc: vpc-2}\n",
    )
    run = run_file(HEAD + allowed + denied, MODEL)
    fix = run.fix("ir decrypts")
    assert not fix.verified
    assert fix.changes
    assert "also allow 1 expected-deny cell of this file" in fix.note
    assert run.named("ir does not decrypt from elsewhere")[0].id in fix.note


def test_an_identity_change_is_checked_against_that_identitys_expected_deny_cells_only(run_file):
    allowed = scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed")
    other_role = scenario("ir2 does not decrypt", IR2, "kms:Decrypt", K1, "denied")
    run = run_file(HEAD + allowed + other_role, MODEL)
    fix = run.fix("ir decrypts")
    assert fix.verified
    assert "no expected-deny cell of this file is reached" in fix.note


def test_a_key_policy_change_is_checked_against_every_expected_deny_cell_on_the_key(run_file):
    allowed = scenario("ir decrypts k2", IR, "kms:Decrypt", K2, "allowed", "    enforced: true\n")
    other_role = scenario("ir2 does not decrypt k2", IR2, "kms:Decrypt", K2, "denied", "    enforced: true\n")
    run = run_file(HEAD + allowed + other_role, MODEL)
    fix = run.fix("ir decrypts k2")
    assert fix.verified
    assert "the changes reach 1 expected-deny cell of this file and turned none allowed" in fix.note


def test_two_fixes_on_one_key_apply_together_and_the_patched_policy_loads(run_file):
    enforced = "    enforced: true\n"
    run = run_file(
        HEAD
        + scenario("ir decrypts k2", IR, "kms:Decrypt", K2, "allowed", enforced)
        + scenario("ir2 decrypts k2", IR2, "kms:Decrypt", K2, "allowed", enforced),
        MODEL,
    )
    fixes = [run.fix("ir decrypts k2"), run.fix("ir2 decrypts k2")]
    changes = [c for f in fixes for c in f.changes]
    assert all(f.verified for f in fixes)
    assert len({c.statement["Sid"] for c in changes}) == 2
    patched = apply_to_model(run.loaded.account_model, changes)
    policy = patched.resource_policy_for(K2)
    from harness.engine import compile_policy

    compile_policy(policy)  # loads: no duplicate Sid, valid grammar
    assert [s.get("Sid") for s in json.loads(policy.text)["Statement"]] == [
        "Admin",
        *(c.statement["Sid"] for c in changes),
    ]


def test_a_context_key_the_action_never_carries_is_not_a_condition_of_its_statement(run_file):
    extra = "    context: {kms:ViaService: ec2.eu-west-3.amazonaws.com, kms:GrantIsForAWSResource: true}\n"
    run = run_file(
        HEAD
        + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed", extra)
        + scenario("ir grants", IR, "kms:CreateGrant", K1, "allowed", extra),
        MODEL,
    )
    decrypt = run.fix("ir decrypts").changes[0].statement["Condition"]
    grant = run.fix("ir grants").changes[0].statement["Condition"]
    assert "Bool" not in decrypt
    assert grant["Bool"] == {"kms:GrantIsForAWSResource": "true"}
