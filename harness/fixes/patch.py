"""Changes applied as data: to the account model (copied, never changed in place) and to cells.

A cell carries its resource policy (the scenario's, or the model's picked when the file was
loaded), so a resource-policy change is applied to the cells that were evaluated with that
same document on that same resource: a scenario that tries other key policies for the same
key (a "without this statement" case) is another document and is left alone. An identity
change in principal mode is applied to the model, and so reaches every cell of that
identity; in custom mode, to the cells of the same subject (the same scenario documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from harness.account import AccountModel
from harness.account.model import Account, Identity, InlinePolicy, ResourceEntry
from harness.cells import Cell, ChangeKind, PolicyChange, Subject
from harness.engine.errors import SimulationError
from harness.engine.types import PolicyKind, PolicySource
from harness.fixes.documents import DocumentError, with_statement, without_statement
from harness.fixes.sides import resource_target

RESOURCE_POLICIES = frozenset({"key_policy", "bucket_policy", "resource_policy"})
FIX_ORIGIN = "harness fix"


class Place(StrEnum):
    """Where the changed document lives."""

    INLINE = "inline"  # an inline policy of a user, role or group of the model (target: its ARN)
    MANAGED = "managed"  # a customer managed policy of the model (target: the policy's ARN)
    RESOURCE = "resource"  # a key, bucket, trust or other resource policy (target: the resource's ARN)
    CUSTOM = "custom"  # the scenario's identity documents of one subject (custom mode)


@dataclass(frozen=True)
class Edit:
    """A change and what it applies to: `base` is the document it was computed on (a resource
    policy, or a custom-mode document a statement is removed from; None for a new document);
    `subject` the custom-mode subject whose documents change."""

    change: PolicyChange
    place: Place
    base: PolicySource | None = None
    subject: Subject | None = None


def apply_to_model(model: AccountModel, changes: Sequence[PolicyChange]) -> AccountModel:
    """A copy of `model` with every change applied (the model itself is left as it is).

    Raises DocumentError when a change's target is not in the model or its statement is not
    where it says."""
    copy = _ModelCopy(model)
    for change in changes:
        copy.apply(change, strict=True)
    return copy.model


def patched_model(model: AccountModel | None, edits: Sequence[Edit]) -> AccountModel | None:
    """The model the edits' world evaluates in: resource edits on resources the model lacks
    are skipped here (the cells carry those documents)."""
    wanted = [e.change for e in edits if e.place is not Place.CUSTOM]
    if model is None or not wanted:
        return model
    copy = _ModelCopy(model)
    for change in wanted:
        copy.apply(change, strict=False)
    return copy.model


def patched_cell(cell: Cell, edits: Sequence[Edit], model: AccountModel | None) -> Cell:
    """`cell` as it would be asked with the edits applied (the same cell when none reaches it)."""
    policy = cell.resource_policy
    subject = cell.subject
    target: str | None = None
    for edit in edits:
        if edit.place is Place.RESOURCE:
            if target is None:
                target = resource_target(cell, model)[0]
            if edit.change.target == target and _same(cell.resource_policy, edit.base):
                policy = _resource_document(policy, edit.change)
        elif edit.place is Place.CUSTOM and edit.subject == cell.subject:
            subject = _custom_subject(subject, edit, cell.subject)
    if policy is cell.resource_policy and subject is cell.subject:
        return cell
    return replace(cell, resource_policy=policy, subject=subject)


def changed_text(text: str | None, change: PolicyChange) -> str:
    if change.action is ChangeKind.ADD_STATEMENT:
        return with_statement(text, change.statement)
    if text is None:
        raise DocumentError(f"{change.target} has no {change.policy} to remove a statement from")
    return without_statement(text, change.statement)


def _same(a: PolicySource | None, b: PolicySource | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.text == b.text


def _resource_document(policy: PolicySource | None, change: PolicyChange) -> PolicySource:
    text = changed_text(policy.text if policy else None, change)
    if policy is None:
        return PolicySource(
            text=text,
            source_id="ResourcePolicy",
            source_type="Resource Policy",
            kind=PolicyKind.RESOURCE,
            origin=FIX_ORIGIN,
        )
    return replace(policy, text=text)


def _custom_subject(subject: Subject, edit: Edit, original: Subject) -> Subject:
    """`subject` (already edited) with `edit` applied; a removal finds its document among the
    `original` subject's, so several edits of one document apply in turn."""
    docs = list(subject.identity_policies)
    if edit.change.action is ChangeKind.ADD_STATEMENT:
        docs.append(
            PolicySource(
                text=changed_text(None, edit.change),
                source_id=f"PolicyInputList.{len(docs) + 1}",
                source_type="IAM Policy",
                origin=f"{FIX_ORIGIN}: {edit.change.policy}",
            )
        )
    else:
        for i, before in enumerate(original.identity_policies):
            if _same(before, edit.base):
                docs[i] = replace(docs[i], text=changed_text(docs[i].text, edit.change))
    return replace(subject, identity_policies=tuple(docs))


class _ModelCopy:
    """Copy-on-write: the model, and each account a change touches, are copied once."""

    def __init__(self, model: AccountModel) -> None:
        self.model = replace(model, accounts=dict(model.accounts))
        self._copied: set[str] = set()

    def account(self, account_id: str) -> Account:
        account = self.model.accounts[account_id]
        if account_id not in self._copied:
            account = replace(
                account,
                users=dict(account.users),
                groups=dict(account.groups),
                roles=dict(account.roles),
                policies=dict(account.policies),
                resources=dict(account.resources),
            )
            self.model.accounts[account_id] = account
            self._copied.add(account_id)
        return account

    def apply(self, change: PolicyChange, *, strict: bool) -> None:
        if change.policy in RESOURCE_POLICIES:
            self._resource(change, strict)
        elif change.policy == "trust_policy":
            self._trust(change)
        elif ":policy/" in change.target:
            self._managed(change)
        else:
            self._inline(change)

    def _identity(self, arn: str) -> tuple[Account, Identity, dict[str, Identity]]:
        try:
            found_account, identity = self.model.find_identity(arn)
        except SimulationError as exc:
            raise DocumentError(exc.message) from None
        account = self.account(found_account.account_id)
        table = {"user": account.users, "role": account.roles, "group": account.groups}[identity.kind]
        return account, table[identity.name], table

    def _inline(self, change: PolicyChange) -> None:
        _account, identity, table = self._identity(change.target)
        inline = list(identity.inline)
        for i, policy in enumerate(inline):
            if policy.name == change.policy:
                inline[i] = replace(policy, text=changed_text(policy.text, change))
                break
        else:
            inline.append(InlinePolicy(change.policy, changed_text(None, change), FIX_ORIGIN))
        table[identity.name] = replace(identity, inline=inline)

    def _trust(self, change: PolicyChange) -> None:
        _account, identity, table = self._identity(change.target)
        trust = identity.trust_policy
        text = changed_text(trust.text if trust else None, change)
        new = (
            replace(trust, text=text)
            if trust
            else PolicySource(text, "TrustPolicy", "Resource Policy", PolicyKind.RESOURCE, FIX_ORIGIN)
        )
        table[identity.name] = replace(identity, trust_policy=new)

    def _managed(self, change: PolicyChange) -> None:
        for account_id, account in self.model.accounts.items():
            if change.target in account.policies:
                copied = self.account(account_id)
                policy = copied.policies[change.target]
                copied.policies[change.target] = replace(policy, text=changed_text(policy.text, change))
                return
        raise DocumentError(f"managed policy {change.target} is not in the account model")

    def _resource(self, change: PolicyChange, strict: bool) -> None:
        for account_id, account in self.model.accounts.items():
            entry = account.resources.get(change.target)
            if entry is not None:
                self.account(account_id).resources[change.target] = _with_policy(entry, change)
                return
        if strict:
            raise DocumentError(f"{change.target} is not in the account model")


def _with_policy(entry: ResourceEntry, change: PolicyChange) -> ResourceEntry:
    return replace(entry, policy=_resource_document(entry.policy, change))
