"""The local endpoint plays either simulator: today's (2026) or the one documented before."""

from __future__ import annotations

import boto3
import pytest
from aws_builders import ACCOUNT, BUCKET, allow, deny, policy_text

from harness.testing.iam_endpoint import PRE_2026_REFUSAL, LocalIamEndpoint, SimulatorStyle

ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s"
ANYONE = policy_text({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})


def _iam(endpoint: LocalIamEndpoint):
    return boto3.client("iam", endpoint_url=endpoint.url, region_name="us-east-1")


def _simulate(endpoint: LocalIamEndpoint, **params) -> dict:
    params.setdefault("PolicyInputList", [policy_text(allow("s3:*"))])
    params.setdefault("ActionNames", ["s3:GetObject"])
    return _iam(endpoint).simulate_custom_policy(**params)


def test_todays_simulator_takes_a_role_as_caller(endpoint: LocalIamEndpoint) -> None:
    answer = _simulate(endpoint, ResourceArns=[f"{BUCKET}/k"], ResourcePolicy=ANYONE, CallerArn=ROLE)
    assert answer["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_todays_simulator_refuses_a_session_as_caller(endpoint: LocalIamEndpoint) -> None:
    with pytest.raises(_iam(endpoint).exceptions.InvalidInputException, match="user, group, or role"):
        _simulate(endpoint, ResourceArns=[f"{BUCKET}/k"], ResourcePolicy=ANYONE, CallerArn=SESSION)


def test_the_older_simulator_refuses_a_role_as_caller(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    with pytest.raises(_iam(endpoint).exceptions.InvalidInputException, match=PRE_2026_REFUSAL):
        _simulate(endpoint, ResourceArns=[f"{BUCKET}/k"], ResourcePolicy=ANYONE, CallerArn=ROLE)


def test_the_style_can_differ_per_caller_account(endpoint: LocalIamEndpoint) -> None:
    endpoint.style_by_account["444455556666"] = SimulatorStyle.PRE_2026
    with pytest.raises(_iam(endpoint).exceptions.InvalidInputException):
        _simulate(
            endpoint, ResourcePolicy=ANYONE, ResourceArns=["*"], CallerArn="arn:aws:iam::444455556666:role/r"
        )
    assert _simulate(endpoint, ResourcePolicy=ANYONE, ResourceArns=["*"], CallerArn=ROLE)["EvaluationResults"]


def test_todays_answer_is_one_result_per_action_under_the_resource_template(
    endpoint: LocalIamEndpoint,
) -> None:
    [result] = _simulate(endpoint, ResourceArns=[f"{BUCKET}/a", f"{BUCKET}/b"])["EvaluationResults"]
    assert "${" in result["EvalResourceName"] and ":s3:::" in result["EvalResourceName"]
    assert [r["EvalResourceName"] for r in result["ResourceSpecificResults"]] == [
        f"{BUCKET}/a",
        f"{BUCKET}/b",
    ]


def test_the_older_answer_is_one_result_per_resource_under_its_name(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    results = _simulate(endpoint, ResourceArns=[f"{BUCKET}/a", f"{BUCKET}/b"])["EvaluationResults"]
    assert [r["EvalResourceName"] for r in results] == [f"{BUCKET}/a", f"{BUCKET}/b"]


def _scp_denied(endpoint: LocalIamEndpoint) -> dict:
    scps = [{"ServiceControlPolicyInputList": [policy_text(allow("*"), deny("s3:GetObject"))]}]
    [result] = _simulate(endpoint, ResourceArns=[f"{BUCKET}/k"], OrderedOrganizationPolicyInputList=scps)[
        "EvaluationResults"
    ]
    return result


def test_todays_simulator_reports_an_scp_deny_as_explicit(endpoint: LocalIamEndpoint) -> None:
    assert _scp_denied(endpoint)["EvalDecision"] == "explicitDeny"


def test_the_older_simulator_reported_an_scp_deny_as_implicit(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    result = _scp_denied(endpoint)
    assert result["EvalDecision"] == "implicitDeny"
    assert result["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert result["ResourceSpecificResults"][0]["EvalResourceDecision"] == "implicitDeny"


def test_the_older_answer_is_paginated_over_its_results(endpoint: LocalIamEndpoint) -> None:
    endpoint.reset(style=SimulatorStyle.PRE_2026)
    resources = [f"{BUCKET}/k{i}" for i in range(5)]
    first = _simulate(endpoint, ResourceArns=resources, MaxItems=2)
    assert (len(first["EvaluationResults"]), first["IsTruncated"], first["Marker"]) == (2, True, "2")
    rest = _simulate(endpoint, ResourceArns=resources, MaxItems=10, Marker=first["Marker"])
    assert (len(rest["EvaluationResults"]), rest["IsTruncated"]) == (3, False)
