"""What a plan or template says will exist after apply, in one shape for both sources.

A CloudFormation resource is translated into the Terraform type and attribute names
(harness/plans/cloudformation.py), so applying it to the account model
(harness/plans/apply.py) is written once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class PlanAction(enum.Enum):
    PUT = "put"  # created, updated or replaced: `values` is what exists after apply
    DELETE = "delete"  # gone after apply: `values` is what existed before


@dataclass(frozen=True)
class PlanSource:
    """The plan resource a change came from: what a cell's `source` and a SARIF result name."""

    kind: str  # terraform | cloudformation
    address: str  # Terraform address, or CloudFormation logical id
    file: str
    line: int = 0  # the template line; 0 for a Terraform plan (it has no source lines)

    def to_dict(self) -> dict[str, Any]:
        key = "address" if self.kind == "terraform" else "logical_id"
        return {"kind": self.kind, key: self.address, "file": self.file, "line": self.line}

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.kind} {self.address} ({where})"


@dataclass(frozen=True)
class Unknown:
    """A value not known before apply: `attribute` is its path in the resource (`policy`,
    `inline_policy[0].policy`), `why` what made it unknown."""

    attribute: str
    why: str = "not known before apply"


@dataclass(frozen=True)
class Reference:
    """An unknown value the configuration says comes from another resource of the plan
    (`role = aws_iam_role.app.name`): resolved when the model is patched, else Unknown."""

    address: str  # the referenced resource's full address
    attribute: str  # name | arn | id | key_id ...
    unknown: Unknown


@dataclass(frozen=True)
class PlannedResource:
    source: PlanSource
    type: str  # Terraform type name (aws_iam_role, ...)
    action: PlanAction
    # Attribute values; a leaf not known before apply is an Unknown.
    values: Mapping[str, Any]
    # Where statement lines are known (a template): attribute path -> line.
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    file: str
    kind: str  # terraform | cloudformation
    resources: tuple[PlannedResource, ...]
    # Resources of a type that can carry IAM policy and that the model does not take: named, not dropped.
    warnings: tuple[str, ...] = ()
    # A template read again with the run's variables merged with the account model's (pseudo
    # parameters); None for a Terraform plan, whose values do not depend on them.
    rebind: Callable[[Mapping[str, str]], Plan] | None = field(default=None, compare=False, repr=False)
    sha256: str = ""  # of the file as read

    def describe(self) -> dict[str, Any]:
        """The plan as run.json's metadata lists it."""
        return {"file": self.file, "kind": self.kind, "sha256": self.sha256, "warnings": list(self.warnings)}


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown in `value` (itself, or a leaf of its dicts and lists, in document order), else None.

    One walker for every caller that must not use a value holding an unknown part: a policy
    document, an intrinsic's argument, a tags map."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Unknown):
            return node
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return None
