"""Documented rules the semantic audit probed and found already right; kept as specifications."""

from __future__ import annotations

from engine_builders import allow, deny, policy

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/responder"
EXT_USER = f"arn:aws:iam::{B}:user/bob"
EXT_ROLE = f"arn:aws:iam::{B}:role/responder"
OBJ = "arn:aws:s3:::evidence/disk.img"
KEY = f"arn:aws:kms:eu-west-3:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENABLE_IAM = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def _deny_if(operator: str) -> list[dict]:
    return [policy(allow("*"), deny("*", Condition={operator: {"aws:SourceVpc": "vpc-1"}}))]


# Condition operators page, "Important" box: an absent key makes a positive
# operator false and a negated one true; IfExists is true when the key is absent.
def test_deny_with_positive_operator_on_absent_key_does_not_deny(decide) -> None:
    assert decide("s3:GetObject", identity=_deny_if("StringEquals")) == "allowed"


def test_deny_with_negated_operator_on_absent_key_denies(decide) -> None:
    assert decide("s3:GetObject", identity=_deny_if("StringNotEquals")) == "explicitDeny"


def test_deny_with_ifexists_on_absent_key_denies(decide) -> None:
    assert decide("s3:GetObject", identity=_deny_if("StringEqualsIfExists")) == "explicitDeny"
    assert decide("s3:GetObject", identity=_deny_if("StringNotEqualsIfExists")) == "explicitDeny"


def test_condition_key_names_ignore_case_but_values_do_not(decide) -> None:
    ident = [policy(allow("*", Condition={"StringEquals": {"AWS:SourceVpc": "vpc-1"}}))]
    assert decide("s3:GetObject", identity=ident, context={"aws:sourcevpc": "vpc-1"}) == "allowed"
    assert decide("s3:GetObject", identity=ident, context={"aws:sourcevpc": "VPC-1"}) == "implicitDeny"


def test_forallvalues_negated_needs_every_value_outside_the_list(decide) -> None:
    ident = [policy(allow("*", Condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}))]
    assert decide("s3:GetObject", identity=ident, context={"aws:TagKeys": ["c", "d"]}) == "allowed"
    assert decide("s3:GetObject", identity=ident, context={"aws:TagKeys": ["c", "a"]}) == "implicitDeny"


def test_foranyvalue_with_absent_key_is_false(decide) -> None:
    ident = [policy(allow("*", Condition={"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a"]}}))]
    assert decide("s3:GetObject", identity=ident) == "implicitDeny"


def test_not_action_deny_covers_every_other_action(decide) -> None:
    ident = [policy(allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})]
    assert decide("iam:CreateUser", identity=ident) == "explicitDeny"
    assert decide("s3:GetObject", identity=ident) == "allowed"


# Cross-account evaluation: both sides must allow; a deny on either side wins.
def test_cross_account_resource_policy_wildcard_alone_is_not_enough(decide) -> None:
    res = policy(allow("s3:GetObject", OBJ, Principal={"AWS": "*"}))
    kw = {"resource_policy": res, "resources": [OBJ], "caller": EXT_USER, "owner": A}
    assert decide("s3:GetObject", **kw) == "implicitDeny"
    assert decide("s3:GetObject", identity=[policy(allow("s3:*"))], **kw) == "allowed"


def test_same_account_resource_policy_wildcard_alone_allows(decide) -> None:
    res = policy(allow("s3:GetObject", OBJ, Principal={"AWS": "*"}))
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=USER, owner=A) == "allowed"


def test_scp_deny_with_not_action_denies_everything_else(decide) -> None:
    scp = policy(allow("*"), {"Effect": "Deny", "NotAction": "ec2:*", "Resource": "*"})
    assert decide("s3:GetObject", identity=[policy(allow("*"))], scps=[[scp]], caller=USER) == "explicitDeny"


# KMS key policies: the key policy is the primary control.
def test_kms_key_policy_without_root_statement_ignores_iam_policies(simulate) -> None:
    out = simulate(
        "kms:Decrypt",
        identity=[policy(allow("kms:Decrypt"))],
        resource_policy=policy(allow("kms:Encrypt", "*", Principal={"AWS": ROLE})),
        resources=[KEY],
        caller=ROLE,
    ).results[0]
    assert out.decision.value == "allowed"
    assert out.enforced_decision is not None and out.enforced_decision.value == "implicitDeny"


def test_kms_cross_account_decrypt_allowed_but_schedule_key_deletion_is_not(enforced) -> None:
    external = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    kw = {
        "identity": [policy(allow("kms:*"))],
        "resource_policy": policy(ENABLE_IAM, external),
        "resources": [KEY],
        "caller": EXT_ROLE,
    }
    assert enforced("kms:Decrypt", **kw) == "allowed"
    assert enforced("kms:ScheduleKeyDeletion", **kw) == "implicitDeny"


def test_kms_caller_account_condition_is_filled_when_enforced(simulate) -> None:
    res = policy(
        allow(
            "kms:Decrypt", "*", Principal={"AWS": "*"}, Condition={"StringEquals": {"kms:CallerAccount": A}}
        )
    )
    same = simulate("kms:Decrypt", resource_policy=res, resources=[KEY], caller=ROLE).results[0]
    assert (same.decision.value, same.enforced_decision.value) == ("implicitDeny", "allowed")
    other = simulate(
        "kms:Decrypt",
        identity=[policy(allow("kms:*"))],
        resource_policy=res,
        resources=[KEY],
        caller=EXT_ROLE,
    ).results[0]
    assert other.enforced_decision is not None and other.enforced_decision.value == "implicitDeny"
