"""The statement a fix adds: as narrow as the cell it unblocks.

- Action: the cell's one action, never a wildcard.
- Resource: the cell's resource ARN in an identity policy; `"*"` in a key policy, where it
  means "this key" (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html);
  the resource ARN in a bucket or other resource policy; none in a role trust policy, which
  has no Resource element
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#term_trust-policy).
- Principal (resource policies only): `{"AWS": <ARN>}` of the caller; for a role session the
  role's ARN, which names every session of the role
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
- Condition: the request context the scenario gives that the policies on the cell's path test
  (plus kms:ViaService, kms:CallerAccount and kms:GrantIsForAWSResource whenever given: they say
  how the key is used, https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html),
  each as StringEquals (or Bool) on the given value, so the statement grants only the request
  the cell makes. A key the action's requests never carry is left out (keys.py). Single-valued
  string and boolean entries only: a list, number, date or IP
  is left out (a reading: equality on those would say more than the scenario does).
- Sid: `HarnessFix` and a digest of principal, action, resource and condition: the same
  change always has the same Sid, two different ones never share it, so several fixes on
  one policy apply together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.engine.types import ContextEntry

KMS_USAGE_KEYS = frozenset({"kms:viaservice", "kms:calleraccount", "kms:grantisforawsresource"})
_OPERATORS = {"string": "StringEquals", "boolean": "Bool"}


@dataclass(frozen=True)
class Narrowing:
    """What the added statement is limited to, beside its principal."""

    action: str
    resource: str
    condition: Mapping[str, Mapping[str, str]]


def condition_from(
    context: Iterable[ContextEntry],
    tested: frozenset[str],
    applies: Callable[[str], bool] = lambda _key: True,
) -> dict[str, dict[str, str]]:
    """The Condition block for the context entries that policies test (`tested`, lower case), of the
    keys a request for the action carries (`applies`: keys.py)."""
    block: dict[str, dict[str, str]] = {}
    for entry in sorted(context, key=lambda e: e.key.lower()):
        key = entry.key.lower()
        operator = _OPERATORS.get(entry.type.lower())
        if operator is None or len(entry.values) != 1:
            continue
        if (key in tested or key in KMS_USAGE_KEYS) and applies(entry.key):
            value = entry.values[0].lower() if operator == "Bool" else entry.values[0]
            block.setdefault(operator, {})[entry.key] = value
    return block


def condition_keys_of(texts: Iterable[str]) -> frozenset[str]:
    """Every condition key (lower case) the Condition blocks of these policies test."""
    found: set[str] = set()
    for text in texts:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            continue
        statements = doc.get("Statement", []) if isinstance(doc, dict) else []
        for statement in statements if isinstance(statements, list) else [statements]:
            condition = statement.get("Condition") if isinstance(statement, dict) else None
            if isinstance(condition, dict):
                for tests in condition.values():
                    if isinstance(tests, dict):
                        found.update(str(k).lower() for k in tests)
    return frozenset(found)


def fix_sid(principal: str, narrowing: Narrowing) -> str:
    """A Sid IAM accepts (letters and digits) that names this exact grant."""
    key = json.dumps([principal, narrowing.action, narrowing.resource, narrowing.condition], sort_keys=True)
    return "HarnessFix" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()


def inline_policy_name(principal: str, sid: str) -> str:
    """The name of the new inline policy holding one fix's statement."""
    return "harness-fix-" + hashlib.sha256(f"{principal}|{sid}".encode()).hexdigest()[:10]


def identity_statement(principal: str, narrowing: Narrowing) -> dict[str, Any]:
    return _statement(fix_sid(principal, narrowing), None, narrowing, narrowing.resource)


def resource_statement(principal: str, narrowing: Narrowing, resource: str | None) -> dict[str, Any]:
    """A resource policy statement naming `principal`; `resource` is `"*"` for a key policy and
    None for a trust policy."""
    return _statement(fix_sid(principal, narrowing), principal, narrowing, resource)


def _statement(sid: str, principal: str | None, narrowing: Narrowing, resource: str | None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow"}
    if principal is not None:
        statement["Principal"] = {"AWS": principal}
    statement["Action"] = [narrowing.action]
    if resource is not None:
        statement["Resource"] = resource
    if narrowing.condition:
        statement["Condition"] = {op: dict(keys) for op, keys in narrowing.condition.items()}
    return statement
