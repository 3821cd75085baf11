"""Role and session callers against a resource policy, through a stand-in user: what is sent to AWS.

The stand-in path is pinned here (caller_mode=stand-in); test_aws_callers.py covers how it is
reached on its own, on an endpoint that refuses role callers.
"""

from __future__ import annotations

import json

import pytest
from aws_builders import (
    ACCOUNT,
    BUCKET,
    allow,
    aws_backend,
    cell,
    context,
    custom,
    identity_policy,
    policy_text,
)

from harness.backends.aws import AwsBackend
from harness.cells import Subject
from harness.engine.types import PolicyKind, PolicySource
from harness.testing.iam_endpoint import LocalIamEndpoint, ScriptedError

ROLE = f"arn:aws:iam::{ACCOUNT}:role/team/reader"
ROLE_NO_PATH = f"arn:aws:iam::{ACCOUNT}:role/reader"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/nightly"
STAND_IN = f"arn:aws:iam::{ACCOUNT}:user/iam-harness-stand-in-caller"
OTHER = f"arn:aws:iam::{ACCOUNT}:role/someone-else"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _bucket_policy(*principals: str, condition: dict | None = None) -> PolicySource:
    st: dict = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "s3:GetObject"}
    st["Resource"] = f"{BUCKET}/*"
    if condition:
        st["Condition"] = condition
    return PolicySource(
        policy_text(st), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE, origin="bp.json"
    )


@pytest.fixture
def reader(endpoint: LocalIamEndpoint) -> str:
    """Role team/reader in moto, with no identity policy: only a bucket policy can grant it anything."""
    endpoint.client("iam").create_role(RoleName="reader", Path="/team/", AssumeRolePolicyDocument=TRUST)
    return ROLE


def stand_in_backend(url: str, **overrides: object) -> AwsBackend:
    return aws_backend(url, caller_mode="stand-in", **overrides)


def _sent(endpoint: LocalIamEndpoint) -> dict:
    [(_, params)] = endpoint.simulate_requests()
    return params


def _context(params: dict) -> dict[str, list[str]]:
    return {e["ContextKeyName"]: e["ContextKeyValues"] for e in params.get("ContextEntries", [])}


def test_a_role_principal_is_simulated_as_a_stand_in_user(endpoint: LocalIamEndpoint, reader: str) -> None:
    rp = _bucket_policy(ROLE, OTHER)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(Subject(principal_arn=ROLE), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    params = _sent(endpoint)
    assert params["PolicySourceArn"] == ROLE
    assert params["CallerArn"] == STAND_IN
    sent_policy = json.loads(params["ResourcePolicy"])
    assert sent_policy["Statement"][0]["Principal"] == {"AWS": [STAND_IN, OTHER]}
    assert {k: v for k, v in sent_policy["Statement"][0].items() if k != "Principal"} == {
        k: v for k, v in json.loads(rp.text)["Statement"][0].items() if k != "Principal"
    }
    assert _context(params) == {
        "aws:PrincipalArn": [ROLE],
        "aws:PrincipalAccount": [ACCOUNT],
        "aws:PrincipalType": ["AssumedRole"],
    }
    assert result.decision == "allowed"
    assert result.via == "stand-in caller"


def test_a_session_principal_sends_its_role_with_the_role_path(
    endpoint: LocalIamEndpoint, reader: str
) -> None:
    rp = _bucket_policy(SESSION)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(Subject(principal_arn=SESSION), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    params = _sent(endpoint)
    assert params["PolicySourceArn"] == ROLE  # iam:GetRole gave the path a session ARN lacks
    assert params["CallerArn"] == STAND_IN
    assert json.loads(params["ResourcePolicy"])["Statement"][0]["Principal"] == {"AWS": [STAND_IN]}
    assert _context(params)["aws:PrincipalArn"] == [ROLE]
    assert result.decision == "allowed" and result.via == "stand-in caller"
    assert endpoint.calls["GetRole"] == 1


def test_a_custom_mode_role_caller_goes_through_simulate_custom_policy(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH)
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    [(operation, params)] = endpoint.simulate_requests()
    assert operation == "SimulateCustomPolicy"
    assert params["CallerArn"] == STAND_IN
    assert json.loads(params["ResourcePolicy"])["Statement"][0]["Principal"] == {"AWS": [STAND_IN]}
    assert _context(params) == {
        "aws:PrincipalArn": [ROLE_NO_PATH],
        "aws:PrincipalAccount": [ACCOUNT],
        "aws:PrincipalType": ["AssumedRole"],
    }
    assert result.decision == "allowed" and result.via == "stand-in caller"
    assert endpoint.calls["GetRole"] == 0  # custom mode: the scenario gives every policy


def test_a_resource_policy_naming_someone_else_is_sent_unchanged(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(OTHER)
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    params = _sent(endpoint)
    assert params["ResourcePolicy"] == rp.text
    assert result.decision == "implicitDeny"


def test_context_the_scenario_sets_is_not_replaced(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH)
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    given = (context("aws:PrincipalArn", OTHER),)
    stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp, context=given)]
    )
    assert _context(_sent(endpoint))["aws:PrincipalArn"] == [OTHER]


def test_a_condition_on_principal_type_the_stand_in_would_answer_is_an_error(
    endpoint: LocalIamEndpoint,
) -> None:
    rp = _bucket_policy(ROLE_NO_PATH, condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}})
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert result.is_error and "aws:PrincipalType" in (result.error or "")
    assert endpoint.simulate_requests() == []


def test_the_same_condition_is_answered_once_the_scenario_sets_the_key(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH, condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}})
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    given = (context("aws:PrincipalType", "AssumedRole"),)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp, context=given)]
    )
    assert result.decision == "allowed"


def test_a_grant_to_a_role_with_a_boundary_is_an_error(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH)
    subject = Subject(
        identity_policies=(identity_policy(allow("kms:DescribeKey")),),
        permissions_boundaries=(identity_policy(allow("s3:*"), name="boundary"),),
        caller_arn=ROLE_NO_PATH,
    )
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert result.is_error and "permissions boundary" in (result.error or "")


def test_a_refused_get_role_is_an_error_naming_it(endpoint: LocalIamEndpoint, reader: str) -> None:
    endpoint.faults.script("GetRole", ScriptedError("AccessDenied", "no", 403))
    rp = _bucket_policy(ROLE)
    [result] = stand_in_backend(endpoint.url, max_attempts=1).evaluate(
        [cell(Subject(principal_arn=ROLE), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert result.is_error and "iam:GetRole" in (result.error or "")


def test_the_stand_in_user_name_is_an_option(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH)
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=ROLE_NO_PATH)
    stand_in_backend(endpoint.url, stand_in_user="harness-proxy").evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert _sent(endpoint)["CallerArn"] == f"arn:aws:iam::{ACCOUNT}:user/harness-proxy"


def test_a_stand_in_user_name_iam_would_reject_is_a_usage_error() -> None:
    from harness.backends.aws import AwsOptionError, AwsOptions

    with pytest.raises(AwsOptionError, match="stand_in_user"):
        AwsOptions.from_mapping({"stand-in-user": "no/slashes"})


def test_a_role_of_another_account_is_never_read_as_a_same_named_role_of_this_one(
    endpoint: LocalIamEndpoint, reader: str
) -> None:
    foreign = "arn:aws:iam::444455556666:role/reader"
    rp = _bucket_policy(foreign)
    [result] = stand_in_backend(endpoint.url).evaluate(
        [cell(Subject(principal_arn=foreign), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert (
        result.is_error and "444455556666" in (result.error or "") and "--iam-account" in (result.error or "")
    )
    assert endpoint.calls["GetRole"] == 0
