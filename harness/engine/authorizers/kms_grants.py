"""KMS grants: which grant on a key, if any, allows a request that no policy allows.

Sources (AWS KMS Developer Guide and API Reference):

- Grants, https://docs.aws.amazon.com/kms/latest/developerguide/grants.html: a grant
  lets its grantee principal use the key for the grant's operations; it is a permission
  of its own beside the key policy and IAM policies, which need not allow anything.
  The IAM Policy Simulator knows nothing of grants, so a grant changes only the
  enforced decision.
- Key access, https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html:
  a principal has a permission on a key only when it is "provided explicitly and never
  denied". Read here: an explicit deny in any policy still wins over a grant; an SCP or
  RCP that does not allow the action still refuses it (they bound every permission of
  the account, grants included). A permissions boundary does not limit a grant (a
  reading: the docs do not say; a boundary limits identity-based permissions).
- Grant constraints,
  https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html and
  https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints:
  `EncryptionContextEquals` allows only a request whose encryption context is exactly
  those pairs; `EncryptionContextSubset` one whose encryption context includes them.
  In a constraint the key is not case-sensitive and the value is. The constraints apply
  only to operations that take an encryption context (CONTEXT_OPERATIONS); a grant
  allows DescribeKey, RetireGrant, CreateGrant, Sign, ... whatever its constraints.
  CreateGrant through a constrained grant may only create grants as strict: counted
  here as allowed (a reading: the new grant's constraints are not part of the request).

The request's encryption context is exactly its `kms:EncryptionContext:KEY` context
entries (conditions-kms.html#conditions-kms-encryption-context), one value each.

RetireGrant (https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html): a
grant may be retired by its retiring principal, by its grantee when its operations hold
RetireGrant, and by the account in which it was created (IssuingAccount, read like an
account grantee below), each without any policy allowing kms:RetireGrant.

Grantee: a grant names one principal. A user or an assumed-role session ARN matches
that caller; a role ARN matches the role and its sessions; a service principal matches
that service. An account (`arn:aws:iam::ACCOUNT:root` or the bare id) is read like a key
policy naming the account: its root, and its users and roles whose IAM policies allow
the action (a reading, the same delegation key-policies.html describes).
"""

from __future__ import annotations

from harness.engine.evaluate import Evaluation
from harness.engine.principals import parse_caller
from harness.engine.types import Decision, KmsGrant

# Operations that take an EncryptionContext parameter (KMS API Reference, each operation's
# request syntax); ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo.
CONTEXT_OPERATIONS = frozenset(
    {
        "decrypt",
        "encrypt",
        "generatedatakey",
        "generatedatakeywithoutplaintext",
        "generatedatakeypair",
        "generatedatakeypairwithoutplaintext",
        "reencryptfrom",
        "reencryptto",
    }
)

_CONTEXT_PREFIX = "kms:encryptioncontext:"


def grant_allowing(ev: Evaluation) -> KmsGrant | None:
    """The first grant on the request's key that allows it (module rules), or None."""
    req = ev.request
    if not req.grants:
        return None
    operation = req.action_lower.removeprefix("kms:")
    context: dict[str, str] | None = None
    for grant in req.grants:
        if operation == "retiregrant" and _may_retire(grant, ev):
            return grant
        if operation not in {o.lower() for o in grant.operations}:
            continue
        if not grantee_matches(grant.grantee, ev):
            continue
        if operation in CONTEXT_OPERATIONS:
            if context is None:
                context = encryption_context(ev)
            if not constraints_hold(grant, context):
                continue
        return grant
    return None


def _may_retire(grant: KmsGrant, ev: Evaluation) -> bool:
    """The retiring principal or the issuing account (the grantee is asked as for any operation)."""
    return any(p and grantee_matches(p, ev) for p in (grant.retiring_principal, grant.issuing_account))


def encryption_context(ev: Evaluation) -> dict[str, str]:
    """The request's encryption context: lower-cased key -> value (constraint keys ignore case)."""
    out: dict[str, str] = {}
    for value in ev.request.ctx:
        if value.key.lower().startswith(_CONTEXT_PREFIX) and value.values:
            out[value.key[len(_CONTEXT_PREFIX) :].lower()] = value.values[0]
    return out


def constraints_hold(grant: KmsGrant, context: dict[str, str]) -> bool:
    if grant.context_equals is not None:
        wanted = {k.lower(): v for k, v in grant.context_equals}
        if context != wanted:
            return False
    subset = grant.context_subset
    return subset is None or all(context.get(k.lower()) == v for k, v in subset)


def grantee_matches(grantee: str, ev: Evaluation) -> bool:
    caller = ev.request.caller
    if caller is None:
        return False
    if grantee == caller.arn:
        return True
    # The grantee parsed as any principal ARN is (a bare account id is that account's root); the
    # partition counts where the grantee names one, as in a policy's Principal.
    named = parse_caller(grantee)
    if named.account is None or caller.account != named.account:
        return False
    if grantee.startswith("arn:") and named.partition != caller.partition:
        return False
    if named.kind == "role":
        same_role = (caller.role_name or "").lower() == (named.role_name or "").lower()
        return caller.kind in ("role", "assumed-role") and same_role
    if named.kind == "root":
        return caller.kind == "root" or ev.identity_side is Decision.ALLOWED
    return False
