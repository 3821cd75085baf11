"""Role and session callers against a resource policy: sent as themselves, the stand-in only as the fallback.

Both simulators the local endpoint plays: today's (botocore's IAM model of
2026-07-30: a role may be CallerArn) and the one documented before (only an
IAM user), per test and per caller account.
"""

from __future__ import annotations

import json

import pytest
from aws_builders import ACCOUNT, BUCKET, allow, aws_backend, cell, custom, identity_policy, policy_text

from harness.backends.aws.callers import is_caller_refusal
from harness.cells import Subject
from harness.engine.types import PolicyKind, PolicySource
from harness.testing.iam_endpoint import (
    CURRENT_REFUSAL,
    PRE_2026_REFUSAL,
    LocalIamEndpoint,
    SimulatorStyle,
)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/team/reader"
ROLE_NO_PATH = f"arn:aws:iam::{ACCOUNT}:role/reader"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/nightly"
OTHER_ACCOUNT = "444455556666"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/reader"
STAND_IN = f"arn:aws:iam::{ACCOUNT}:user/iam-harness-stand-in-caller"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _bucket_policy(principal: str, condition: dict | None = None, key: str = "*") -> PolicySource:
    st: dict = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject"}
    st["Resource"] = f"{BUCKET}/{key}"
    if condition:
        st["Condition"] = condition
    return PolicySource(policy_text(st), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE)


def _role_cell(role: str = ROLE_NO_PATH, key: str = "k", **kwargs: object):
    """Custom mode: the role's policies are the scenario's; only the bucket policy grants the read."""
    subject = custom(identity_policy(allow("kms:DescribeKey")), caller=role)
    rp = kwargs.pop("resource_policy", None) or _bucket_policy(role, key=key)
    return cell(subject, "s3:GetObject", f"{BUCKET}/{key}", resource_policy=rp, **kwargs)


def _callers(endpoint: LocalIamEndpoint) -> list[str]:
    return [p.get("CallerArn", "") for _, p in endpoint.simulate_requests()]


@pytest.fixture
def reader(endpoint: LocalIamEndpoint) -> str:
    """Role team/reader in moto, with no identity policy: only a bucket policy can grant it anything."""
    endpoint.client("iam").create_role(RoleName="reader", Path="/team/", AssumeRolePolicyDocument=TRUST)
    return ROLE


def test_a_role_principal_is_sent_as_itself_on_todays_simulator(
    endpoint: LocalIamEndpoint, reader: str
) -> None:
    rp = _bucket_policy(ROLE)
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate(
        [cell(Subject(principal_arn=ROLE), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    [(_, params)] = endpoint.simulate_requests()
    assert params["PolicySourceArn"] == params["CallerArn"] == ROLE
    assert params["ResourcePolicy"] == rp.text
    assert (result.decision, result.via) == ("allowed", "direct")
    assert endpoint.calls["GetRole"] == 0  # nothing to rewrite: the role's facts are not needed
    assert backend.metadata()["direct_cells"] == 1


def test_a_session_principal_is_sent_as_its_role_with_the_role_path(
    endpoint: LocalIamEndpoint, reader: str
) -> None:
    [result] = aws_backend(endpoint.url).evaluate(
        [
            cell(
                Subject(principal_arn=SESSION),
                "s3:GetObject",
                f"{BUCKET}/k",
                resource_policy=_bucket_policy(ROLE),
            )
        ]
    )
    [(_, params)] = endpoint.simulate_requests()
    assert params["PolicySourceArn"] == params["CallerArn"] == ROLE
    assert (result.decision, result.via) == ("allowed", "direct")
    assert any("sent as its role" in w for w in result.warnings)


def test_a_role_of_another_account_is_answered_without_reading_it(endpoint: LocalIamEndpoint) -> None:
    endpoint.client("iam", account=OTHER_ACCOUNT).create_role(
        RoleName="reader", AssumeRolePolicyDocument=TRUST
    )
    endpoint.accounts.append(OTHER_ACCOUNT)
    rp = _bucket_policy(FOREIGN_ROLE)
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(Subject(principal_arn=FOREIGN_ROLE), "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    assert (result.decision, result.via) == ("allowed", "direct")
    assert endpoint.calls["GetRole"] == 0  # the stand-in would have needed it, and been refused


def test_a_refused_role_caller_is_answered_through_the_stand_in(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate([_role_cell()])
    assert _callers(endpoint) == [ROLE_NO_PATH, STAND_IN]
    assert (result.decision, result.via) == ("allowed", "stand-in caller")
    assert any("refuses a role as CallerArn in aws:123456789012" in w for w in result.warnings)
    meta = backend.metadata()
    assert (meta["role_caller_refusals"], meta["role_callers_refused_in"]) == (1, ["aws:123456789012"])
    assert (meta["stand_in_cells"], meta["direct_cells"]) == (1, 0)


def test_a_run_on_a_refusing_simulator_makes_exactly_one_refused_call_per_account(
    endpoint: LocalIamEndpoint,
) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    backend = aws_backend(endpoint.url, max_concurrency=8)
    # Distinct bucket policies: one batch, so one request, per cell; roles in two accounts.
    cells = [_role_cell(role, key=f"k{i}") for i in range(12) for role in (ROLE_NO_PATH, FOREIGN_ROLE)]
    first = backend.evaluate(cells)
    again = backend.evaluate([_role_cell(role, key="later") for role in (ROLE_NO_PATH, FOREIGN_ROLE)])
    sent = _callers(endpoint)
    assert sorted(c for c in sent if ":role/" in c) == [ROLE_NO_PATH, FOREIGN_ROLE]
    assert all(r.via == "stand-in caller" and r.decision == "allowed" for r in (*first, *again))
    assert backend.metadata()["role_caller_refusals"] == 2


def test_a_mixed_run_answers_each_account_the_way_its_simulator_does(endpoint: LocalIamEndpoint) -> None:
    endpoint.style_by_account[OTHER_ACCOUNT] = SimulatorStyle.PRE_2026
    backend = aws_backend(endpoint.url)
    cells = [_role_cell(role, key=f"k{i}") for i in range(3) for role in (ROLE_NO_PATH, FOREIGN_ROLE)]
    results = backend.evaluate(cells)
    vias = {(c.subject.caller_arn, r.via) for c, r in zip(cells, results, strict=True)}
    assert vias == {(ROLE_NO_PATH, "direct"), (FOREIGN_ROLE, "stand-in caller")}
    assert all(r.decision == "allowed" for r in results)
    meta = backend.metadata()
    assert (meta["direct_cells"], meta["stand_in_cells"], meta["role_caller_refusals"]) == (3, 3, 1)


def test_caller_mode_direct_makes_a_refusal_an_error_cell(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    [result] = aws_backend(endpoint.url, caller_mode="direct").evaluate([_role_cell()])
    assert result.is_error
    assert "Caller must be an IAM user" in (result.error or "")
    assert "caller_mode=direct" in (result.error or "")
    assert _callers(endpoint) == [ROLE_NO_PATH]


def test_caller_mode_stand_in_never_sends_the_role(endpoint: LocalIamEndpoint) -> None:
    [result] = aws_backend(endpoint.url, caller_mode="stand-in").evaluate([_role_cell()])
    assert _callers(endpoint) == [STAND_IN]
    assert result.via == "stand-in caller"


def test_a_role_with_a_boundary_the_stand_in_refuses_is_answered_directly(endpoint: LocalIamEndpoint) -> None:
    subject = Subject(
        identity_policies=(identity_policy(allow("kms:DescribeKey")),),
        permissions_boundaries=(identity_policy(allow("kms:*"), name="boundary"),),
        caller_arn=ROLE_NO_PATH,
    )
    rp = _bucket_policy(ROLE_NO_PATH)
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(subject, "s3:GetObject", f"{BUCKET}/k", resource_policy=rp)]
    )
    # A grant to the role ARN is limited by its boundary, which allows no s3 action.
    assert (result.decision, result.via) == ("implicitDeny", "direct")


def test_a_key_the_stand_in_would_not_share_is_answered_directly(endpoint: LocalIamEndpoint) -> None:
    rp = _bucket_policy(ROLE_NO_PATH, condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})
    [result] = aws_backend(endpoint.url).evaluate([_role_cell(resource_policy=rp)])
    assert not result.is_error and result.via == "direct"


def test_the_old_refusal_is_recognised_by_its_code_and_meaning() -> None:
    assert is_caller_refusal("InvalidInput", PRE_2026_REFUSAL)
    assert is_caller_refusal("InvalidInput", "Invalid caller: caller must be an IAM user.")
    assert not is_caller_refusal("InvalidInput", CURRENT_REFUSAL)  # a session refused today
    assert not is_caller_refusal("AccessDenied", PRE_2026_REFUSAL)
    assert not is_caller_refusal("InvalidInput", "ResourcePolicy is not valid JSON")
