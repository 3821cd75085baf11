"""`principals: external` in a scenario: the principals outside the model, asked from the resource's side.

For each action and resource of the scenario, every principal the resource's policy or KMS
grants name that is not an identity of the model (harness/account/external.py) becomes a
cell: its own side is stood in for by a policy that allows everything, so the answer is the
resource's side alone (its policy and grants, with the scenario's context), and a cell for
an account the model does not hold carries `other_side: unknown` (and the tag OTHER_SIDE_TAG,
so `-m other_side_unknown` selects them): that account's own IAM policies must also allow
(docs/scenarios.md, "Principals outside the model").

An override selects an external principal by what names it: a service principal by its
name (`sns.amazonaws.com`), an account by its id or root ARN (either names both), another
account's role or user by its ARN, the public by `*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.account.external import OTHER_SIDE, ExternalPrincipal, caller_for, external_principals
from harness.account.model import AccountModel
from harness.cells import Subject
from harness.engine.types import PolicySource

OTHER_SIDE_TAG = "other_side_unknown"
_ACCOUNT = re.compile(r"^(?:arn:([^:]+):iam::(\d{12}):root|(\d{12}))$")


@dataclass(frozen=True)
class ExternalAsker:
    """One external principal of one cell: its label, the subject that asks, its tags."""

    label: str
    subject: Subject
    tags: tuple[str, ...]
    other_side: str | None  # "unknown" | "model" (harness.account.external)


def external_askers(
    model: AccountModel, policy: PolicySource | None, action: str, resource: str
) -> list[ExternalAsker]:
    """The external principals named for `action` on `resource`, each once."""
    named = external_principals(model, policy, model.grants_for(resource), action, resource)
    out: dict[str, ExternalAsker] = {}
    for entry in named:
        if entry.principal not in out:
            out[entry.principal] = _asker(entry)
    return list(out.values())


def external_unknown(model: AccountModel, resource: str, policy_named: bool) -> str | None:
    """Why the external principals on `resource` cannot be listed (a load error), or None.

    Zero cells would pass silently: `*` names no resource whose policy could name anyone, and
    a policy the capture could not read (a gap) names principals no one knows.
    """
    if resource == "*":
        return '`external` lists the principals a resource\'s policy and grants name; resource "*" names none'
    gap = None if policy_named else model.resource_gap(resource)
    if gap:
        return f"the principals outside the model on {resource} are unknown: the model did not read it: {gap}"
    return None


def _asker(entry: ExternalPrincipal) -> ExternalAsker:
    tags = (OTHER_SIDE_TAG,) if entry.other_side == "unknown" else ()
    subject = Subject(identity_policies=(OTHER_SIDE,), caller_arn=caller_for(entry))
    return ExternalAsker(entry.principal, subject, tags, entry.other_side)


def names_external(text: str, model: AccountModel) -> bool:
    """Does an override's `principal` name a principal outside the model (not one of its identities)?"""
    if text == "*" or _ACCOUNT.match(text):
        return True
    if text.startswith("arn:"):
        return "*" not in text and text not in model.principal_arns()
    return "." in text and "/" not in text  # a service principal's name


def external_aliases(text: str) -> frozenset[str]:
    """Every way a policy may write the principal `text` names: an account as its id and root ARN."""
    m = _ACCOUNT.match(text)
    if m is None:
        return frozenset({text})
    account = m.group(2) or m.group(3)
    return frozenset({account, f"arn:{m.group(1) or 'aws'}:iam::{account}:root"})
