"""The state of one plan being applied to the model: values, gaps, sources (harness/plans/apply.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.account.model import Account, AccountModel, Identity
from harness.plans.changes import (
    Plan,
    PlanAction,
    PlannedResource,
    PlanSource,
    Reference,
    Unknown,
    first_unknown,
)
from harness.plans.policytext import document_text
from harness.plans.target import PlanTarget


@dataclass
class PatchedModel:
    """The model after apply; `sources` maps what a change touched to the plan resource that did it:
    a principal or resource ARN, a managed policy ARN, or `account:ID` for organization policies."""

    model: AccountModel
    sources: dict[str, PlanSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Resource ARN -> why its tags are unknown: a later policy change must not clear that gap.
    tag_gaps: dict[str, str] = field(default_factory=dict)

    def source_for(self, principal_arn: str | None, resource_arn: str) -> PlanSource | None:
        """The plan resource a cell on (principal, resource) depends on, or None: the resource's own
        change first (a key or bucket policy), then the principal's, then its account's SCPs/RCPs."""
        for key in (resource_arn, resource_arn.split("/", 1)[0] if ":s3:::" in resource_arn else None):
            if key and key in self.sources:
                return self.sources[key]
        if principal_arn:
            if principal_arn in self.sources:
                return self.sources[principal_arn]
            parts = principal_arn.split(":")
            if len(parts) > 4 and f"account:{parts[4]}" in self.sources:
                return self.sources[f"account:{parts[4]}"]
        return None


class Patcher:
    """One plan applied: resolves references between its resources, records gaps and sources."""

    def __init__(self, patched: PatchedModel, target: PlanTarget, plan: Plan) -> None:
        self.patched = patched
        self.model = patched.model
        self.target = target
        self.plan = plan
        self.account: Account = self.model.accounts[target.account_id]
        self.outputs: dict[str, dict[str, Any]] = {}

    # -- values ---------------------------------------------------------

    def value(self, resource: PlannedResource, key: str) -> Any:
        value = resource.values.get(key)
        if isinstance(value, Reference):
            found = self.outputs.get(value.address, {}).get(value.attribute)
            return value.unknown if found is None else found
        return value

    def text(self, resource: PlannedResource, key: str) -> str | Unknown | None:
        return document_text(self.value(resource, key), self.plan.file, f"{resource.source.address}.{key}")

    def tags(self, resource: PlannedResource) -> dict[str, str] | Unknown | None:
        """The tags after apply (None: not set); Unknown when the map or any key or value is not known
        before apply. Never a made-up value: a condition on aws:PrincipalTag/* or aws:ResourceTag/*
        compares the tag's value at request time
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
        which an unknown tag cannot be compared with, so the caller makes it a gap."""
        tags = self.value(resource, "tags")
        found = first_unknown(tags)
        if found is not None:
            return found
        return {str(k): str(v) for k, v in tags.items() if v is not None} if isinstance(tags, dict) else None

    def gap(self, resource: PlannedResource, unknown: Unknown) -> str:
        return f"the planned change {resource.source.describe()}: {unknown.attribute} is {unknown.why}"

    def origin(self, resource: PlannedResource, key: str) -> str:
        line = resource.lines.get(key) or resource.source.line
        where = f"{resource.source.file}:{line}" if line else resource.source.file
        origin = f"{where}: {resource.source.kind} {resource.source.address}.{key}"
        statements = [
            resource.lines[k] for i in range(10_000) if (k := f"{key}.Statement[{i}]") in resource.lines
        ]
        # Statement i of the document is on line i + 2 of its text (cloudformation.py): reports
        # map a deciding statement back to its template line with this list.
        return f"{origin} (statement lines {','.join(map(str, statements))})" if statements else origin

    def mark(self, key: str, resource: PlannedResource) -> None:
        self.patched.sources.setdefault(key, resource.source)

    def warn(self, resource: PlannedResource, text: str) -> None:
        self.patched.warnings.append(f"{resource.source.address}: {text}")

    # -- identities -----------------------------------------------------

    def table(self, kind: str) -> dict[str, Identity]:
        return {"role": self.account.roles, "user": self.account.users, "group": self.account.groups}[kind]

    def identity(self, kind: str, name: Any, resource: PlannedResource) -> Identity | None:
        """The identity a change applies to; an unknown name makes every identity of the account a gap
        (any of them may be the one), a name not in the model or the plan is a warning."""
        if isinstance(name, Unknown):
            why = self.gap(resource, name)
            for ident in self.account.identities():
                ident.gap = ident.gap or why
                self.mark(ident.arn, resource)
            return None
        found = self.table(kind).get(str(name)) if isinstance(name, str) else None
        if found is None:
            self.warn(resource, f"{kind} {name!r} is neither in the account model nor created by the plan")
        return found

    def identity_gap(self, ident: Identity, resource: PlannedResource, unknown: Unknown) -> None:
        ident.gap = ident.gap or self.gap(resource, unknown)
        self.mark(ident.arn, resource)


def is_delete(resource: PlannedResource) -> bool:
    return resource.action is PlanAction.DELETE
