"""The simulate requests' parameters and their limits, as botocore's IAM service model documents them.

Every parameter the harness sends is declared here with the limits of its
shape in the IAM service model (botocore's data/iam/2010-05-08/service-2.json,
the source of https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
and API_SimulateCustomPolicy.html): string lengths and patterns, enums, list
sizes (PolicyExclusionList at most 256 entries, OrderedOrganizationPolicyInputList
at most 7 levels), and a union that takes exactly one member. `problem`
checks a planned request before it is sent, so a value AWS would reject is an
error cell naming the parameter instead of a round trip; a parameter not
declared here is a bug in the planner. tests/aws/test_aws_limits.py holds the
declarations to the model of the pinned botocore.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.engine.context import CONTEXT_KEY_TYPES


@dataclass(frozen=True)
class Text:
    min: int | None = None
    max: int | None = None
    pattern: str | None = None  # the model's pattern, whole value
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Number:
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Items:
    member: Spec
    max: int | None = None


@dataclass(frozen=True)
class Struct:
    members: Mapping[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    union: bool = False  # exactly one member set


Spec = Text | Number | Items | Struct

# Shapes of the model, by the model's names.
ARN = Text(20, 2048)  # arnType
RESOURCE_NAME = Text(1, 2048)  # ResourceNameType
POLICY_DOCUMENT = Text(1, 131072, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")  # policyDocumentType
POLICY_LIST = Items(POLICY_DOCUMENT)  # SimulationPolicyListType
ENTITY_NAME = Text(1, 128, "[\\w+=,.@-]+")  # policyNameType, AttachmentName
POLICY_IDENTIFIER = Struct(
    {
        "PolicyType": Text(
            enum=("inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp")
        ),
        "PolicyArn": ARN,
        "InlinePolicyIdentifier": Struct(
            {
                "PolicyName": ENTITY_NAME,
                "AttachmentType": Text(enum=("user", "group", "role")),
                "AttachmentName": ENTITY_NAME,
            },
            required=("PolicyName", "AttachmentType", "AttachmentName"),
        ),
    },
    union=True,
)
CONTEXT_ENTRY = Struct(
    {
        "ContextKeyName": Text(5, 256),
        "ContextKeyValues": Items(Text()),
        "ContextKeyType": Text(enum=CONTEXT_KEY_TYPES),
    }
)
_COMMON: dict[str, Spec] = {
    "PolicyInputList": POLICY_LIST,
    "PermissionsBoundaryPolicyInputList": POLICY_LIST,
    "ActionNames": Items(Text(3, 128)),
    "ResourceArns": Items(RESOURCE_NAME),
    "ResourcePolicy": POLICY_DOCUMENT,
    "ResourceOwner": RESOURCE_NAME,
    "CallerArn": RESOURCE_NAME,
    "ContextEntries": Items(CONTEXT_ENTRY),
    "MaxItems": Number(1, 1000),
    "Marker": Text(1, 320, "[\\u0020-\\u00FF]+"),
}
MAX_POLICY_EXCLUSIONS = 256
MAX_SCP_LEVELS = 7
OPERATIONS: dict[str, Struct] = {
    "SimulatePrincipalPolicy": Struct(
        {
            **_COMMON,
            "PolicySourceArn": ARN,
            "PolicyExclusionList": Items(POLICY_IDENTIFIER, max=MAX_POLICY_EXCLUSIONS),
        },
        required=("PolicySourceArn", "ActionNames"),
    ),
    "SimulateCustomPolicy": Struct(
        {
            **_COMMON,
            "OrderedOrganizationPolicyInputList": Items(
                Struct({"ServiceControlPolicyInputList": POLICY_LIST}), max=MAX_SCP_LEVELS
            ),
        },
        required=("PolicyInputList", "ActionNames"),
    ),
}


def problem(operation: str, params: Mapping[str, Any]) -> str | None:
    """What in `params` the model does not accept (first found), or None."""
    return _check(OPERATIONS[operation], params, "")


def _check(spec: Spec, value: Any, where: str) -> str | None:
    if isinstance(spec, Struct):
        return _check_struct(spec, value, where)
    if isinstance(spec, Items):
        if not isinstance(value, list):
            return f"{where}: not a list"
        if spec.max is not None and len(value) > spec.max:
            return f"{where}: {len(value)} entries, the API accepts at most {spec.max}"
        for i, item in enumerate(value, 1):
            found = _check(spec.member, item, f"{where}.{i}")
            if found:
                return found
        return None
    if isinstance(spec, Number):
        ok = isinstance(value, int) and (spec.min is None or value >= spec.min)
        ok = ok and (spec.max is None or value <= spec.max)
        return None if ok else f"{where}: {value!r} is outside {spec.min}..{spec.max}"
    return _check_text(spec, value, where)


def _check_struct(spec: Struct, value: Any, where: str) -> str | None:
    at = f"{where}: " if where else ""
    if not isinstance(value, Mapping):
        return f"{at}not a structure"
    unknown = sorted(set(value) - set(spec.members))
    if unknown:
        return f"{at}{', '.join(unknown)} is not a parameter of the API"
    missing = [name for name in spec.required if name not in value]
    if missing:
        return f"{at}{', '.join(missing)} is required"
    if spec.union and len(value) != 1:
        return f"{at}exactly one of {', '.join(spec.members)} must be set"
    for name, member in value.items():
        found = _check(spec.members[name], member, f"{where}.{name}" if where else name)
        if found:
            return found
    return None


def _check_text(spec: Text, value: Any, where: str) -> str | None:
    if not isinstance(value, str):
        return f"{where}: not a string"
    if spec.min is not None and len(value) < spec.min:
        return f"{where}: {len(value)} characters, the API needs at least {spec.min}"
    if spec.max is not None and len(value) > spec.max:
        return f"{where}: {len(value)} characters, the API accepts at most {spec.max}"
    if spec.enum and value not in spec.enum:
        return f"{where}: {value!r} is not one of {', '.join(spec.enum)}"
    if spec.pattern and not _compiled(spec.pattern).fullmatch(value):
        bad = next((c for c in value if not _compiled(spec.pattern).fullmatch(c)), "")
        shown = f" ({bad!r}, U+{ord(bad):04X})" if bad else ""
        return f"{where}: contains a character the API does not accept{shown}"
    return None


@functools.lru_cache(maxsize=16)  # a handful of patterns, compiled once each
def _compiled(pattern: str) -> re.Pattern[str]:
    # The model's patterns are Java's: \w is ASCII there.
    return re.compile(pattern, re.ASCII)
