"""Resources AWS protects from customers whatever their policies allow.

- AWS managed policies (`arn:aws:iam::aws:policy/...`) cannot be changed
  by customers (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).
- Alias names beginning with `alias/aws/` are reserved for AWS managed keys:
  they cannot be created, updated or deleted
  (https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html#alias-concepts).
- Roles under the `aws-reserved/` path (IAM Identity Center's
  AWSReservedSSO_* roles) are protected: IAM refuses to modify, delete or pass
  them ("Cannot perform the operation on the protected role", IAM Identity
  Center User Guide, https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html).

An explicit deny stands as it is; otherwise such a request is implicitly denied.
"""

from __future__ import annotations

import re

from harness.engine.authorizers.base import Facts, RequestFact, ResourceFact, Rule
from harness.engine.evaluate import Evaluation
from harness.engine.reasons import Note, NoteCode, Verdict
from harness.engine.types import Decision

_AWS_MANAGED_POLICY = re.compile(r"^arn:[^:]+:iam::aws:policy/")
_AWS_ALIAS = re.compile(r"^arn:[^:]+:kms:[^:]*:\d{12}:alias/aws/")
_RESERVED_ROLE = re.compile(r"^arn:[^:]+:iam::\d{12}:role/aws-reserved/")
KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})

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

MANAGED_POLICY_WRITE = ResourceFact(
    "a policy write on an AWS managed policy",
    lambda action, resource: (
        action in POLICY_WRITE_ACTIONS and _AWS_MANAGED_POLICY.match(resource) is not None
    ),
    POLICY_WRITE_ACTIONS.__contains__,
)
RESERVED_ALIAS_WRITE = ResourceFact(
    "an alias write on an alias/aws/ alias",
    lambda action, resource: action in KMS_ALIAS_ACTIONS and _AWS_ALIAS.match(resource) is not None,
    KMS_ALIAS_ACTIONS.__contains__,
)
PROTECTED_ROLE_WRITE = ResourceFact(
    "a role write on an aws-reserved/ role",
    lambda action, resource: action in ROLE_WRITE_ACTIONS and _RESERVED_ROLE.match(resource) is not None,
    ROLE_WRITE_ACTIONS.__contains__,
)

_RULES = (
    (MANAGED_POLICY_WRITE, NoteCode.AWS_MANAGED_POLICY),
    (RESERVED_ALIAS_WRITE, NoteCode.AWS_RESERVED_ALIAS),
    (PROTECTED_ROLE_WRITE, NoteCode.PROTECTED_ROLE),
)


# Read once (a member read off its Enum class goes through EnumType's __getattr__, several
# times slower than a global): asked for every request.
_EXPLICIT_DENY = Decision.EXPLICIT_DENY


class ProtectedResourceAuthorizer(Rule):
    name = "protected-resources"
    request_facts = frozenset({RequestFact.ACTION})
    resource_facts = tuple(fact for fact, _ in _RULES)

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        if ev.decision is _EXPLICIT_DENY:
            return None
        for fact, code in _RULES:
            if facts[fact]:
                return Verdict(Decision.IMPLICIT_DENY, Note(code))
        return None
