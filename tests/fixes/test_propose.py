# ruff: noqa: E501  (account models and scenarios written inline read best on one line)
"""Which statement a fix removes: the deny in the policy that holds it, named by its Sid and text."""

from __future__ import annotations

from harness.cells import ChangeKind
from tests.fixes.accounts import ACCOUNT, HEAD, K1, MODEL, scenario

ALLOW = '{PolicyName: use, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:Decrypt", Resource: "*"}]}}'
DENY_DOC = (
    '{Version: "2012-10-17", Statement: [{Sid: NoKms, Effect: Deny, Action: "kms:Decrypt", Resource: "*"}]}'
)
MANAGED = f"arn:aws:iam::{ACCOUNT}:policy/deny-kms"
AWS_MANAGED = "arn:aws:iam::aws:policy/DenyKms"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
GROUP = f"arn:aws:iam::{ACCOUNT}:group/responders"

EXTRA = f"""      - {{RoleName: managed, Arn: "arn:aws:iam::{ACCOUNT}:role/managed", RolePolicyList: [{ALLOW}], AttachedManagedPolicies: [{{PolicyName: deny-kms, PolicyArn: "{MANAGED}"}}]}}
      - {{RoleName: aws-managed, Arn: "arn:aws:iam::{ACCOUNT}:role/aws-managed", RolePolicyList: [{ALLOW}], AttachedManagedPolicies: [{{PolicyName: DenyKms, PolicyArn: "{AWS_MANAGED}"}}]}}
    Policies:
      - {{PolicyName: deny-kms, Arn: "{MANAGED}", PolicyVersionList: [{{VersionId: v1, IsDefaultVersion: true, Document: {DENY_DOC}}}]}}
      - {{PolicyName: DenyKms, Arn: "{AWS_MANAGED}", PolicyVersionList: [{{VersionId: v1, IsDefaultVersion: true, Document: {DENY_DOC}}}]}}
"""
USERS = f"""    UserDetailList:
      - {{UserName: alice, Arn: "{ALICE}", GroupList: [responders], UserPolicyList: [{ALLOW}]}}
    GroupDetailList:
      - {{GroupName: responders, Arn: "{GROUP}", GroupPolicyList: [{{PolicyName: no-kms, PolicyDocument: {DENY_DOC}}}]}}
"""
K3 = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k3"
DENY_IN_KEY = f'{{Version: "2012-10-17", Statement: [{{Sid: Root, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:root"}}, Action: "kms:*", Resource: "*"}}, {{Sid: NoIr, Effect: Deny, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:role/aws-managed"}}, Action: "kms:Decrypt", Resource: "*"}}]}}'
ACCOUNTS = (
    MODEL.replace("    ResourcePolicies:\n", EXTRA + "    ResourcePolicies:\n").replace(
        "    UserDetailList: []\n    GroupDetailList: []\n", USERS
    )
    + f'      - {{Arn: "{K3}", Policy: {DENY_IN_KEY}}}\n'
)
NO_KMS = {"Sid": "NoKms", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}


def test_a_deny_in_a_customer_managed_policy_is_removed_from_that_policy(run_file):
    run = run_file(
        HEAD
        + scenario("managed decrypts", f"arn:aws:iam::{ACCOUNT}:role/managed", "kms:Decrypt", K1, "allowed"),
        ACCOUNTS,
    )
    fix = run.fix("managed decrypts")
    assert fix.verified
    assert [(c.action, c.target, c.policy, c.statement) for c in fix.changes] == [
        (ChangeKind.REMOVE_STATEMENT, MANAGED, "deny-kms", NO_KMS)
    ]


def test_a_deny_in_a_groups_inline_policy_is_removed_from_the_group(run_file):
    run = run_file(HEAD + scenario("alice decrypts", ALICE, "kms:Decrypt", K1, "allowed"), ACCOUNTS)
    fix = run.fix("alice decrypts")
    assert fix.verified
    assert [(c.target, c.policy) for c in fix.changes] == [(GROUP, "no-kms")]


def test_a_deny_in_an_aws_managed_policy_is_named_not_edited(run_file):
    run = run_file(
        HEAD
        + scenario(
            "aws-managed decrypts", f"arn:aws:iam::{ACCOUNT}:role/aws-managed", "kms:Decrypt", K1, "allowed"
        ),
        ACCOUNTS,
    )
    fix = run.fix("aws-managed decrypts")
    assert not fix.verified and fix.changes == ()
    assert "AWS managed policies are edited by AWS only" in fix.note


def test_a_deny_in_the_key_policy_is_removed_from_the_key_policy_and_the_other_deny_is_named(run_file):
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-managed"
    run = run_file(HEAD + scenario("aws-managed decrypts k3", role, "kms:Decrypt", K3, "allowed"), ACCOUNTS)
    fix = run.fix("aws-managed decrypts k3")
    assert not fix.verified  # the AWS managed policy's deny stays
    [change] = fix.changes
    assert (change.action, change.target, change.policy, change.statement["Sid"]) == (
        ChangeKind.REMOVE_STATEMENT,
        K3,
        "key_policy",
        "NoIr",
    )
    assert "AWS managed policies are edited by AWS only" in fix.note
