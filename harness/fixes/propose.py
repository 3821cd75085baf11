"""What could unblock a cell: statements to remove (an explicit deny) and statements to add (what is missing).

Rules (IAM policy evaluation logic,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

- An explicit deny in any policy outweighs every allow, so adding cannot fix it: the deny
  statement itself is removed, when it sits in a policy the account's users control (an
  identity policy, a customer managed policy, a key, bucket or other resource policy). A deny
  in a permissions boundary or a session policy, or in an AWS managed policy (which no one
  but AWS edits), is named instead: changing it is a decision about the boundary, the
  session or the attachment, not a statement to paste.
- An implicit deny means no policy allows: an allow is added. Within one account an identity
  policy allow is enough for most resources; a KMS key is the exception, where the key
  policy must allow the principal, or allow the account so that IAM policies count
  (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html). Across accounts
  both sides must allow: the resource's policy naming the principal, and the principal's
  identity policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html).
  The candidates are therefore tried smallest first: the identity side, the resource side,
  then both; re-evaluation (fixer.py) says which one is enough.
- The key policy of an AWS managed key cannot be changed by anyone but AWS
  (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key), so a
  change there is proposed as unproven, with that reason: what unblocks such a cell is another
  path (a customer managed key, or the service the key policy allows), not a statement to paste.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.account import AccountModel
from harness.account.model import ManagedPolicy
from harness.cells import Cell, ChangeKind, PolicyChange
from harness.engine.errors import SimulationError
from harness.engine.types import MatchedStatement, PolicyKind, PolicySource
from harness.fixes.documents import DocumentError, statement_at
from harness.fixes.patch import Edit, Place
from harness.fixes.reevaluate import Answer, denies
from harness.fixes.sides import (
    ResourceSide,
    principal_for_resource_policy,
    principal_side,
    resource_side,
)
from harness.fixes.statements import (
    Narrowing,
    identity_statement,
    inline_policy_name,
    resource_statement,
)


@dataclass(frozen=True)
class Removals:
    """The deny statements a fix removes, and the denies it cannot remove (said in words)."""

    edits: tuple[Edit, ...]
    blockers: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """One change set to try; `unproven` says why it cannot be proven here (empty: it can)."""

    edits: tuple[Edit, ...]
    unproven: str = ""


def removals_for(cell: Cell, answer: Answer, model: AccountModel | None) -> Removals:
    edits: list[Edit] = []
    blockers: list[str] = []
    for matched in denies(answer):
        found = _removal(cell, answer, matched, model)
        if isinstance(found, Edit):
            if found not in edits:
                edits.append(found)
        else:
            blockers.append(found)
    return Removals(tuple(edits), tuple(blockers))


def _removal(cell: Cell, answer: Answer, matched: MatchedStatement, model: AccountModel | None) -> Edit | str:
    """The edit removing one deny statement, or why there is none."""
    where = f"Sid {matched.sid!r} of {matched.source_policy_id}" if matched.sid else matched.source_policy_id
    request = answer.request
    if matched.kind is PolicyKind.PERMISSIONS_BOUNDARY:
        return f"{where} (permissions boundary) denies it: the boundary must change, or be detached"
    if matched.kind is PolicyKind.SESSION:
        return f"{where} (session policy) denies it: the session must be started with another policy"
    if request is None or matched.kind not in (PolicyKind.IDENTITY, PolicyKind.RESOURCE):
        return f"{where} ({matched.kind}) denies it: a fix does not change this kind of policy"
    document = _document(request.identity_policies, request.resource_policy, matched)
    if document is None:
        return f"{where} denies it, and the policy was not found in the request"
    try:
        statement = statement_at(document.text, matched.start)
    except DocumentError as exc:
        return f"{where} denies it, and its statement could not be read: {exc}"
    if matched.kind is PolicyKind.RESOURCE:
        side = resource_side(cell, model)
        if side is None:
            return f"{where} denies it, and the resource's policy could not be named"
        if _aws_managed_key(side, model):
            return f"{where} denies it, in the key policy of an AWS managed key, which only AWS changes"
        change = PolicyChange(ChangeKind.REMOVE_STATEMENT, side.target, side.policy, statement)
        return Edit(change, Place.RESOURCE, base=cell.resource_policy)
    return _identity_removal(cell, document, statement, where, model)


def _document(
    identity: tuple[PolicySource, ...], resource: PolicySource | None, matched: MatchedStatement
) -> PolicySource | None:
    if matched.kind is PolicyKind.RESOURCE:
        return resource
    return next(
        (
            d
            for d in identity
            if d.source_id == matched.source_policy_id and d.source_type == matched.source_policy_type
        ),
        None,
    )


def _identity_removal(
    cell: Cell, document: PolicySource, statement: dict, where: str, model: AccountModel | None
) -> Edit | str:
    side = principal_side(cell, model)
    if side is None:
        return f"{where} denies it, and the principal was not found"
    if side.custom:
        name = _scenario_policy_name(document)
        change = PolicyChange(ChangeKind.REMOVE_STATEMENT, side.target, name, statement)
        return Edit(change, Place.CUSTOM, base=document, subject=cell.subject)
    if document.source_type == "aws-managed":
        return (
            f"{where} (AWS managed policy) denies it: AWS managed policies are edited by AWS only; "
            "detach the policy instead"
        )
    if document.source_type == "user-managed":
        managed = _managed(cell, document, model)
        if managed is None:
            return f"{where} denies it, and the managed policy was not found in the account model"
        change = PolicyChange(ChangeKind.REMOVE_STATEMENT, managed.arn, managed.name, statement)
        return Edit(change, Place.MANAGED)
    owner = _inline_owner(cell, document, model) or side.target
    return Edit(PolicyChange(ChangeKind.REMOVE_STATEMENT, owner, document.source_id, statement), Place.INLINE)


def _scenario_policy_name(document: PolicySource) -> str:
    """`policies.NAME (file)` → NAME: the name the scenario gives the document."""
    origin = document.origin
    if origin.startswith("policies."):
        return origin.removeprefix("policies.").split(" ", 1)[0]
    return document.source_id


def _managed(cell: Cell, document: PolicySource, model: AccountModel | None) -> ManagedPolicy | None:
    if model is None or not cell.subject.principal_arn:
        return None
    try:
        account, _identity = model.find_identity(cell.subject.principal_arn)
    except SimulationError:
        return None
    return next(
        (p for p in account.policies.values() if p.name == document.source_id and p.text == document.text),
        None,
    )


def _inline_owner(cell: Cell, document: PolicySource, model: AccountModel | None) -> str | None:
    """The ARN of the identity (the user, or one of its groups) holding this inline policy."""
    if model is None or not cell.subject.principal_arn:
        return None
    try:
        account, identity = model.find_identity(cell.subject.principal_arn)
    except SimulationError:
        return None
    holders = [identity, *(account.groups[g] for g in identity.groups if g in account.groups)]
    for holder in holders:
        if any(p.name == document.source_id and p.text == document.text for p in holder.inline):
            return holder.arn
    return None


def additions_for(cell: Cell, model: AccountModel | None, condition: dict) -> list[Candidate]:
    """Allow statements to try, smallest first: identity side, resource side, both."""
    resource = cell.resource
    if model is not None and ":alias/" in resource:
        resource = model.key_arn_for_alias(resource) or resource  # an IAM policy names the key
    narrowing = Narrowing(cell.action, resource, condition)
    identity = _identity_addition(cell, model, narrowing)
    on_resource = _resource_addition(cell, model, narrowing)
    singles = [c for c in (identity, on_resource) if c is not None]
    out = list(singles)
    if identity is not None and on_resource is not None:
        out.append(Candidate(identity.edits + on_resource.edits, on_resource.unproven or identity.unproven))
    return out


def _identity_addition(cell: Cell, model: AccountModel | None, narrowing: Narrowing) -> Candidate | None:
    side = principal_side(cell, model)
    if side is None:
        return None
    statement = identity_statement(side.target, narrowing)
    name = inline_policy_name(side.target, statement["Sid"])
    change = PolicyChange(ChangeKind.ADD_STATEMENT, side.target, name, statement)
    if side.custom:
        return Candidate((Edit(change, Place.CUSTOM, subject=cell.subject),))
    unproven = "" if model is not None else "principal mode without an account model"
    return Candidate((Edit(change, Place.INLINE),), unproven)


def _resource_addition(cell: Cell, model: AccountModel | None, narrowing: Narrowing) -> Candidate | None:
    side = resource_side(cell, model)
    principal = principal_for_resource_policy(cell, model)
    if side is None or principal is None:
        return None
    statement = resource_statement(principal, narrowing, side.statement_resource(cell.resource))
    change = PolicyChange(ChangeKind.ADD_STATEMENT, side.target, side.policy, statement)
    unproven = ""
    if not side.known:
        account = f" (account {side.account})" if side.account else ""
        unproven = f"the {side.policy} of {side.target}{account} is not in the account model or the scenario"
    elif _aws_managed_key(side, model):
        unproven = (
            f"{side.target} is an AWS managed key, whose key policy only AWS changes: use a customer "
            "managed key, or the path its key policy allows"
        )
    return Candidate((Edit(change, Place.RESOURCE, base=cell.resource_policy),), unproven)


def _aws_managed_key(side: ResourceSide, model: AccountModel | None) -> bool:
    return side.policy == "key_policy" and model is not None and model.key_manager(side.target) == "AWS"
