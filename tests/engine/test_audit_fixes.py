"""Behaviours corrected by the semantic audit, each against the AWS page that settles it."""

from __future__ import annotations

from engine_builders import allow, deny, first, policy

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cross-account-read-only-role"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/cross-account-read-only-role/audit-app"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OBJ = "arn:aws:s3:::evidence/disk.img"
KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:eu-west-3:{ACCOUNT}:alias/evidence"
SLR = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"
ENABLE_IAM = {
    "Sid": "Enable IAM",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}


def _not_principal_deny(*names: str) -> dict:
    return policy(
        allow("s3:GetObject", OBJ, Principal={"AWS": ROLE}),
        {"Effect": "Deny", "NotPrincipal": {"AWS": list(names)}, "Action": "s3:*", "Resource": OBJ},
    )


# reference_policies_elements_notprincipal.html: a role session is evaluated as
# the account, the role and the session; leaving the role out denies it.
def test_not_principal_deny_without_the_role_arn_still_denies_a_role_session(decide) -> None:
    res = _not_principal_deny(SESSION, ROOT)
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=SESSION) == "explicitDeny"


def test_not_principal_deny_naming_account_role_and_session_spares_the_session(decide) -> None:
    res = _not_principal_deny(SESSION, ROLE, ROOT)
    assert decide("s3:GetObject", resource_policy=res, resources=[OBJ], caller=SESSION) == "allowed"


# cmks-in-iam-policies.html: an IAM statement cannot identify a KMS key by its
# alias ARN; KMS authorizes key operations against the key ARN.
def test_iam_statement_naming_an_alias_arn_does_not_grant_use_of_the_key(simulate) -> None:
    out = first(
        simulate(
            "kms:Decrypt",
            identity=[policy(allow("kms:Decrypt", ALIAS))],
            resource_policy=policy(ENABLE_IAM),
            resources=[ALIAS],
            caller=ROLE,
        )
    )
    assert out.decision.value == "allowed"  # the simulator compares the strings
    assert out.enforced_decision is not None and out.enforced_decision.value == "implicitDeny"
    assert out.advisory and "does not name the key" in out.advisory


def test_iam_statement_covering_every_key_still_allows_a_request_made_through_an_alias(enforced) -> None:
    ident = [policy(allow("kms:Decrypt", f"arn:aws:kms:*:{ACCOUNT}:key/*"), allow("kms:Decrypt", ALIAS))]
    kw = {"identity": ident, "resource_policy": policy(ENABLE_IAM), "resources": [ALIAS], "caller": ROLE}
    assert enforced("kms:Decrypt", **kw) == "allowed"


def test_alias_operations_are_still_authorized_on_the_alias_arn(enforced) -> None:
    ident = [policy(allow("kms:CreateAlias", ALIAS))]
    assert enforced("kms:CreateAlias", identity=ident, resources=[ALIAS], caller=ROLE) == "allowed"


# orgs_manage_policies_scps.html, "Tasks and entities not restricted by SCPs":
# SCPs do not affect service-linked roles.
def test_scps_do_not_restrict_a_service_linked_role_when_enforced(simulate) -> None:
    out = first(
        simulate(
            "s3:GetObject",
            identity=[policy(allow("s3:*"))],
            scps=[[policy(allow("ec2:*"))]],
            caller=SLR,
        )
    )
    assert out.decision.value == "implicitDeny"
    assert out.enforced_decision is not None and out.enforced_decision.value == "allowed"
    assert out.advisory == "SCPs do not restrict a service-linked role"


def test_scps_still_restrict_an_ordinary_role(enforced) -> None:
    kw = {"identity": [policy(allow("s3:*"))], "scps": [[policy(allow("ec2:*"))]], "caller": ROLE}
    assert enforced("s3:GetObject", **kw) == "implicitDeny"


def test_deny_on_every_key_applies_to_a_request_made_through_an_alias(enforced) -> None:
    ident = [policy(allow("kms:*"), deny("kms:Decrypt", f"arn:aws:kms:*:{ACCOUNT}:key/*"))]
    kw = {"identity": ident, "resource_policy": policy(ENABLE_IAM), "resources": [ALIAS], "caller": ROLE}
    assert enforced("kms:Decrypt", **kw) == "explicitDeny"


# reference_policies_variables.html: a variable AWS cannot resolve may make the
# whole statement invalid. A negated operator or NotResource must not read the
# missing value as "matches nothing, so applies" and grant.
def test_negated_condition_with_unresolvable_variable_does_not_grant(decide) -> None:
    doc = policy(
        allow("s3:ListBucket", "*", Condition={"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}})
    )
    assert decide("s3:ListBucket", identity=[doc], context={"s3:prefix": "finance/"}) == "implicitDeny"


def test_negated_condition_with_resolved_variable_still_grants(decide) -> None:
    doc = policy(
        allow("s3:ListBucket", "*", Condition={"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}})
    )
    ctx = {"s3:prefix": "finance/", "aws:PrincipalTag/team": "security"}
    assert decide("s3:ListBucket", identity=[doc], context=ctx) == "allowed"


def test_not_resource_with_unresolvable_variable_does_not_grant(decide) -> None:
    doc = policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::home/${aws:username}/*"}
    )
    assert decide("s3:GetObject", identity=[doc], resources=[OBJ], caller=ROLE) == "implicitDeny"
