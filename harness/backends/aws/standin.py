"""A stand-in IAM user for a role (or role session) caller, where the simulator refuses role callers.

Used only on the fallback path (callers.py): when an account's simulator
refuses a role as CallerArn ("Caller must be an IAM user", as the IAM API
reference said before July 2026), when `caller_mode=stand-in`, or for a
session that is not the same question as its role. The API reference
(SimulatePrincipalPolicy, CallerArn,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html;
SimulateCustomPolicy, https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html)
says, in short: CallerArn is required with a ResourcePolicy so that the
policy's Principal element has someone to match; and PolicySourceArn=David
with CallerArn=Bob simulates Bob as if Bob had David's policies. So for a
role caller we send the role as PolicySourceArn (its policies), a stand-in
user of the role's account as CallerArn, and the resource policy with every
Principal / NotPrincipal entry that names the role or the session replaced
by the stand-in's ARN.

That is the same question only where the stand-in and the role are evaluated
alike; where they would not be, the cell is refused (NotFaithful) rather than
answered (docs/aws-backend.md, "The stand-in user"):

- Principal matching (reference_policies_elements_principal.html): a role ARN
  names the role and its sessions, compared on account and role name (a
  session ARN has no path); a session ARN names that session only. The same
  rule as the offline engine (harness/engine/principals.py).
- A resource-policy Allow naming the role ARN is limited by the role's
  permissions boundary; one naming a user ARN (or a session ARN) is not
  (reference_policies_evaluation-logic_policy-eval-basics.html). Rewriting a
  role-ARN grant to the user is therefore refused when the caller has, or may
  have, a boundary.
- NotPrincipal with Deny excludes a user only if its account and the user are
  named, a role session only if account, role and session are all named
  (reference_policies_elements_notprincipal.html); a rewrite is kept only where
  both readings agree.
- Keys whose value the stand-in would not share with the role (aws:userid,
  aws:username, aws:PrincipalType, aws:PrincipalTag/*, aws:SourceIdentity,
  aws:FederatedProvider) refuse the cell when a policy the harness can see uses
  them and the scenario does not set them.
- aws:PrincipalArn (the role's ARN, also for a session,
  reference_policies_condition-keys.html#condition-keys-principalarn),
  aws:PrincipalAccount and aws:PrincipalType (AssumedRole: a role acts only
  through sessions) are added to the context unless the scenario sets them,
  so no value of the stand-in's can stand for them in policies the harness
  cannot see (the role's own, in principal mode without a capture).

The rewrite works on the parsed JSON; the new text is serialised from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.engine.principals import Caller, parse_caller

DEFAULT_STAND_IN_USER = "iam-harness-stand-in-caller"

# Keys (or prefixes ending in "/") the stand-in would answer differently from the role, as AWS spells them.
UNSHARED_KEYS = (
    "aws:userid",
    "aws:username",
    "aws:PrincipalType",
    "aws:PrincipalTag/",
    "aws:SourceIdentity",
    "aws:FederatedProvider",
)


class NotFaithful(Exception):
    """The stand-in would not be evaluated as the role; the cell stays an error with this reason."""


@dataclass(frozen=True)
class StandIn:
    """Who really calls, and who the simulator is told calls."""

    caller: Caller  # the role or assumed-role session the scenario names
    role_arn: str  # the role's ARN (with its path when known): PolicySourceArn, aws:PrincipalArn
    user_arn: str  # the stand-in IAM user: CallerArn

    @property
    def account(self) -> str:
        return self.caller.account or ""


def stand_in_for(caller_arn: str, user_name: str, *, role_arn: str | None = None) -> StandIn | None:
    """A stand-in for a role or role-session caller; None for any other caller."""
    caller = parse_caller(caller_arn)
    if caller.kind not in ("role", "assumed-role") or not caller.account:
        return None
    role = role_arn or (caller.arn if caller.kind == "role" else caller.role_arn) or caller.arn
    user = f"arn:{caller.partition}:iam::{caller.account}:user/{user_name}"
    return StandIn(caller=caller, role_arn=role, user_arn=user)


@dataclass(frozen=True)
class Rewrite:
    text: str
    rewritten: int  # entries replaced by the stand-in


def rewrite_resource_policy(text: str, stand_in: StandIn, *, boundary: bool | None) -> Rewrite:
    """The resource policy with the caller's Principal / NotPrincipal entries naming the stand-in.

    `boundary`: whether the caller has a permissions boundary (None: unknown).
    Raises NotFaithful where the stand-in would be evaluated differently.
    """
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotFaithful(
            f"the resource policy is not valid JSON ({exc}), so its Principal cannot be rewritten"
        ) from None
    if not isinstance(doc, dict):
        raise NotFaithful("the resource policy is not a JSON object, so its Principal cannot be rewritten")
    statements = doc.get("Statement")
    items = (
        [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    )
    count = 0
    for index, st in enumerate(items):
        if not isinstance(st, dict):
            continue
        deny = st.get("Effect") == "Deny"
        for element in ("Principal", "NotPrincipal"):
            if element in st:
                st[element], n = _rewrite_element(
                    st[element], stand_in, element=element, deny=deny, boundary=boundary, index=index
                )
                count += n
    if count == 0:
        return Rewrite(text, 0)
    return Rewrite(json.dumps(doc, indent=2), count)


def _rewrite_element(
    value: Any, stand_in: StandIn, *, element: str, deny: bool, boundary: bool | None, index: int
) -> tuple[Any, int]:
    if not isinstance(value, dict) or "AWS" not in value:
        return value, 0
    raw = value["AWS"]
    entries = raw if isinstance(raw, list) else [raw]
    where = f"statement {index + 1} {element}"
    if stand_in.user_arn in entries:
        raise NotFaithful(
            f"the resource policy already names the stand-in user {stand_in.user_arn} ({where}); "
            "choose another name with --iam-backend-opt stand_in_user=NAME"
        )
    kinds = [_names(e, stand_in.caller, where) if isinstance(e, str) else None for e in entries]
    if not any(kinds):
        return value, 0
    if element == "Principal" and not deny and "role" in kinds and boundary is not False:
        why = "has a permissions boundary" if boundary else "may have a permissions boundary (unknown)"
        raise NotFaithful(
            f"{where} grants to the role ARN, and the role {why}: a grant to a role ARN is limited by the "
            "boundary, one to the stand-in user is not"
        )
    if element == "NotPrincipal" and deny:
        _check_not_principal(entries, kinds, stand_in.caller, where)
    out: list[Any] = []
    for entry, kind in zip(entries, kinds, strict=True):
        new = stand_in.user_arn if kind else entry
        if new not in out:
            out.append(new)
    replaced = sum(1 for k in kinds if k)
    new_value = dict(value)
    new_value["AWS"] = out if isinstance(raw, list) or len(out) != 1 else out[0]
    return new_value, replaced


def _names(entry: str, caller: Caller, where: str) -> str | None:
    """'role' or 'session' when `entry` names the caller that way, else None (engine's matching rules).

    Matching is on the exact text, as the engine does; an entry that differs from the role or
    session only in letter case is refused, since IAM role names are unique regardless of case and
    the documentation does not say whether such an entry names the role.
    """
    if entry == caller.arn and caller.kind == "assumed-role":
        return "session"
    other = parse_caller(entry)
    if other.kind not in ("role", "assumed-role"):
        return None
    mine = (caller.partition, caller.account, caller.role_name)
    theirs = (other.partition, other.account, other.role_name)
    if other.kind == "role" and theirs == mine:
        return "role"
    same_but_case = other.kind == "role" and str(theirs).lower() == str(mine).lower()
    if caller.kind == "assumed-role" and other.kind == "assumed-role":
        same_but_case = same_but_case or entry.lower() == caller.arn.lower()
    if same_but_case:
        raise NotFaithful(f"{where} names {entry}, which differs from the caller only in letter case")
    return None


def _check_not_principal(
    entries: Sequence[Any], kinds: Sequence[str | None], caller: Caller, where: str
) -> None:
    # The caller escapes a Deny only if its account and itself are named (a session: account,
    # role and session); the stand-in escapes if its account and it are named.
    account = caller.account or ""
    account_named = any(
        isinstance(e, str) and (e == account or e.endswith(f":iam::{account}:root")) for e in entries
    )
    role_named = "role" in kinds
    session_named = "session" in kinds
    if caller.kind == "assumed-role":
        real = account_named and role_named and session_named
    else:
        real = account_named and role_named
    stand_in = account_named  # some entry naming the caller becomes the stand-in
    if real != stand_in:
        raise NotFaithful(
            f"{where} names the account and only part of the role session (role or session ARN): "
            "the session is not excluded from the Deny, a stand-in user would be"
        )


def unshared_keys(referenced: Iterable[str], context_keys: Iterable[str]) -> list[str]:
    """Keys policies use whose value the stand-in would not share with the role, not set by the scenario."""
    given = {k.lower() for k in context_keys}
    out = set()
    for key in referenced:
        low = key.lower()
        if low in given:
            continue
        for known in UNSHARED_KEYS:
            if low == known.lower():
                out.add(known)
            elif known.endswith("/") and low.startswith(known.lower()):
                out.add(known + key[len(known) :])
    return sorted(out)


def added_context(stand_in: StandIn, context_keys: Iterable[str]) -> list[tuple[str, str]]:
    """(key, value) the real request carries about the caller and the scenario does not set."""
    given = {k.lower() for k in context_keys}
    # A role acts only through sessions, so every real request of it has aws:PrincipalType
    # AssumedRole (reference_policies_condition-keys.html#condition-keys-principaltype).
    wanted = [
        ("aws:PrincipalArn", stand_in.role_arn),
        ("aws:PrincipalAccount", stand_in.account),
        ("aws:PrincipalType", "AssumedRole"),
    ]
    return [(k, v) for k, v in wanted if k.lower() not in given and v]
