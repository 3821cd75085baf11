"""Service-linked roles: SCPs do not restrict them.

The service acts with a service-linked role whatever the organization's SCPs
say (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
"Tasks and entities not restricted by SCPs"). The simulator is given the SCPs
as input, so only the enforced evaluation drops them. A service-linked role
lives under the path /aws-service-role/
(https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html);
a session ARN does not carry the path, so only the role ARN is recognised.
"""

from __future__ import annotations

from harness.engine.authorizers.base import Adjustment, Facts, RequestFact, Rule
from harness.engine.evaluate import CompiledInputs, Request
from harness.engine.principals import Caller
from harness.engine.reasons import NoteCode


def is_service_linked_role(caller: Caller | None) -> bool:
    return caller is not None and caller.kind == "role" and ":role/aws-service-role/" in caller.arn


class ServiceLinkedRoleAuthorizer(Rule):
    name = "service-linked-roles"
    request_facts = frozenset({RequestFact.CALLER, RequestFact.POLICIES})

    def adjust(self, req: Request, inputs: CompiledInputs, facts: Facts) -> Adjustment | None:
        if inputs.scp_levels and is_service_linked_role(req.caller):
            return Adjustment(NoteCode.SERVICE_LINKED_ROLE_SCPS, drop_scps=True)
        return None
