"""Plain data that goes into and comes out of the engine.

The shapes follow the IAM API's SimulateCustomPolicy / SimulatePrincipalPolicy
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html):
one request names many actions and many resources, and the answer is one
EvaluationResult per action, with ResourceSpecificResults per resource.
Fields beyond the API (enforced decision, advisory, explanation) are ours and
are kept under their own names so that an API-shaped dump stays comparable.
"""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum
from typing import Any, Protocol

from harness.dataclass import dataclass


class Decision(StrEnum):
    """EvalDecision values as the API spells them."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class PolicyKind(StrEnum):
    """Where a policy sits in the evaluation order."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    PERMISSIONS_BOUNDARY = "permissionsBoundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True, init=False, compiled_hash=True)  # (a memo key: hashed per request)
class PolicySource:
    """A policy document as submitted.

    `text` is kept verbatim: MatchedStatements positions are line/column in
    the text the caller sent, so the engine must not re-serialise it.
    `source_id` is what AWS reports as SourcePolicyId (`PolicyInputList.1`,
    `ResourcePolicy`, or a policy name in principal mode); `source_type` is
    SourcePolicyType (`IAM Policy`, `Resource Policy`, `user`, `role`,
    `group`, `aws-managed`, `user-managed`, ...).
    """

    text: str
    source_id: str
    source_type: str
    kind: PolicyKind = PolicyKind.IDENTITY
    # Where it came from, for error messages and reports (file path, account model entry).
    origin: str = ""

    # Several per request: written as ResourceResult's initializer, for the same reason.
    def __init__(
        self,
        text: str,
        source_id: str,
        source_type: str,
        kind: PolicyKind = PolicyKind.IDENTITY,
        origin: str = "",
    ) -> None:
        self.__dict__.update(
            text=text, source_id=source_id, source_type=source_type, kind=kind, origin=origin
        )


@dataclass(frozen=True, init=False, compiled_hash=True)  # (a memo key: hashed per request)
class ContextEntry:
    """One ContextEntries item: key, values, ContextKeyType (string, stringList, numeric, ...)."""

    key: str
    values: tuple[str, ...]
    type: str = "string"

    # One per context key of every request: written as ResourceResult's, for the same reason.
    def __init__(self, key: str, values: tuple[str, ...], type: str = "string") -> None:
        self.__dict__.update(key=key, values=values, type=type)


@dataclass(frozen=True)
class KmsGrant:
    """One KMS grant on a key, as ListGrants returns it (engine: authorizers/kms_grants.py).

    `resource` is the ARN a request names for the key the grant is on (the key's ARN, or an
    alias ARN naming it): the grant applies to requests on exactly that resource.
    `operations` are KMS operation names (`Decrypt`, `ReEncryptFrom`, ...). The constraints
    are the encryption-context pairs of GrantConstraints, None when absent.
    """

    grant_id: str
    resource: str
    grantee: str
    operations: tuple[str, ...]
    retiring_principal: str | None = None
    issuing_account: str | None = None
    name: str | None = None
    context_equals: tuple[tuple[str, str], ...] | None = None
    context_subset: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True, init=False)
class SimulationInput:
    """Everything one simulator call carries, in API terms.

    `scp_levels` is OrderedOrganizationPolicyInputList: one list of SCPs per
    level, root first, account last. `rcp_levels` has the same shape; the API
    has no RCP input, so these come only from the offline account model.
    `principal_arn` is set in principal mode (the simulated identity);
    `caller_arn` is CallerArn. Offline the caller may be a role or an
    assumed-role session, which AWS refuses.
    """

    action_names: tuple[str, ...]
    resource_arns: tuple[str, ...] = ("*",)
    identity_policies: tuple[PolicySource, ...] = ()
    permissions_boundaries: tuple[PolicySource, ...] = ()
    session_policies: tuple[PolicySource, ...] = ()
    resource_policy: PolicySource | None = None
    scp_levels: tuple[tuple[PolicySource, ...], ...] = ()
    rcp_levels: tuple[tuple[PolicySource, ...], ...] = ()
    principal_arn: str | None = None
    caller_arn: str | None = None
    resource_owner: str | None = None
    resource_handling_option: str | None = None
    context: tuple[ContextEntry, ...] = ()
    # KMS grants of the requested keys (the offline account model's; the simulator API has no
    # such input and ignores grants: only the enforced decision counts them).
    grants: tuple[KmsGrant, ...] = ()

    def __init__(  # one per request: written as ResourceResult's, for the same reason
        self,
        action_names: tuple[str, ...],
        resource_arns: tuple[str, ...] = ("*",),
        identity_policies: tuple[PolicySource, ...] = (),
        permissions_boundaries: tuple[PolicySource, ...] = (),
        session_policies: tuple[PolicySource, ...] = (),
        resource_policy: PolicySource | None = None,
        scp_levels: tuple[tuple[PolicySource, ...], ...] = (),
        rcp_levels: tuple[tuple[PolicySource, ...], ...] = (),
        principal_arn: str | None = None,
        caller_arn: str | None = None,
        resource_owner: str | None = None,
        resource_handling_option: str | None = None,
        context: tuple[ContextEntry, ...] = (),
        grants: tuple[KmsGrant, ...] = (),
    ) -> None:
        self.__dict__.update(
            action_names=action_names,
            resource_arns=resource_arns,
            identity_policies=identity_policies,
            permissions_boundaries=permissions_boundaries,
            session_policies=session_policies,
            resource_policy=resource_policy,
            scp_levels=scp_levels,
            rcp_levels=rcp_levels,
            principal_arn=principal_arn,
            caller_arn=caller_arn,
            resource_owner=resource_owner,
            resource_handling_option=resource_handling_option,
            context=context,
            grants=grants,
        )


@dataclass(frozen=True, init=False)
class Position:
    """A line and column in a policy's text (API: Position)."""

    line: int
    column: int

    def __init__(self, line: int, column: int) -> None:  # (as ResourceResult's, for the same reason)
        self.__dict__.update(line=line, column=column)


@dataclass(frozen=True, init=False)
class MatchedStatement:
    """A statement that decided the result (API: Statement)."""

    source_policy_id: str
    source_policy_type: str
    start: Position
    end: Position
    sid: str | None = None
    effect: str = "Allow"
    kind: PolicyKind = PolicyKind.IDENTITY

    def __init__(  # one per statement that decided: written as ResourceResult's, for the same reason
        self,
        source_policy_id: str,
        source_policy_type: str,
        start: Position,
        end: Position,
        sid: str | None = None,
        effect: str = "Allow",
        kind: PolicyKind = PolicyKind.IDENTITY,
    ) -> None:
        self.__dict__.update(
            source_policy_id=source_policy_id,
            source_policy_type=source_policy_type,
            start=start,
            end=end,
            sid=sid,
            effect=effect,
            kind=kind,
        )


class PendingLines(Protocol):
    """Explanation lines not written yet: `lines()` writes them (once)."""

    def lines(self) -> tuple[str, ...]: ...


class Explanation:
    """The `explanation` field of a result: lines given as a tuple, or written on first read.

    The engine hands results a PendingLines (reason data and the renderer,
    render.py), so a result nobody explains costs no text. Readers always get
    `tuple[str, ...]`; the field is set once, by the dataclass's __init__.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()  # the dataclass default
        value = obj.__dict__[self._name]
        if type(value) is not tuple:
            value = obj.__dict__[self._name] = value.lines()
        return value

    def __set__(self, obj: Any, value: tuple[str, ...] | PendingLines) -> None:
        obj.__dict__[self._name] = value

    def unread(self, obj: Any) -> tuple[str, ...] | PendingLines:
        """The value as given, without writing pending lines (to hand them on, still pending)."""
        return obj.__dict__[self._name]


def unread_explanation(result: Any) -> tuple[str, ...] | PendingLines:
    """A result's explanation as given, pending lines left unwritten (to hand on to another result)."""
    descriptor: Explanation = vars(type(result))["explanation"]
    return descriptor.unread(result)


@dataclass(frozen=True, init=False)
class ResourceResult:
    """API: ResourceSpecificResult, plus our enforcement fields."""

    resource: str
    decision: Decision
    matched_statements: tuple[MatchedStatement, ...] = ()
    missing_context_values: tuple[str, ...] = ()
    decision_details: dict[str, Decision] = field(default_factory=dict)
    permissions_boundary_allowed: bool | None = None
    enforced_decision: Decision | None = None
    advisory: str | None = None
    explanation: Explanation = Explanation()
    # The KMS grant that allows the enforced decision where no policy does (its GrantId).
    grant_id: str | None = None

    # The engine builds one per cell. The generated __init__ of a frozen dataclass sets
    # each field through object.__setattr__ (several times slower); this one writes the
    # instance's dict once (one `update`: the dict it leaves reads faster later than one
    # written key by key). `init=False`: the dataclass would keep a class's own __init__
    # anyway, but still compile one of its own at import (~1 M instructions a class, in every
    # process). tests/engine/test_types.py checks it takes every field, in order.
    def __init__(
        self,
        resource: str,
        decision: Decision,
        matched_statements: tuple[MatchedStatement, ...] = (),
        missing_context_values: tuple[str, ...] = (),
        decision_details: dict[str, Decision] | None = None,
        permissions_boundary_allowed: bool | None = None,
        enforced_decision: Decision | None = None,
        advisory: str | None = None,
        explanation: tuple[str, ...] | PendingLines = (),
        grant_id: str | None = None,
    ) -> None:
        self.__dict__.update(
            resource=resource,
            decision=decision,
            matched_statements=matched_statements,
            missing_context_values=missing_context_values,
            decision_details={} if decision_details is None else decision_details,
            permissions_boundary_allowed=permissions_boundary_allowed,
            enforced_decision=enforced_decision,
            advisory=advisory,
            _explanation=explanation,
            grant_id=grant_id,
        )


@dataclass(frozen=True, init=False)
class EvaluationResult:
    """API: EvaluationResult for one action (over all requested resources)."""

    action: str
    resource: str
    decision: Decision
    matched_statements: tuple[MatchedStatement, ...] = ()
    missing_context_values: tuple[str, ...] = ()
    decision_details: dict[str, Decision] = field(default_factory=dict)
    organizations_allowed: bool | None = None
    permissions_boundary_allowed: bool | None = None
    resource_results: tuple[ResourceResult, ...] = ()
    enforced_decision: Decision | None = None
    advisory: str | None = None
    explanation: Explanation = Explanation()

    def __init__(  # one per action: written as ResourceResult's, for the same reason
        self,
        action: str,
        resource: str,
        decision: Decision,
        matched_statements: tuple[MatchedStatement, ...] = (),
        missing_context_values: tuple[str, ...] = (),
        decision_details: dict[str, Decision] | None = None,
        organizations_allowed: bool | None = None,
        permissions_boundary_allowed: bool | None = None,
        resource_results: tuple[ResourceResult, ...] = (),
        enforced_decision: Decision | None = None,
        advisory: str | None = None,
        explanation: tuple[str, ...] | PendingLines = (),
    ) -> None:
        self.__dict__.update(
            action=action,
            resource=resource,
            decision=decision,
            matched_statements=matched_statements,
            missing_context_values=missing_context_values,
            decision_details={} if decision_details is None else decision_details,
            organizations_allowed=organizations_allowed,
            permissions_boundary_allowed=permissions_boundary_allowed,
            resource_results=resource_results,
            enforced_decision=enforced_decision,
            advisory=advisory,
            _explanation=explanation,
        )


@dataclass(frozen=True, init=False)
class SimulationOutput:
    """What one simulator call answers: one EvaluationResult per action, and warnings."""

    results: tuple[EvaluationResult, ...]
    # Non-fatal notes, e.g. "CallerArn is a role: AWS's simulator would refuse this".
    warnings: tuple[str, ...] = ()

    def __init__(  # one per request: written as ResourceResult's, for the same reason
        self, results: tuple[EvaluationResult, ...], warnings: tuple[str, ...] = ()
    ) -> None:
        self.__dict__.update(results=results, warnings=warnings)
