"""Who is calling, and does a Principal / NotPrincipal element name them?

Rules from "AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):

- An account id, or the account's root ARN `arn:aws:iam::ACCOUNT:root`,
  names the account: every IAM principal of that account (users, roles,
  role sessions, federated users, the root user) is named, and the account
  then decides through its own identity policies.
- A user ARN names that user; a role ARN names the role, and a request made
  with a session of that role (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`)
  is a request by that role. Session ARNs carry no role path, so a role ARN
  with a path is compared on account and role name.
- An assumed-role session ARN names only that session.
- `"Service"` names an AWS service principal; `"Federated"` a web identity or
  SAML provider; `"CanonicalUser"` an S3 canonical user id.
- `"*"` (or `{"AWS": "*"}`) names everyone. Other wildcards are not allowed in
  a principal; such a policy is rejected.

NotPrincipal (reference_policies_elements_notprincipal.html): with Deny, a
request is excluded from the deny only if the NotPrincipal list names the
principal's account as well as the principal itself (user ARN or role ARN),
because the request is evaluated as coming from each of them; a role session
is evaluated as account, role and session, so all three must be named. And a
principal with a permissions boundary is never excluded by NotPrincipal in a
Deny (access_policies_boundaries.html, "Important" box).

`aws:PrincipalArn` of a role session is the role's ARN
(reference_policies_condition-keys.html#condition-keys-principalarn).
"""

from __future__ import annotations

import re
from enum import StrEnum

from harness.dataclass import dataclass
from harness.engine.errors import MalformedPolicyDocument

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ARN_RE = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$"
)


class PrincipalMatch(StrEnum):
    """How a Principal element named the caller (strongest first in `_RANK`)."""

    USER = "user"  # the IAM user's own ARN
    SESSION = "session"  # the assumed-role / federated-user session ARN
    ROLE = "role"  # the role ARN (caller is the role or a session of it)
    SERVICE = "service"
    FEDERATED = "federated"
    CANONICAL = "canonicalUser"
    WILDCARD = "wildcard"  # "*"
    ACCOUNT = "account"  # account id or root ARN

    @property
    def direct(self) -> bool:
        """Named as the user or session itself: permissions boundaries and
        session policies do not limit such a resource-policy grant in the same
        account (reference_policies_evaluation-logic_policy-eval-basics.html)."""
        return self in (PrincipalMatch.USER, PrincipalMatch.SESSION)


_RANK = {m: i for i, m in enumerate(PrincipalMatch)}


# Not frozen: one is parsed for every request, and a frozen dataclass sets each field
# through object.__setattr__ (several times slower). Nothing changes one once built; it
# stays hashable (unsafe_hash) for the frozen records that hold one.
@dataclass(slots=True, unsafe_hash=True)
class Caller:
    """The identity a request comes from, parsed from its ARN."""

    arn: str
    kind: str  # user, role, assumed-role, federated-user, root, service, anonymous, other
    partition: str = "aws"
    account: str | None = None
    role_name: str | None = None  # for roles and role sessions
    session_name: str | None = None

    @property
    def role_arn(self) -> str | None:
        """The role's ARN (without path: a session ARN does not carry it)."""
        if self.kind == "role":
            return self.arn
        if self.kind == "assumed-role" and self.role_name:
            return f"arn:{self.partition}:iam::{self.account}:role/{self.role_name}"
        return None

    @property
    def principal_arn(self) -> str:
        """Value of aws:PrincipalArn: the role ARN for a role session."""
        if self.kind == "assumed-role":
            return self.role_arn or self.arn
        return self.arn

    @property
    def principal_type(self) -> str | None:
        """aws:PrincipalType values (reference_policies_condition-keys.html#condition-keys-principaltype)."""
        return {
            "user": "User",
            "assumed-role": "AssumedRole",
            "federated-user": "FederatedUser",
            "root": "Account",
            "anonymous": "Anonymous",
        }.get(self.kind)

    @property
    def is_iam(self) -> bool:
        return self.kind in ("user", "role", "assumed-role", "federated-user", "root")

    @property
    def is_session(self) -> bool:
        return self.kind in ("assumed-role", "federated-user")


def parse_caller(arn: str) -> Caller:
    """Parse a caller ARN (or a service principal name)."""
    if arn in ("*", "anonymous"):
        return Caller(arn, "anonymous")
    if not arn.startswith("arn:"):
        if _ACCOUNT_RE.match(arn):
            return Caller(f"arn:aws:iam::{arn}:root", "root", account=arn)
        return Caller(arn, "service" if arn.endswith(".amazonaws.com") or "." in arn else "other")
    m = _ARN_RE.match(arn)
    if not m:
        return Caller(arn, "other")
    partition, service, _region, account, resource = m.groups()  # (one call, not four lookups)
    account = account or None
    if service == "iam":
        if resource == "root":
            return Caller(arn, "root", partition, account)
        if resource.startswith("user/"):
            return Caller(arn, "user", partition, account)
        if resource.startswith("role/"):
            return Caller(arn, "role", partition, account, resource.rsplit("/", 1)[-1])
    if service == "sts":
        if resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) >= 3:
                return Caller(
                    arn,
                    "assumed-role",
                    partition,
                    account,
                    role_name=parts[1],
                    session_name="/".join(parts[2:]),
                )
        if resource.startswith("federated-user/"):
            return Caller(arn, "federated-user", partition, account, session_name=resource.split("/", 1)[1])
    return Caller(arn, "other", partition, account)


@dataclass(frozen=True, slots=True)
class CompiledPrincipals:
    """One Principal / NotPrincipal element."""

    values: tuple[tuple[str, str], ...]  # (type, value) as written, for explanations
    wildcard: bool  # "*" or {"AWS": "*"}
    accounts: frozenset[str]
    exact: frozenset[str]  # user, role, session, federated-user ARNs
    roles: frozenset[tuple[str, str, str]]  # (partition, account, role name)
    services: frozenset[str]  # lower-cased
    federated: frozenset[str]
    canonical: frozenset[str]

    def match(self, caller: Caller | None) -> PrincipalMatch | None:
        """The strongest way this element names `caller`, or None."""
        if caller is None:
            return PrincipalMatch.WILDCARD if self.wildcard else None
        best: PrincipalMatch | None = None

        def take(m: PrincipalMatch) -> None:
            nonlocal best
            if best is None or _RANK[m] < _RANK[best]:
                best = m

        if caller.arn in self.exact:
            take(
                PrincipalMatch.USER
                if caller.kind == "user"
                else PrincipalMatch.ROLE
                if caller.kind == "role"
                else PrincipalMatch.SESSION
            )
        if caller.role_name and (caller.partition, caller.account, caller.role_name) in self.roles:
            take(PrincipalMatch.ROLE)
        if caller.kind == "service" and caller.arn.lower() in self.services:
            take(PrincipalMatch.SERVICE)
        if caller.arn in self.federated:
            take(PrincipalMatch.FEDERATED)
        if caller.arn in self.canonical:
            take(PrincipalMatch.CANONICAL)
        if self.wildcard:
            take(PrincipalMatch.WILDCARD)
        if caller.is_iam and caller.account in self.accounts:
            take(PrincipalMatch.ACCOUNT)
        return best

    def names(self, caller: Caller | None, *, deny: bool, has_boundary: bool) -> bool:
        """NotPrincipal: True when the element names `caller`, so the statement does not apply to them."""
        if caller is None:
            return self.wildcard
        if self.wildcard:
            return True
        if deny:
            if has_boundary and caller.is_iam:
                return False
            if not caller.is_iam:
                return self.match(caller) is not None
            if caller.kind == "root":
                return caller.account in self.accounts
            account_named = caller.account in self.accounts
            role_named = (caller.partition, caller.account, caller.role_name) in self.roles
            if caller.kind == "assumed-role":
                # A role session is evaluated as the account, then the role,
                # then the session: all three must be named to escape the deny
                # (reference_policies_elements_notprincipal.html, role example).
                return account_named and role_named and caller.arn in self.exact
            own_named = caller.arn in self.exact or (caller.kind == "role" and role_named)
            return account_named and own_named
        # With Allow (which AWS advises against) any way of naming the caller
        # keeps them out of the grant: the narrower reading.
        return self.match(caller) is not None


def _malformed(message: str, *, policy_id: str, statement: int, element: str) -> MalformedPolicyDocument:
    return MalformedPolicyDocument(message, policy_id=policy_id, statement=statement, element=element)


def compile_principals(raw: object, *, policy_id: str, statement: int, element: str) -> CompiledPrincipals:
    """Compile a Principal or NotPrincipal element; raise MalformedPolicyDocument."""
    where = {"policy_id": policy_id, "statement": statement, "element": element}
    if raw == "*":
        return CompiledPrincipals(
            (("*", "*"),), True, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset()
        )
    if not isinstance(raw, dict) or not raw:
        raise _malformed(f'{element} must be "*" or an object such as {{"AWS": ...}}', **where)
    written: list[tuple[str, str]] = []
    wildcard = False
    accounts: set[str] = set()
    exact: set[str] = set()
    roles: set[tuple[str, str, str]] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    for ptype, value in raw.items():
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            raise _malformed(f"{element} {ptype} values must be non-empty strings", **where)
        for v in items:
            written.append((ptype, v))
            if ptype == "AWS":
                if v == "*":
                    wildcard = True
                elif _ACCOUNT_RE.match(v):
                    accounts.add(v)
                else:
                    m = _ARN_RE.match(v)
                    if m is None or "*" in v or "?" in v or m["service"] not in ("iam", "sts"):
                        raise _malformed(f"invalid principal {v!r}", **where)
                    res = m["resource"]
                    if m["service"] == "iam" and res == "root":
                        accounts.add(m["account"])
                    elif m["service"] == "iam" and res.startswith("role/"):
                        exact.add(v)
                        roles.add((m["partition"], m["account"], res.rsplit("/", 1)[-1]))
                    else:
                        exact.add(v)
            elif ptype == "Service":
                services.add(v.lower())
            elif ptype == "Federated":
                federated.add(v)
            elif ptype == "CanonicalUser":
                canonical.add(v)
            else:
                raise _malformed(f"unknown principal type {ptype!r}", **where)
    return CompiledPrincipals(
        tuple(written),
        wildcard,
        frozenset(accounts),
        frozenset(exact),
        frozenset(roles),
        frozenset(services),
        frozenset(federated),
        frozenset(canonical),
    )
