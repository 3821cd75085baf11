"""Why a request was decided, as data: reason codes with their fields.

The evaluation stage (evaluate.py) records a `Reason` for its decision, the
enforcement stage (enforcement.py, authorizers/) a `Note` when the service
decides otherwise than the simulator, and every statement that did not apply
stays a `Miss` (evaluate.py). Nothing here is text: render.py turns these into
the explanation lines results carry, reports print and `harness explain`
shows, so all of them say the same thing. Fields never hold the requested
action or resource: one reason serves every resource that matched the same
statements (simulator.py), and the renderer fills those in.
"""

from __future__ import annotations

from enum import StrEnum

# The dataclasses here are plain, not frozen: nothing changes them once built, and a
# frozen dataclass costs about twice as much to define, which every CLI run pays at import.
from harness.dataclass import dataclass
from harness.engine.conditions import ConditionFailure
from harness.engine.policy import CompiledPolicy, CompiledStatement
from harness.engine.types import Decision, PolicyKind


class ReasonCode(StrEnum):
    """The rule of evaluate.py that decided (its module doc numbers them)."""

    DENIED_BY_STATEMENT = "denied-by-statement"  # rule 2: `statement` in a `kind` policy
    DENIED_BY_SCP = "denied-by-scp"  # rule 2: `statement` at SCP `level`
    DENIED_BY_RCP = "denied-by-rcp"  # rule 2: `statement` at RCP `level`
    SCP_LEVEL_NOT_ALLOWED = "scp-level-not-allowed"  # rule 3: `level` of `levels`
    RCP_LEVEL_NOT_ALLOWED = "rcp-level-not-allowed"  # rule 4: `level` of `levels`
    ALLOWED_NAMING_CALLER = "allowed-naming-caller"  # rule 5: resource policy `statement` names the caller
    ACCOUNT_ONLY = "account-only"  # rule 5: the resource policy only delegates to the account
    NOT_ALLOWED = "not-allowed"  # rule 5: nothing allows
    LIMITED = "limited"  # rule 5: allowed, but `boundary` and/or `session` do not allow
    ALLOWED_ROOT = "allowed-root"  # rule 5: the account root user
    ALLOWED_BY = "allowed-by"  # rule 5: `statement`
    CROSS_NO_IDENTITY = "cross-no-identity"  # rule 6: no identity policy of `account` allows
    CROSS_LIMITED = "cross-limited"  # rule 6: `boundary` and/or `session` do not allow
    CROSS_NO_RESOURCE_GRANT = "cross-no-resource-grant"  # rule 6: resource in `account` does not allow
    CROSS_ALLOWED = "cross-allowed"  # rule 6: `statement` (None: root user) and resource `other`


# Each code as a module name, for the evaluation and the explanation, which compare codes for
# every request: on Python 3.11 reading a member off its Enum class goes through
# EnumType.__getattr__, about ten times slower than reading a global.
DENIED_BY_STATEMENT = ReasonCode.DENIED_BY_STATEMENT
DENIED_BY_SCP = ReasonCode.DENIED_BY_SCP
DENIED_BY_RCP = ReasonCode.DENIED_BY_RCP
SCP_LEVEL_NOT_ALLOWED = ReasonCode.SCP_LEVEL_NOT_ALLOWED
RCP_LEVEL_NOT_ALLOWED = ReasonCode.RCP_LEVEL_NOT_ALLOWED
ALLOWED_NAMING_CALLER = ReasonCode.ALLOWED_NAMING_CALLER
ACCOUNT_ONLY = ReasonCode.ACCOUNT_ONLY
NOT_ALLOWED = ReasonCode.NOT_ALLOWED
LIMITED = ReasonCode.LIMITED
ALLOWED_ROOT = ReasonCode.ALLOWED_ROOT
ALLOWED_BY = ReasonCode.ALLOWED_BY
CROSS_NO_IDENTITY = ReasonCode.CROSS_NO_IDENTITY
CROSS_LIMITED = ReasonCode.CROSS_LIMITED
CROSS_NO_RESOURCE_GRANT = ReasonCode.CROSS_NO_RESOURCE_GRANT
CROSS_ALLOWED = ReasonCode.CROSS_ALLOWED


@dataclass(slots=True)
class StatementRef:
    """A statement named in a reason: its policy's SourcePolicyId, index (0-based) and Sid."""

    policy_id: str
    index: int
    sid: str | None = None


@dataclass(slots=True)
class Reason:
    """One evaluation's reason: `code` says which fields are set (see ReasonCode)."""

    code: ReasonCode
    statement: StatementRef | None = None
    other: StatementRef | None = None
    kind: PolicyKind | None = None
    level: int = 0
    levels: int = 0
    account: str | None = None  # the principal's account (or the resource's, CROSS_NO_RESOURCE_GRANT)
    principal_account: str | None = None
    boundary: bool = False  # the permissions boundary does not allow
    session: bool = False  # the session policy does not allow
    has_resource_policy: bool = False


class NoteCode(StrEnum):
    """Why the enforced decision differs from the simulator's (the authorizer that said so)."""

    KMS = "kms"  # `detail`: KMS's own rule (authorizers/kms.py)
    GET_CALLER_IDENTITY = "get-caller-identity"
    NO_TRUST_POLICY = "no-trust-policy"
    TRUST_POLICY_DENIES = "trust-policy-denies"
    AWS_MANAGED_POLICY = "aws-managed-policy"
    AWS_RESERVED_ALIAS = "aws-reserved-alias"
    PROTECTED_ROLE = "protected-role"
    SERVICE_LINKED_ROLE_SCPS = "service-linked-role-scps"
    KEY_BEHIND_ALIAS = "key-behind-alias"  # `inner`: the note of the decision on the key, if any
    FILLED_CONTEXT = "filled-context"  # `filled`: KEY=VALUE of each value a real request carries


class KmsRule(StrEnum):
    """KMS's rules for a key request (authorizers/kms.py); `Note.account` names an account."""

    NOT_CROSS_ACCOUNT = "not-cross-account"
    NO_KEY_POLICY = "no-key-policy"
    KEY_POLICY_IGNORES_ACCOUNT = "key-policy-ignores-account"
    NEEDS_IAM_POLICY = "needs-iam-policy"
    BOTH_ALLOW = "both-allow"
    NAMES_CALLER = "names-caller"
    ALLOWS_CALLER = "allows-caller"
    DELEGATES_TO_IAM = "delegates-to-iam"
    IAM_NOT_ENABLED = "iam-not-enabled"
    NO_STATEMENT = "no-statement"
    GRANT = "grant"  # a grant on the key allows (Note.grant names it)


@dataclass(slots=True)
class Note:
    """Why an enforced decision differs from the simulator's (NoteCode), with its details."""

    code: NoteCode
    kms: KmsRule | None = None
    account: str | None = None
    inner: Note | None = None
    filled: tuple[str, ...] = ()
    grant: str | None = None  # KmsRule.GRANT: the grant's id


@dataclass(slots=True)
class Verdict:
    """An authorizer's decision, and the note to show when it differs from the simulator's."""

    decision: Decision
    note: Note | None = None
    grant: str | None = None  # the KMS grant that allows where no policy does


class Element(StrEnum):
    """The element of a statement that did not match the request."""

    ACTION = "Action"
    NOT_ACTION = "NotAction"
    RESOURCE = "Resource"
    NOT_RESOURCE = "NotResource"
    PRINCIPAL = "Principal"
    NOT_PRINCIPAL = "NotPrincipal"
    CONDITION = "Condition"


@dataclass(slots=True)  # not frozen: built for every statement that misses (see evaluate.Request)
class Miss:
    """A statement that did not apply, and the first element that failed.

    `caller` is the caller's ARN for Principal/NotPrincipal (None: no CallerArn);
    `failures` are the condition clauses that failed (conditions.py words them).
    """

    policy: CompiledPolicy
    statement: CompiledStatement
    element: Element
    caller: str | None = None
    failures: tuple[ConditionFailure, ...] = ()


@dataclass(slots=True)
class Explained:
    """Everything an explanation says about one evaluated request, resource and action left out."""

    decision: Decision
    reason: Reason
    enforced: Decision | None
    advisory: str | None
    missing: tuple[str, ...]
    misses: tuple[Miss, ...]  # in policy order: identity, boundary, session, resource, SCPs, RCPs
    # Policies with statements whose Action names only other services (one line for all).
    elsewhere: tuple[CompiledPolicy, ...] = ()
