"""What AWS KMS enforces beyond the IAM Policy Simulator.

The simulator treats a key policy like any resource policy: within one
account identity and resource allows are a union. KMS does not. Sources
(AWS KMS Developer Guide):

- Key policies, https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html:
  every KMS key has a key policy and it is the primary control. No principal,
  not even the account root, has access unless the key policy allows it.
  IAM policies count only when the key policy allows the account (a
  statement whose principal is `arn:aws:iam::ACCOUNT:root` or the account id
  for that action: "Allows access to the AWS account and enables IAM
  policies", key-policy-default.html#key-policy-default-allow-root-enable-iam).
- A key policy statement that names a user or role (or `*`) grants to it
  directly, without any IAM policy in the key's account.
- Allowing users in other accounts,
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html:
  cross-account use needs both the key policy (naming the external account or
  its principal) and an IAM policy in the external account; and it works only
  for the operations listed there. Each operation's page in the AWS KMS API
  Reference has a "Cross-account use: Yes/No" line; CROSS_ACCOUNT_ACTIONS is
  that list (ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo).
- A key operation requested on an alias ARN is authorized on the key the
  alias points to; an alias ARN in Resource never names a key
  (cmks-in-iam-policies.html). See key_behind_alias.
- Grants, https://docs.aws.amazon.com/kms/latest/developerguide/grants.html: a
  grant on the key allows its grantee its operations, within its constraints,
  where no policy does; an explicit deny, an SCP or an RCP still refuses
  (kms_grants.py has the rules). The simulator ignores grants: a grant-only allow
  changes the enforced decision, and the result names the grant.
- Condition keys kms:CallerAccount, kms:ViaService, kms:GrantIsForAWSResource,
  kms:ResourceAliases (conditions-kms.html) are ordinary condition keys to the
  engine; kms:CallerAccount is filled from the caller's account when the
  request does not carry it (enforcement.py).
"""

from __future__ import annotations

import re

from harness.engine.authorizers.base import Adjustment, Facts, RequestFact, ResourceFact, Rule
from harness.engine.authorizers.kms_grants import grant_allowing
from harness.engine.evaluate import CompiledInputs, Evaluation, Request
from harness.engine.principals import PrincipalMatch
from harness.engine.reasons import KmsRule, Note, NoteCode, Verdict
from harness.engine.types import Decision

CROSS_ACCOUNT_ACTIONS = frozenset(
    a.lower()
    for a in (
        "kms:CreateGrant",
        "kms:Decapsulate",
        "kms:Decrypt",
        "kms:DeriveSharedSecret",
        "kms:DescribeKey",
        "kms:Encapsulate",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:RetireGrant",
        "kms:RevokeGrant",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
    )
)

_KEY_ARN = re.compile(r"^arn:[^:]+:kms:[^:]*:[^:]*:(key|alias)/.+$")
_ALIAS_ARN = re.compile(r"^(arn:[^:]+:kms:[^:]*:[^:]*:)alias/(.+)$")

# Alias operations are authorized on the alias by IAM policies alone (an alias
# has no key policy); the key they point at is a separate authorization
# (https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})


def is_kms_key_request(action_lower: str, resource: str) -> bool:
    """A kms: action on a key (or an alias standing for its key): the resource policy is the key policy."""
    if not action_lower.startswith("kms:"):
        return False
    m = _KEY_ARN.match(resource)
    if m is None:
        return False
    return not (m.group(1) == "alias" and action_lower in ALIAS_ACTIONS)


def key_behind_alias(action_lower: str, resource: str) -> str | None:
    """For a key operation requested on an alias ARN, a stand-in ARN for the key the alias points to.

    KMS authorizes key operations against the key ARN: an IAM policy cannot
    identify a key by its alias ARN, and an alias ARN in Resource only controls
    the alias operations (CreateAlias, UpdateAlias, DeleteAlias)
    (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html).
    The key's id is not known offline, so the stand-in matches only Resource
    patterns that cover every key of that account and Region (`*`,
    `arn:aws:kms:*:ACCOUNT:key/*`), never one that names the alias.
    """
    if not is_kms_key_request(action_lower, resource):
        return None
    m = _ALIAS_ARN.match(resource)
    if m is None:
        return None
    return f"{m.group(1)}key/(key behind alias/{m.group(2)})"


def _kms(action_lower: str) -> bool:
    return action_lower.startswith("kms:")


KEY_REQUEST = ResourceFact("a key operation on a KMS key or alias ARN", is_kms_key_request, _kms)
KEY_REQUEST_ON_ALIAS = ResourceFact(
    "a key operation on a KMS alias ARN",
    lambda action, resource: ":alias/" in resource and key_behind_alias(action, resource) is not None,
    _kms,
)


# Read once (a member read off its Enum class goes through EnumType's __getattr__, several
# times slower than a global): every key request compares with several.
_ALLOWED = Decision.ALLOWED
_IMPLICIT_DENY = Decision.IMPLICIT_DENY
_EXPLICIT_DENY = Decision.EXPLICIT_DENY
_ACCOUNT = PrincipalMatch.ACCOUNT


def enforce(ev: Evaluation) -> Verdict:
    """KMS's own decision for a key request, with a note when it differs from `ev.decision`.

    The policies first; where they refuse (implicitly, within SCPs and RCPs), a grant may allow.
    """
    verdict = _by_policies(ev)
    if verdict.decision is not _IMPLICIT_DENY or not ev.request.grants:
        return verdict
    if ev.decision is _EXPLICIT_DENY or ev.organizations_allowed is False or ev.rcps_allowed is False:
        return verdict
    grant = grant_allowing(ev)
    if grant is None:
        return verdict
    note = None if ev.decision is _ALLOWED else Note(NoteCode.KMS, kms=KmsRule.GRANT, grant=grant.grant_id)
    return Verdict(_ALLOWED, note, grant=grant.grant_id)


def _by_policies(ev: Evaluation) -> Verdict:
    """KMS's decision from the key policy and IAM policies alone."""
    req = ev.request
    simulated = ev.decision
    if simulated is _EXPLICIT_DENY:
        return Verdict(simulated)
    if ev.organizations_allowed is False or ev.rcps_allowed is False:
        return Verdict(_IMPLICIT_DENY)

    def differ(decision: Decision, rule: KmsRule, account: str | None = None) -> Verdict:
        note = None if decision is simulated else Note(NoteCode.KMS, kms=rule, account=account)
        return Verdict(decision, note)

    if req.cross_account and req.action_lower not in CROSS_ACCOUNT_ACTIONS:
        return differ(_IMPLICIT_DENY, KmsRule.NOT_CROSS_ACCOUNT)
    if ev.resource is None:
        return differ(_IMPLICIT_DENY, KmsRule.NO_KEY_POLICY)
    hits = ev.resource.allows
    account_hit = any(h.principal is _ACCOUNT for h in hits)
    direct_hits = [h for h in hits if h.principal is not None and h.principal is not _ACCOUNT]
    identity_ok = ev.identity_side is _ALLOWED
    limits_ok = ev.boundary_allowed is not False and ev.session_allowed is not False

    if req.cross_account:
        # Both the key policy (account or principal) and the external IAM policy.
        if not (account_hit or direct_hits):
            return differ(_IMPLICIT_DENY, KmsRule.KEY_POLICY_IGNORES_ACCOUNT, req.principal_account)
        if not identity_ok:
            return differ(_IMPLICIT_DENY, KmsRule.NEEDS_IAM_POLICY)
        return differ(_ALLOWED, KmsRule.BOTH_ALLOW)

    if any(h.principal.direct for h in direct_hits if h.principal is not None):
        return differ(_ALLOWED, KmsRule.NAMES_CALLER)
    if direct_hits and limits_ok:
        return differ(_ALLOWED, KmsRule.ALLOWS_CALLER)
    if account_hit and identity_ok:
        return differ(_ALLOWED, KmsRule.DELEGATES_TO_IAM)
    if ev.identity.allowed and not account_hit:
        return differ(_IMPLICIT_DENY, KmsRule.IAM_NOT_ENABLED, req.resource_account)
    return differ(_IMPLICIT_DENY, KmsRule.NO_STATEMENT)


class KmsAuthorizer(Rule):
    """Key requests: the key policy is the primary control (module doc)."""

    name = "kms"
    request_facts = frozenset(
        {
            RequestFact.ACTION,
            RequestFact.ACCOUNTS,
            RequestFact.POLICIES,
            RequestFact.CALLER,
            RequestFact.GRANTS,
        }
    )
    resource_facts = (KEY_REQUEST, KEY_REQUEST_ON_ALIAS)

    def adjust(self, req: Request, inputs: CompiledInputs, facts: Facts) -> Adjustment | None:
        # The stand-in differs per alias, but it is only matched against Resource
        # patterns, and the simulator keys its reuse on those matches.
        if not facts[KEY_REQUEST_ON_ALIAS]:
            return None
        return Adjustment(
            NoteCode.KEY_BEHIND_ALIAS, wraps=True, resource=key_behind_alias(req.action_lower, req.resource)
        )

    def decide(self, ev: Evaluation, facts: Facts) -> Verdict | None:
        return enforce(ev) if facts[KEY_REQUEST] else None
