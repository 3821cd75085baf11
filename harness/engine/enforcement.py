"""Service rules the real service enforces and the IAM Policy Simulator does not show.

Each rule returns the enforced decision and a one-line reason, or None when
it does not apply. KMS key policies have their own module (kms.py).

- sts:GetCallerIdentity needs no permission and cannot be denied: "No
  permissions are required to perform this operation. If an administrator
  attaches a policy to your identity that explicitly denies access to the
  sts:GetCallerIdentity action, you can still perform this operation."
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
- Assuming a role needs the role's trust policy to allow the caller, in the
  same account as across accounts; an identity policy alone is not enough
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html,
  "Grant a user permissions to switch roles":
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html).
  The trust policy is the ResourcePolicy of the simulation.
- AWS managed policies (`arn:aws:iam::aws:policy/...`) cannot be changed
  by customers (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).
- Alias names beginning with `alias/aws/` are reserved for AWS managed keys:
  they cannot be created, updated or deleted
  (https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html#alias-concepts).
- Roles under the `aws-reserved/` path (IAM Identity Center's
  AWSReservedSSO_* roles) are protected: IAM refuses to modify, delete or pass
  them ("Cannot perform the operation on the protected role", IAM Identity
  Center User Guide, https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html).
"""

from __future__ import annotations

import re

from harness.engine.evaluate import Evaluation
from harness.engine.types import Decision

ASSUME_ROLE_ACTIONS = frozenset({"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"})
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::\d{12}:role/")
_AWS_MANAGED_POLICY = re.compile(r"^arn:[^:]+:iam::aws:policy/")
_AWS_ALIAS = re.compile(r"^arn:[^:]+:kms:[^:]*:\d{12}:alias/aws/")
KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})
_RESERVED_ROLE = re.compile(r"^arn:[^:]+:iam::\d{12}:role/aws-reserved/")

POLICY_WRITE_ACTIONS = frozenset(
    a.lower()
    for a in (
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:TagPolicy",
        "iam:UntagPolicy",
    )
)
ROLE_WRITE_ACTIONS = frozenset(
    a.lower()
    for a in (
        "iam:AttachRolePolicy",
        "iam:CreateRole",
        "iam:CreateServiceLinkedRole",
        "iam:DeleteRole",
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteRolePolicy",
        "iam:DeleteServiceLinkedRole",
        "iam:DetachRolePolicy",
        "iam:PassRole",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
    )
)


def resource_class(resource: str) -> tuple[bool, ...]:
    """The resource tests the rules below make (for the simulator's per-resource reuse)."""
    return (
        _AWS_MANAGED_POLICY.match(resource) is not None,
        _RESERVED_ROLE.match(resource) is not None,
        _ROLE_ARN.match(resource) is not None,
        _AWS_ALIAS.match(resource) is not None,
    )


def service_rule(ev: Evaluation) -> tuple[Decision, str] | None:
    req = ev.request
    action = req.action_lower
    if action == "sts:getcalleridentity":
        return Decision.ALLOWED, "sts:GetCallerIdentity needs no permission and cannot be denied"
    if ev.decision is Decision.EXPLICIT_DENY:
        return None
    if action in POLICY_WRITE_ACTIONS and _AWS_MANAGED_POLICY.match(req.resource):
        return Decision.IMPLICIT_DENY, f"AWS managed policies cannot be changed ({req.action})"
    if action in KMS_ALIAS_ACTIONS and _AWS_ALIAS.match(req.resource):
        return Decision.IMPLICIT_DENY, "aliases under alias/aws/ are reserved for AWS managed keys"
    if action in ROLE_WRITE_ACTIONS and _RESERVED_ROLE.match(req.resource):
        return Decision.IMPLICIT_DENY, f"roles under aws-reserved/ are protected; IAM refuses {req.action}"
    if action in ASSUME_ROLE_ACTIONS and _ROLE_ARN.match(req.resource):
        if ev.resource is None:
            return (
                Decision.IMPLICIT_DENY,
                "no trust policy was given; only a trust policy lets a role be assumed",
            )
        if not ev.resource.allows:
            return Decision.IMPLICIT_DENY, "the role's trust policy does not allow the caller"
    return None
