"""What the catalog hands out: actions, condition key types, and its two errors."""

from __future__ import annotations

from harness.dataclass import dataclass


class UnknownAction(ValueError):
    """An action, wildcard or service prefix that AWS's service data does not know."""


class InvalidContextValue(ValueError):
    """A context value that cannot be of its condition key's type."""


@dataclass(frozen=True)
class ActionInfo:
    """One concrete IAM action, spelled as AWS's Service Authorization Reference spells it."""

    service: str
    name: str
    access_level: str
    resource_types: tuple[str, ...] = ()
    condition_keys: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


# Service Authorization Reference type -> SimulatePrincipalPolicy ContextKeyType.
# The simulator has no ARN type: ARN keys travel as strings
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html).
_API_TYPES = {
    "string": "string",
    "arn": "string",
    "bool": "boolean",
    "boolean": "boolean",
    "numeric": "numeric",
    "date": "date",
    "ipaddress": "ip",
    "binary": "binary",
}


@dataclass(frozen=True)
class KeyType:
    """The type of one condition key.

    `iam_type` is the Service Authorization Reference spelling (`String`,
    `ArrayOfString`, `Bool`, `ARN`, `IPAddress`, ...); multivalued keys are the
    `ArrayOf...` ones, which need `ForAllValues:`/`ForAnyValue:` in policies.
    """

    key: str  # canonical name or template, e.g. "aws:PrincipalTag/${TagKey}"
    iam_type: str
    source: str = ""  # "global" or the service prefix whose data defines it

    @property
    def multivalued(self) -> bool:
        return self.iam_type.startswith("ArrayOf")

    @property
    def base_type(self) -> str:
        """`ArrayOfString` -> `String`."""
        return self.iam_type.removeprefix("ArrayOf")

    @property
    def context_key_type(self) -> str:
        api = _API_TYPES.get(self.base_type.lower(), "string")
        return f"{api}List" if self.multivalued else api
