"""Service rules beyond the simulator (harness/engine/authorizers/: STS trust, protected resources)."""

from __future__ import annotations

from engine_builders import allow, deny, first, policy

USER = "arn:aws:iam::111122223333:user/alice"
ROLE = "arn:aws:iam::111122223333:role/Responder"


def _both(simulate, action: str, **kw) -> tuple[str, str]:
    res = first(simulate(action, **kw))
    return res.decision.value, res.enforced_decision.value


def test_get_caller_identity_is_allowed_even_when_denied(simulate) -> None:
    assert _both(simulate, "sts:GetCallerIdentity", identity=[policy(deny("*"))]) == (
        "explicitDeny",
        "allowed",
    )


def test_assume_role_needs_the_trust_policy(simulate) -> None:
    ident = [policy(allow("sts:AssumeRole"))]
    trust_other = policy(allow("sts:AssumeRole", Principal={"AWS": "arn:aws:iam::111122223333:user/bob"}))
    kw = {"identity": ident, "resources": [ROLE], "caller": USER}
    assert _both(simulate, "sts:AssumeRole", **kw) == ("allowed", "implicitDeny")
    assert _both(simulate, "sts:AssumeRole", resource_policy=trust_other, **kw) == ("allowed", "implicitDeny")
    trust = policy(allow("sts:AssumeRole", Principal={"AWS": USER}))
    assert _both(simulate, "sts:AssumeRole", resource_policy=trust, **kw) == ("allowed", "allowed")


def test_aws_managed_policies_cannot_be_changed(simulate) -> None:
    res = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert _both(simulate, "iam:CreatePolicyVersion", identity=[policy(allow("*"))], resources=res) == (
        "allowed",
        "implicitDeny",
    )
    assert _both(simulate, "iam:GetPolicy", identity=[policy(allow("*"))], resources=res) == (
        "allowed",
        "allowed",
    )


def test_reserved_sso_roles_are_protected(simulate) -> None:
    res = ["arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1"]
    assert (
        _both(simulate, "iam:PutRolePolicy", identity=[policy(allow("*"))], resources=res)[1]
        == "implicitDeny"
    )


def test_reserved_kms_aliases_cannot_be_managed(simulate) -> None:
    res = ["arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs"]
    assert (
        _both(simulate, "kms:DeleteAlias", identity=[policy(allow("kms:*"))], resources=res)[1]
        == "implicitDeny"
    )


def test_customer_alias_management_needs_only_iam_policy(simulate) -> None:
    res = ["arn:aws:kms:eu-west-1:111122223333:alias/case-keys"]
    assert _both(simulate, "kms:CreateAlias", identity=[policy(allow("kms:*"))], resources=res) == (
        "allowed",
        "allowed",
    )
