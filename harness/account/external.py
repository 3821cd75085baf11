"""Principals a resource's policy or KMS grants name that are not identities of the model.

`who-can` (harness/who_can.py) and a scenario's `principals: external`
(harness/scenarios/expand.py) ask the model's identities, and also every principal
this module finds: each Allow statement of the resource's policy that applies to the
action and resource, and each grant on the key whose operations hold the action,
names principals (Principal element, GranteePrincipal). One `ExternalPrincipal` per
principal, action and resource, with what names it and the conditions that still
restrict it, as written: they are not evaluated away.

Scope of a principal (docs/account-model.md, "Principals outside the model"):

- `model`: never listed here; an identity of the model is answered as such.
- `account`: an account (its id or root ARN), or a user or role of an account, or `*`
  restricted to known accounts or organisations (below). `other_side` is `model` when
  that account is in the model (its identities are answered too), else `unknown`: that
  account's own IAM policies must also allow
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
- `service`: a service principal (`sns.amazonaws.com`), with its conditions
  (aws:SourceAccount, aws:SourceArn) as written.
- `public`: `*` (or `{"AWS": "*"}`) with no condition restricting the caller to known
  accounts or organisations: one of RESTRICTING_KEYS with an operator that requires a
  value (not a `Not...` operator, not `...IfExists`, which a request without the key
  passes; a reading: AWS's docs give these keys as the way to scope `*`,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount).
  `kms:CallerAccount` counts too (KMS's own, conditions-kms.html#conditions-kms-caller-account).
  An Allow with NotPrincipal names everyone else: listed as `*`.

S3 Block Public Access (public_access.py has the settings; docs/account-model.md, "S3 Block
Public Access"): RestrictPublicBuckets, on the bucket or on its owner's account, "restricts
access to an access point or bucket with a public policy to only AWS service principals and
authorized users within the bucket owner's account", blocking all cross-account access to it
except by service principals
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
So on a bucket (or one of its objects) whose policy is public and which RestrictPublicBuckets
covers, every `public` and `account` entry of another account is `blocked_by` it and not
flagged public ("public by policy, blocked by Block Public Access (RestrictPublicBuckets)");
service principals are not. A `*` restricted to accounts (scope `account`) is cross-account only
when its account is known: its StringEquals account conditions (aws:PrincipalAccount,
aws:SourceAccount, kms:CallerAccount) name one account, which becomes its `account`; restricted
to the bucket owner's account it is not public at all and never `blocked_by`, and restricted by
organisation or to several accounts (account unknown) it is never claimed blocked either.
An access point takes its account's setting (its own configuration is not captured: a reading
that can only over-report it as public).
BlockPublicPolicy only refuses a PutBucketPolicy that would make the policy public; it
changes nothing for a policy already in place, so it is not applied here.
A reading: the policy counts as public when an Allow statement names `*` (or NotPrincipal)
with no Condition at all. AWS also calls public a `*` statement whose conditions are not
fixed values of its listed keys; such a statement is not counted here, so RestrictPublicBuckets
is never claimed for a policy AWS may not call public (that would be a false "blocked"); it
can only leave a blocked principal flagged public. When RestrictPublicBuckets is unknown (a
refused GetPublicAccessBlock: the bucket's `PublicAccessBlockGap` or the account's gap
`s3/public-access-block`) and no setting known blocks it, the entry carries `unknown`, which
who-can answers as an error, never "not public".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from harness.account.model import AccountModel, ResourceEntry
from harness.account.public_access import ACCOUNT_SECTION, PublicAccessBlock
from harness.engine.context import RequestContext
from harness.engine.policy import compile_policy
from harness.engine.types import KmsGrant, PolicySource

PUBLIC = "*"
RESTRICTING_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "kms:calleraccount",
    }
)
_ACCOUNT = re.compile(r"^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$")
_IDENTITY = re.compile(r"^arn:[^:]+:(?:iam|sts)::(\d{12}):")
_NO_CONTEXT = RequestContext()


class Scope(StrEnum):
    MODEL = "model"
    ACCOUNT = "account"
    SERVICE = "service"
    PUBLIC = "public"
    # Who the resource's policy names is not known: the capture could not read it (a gap).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ExternalPrincipal:
    """One principal named for one action on one resource, and what names it."""

    principal: str  # as written: an ARN, an account id, a service name, or "*"
    scope: Scope
    action: str
    resource: str
    via: str  # "statement 'Sid'" / "statement 2" of the resource policy, or "grant ID"
    conditions: tuple[str, ...] = ()  # still restricting it, as written
    other_side: str | None = None  # account scope: "model" or "unknown"
    account: str | None = None  # the principal's account, when it names one
    blocked_by: str | None = None  # S3: the Block Public Access setting that refuses it (module doc)
    unknown: str | None = None  # S3: why whether Block Public Access refuses it is not known

    @property
    def public(self) -> bool:
        """Any principal may use it: `*` unrestricted, and no Block Public Access setting refuses it."""
        return self.scope is Scope.PUBLIC and self.blocked_by is None

    @property
    def block_public_access(self) -> str | None:
        """What Block Public Access does to it, in words; None when it does nothing."""
        if self.blocked_by is not None:
            what = "public by policy" if self.scope is Scope.PUBLIC else "cross-account, on a public policy"
            return f"{what}, blocked by Block Public Access (RestrictPublicBuckets on {self.blocked_by})"
        return self.unknown


# The other side of a request from outside the model, assumed to allow: the answer is then
# the resource's side alone, and the entry says the other side is unknown.
OTHER_SIDE = PolicySource(
    text='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    source_id="OtherSideAssumedToAllow",
    source_type="IAM Policy",
    origin="the principal's own account, not in the model: assumed to allow (other_side: unknown)",
)
# Who asks for `*`: a principal of an account no model holds.
ANY_PRINCIPAL = "arn:aws:iam::000000000000:role/any-principal"


@dataclass(frozen=True)
class Named:
    """Where one resource's principals are looked up: its policy, grants, and the model's identities."""

    model: AccountModel
    identities: frozenset[str]
    action: str
    resource: str


def external_principals(
    model: AccountModel, policy: PolicySource | None, grants: tuple[KmsGrant, ...], action: str, resource: str
) -> tuple[ExternalPrincipal, ...]:
    """Every principal outside the model that `policy` or `grants` name for `action` on `resource`."""
    where = Named(model, frozenset(model.principal_arns()), action, resource)
    found: list[ExternalPrincipal | None] = []
    if policy is not None:
        found.extend(_with_block_public_access(where, policy, _from_policy(where, policy)))
    operation = action.lower().removeprefix("kms:")
    for grant in grants if action.lower().startswith("kms:") else ():
        via = f"grant {grant.grant_id}"
        if operation in {o.lower() for o in grant.operations}:
            found.append(_named(where, grant.grantee, via, _constraints(grant)))
        if operation == "retiregrant":  # who may retire it (kms_grants.py)
            for principal in (grant.retiring_principal, grant.issuing_account):
                if principal:
                    found.append(_named(where, principal, f"{via} (may retire it)", ()))
    return tuple(dict.fromkeys(e for e in found if e is not None))


def caller_for(entry: ExternalPrincipal) -> str:
    """The caller ARN that stands for the entry's principal in a request."""
    if entry.principal == PUBLIC:
        return ANY_PRINCIPAL
    if entry.scope is Scope.ACCOUNT and entry.account and _ACCOUNT.match(entry.principal):
        return f"arn:aws:iam::{entry.account}:root"
    return entry.principal


def _from_policy(where: Named, policy: PolicySource) -> list[ExternalPrincipal]:
    action, resource = where.action, where.resource
    compiled = compile_policy(policy)
    raw = _statements(policy.text)
    out: list[ExternalPrincipal] = []
    for st in compiled.statements_for(action.lower()):
        if st.deny or (st.resources is not None and not st.resource_matches(resource, _NO_CONTEXT)):
            continue
        written = raw[st.index] if st.index < len(raw) else {}
        via = f"statement {st.sid!r}" if st.sid else f"statement {st.index + 1}"
        conditions = _conditions(written.get("Condition"))
        if st.not_principal:
            except_ = json.dumps(written.get("NotPrincipal"), sort_keys=True)
            principals = [PUBLIC]
            conditions = (*conditions, f"NotPrincipal {except_}")
        else:
            principals = _principals(written.get("Principal"))
        for principal in principals:
            named = _named(where, principal, via, conditions, written.get("Condition"))
            if named is not None:
                out.append(named)
    return out


def _named(
    where: Named, principal: str, via: str, conditions: tuple[str, ...], condition_block: Any = None
) -> ExternalPrincipal | None:
    """The entry for one named principal; None for an identity of the model (answered as such)."""
    model, action, resource = where.model, where.action, where.resource
    if principal == PUBLIC:
        restricted = _restricts_accounts(condition_block)
        scope = Scope.ACCOUNT if restricted else Scope.PUBLIC
        account = _condition_account(condition_block) if restricted else None
        return ExternalPrincipal(principal, scope, action, resource, via, conditions, "unknown", account)
    account_match = _ACCOUNT.match(principal)
    if account_match is not None:
        account = account_match.group(1) or account_match.group(2)
        other = "model" if account in model.accounts else "unknown"
        return ExternalPrincipal(principal, Scope.ACCOUNT, action, resource, via, conditions, other, account)
    identity = _IDENTITY.match(principal)
    if identity is not None:
        if principal in where.identities:
            return None
        account = identity.group(1)
        other = "model" if account in model.accounts else "unknown"
        return ExternalPrincipal(principal, Scope.ACCOUNT, action, resource, via, conditions, other, account)
    return ExternalPrincipal(principal, Scope.SERVICE, action, resource, via, conditions)


def _statements(text: str) -> list[dict[str, Any]]:
    doc = json.loads(text)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        return [statements]
    return [s if isinstance(s, dict) else {} for s in statements or []]


def _principals(element: Any) -> list[str]:
    if element == PUBLIC:
        return [PUBLIC]
    if not isinstance(element, dict):
        return []
    out: list[str] = []
    for values in element.values():  # AWS, Service, Federated, CanonicalUser
        out.extend([values] if isinstance(values, str) else [str(v) for v in values or []])
    return list(dict.fromkeys(out))


def _conditions(block: Any) -> tuple[str, ...]:
    """`Operator key value[, value]` for each condition, as written."""
    if not isinstance(block, dict):
        return ()
    out = []
    for operator, pairs in block.items():
        for key, value in (pairs or {}).items():
            values = value if isinstance(value, list) else [value]
            out.append(f"{operator} {key} {', '.join(_text(v) for v in values)}")
    return tuple(out)


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _restricts_accounts(block: Any) -> bool:
    if not isinstance(block, dict):
        return False
    for operator, pairs in block.items():
        name = str(operator).split(":")[-1]
        if "Not" in name or name.endswith("IfExists") or name == "Null":
            continue
        if any(str(key).lower() in RESTRICTING_KEYS for key in (pairs or {})):
            return True
    return False


_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def _condition_account(block: Any) -> str | None:
    """The one account a `*` is restricted to: every StringEquals on an account key names only it.

    None when the conditions name several accounts, or restrict by organisation only: which
    account asks is then not known, and Block Public Access is not applied to the entry.
    """
    found: set[str] = set()
    for operator, pairs in block.items() if isinstance(block, dict) else ():
        if str(operator).split(":")[-1] != "StringEquals":
            continue
        for key, value in (pairs or {}).items():
            values = value if isinstance(value, list) else [value]
            if str(key).lower() in _ACCOUNT_KEYS:
                found.update(str(v) for v in values)
    if len(found) == 1 and _ACCOUNT_ID.match(next(iter(found))):
        return next(iter(found))
    return None


def _constraints(grant: KmsGrant) -> tuple[str, ...]:
    out = []
    for name, pairs in (
        ("EncryptionContextEquals", grant.context_equals),
        ("EncryptionContextSubset", grant.context_subset),
    ):
        if pairs is not None:
            out.append(f"{name} {{{', '.join(f'{k}: {v}' for k, v in pairs)}}}")
    return tuple(out)


@dataclass(frozen=True)
class _Restriction:
    """RestrictPublicBuckets for one S3 resource: where it is on, or why that is unknown."""

    owner: str | None
    by: str | None = None  # "the bucket" / "the account 111122223333"
    unknown: str | None = None


_S3_BUCKET = re.compile(r"^(arn:[^:]+:s3:::[^/]+)(?:/.*)?$")
_S3_ACCESS_POINT = re.compile(r"^arn:[^:]+:s3:[^:]+:(\d{12}):accesspoint/")


def _with_block_public_access(
    where: Named, policy: PolicySource, entries: list[ExternalPrincipal]
) -> list[ExternalPrincipal]:
    """The entries, those RestrictPublicBuckets refuses marked (module doc)."""
    if not entries:
        return entries
    restriction = _restriction(where.model, where.resource)  # None at once for what is not S3
    if restriction is None or (restriction.by is None and restriction.unknown is None):
        return entries
    if not _definitely_public(policy.text):
        return entries
    out = []
    for entry in entries:
        # An account entry whose account is not known (a `*` restricted by organisation, or to
        # several accounts) may be the owner's own: never claimed blocked (nor left unknown).
        cross_account = entry.scope is Scope.PUBLIC or (
            entry.scope is Scope.ACCOUNT and entry.account is not None and entry.account != restriction.owner
        )
        if not cross_account:
            out.append(entry)
        elif restriction.by is not None:
            out.append(replace(entry, blocked_by=restriction.by))
        else:
            out.append(replace(entry, unknown=restriction.unknown))
    return out


def _restriction(model: AccountModel, resource: str) -> _Restriction | None:
    """RestrictPublicBuckets for `resource`; None when it is not an S3 resource the model places."""
    point = _S3_ACCESS_POINT.match(resource)
    if point is not None:
        return _settings(model, point.group(1), None)
    match = _S3_BUCKET.match(resource)
    if match is None:
        return None
    arn = match.group(1)
    owner = next((a.account_id for a in model.accounts.values() if arn in a.resources), None)
    if owner is None:  # a bucket the model does not hold: its settings are not known, nothing claimed
        return None
    return _settings(model, owner, model.accounts[owner].resources[arn])


_UNKNOWN = (
    "the policy is public; "
    "whether Block Public Access (RestrictPublicBuckets) blocks it is unknown: {}"
)


def _settings(model: AccountModel, owner: str, bucket: ResourceEntry | None) -> _Restriction:
    account = model.accounts.get(owner)
    if bucket is not None and _restricts(bucket.public_access_block):
        return _Restriction(owner, by="the bucket")
    if account is not None and _restricts(account.public_access_block):
        return _Restriction(owner, by=f"the account {owner}")
    gap = bucket.public_access_block_gap if bucket is not None else None
    account_gap = account.gap_for(ACCOUNT_SECTION) if account is not None else None
    if gap is None and account_gap is not None:
        gap = account_gap.describe()
    return _Restriction(owner, unknown=_UNKNOWN.format(gap) if gap else None)


def _restricts(settings: PublicAccessBlock | None) -> bool:
    return settings is not None and settings.restrict_public_buckets


def _definitely_public(text: str) -> bool:
    """An Allow statement names `*` (or NotPrincipal) with no Condition (the module doc's reading)."""
    for st in _statements(text):
        if st.get("Effect") != "Allow" or st.get("Condition"):
            continue
        if "NotPrincipal" in st or PUBLIC in _principals(st.get("Principal")):
            return True
    return False
