"""STS: what assuming a role, and asking who you are, need beyond the simulator's answer.

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
"""

from __future__ import annotations

import re

from harness.engine.authorizers.base import Facts, RequestFact, ResourceFact, Rule
from harness.engine.evaluate import Evaluation
from harness.engine.reasons import Note, NoteCode, Verdict
from harness.engine.types import Decision

ASSUME_ROLE_ACTIONS = frozenset({"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"})
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::\d{12}:role/")

ASSUME_ROLE = ResourceFact(
    "an AssumeRole action on a role ARN",
    lambda action, resource: action in ASSUME_ROLE_ACTIONS and _ROLE_ARN.match(resource) is not None,
    ASSUME_ROLE_ACTIONS.__contains__,
)


# Read once (a member read off its Enum class goes through EnumType's __getattr__, several
# times slower than a global): asked for every request.
_EXPLICIT_DENY = Decision.EXPLICIT_DENY


class StsTrustAuthorizer(Rule):
    name = "sts-trust"
    request_facts = frozenset({RequestFact.ACTION, RequestFact.POLICIES})
    resource_facts = (ASSUME_ROLE,)

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        if ev.request.action_lower == "sts:getcalleridentity":
            return Verdict(Decision.ALLOWED, Note(NoteCode.GET_CALLER_IDENTITY))
        if not facts[ASSUME_ROLE] or ev.decision is _EXPLICIT_DENY:
            return None
        if ev.resource is None:
            return Verdict(Decision.IMPLICIT_DENY, Note(NoteCode.NO_TRUST_POLICY))
        if not ev.resource.allows:
            return Verdict(Decision.IMPLICIT_DENY, Note(NoteCode.TRUST_POLICY_DENIES))
        return None
