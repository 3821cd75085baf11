"""What KMS enforces, beside the simulator's answer, on the AWS backend (computed by the offline engine)."""

from __future__ import annotations

import json

from aws_builders import ACCOUNT, USER_ARN, allow, aws_backend, cell, custom, fast_options, identity_policy

from harness.backends.aws import AwsBackend
from harness.cells import Expectation, Outcome, Subject, judge
from harness.engine.types import PolicyKind, PolicySource
from harness.testing.iam_endpoint import LocalIamEndpoint

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
# A key policy that names nobody for Decrypt and does not enable IAM policies (no root statement).
KEY_POLICY = PolicySource(
    json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": USER_ARN},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                }
            ],
        }
    ),
    "ResourcePolicy",
    "Resource Policy",
    PolicyKind.RESOURCE,
    origin="key-policy.json",
)
SUBJECT = custom(identity_policy(allow("kms:Decrypt")), caller=USER_ARN)


def test_a_cell_carries_the_simulators_answer_and_what_kms_enforces(endpoint: LocalIamEndpoint) -> None:
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(SUBJECT, "kms:Decrypt", KEY, resource_policy=KEY_POLICY)]
    )
    assert result.decision == "allowed"  # the simulator unions identity and key policy
    assert result.enforced_decision == "implicitDeny"  # KMS: the key policy does not enable IAM policies
    assert "key policy" in (result.advisory or "")


def test_an_enforced_scenario_is_judged_on_what_kms_enforces(endpoint: LocalIamEndpoint) -> None:
    c = cell(SUBJECT, "kms:Decrypt", KEY, Expectation.DENIED, resource_policy=KEY_POLICY, check_enforced=True)
    [result] = aws_backend(endpoint.url).evaluate([c])
    assert judge(c, result) is Outcome.PASSED


def test_an_enforced_scenario_without_the_principals_policies_is_an_error_saying_what_to_add(
    endpoint: LocalIamEndpoint,
) -> None:
    endpoint.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument="{}")
    c = cell(
        Subject(principal_arn=ROLE),
        "kms:Decrypt",
        KEY,
        Expectation.DENIED,
        resource_policy=KEY_POLICY,
        check_enforced=True,
    )
    [result] = aws_backend(endpoint.url).evaluate([c])
    assert result.is_error and "--iam-account" in (result.error or "")


def test_a_plain_cell_without_the_principals_policies_keeps_the_simulators_answer(
    endpoint: LocalIamEndpoint,
) -> None:
    endpoint.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument="{}")
    c = cell(
        Subject(principal_arn=ROLE), "kms:DescribeKey", KEY, Expectation.DENIED, resource_policy=KEY_POLICY
    )
    [result] = aws_backend(endpoint.url).evaluate([c])
    assert result.decision == "implicitDeny" and result.enforced_decision is None


def test_a_capture_that_disagrees_with_the_account_gives_no_enforced_decision(
    endpoint: LocalIamEndpoint,
) -> None:
    from harness.account import Account, AccountModel, Identity, InlinePolicy

    endpoint.client("iam").create_user(UserName="alice")  # in the account: no policy at all
    account = Account(account_id=ACCOUNT, organization_path=())
    stale = Identity(kind="user", name="alice", arn=USER_ARN)
    stale.inline.append(
        InlinePolicy("old", json.dumps({"Version": "2012-10-17", "Statement": [allow("kms:*")]}), "cap")
    )
    account.users["alice"] = stale
    capture = AccountModel(path="capture.yaml", accounts={ACCOUNT: account})
    c = cell(
        Subject(principal_arn=USER_ARN),
        "kms:Decrypt",
        KEY,
        Expectation.DENIED,
        resource_policy=KEY_POLICY,
        check_enforced=True,
    )
    [result] = AwsBackend(fast_options(endpoint.url), account_model=capture).evaluate([c])
    assert result.is_error and "account model current" in (result.error or "")
