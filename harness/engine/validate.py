"""Checks of a SimulationInput that AWS makes before simulating, and the warnings it would give.

ActionNames are `service:Action` without wildcards, ResourceArns are ARNs or
`*`, a ResourcePolicy needs a CallerArn, ContextKeyType is one the API lists,
ResourceHandlingOption names a scenario and its resources are given
(API_SimulateCustomPolicy.html, API_SimulatePrincipalPolicy.html).

Callers, as botocore's IAM service model of 2026-07-30 documents CallerArn:
an IAM user, group or role, never an assumed role (session), a federated user
or a service principal; without one it is the PolicySourceArn identity, which
a ResourcePolicy then needs to be a user, group or role. (The same model's
note that resource-based policies are not simulated for IAM roles is read in
harness/backends/aws/callers.py: the AWS backend learns per account whether
the simulator takes a role.) The offline engine evaluates every caller as
given; where AWS's simulator would refuse it, the answer carries a warning.
"""

from __future__ import annotations

import re

from harness.engine.context import CONTEXT_KEY_TYPES
from harness.engine.errors import InvalidInput
from harness.engine.principals import Caller
from harness.engine.types import SimulationInput

_ACTION_NAME = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_-]+$")
_OWNER = re.compile(r"^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$")
CONTEXT_TYPES = frozenset(t.lower() for t in CONTEXT_KEY_TYPES)
_API_CONTEXT_TYPES = frozenset(CONTEXT_KEY_TYPES)

# ResourceHandlingOption scenarios and the resource types each requires
# (SimulateCustomPolicy, ResourceHandlingOption).
_EC2_BASE = ("instance", "image", "security-group", "network-interface")
RESOURCE_HANDLING = {
    "EC2-VPC-InstanceStore": _EC2_BASE,
    "EC2-VPC-InstanceStore-Subnet": (*_EC2_BASE, "subnet"),
    "EC2-VPC-EBS": (*_EC2_BASE, "volume"),
    "EC2-VPC-EBS-Subnet": (*_EC2_BASE, "subnet", "volume"),
}


def validate(inp: SimulationInput, parsed: Caller | None) -> list[str]:
    if not inp.action_names:
        raise InvalidInput("ActionNames must name at least one action")
    for a in inp.action_names:
        if not _ACTION_NAME.match(a):
            raise InvalidInput(
                f"ActionNames: {a!r} is not 'service:Action' (wildcards are not supported in ActionNames)"
            )
    for r in inp.resource_arns:
        if r != "*" and not r.startswith("arn:"):
            raise InvalidInput(f"ResourceArns: {r!r} is not an ARN or '*'")
    if inp.resource_policy is not None and not (inp.caller_arn or inp.principal_arn):
        raise InvalidInput("CallerArn is required when a ResourcePolicy is included")
    for e in inp.context:
        # (The API's spelling first, without lower-casing: every entry of every request.)
        if e.type not in _API_CONTEXT_TYPES and e.type.lower() not in CONTEXT_TYPES:
            raise InvalidInput(f"ContextEntries: {e.key}: unknown ContextKeyType {e.type!r}")
    warnings = _caller_warnings(inp, parsed)
    if inp.resource_handling_option:
        option = inp.resource_handling_option
        needed = RESOURCE_HANDLING.get(option)
        if needed is None:
            raise InvalidInput(
                f"ResourceHandlingOption {option!r} is not one of {', '.join(RESOURCE_HANDLING)}"
            )
        for rtype in needed:
            if not any(f":{rtype}/" in r for r in inp.resource_arns):
                raise InvalidInput(
                    f"ResourceHandlingOption {option} requires a {rtype} resource in ResourceArns"
                )
    return warnings


_CALLER_KINDS = frozenset({"user", "role"})


def _caller_warnings(inp: SimulationInput, parsed: Caller | None) -> list[str]:
    """What AWS's simulator would refuse about the caller; the engine evaluates it anyway."""
    if parsed is None or parsed.kind in _CALLER_KINDS or ":group/" in parsed.arn:
        return []  # an IAM user, group or role: AWS takes it, as CallerArn or PolicySourceArn
    if inp.caller_arn:
        what = {"assumed-role": "an assumed-role session", "federated-user": "a federated user"}
        return [
            f"CallerArn {inp.caller_arn} is {what.get(parsed.kind, 'not an IAM user, group or role')}: "
            "AWS's simulator takes only an IAM user, group or role there; the offline engine evaluates "
            "it as given"
        ]
    if inp.principal_arn and inp.resource_policy is not None:
        # CallerArn is required with a ResourcePolicy unless PolicySourceArn is a user, group or role.
        return [
            f"no CallerArn: AWS's simulator requires one with a ResourcePolicy when PolicySourceArn is "
            f"not a user, group or role; the offline engine uses {inp.principal_arn} as the caller"
        ]
    return []


def owner_account(resource_owner: str | None) -> str | None:
    if not resource_owner:
        return None
    m = _OWNER.match(resource_owner)
    if not m:
        raise InvalidInput(f"ResourceOwner {resource_owner!r} must be arn:aws:iam::ACCOUNT-ID:root")
    return m.group(1) or m.group(2)
