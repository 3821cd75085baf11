"""KMS: the key policy is the primary control (AWS KMS Developer Guide, key policies).

Policies follow /work/shared/seed/kms-support.txt (an EBS-acquisition vendor's
KMS guidance): the default EBS key policy, a custom key naming the responder
role, and the role's identity statements.
"""

from __future__ import annotations

from engine_builders import allow, first, policy

ACCOUNT = "012345678910"
OTHER = "111122223333"
KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/myCadoResponseRole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/myCadoResponseRole/acquisition"
EXT_ROLE = f"arn:aws:iam::{OTHER}:role/myCadoResponseRole"
USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]

EBS_DEFAULT = policy(
    {
        "Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": [*USE, "kms:CreateGrant", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": "ec2.eu-west-3.amazonaws.com", "kms:CallerAccount": ACCOUNT}
        },
    },
    {
        "Sid": "Enable IAM",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    },
)
CUSTOM_KEY = policy(
    {
        "Sid": "Allow required KMS permissions",
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": USE,
        "Resource": "*",
    },
    {
        "Sid": "Allow attachment of persistent resources",
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": ["kms:CreateGrant"],
        "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
    },
)
ROLE_POLICY = policy(
    {
        "Sid": "RequiredForKmsEncryptedEc2Import",
        "Effect": "Allow",
        "Action": [*USE, "kms:CreateGrant"],
        "Resource": "*",
    },
    {
        "Sid": "RequiredForCrossAccountDefaultKmsEncryptedEc2Import",
        "Effect": "Allow",
        "Action": ["kms:CreateKey", "kms:CreateAlias", "kms:DescribeKey", "kms:ListAliases"],
        "Resource": "*",
    },
    {
        "Sid": "RequiredForOperationsOnTemporaryKMSResourcesduringDefaultEncryptedEc2Import",
        "Effect": "Allow",
        "Action": ["kms:DeleteAlias", "kms:ReplicateKey", "kms:ScheduleKeyDeletion"],
        "Resource": "*",
        "Condition": {
            "ForAllValues:StringLike": {"kms:ResourceAliases": ["alias/CadoResponse-KMS-Alias*"]},
            "ForAnyValue:StringLike": {"kms:ResourceAliases": ["alias/CadoResponse-KMS-Alias*"]},
        },
    },
)
VIA_EC2 = {"kms:ViaService": "ec2.eu-west-3.amazonaws.com"}


def _both(simulate, action: str, **kw) -> tuple[str, str, str | None]:
    res = first(simulate(action, resources=[KEY], **kw))
    return res.decision.value, res.enforced_decision.value, res.advisory


def test_identity_allow_without_key_policy_allow_is_denied_by_kms(simulate) -> None:
    key_policy = policy(allow("kms:DescribeKey", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}))
    decision, enforced, advisory = _both(
        simulate, "kms:Decrypt", identity=[ROLE_POLICY], resource_policy=key_policy, caller=SESSION
    )
    assert decision == "allowed"
    assert enforced == "implicitDeny"
    assert advisory and "key policy does not allow the account" in advisory


def test_key_policy_root_delegation_makes_identity_policy_count(simulate) -> None:
    assert _both(
        simulate, "kms:Decrypt", identity=[ROLE_POLICY], resource_policy=EBS_DEFAULT, caller=SESSION
    )[:2] == (
        "allowed",
        "allowed",
    )


def test_key_policy_naming_role_grants_without_identity_policy(simulate) -> None:
    decision, enforced, advisory = _both(simulate, "kms:Decrypt", resource_policy=CUSTOM_KEY, caller=SESSION)
    assert (decision, enforced, advisory) == ("allowed", "allowed", None)


def test_default_ebs_key_statement_needs_via_service_and_caller_account(simulate) -> None:
    only_ebs = policy(EBS_DEFAULT["Statement"][0])
    decision, enforced, _ = _both(simulate, "kms:CreateGrant", resource_policy=only_ebs, caller=SESSION)
    assert enforced == "implicitDeny"
    decision, enforced, _ = _both(
        simulate, "kms:CreateGrant", resource_policy=only_ebs, caller=SESSION, context=VIA_EC2
    )
    # The simulator lacks kms:CallerAccount unless told; a real request carries it.
    assert (decision, enforced) == ("implicitDeny", "allowed")


def test_create_grant_needs_grant_is_for_aws_resource(simulate) -> None:
    kw = {"resource_policy": CUSTOM_KEY, "caller": SESSION}
    assert _both(simulate, "kms:CreateGrant", **kw)[1] == "implicitDeny"
    ctx = {"kms:GrantIsForAWSResource": (["true"], "boolean")}
    assert _both(simulate, "kms:CreateGrant", context=ctx, **kw)[1] == "allowed"


def test_no_key_policy_given_means_kms_denies(simulate) -> None:
    decision, enforced, advisory = _both(simulate, "kms:Decrypt", identity=[ROLE_POLICY], caller=SESSION)
    assert (decision, enforced) == ("allowed", "implicitDeny")
    assert "no key policy" in (advisory or "")


def test_cross_account_needs_key_policy_and_external_iam_policy(simulate) -> None:
    key_policy = policy(allow(USE, Principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))
    ext_session = f"arn:aws:sts::{OTHER}:assumed-role/myCadoResponseRole/x"
    assert _both(
        simulate, "kms:Decrypt", identity=[ROLE_POLICY], resource_policy=key_policy, caller=ext_session
    )[:2] == ("allowed", "allowed")
    assert _both(simulate, "kms:Decrypt", resource_policy=key_policy, caller=ext_session)[:2] == (
        "implicitDeny",
        "implicitDeny",
    )


def test_cross_account_key_policy_naming_role_still_needs_external_iam_policy(simulate) -> None:
    key_policy = policy(allow(USE, Principal={"AWS": EXT_ROLE}))
    ext_session = f"arn:aws:sts::{OTHER}:assumed-role/myCadoResponseRole/x"
    assert _both(simulate, "kms:Decrypt", resource_policy=key_policy, caller=ext_session)[1] == "implicitDeny"


def test_operations_not_usable_across_accounts_are_denied(simulate) -> None:
    key_policy = policy(allow("kms:*", Principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))
    ext_session = f"arn:aws:sts::{OTHER}:assumed-role/myCadoResponseRole/x"
    ident = [policy(allow("kms:*"))]
    for action in ("kms:ScheduleKeyDeletion", "kms:CreateAlias", "kms:PutKeyPolicy"):
        decision, enforced, advisory = _both(
            simulate, action, identity=ident, resource_policy=key_policy, caller=ext_session
        )
        assert (decision, enforced) == ("allowed", "implicitDeny"), action
        assert "cross-account" in (advisory or "")
    assert _both(
        simulate, "kms:ReEncryptFrom", identity=ident, resource_policy=key_policy, caller=ext_session
    )[1] == ("allowed")


def test_resource_aliases_condition_uses_multivalued_key(simulate) -> None:
    kw = {"identity": [ROLE_POLICY], "resource_policy": EBS_DEFAULT, "caller": SESSION}
    good = {"kms:ResourceAliases": (["alias/CadoResponse-KMS-Alias-1"], "stringList")}
    bad = {"kms:ResourceAliases": (["alias/CadoResponse-KMS-Alias-1", "alias/prod"], "stringList")}
    assert _both(simulate, "kms:ScheduleKeyDeletion", context=good, **kw)[1] == "allowed"
    assert _both(simulate, "kms:ScheduleKeyDeletion", context=bad, **kw)[1] == "implicitDeny"


def test_explicit_deny_in_key_policy_wins(simulate) -> None:
    key_policy = policy(
        allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
    )
    assert _both(simulate, "kms:Decrypt", identity=[ROLE_POLICY], resource_policy=key_policy, caller=SESSION)[
        :2
    ] == (
        "explicitDeny",
        "explicitDeny",
    )


def test_non_key_resource_is_not_subject_to_kms_rules(simulate) -> None:
    res = first(simulate("kms:ListAliases", identity=[ROLE_POLICY], caller=SESSION))
    assert (res.decision.value, res.enforced_decision.value) == ("allowed", "allowed")
