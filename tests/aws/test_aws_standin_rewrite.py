"""The stand-in's resource-policy rewrite, on parsed JSON: what is replaced, what is kept, what is refused."""

from __future__ import annotations

import json

import pytest

from harness.backends.aws.standin import (
    NotFaithful,
    added_context,
    rewrite_resource_policy,
    stand_in_for,
    unshared_keys,
)

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/run-1"
STAND_IN = f"arn:aws:iam::{ACCOUNT}:user/iam-harness-stand-in-caller"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def _allow(principal: object, element: str = "Principal", effect: str = "Allow") -> dict:
    return {"Effect": effect, element: principal, "Action": "s3:GetObject", "Resource": "*"}


def _principals(text: str) -> list[object]:
    return [st.get("Principal", st.get("NotPrincipal")) for st in json.loads(text)["Statement"]]


def test_the_role_arn_becomes_the_stand_in_user() -> None:
    out = rewrite_resource_policy(
        _policy(_allow({"AWS": ROLE})), stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=False
    )
    assert _principals(out.text) == [{"AWS": STAND_IN}]
    assert out.rewritten == 1


def test_a_role_arn_with_a_path_names_a_session_of_that_role() -> None:
    text = _policy(_allow({"AWS": f"arn:aws:iam::{ACCOUNT}:role/team/app"}))
    out = rewrite_resource_policy(text, stand_in_for(SESSION, "iam-harness-stand-in-caller"), boundary=False)
    assert _principals(out.text) == [{"AWS": STAND_IN}]


def test_the_session_arn_becomes_the_stand_in_user() -> None:
    out = rewrite_resource_policy(
        _policy(_allow({"AWS": [SESSION]})),
        stand_in_for(SESSION, "iam-harness-stand-in-caller"),
        boundary=True,
    )
    assert _principals(out.text) == [{"AWS": [STAND_IN]}]


def test_another_session_of_the_same_role_is_not_the_caller() -> None:
    other = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/someone-else"
    text = _policy(_allow({"AWS": other}))
    out = rewrite_resource_policy(text, stand_in_for(SESSION, "iam-harness-stand-in-caller"), boundary=False)
    assert out.text == text and out.rewritten == 0


def test_entries_naming_someone_else_are_kept_as_written() -> None:
    others = [f"arn:aws:iam::{ACCOUNT}:role/other", "444455556666", f"arn:aws:iam::{ACCOUNT}:user/alice"]
    text = _policy(
        _allow({"AWS": [*others, ROLE], "Service": "ec2.amazonaws.com"}),
        _allow("*"),
    )
    out = rewrite_resource_policy(text, stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=False)
    first, star = _principals(out.text)
    assert first == {"AWS": [*others, STAND_IN], "Service": "ec2.amazonaws.com"}
    assert star == "*"


def test_an_entry_differing_from_the_role_only_in_case_is_refused() -> None:
    text = _policy(_allow({"AWS": f"arn:aws:iam::{ACCOUNT}:role/App"}, effect="Deny"))
    with pytest.raises(NotFaithful, match="letter case"):
        rewrite_resource_policy(text, stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=False)


def test_a_policy_not_naming_the_caller_is_sent_byte_for_byte() -> None:
    text = _policy(_allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    out = rewrite_resource_policy(text, stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=None)
    assert out.text == text


def test_a_grant_to_the_role_arn_is_refused_when_the_role_has_a_boundary() -> None:
    with pytest.raises(NotFaithful, match="boundary"):
        rewrite_resource_policy(
            _policy(_allow({"AWS": ROLE})), stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=True
        )


def test_a_grant_to_the_role_arn_is_refused_when_the_boundary_is_unknown() -> None:
    with pytest.raises(NotFaithful, match="unknown"):
        rewrite_resource_policy(
            _policy(_allow({"AWS": ROLE})), stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=None
        )


def test_a_deny_naming_the_role_is_rewritten_whatever_the_boundary() -> None:
    text = _policy(_allow({"AWS": ROLE}, effect="Deny"))
    out = rewrite_resource_policy(text, stand_in_for(ROLE, "iam-harness-stand-in-caller"), boundary=None)
    assert _principals(out.text) == [{"AWS": STAND_IN}]


def test_not_principal_naming_account_and_role_but_not_the_session_is_refused() -> None:
    text = _policy(_allow({"AWS": [ACCOUNT, ROLE]}, element="NotPrincipal", effect="Deny"))
    with pytest.raises(NotFaithful, match="NotPrincipal"):
        rewrite_resource_policy(text, stand_in_for(SESSION, "iam-harness-stand-in-caller"), boundary=False)


def test_not_principal_naming_account_role_and_session_is_rewritten() -> None:
    text = _policy(_allow({"AWS": [ACCOUNT, ROLE, SESSION]}, element="NotPrincipal", effect="Deny"))
    out = rewrite_resource_policy(text, stand_in_for(SESSION, "iam-harness-stand-in-caller"), boundary=False)
    assert _principals(out.text) == [{"AWS": [ACCOUNT, STAND_IN]}]


def test_a_policy_already_naming_the_stand_in_is_refused() -> None:
    with pytest.raises(NotFaithful, match="stand_in_user"):
        rewrite_resource_policy(
            _policy(_allow({"AWS": STAND_IN})),
            stand_in_for(ROLE, "iam-harness-stand-in-caller"),
            boundary=False,
        )


def test_only_roles_and_sessions_get_a_stand_in() -> None:
    assert stand_in_for(f"arn:aws:iam::{ACCOUNT}:user/alice", "x") is None
    assert stand_in_for("ec2.amazonaws.com", "x") is None
    assert stand_in_for(f"arn:aws:sts::{ACCOUNT}:federated-user/bob", "x") is None


def test_a_session_stands_for_its_role_in_aws_principal_arn() -> None:
    found = stand_in_for(SESSION, "x")
    assert added_context(found, []) == [
        ("aws:PrincipalArn", ROLE),
        ("aws:PrincipalAccount", ACCOUNT),
        ("aws:PrincipalType", "AssumedRole"),
    ]
    assert [k for k, _ in added_context(found, ["AWS:PrincipalArn"])] == [
        "aws:PrincipalAccount",
        "aws:PrincipalType",
    ]


def test_keys_the_stand_in_does_not_share_are_named_unless_the_scenario_sets_them() -> None:
    used = ["aws:userid", "aws:PrincipalTag/team", "aws:sourceip", "aws:principaltype"]
    assert unshared_keys(used, ["aws:PrincipalType"]) == ["aws:PrincipalTag/team", "aws:userid"]
