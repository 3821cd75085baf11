"""The two sides of a request a fix can change: the principal's identity policies, the resource's policy.

- Principal side: a new inline policy on the identity the cell asks for (a role session's
  role); in custom mode, the scenario's documents stand for the caller's identity policies.
- Resource side: the policy of the resource the request is authorized on. A KMS key
  operation is authorized on the key (an alias ARN stands for its key,
  https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html), so its
  policy is `key_policy`; an S3 object's policy is its bucket's (`bucket_policy`); a role's
  resource policy is its trust policy (`trust_policy`); any other is `resource_policy`.
- Cross-account: the caller's account differs from the resource's (the ARN's account, or
  the scenario's `resource_owner`). Then both sides must allow
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).

The resource side is `known` when the document the cell was evaluated with is the real one:
the scenario named it, or the resource's account is in the account model. Otherwise (another
account's key not in the model) a change to it can be proposed but not proven here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.account import AccountModel
from harness.cells import Cell
from harness.engine.authorizers.kms import is_kms_key_request
from harness.engine.errors import SimulationError
from harness.engine.principals import parse_caller
from harness.engine.types import PolicySource

_ACCOUNT_OF_ARN = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::\d{12}:role/")
_OWNER = re.compile(r"^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$")


@dataclass(frozen=True)
class PrincipalSide:
    """Where a new identity policy goes: `target` is the identity's ARN (custom mode: the caller's,
    or the scenario's name for the principal when it names no caller)."""

    target: str
    custom: bool


@dataclass(frozen=True)
class ResourceSide:
    target: str
    policy: str  # key_policy | bucket_policy | trust_policy | resource_policy
    document: PolicySource | None
    known: bool
    account: str | None

    def statement_resource(self, cell_resource: str) -> str | None:
        """The Resource element of a statement added to this policy (statements.py's module doc)."""
        if self.policy == "key_policy":
            return "*"
        if self.policy == "trust_policy":
            return None
        return cell_resource


def caller_arn(cell: Cell) -> str | None:
    return cell.subject.caller_arn or cell.subject.principal_arn


def principal_for_resource_policy(cell: Cell, model: AccountModel | None) -> str | None:
    """The ARN a resource policy names for this caller: a role session's role (with its path,
    when the model knows it), else the caller's own ARN."""
    arn = caller_arn(cell)
    if arn is None:
        return None
    caller = parse_caller(arn)
    if caller.kind == "assumed-role":
        if model is not None:
            try:
                return model.find_identity(arn)[1].arn
            except SimulationError:
                pass
        return caller.role_arn
    return arn


def principal_side(cell: Cell, model: AccountModel | None) -> PrincipalSide | None:
    subject = cell.subject
    if subject.principal_arn:
        if model is None:  # the identity policy goes on the principal (a session's role), not the caller
            asked = parse_caller(subject.principal_arn)
            return PrincipalSide(asked.role_arn if asked.kind == "assumed-role" else asked.arn, False)
        try:
            _account, identity = model.find_identity(subject.principal_arn)
        except SimulationError:
            return None
        return None if identity.kind == "group" else PrincipalSide(identity.arn, False)
    target = principal_for_resource_policy(cell, model) or cell.principal_label or subject.label
    return PrincipalSide(target, True)


def resource_side(cell: Cell, model: AccountModel | None) -> ResourceSide | None:
    """The resource policy a fix may change for this cell, or None (a resource with no policy kind:
    `*`, or a same-account resource the model gives no policy, where identity policies decide)."""
    if cell.resource == "*" or not cell.resource.startswith("arn:"):
        return None
    target, policy = resource_target(cell, model)
    account = resource_account(cell)
    known = cell.resource_policy_named or (model is not None and account in model.accounts)
    document = cell.resource_policy
    if document is None and policy != "key_policy" and not _cross_account(cell, account):
        return None
    if model is not None and not cell.resource_policy_named and model.resource_gap(target):
        known = False
    return ResourceSide(target, policy, document, bool(known), account)


def resource_target(cell: Cell, model: AccountModel | None) -> tuple[str, str]:
    """(ARN whose policy decides, which policy) for the cell's resource."""
    resource = cell.resource
    if is_kms_key_request(cell.action.lower(), resource):
        if ":alias/" in resource and model is not None:
            return model.key_arn_for_alias(resource) or resource, "key_policy"
        return resource, "key_policy"
    if ":s3:::" in resource:
        return resource.split("/", 1)[0], "bucket_policy"
    if _ROLE_ARN.match(resource):
        return resource, "trust_policy"
    return resource, "resource_policy"


def resource_account(cell: Cell) -> str | None:
    owner = _OWNER.match(cell.resource_owner or "")
    if owner:
        return owner.group(1) or owner.group(2)
    found = _ACCOUNT_OF_ARN.match(cell.resource)
    return found.group(1) if found else None


def caller_account(cell: Cell) -> str | None:
    arn = caller_arn(cell)
    return parse_caller(arn).account if arn else None


def is_cross_account(cell: Cell) -> bool:
    return _cross_account(cell, resource_account(cell))


def _cross_account(cell: Cell, account: str | None) -> bool:
    caller = caller_account(cell)
    return account is not None and caller is not None and caller != account
