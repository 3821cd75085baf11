"""The evaluation order: one request (action, resource, caller, context) against compiled policies.

Sources (IAM User Guide):
- Policy evaluation logic, single account:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
  and the summary at
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- Cross-account: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Permissions boundaries: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- Session policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html

The rules, in our words, in the order the code applies them:
1. A statement applies when its action, resource, principal (resource-based
   policies) and every condition match the request.
2. An applicable Deny in any policy of any kind (identity, resource,
   boundary, session, SCP, RCP) decides: explicitDeny.
3. SCPs: at every level of the organization, root to account, some SCP must
   allow the action; a level that does not allow means implicitDeny. SCPs
   limit IAM principals of member accounts, not service principals.
4. RCPs: the same, level by level, for the account that owns the resource.
5. Same account: identity-based and resource-based allows are a union. A
   resource policy that names the account (account id or root ARN) only
   delegates to the account's identity policies; it grants nothing by itself.
   A permissions boundary and a session policy, when present, must also
   allow, except when the resource-based policy names the IAM user ARN or
   the role session ARN itself: that grant is not limited by them. A grant
   to the role ARN is limited by both.
6. Cross-account (principal account != resource owner): the principal's
   side (identity policies, within boundary and session policy) must allow
   AND the resource-based policy must allow the principal (the account, the
   role, the user, or everyone). Either side alone is implicitDeny.
"""

from __future__ import annotations

from dataclasses import field

from harness.dataclass import dataclass
from harness.engine.context import RequestContext
from harness.engine.policy import CompiledPolicy, CompiledStatement
from harness.engine.principals import Caller, PrincipalMatch
from harness.engine.reasons import (
    ACCOUNT_ONLY,
    ALLOWED_BY,
    ALLOWED_NAMING_CALLER,
    ALLOWED_ROOT,
    CROSS_ALLOWED,
    CROSS_LIMITED,
    CROSS_NO_IDENTITY,
    CROSS_NO_RESOURCE_GRANT,
    DENIED_BY_RCP,
    DENIED_BY_SCP,
    DENIED_BY_STATEMENT,
    LIMITED,
    NOT_ALLOWED,
    RCP_LEVEL_NOT_ALLOWED,
    SCP_LEVEL_NOT_ALLOWED,
    Element,
    Explained,
    Miss,
    Reason,
    ReasonCode,
    StatementRef,
)
from harness.engine.types import Decision, KmsGrant, PolicyKind

# Enum members read once, as module globals: reading a member off its Enum class goes through
# EnumType's __getattr__ hook (several times slower than a global), and the functions below
# run for every request and statement.
_ALLOWED = Decision.ALLOWED
_IMPLICIT_DENY = Decision.IMPLICIT_DENY
_EXPLICIT_DENY = Decision.EXPLICIT_DENY
_ACTION = Element.ACTION
_NOT_ACTION = Element.NOT_ACTION
_RESOURCE = Element.RESOURCE
_NOT_RESOURCE = Element.NOT_RESOURCE
_PRINCIPAL = Element.PRINCIPAL
_NOT_PRINCIPAL = Element.NOT_PRINCIPAL
_CONDITION = Element.CONDITION
_WILDCARD = PrincipalMatch.WILDCARD
_ACCOUNT = PrincipalMatch.ACCOUNT


# The dataclasses built once per request or statement in the hot loop are not
# frozen: a frozen dataclass sets each field through object.__setattr__, several
# times slower. Nothing mutates them after construction.
@dataclass(slots=True)
class Request:
    """One action on one resource, as the evaluation reads it."""

    action: str
    resource: str
    caller: Caller | None
    ctx: RequestContext
    principal_account: str | None
    resource_account: str | None
    has_boundary: bool = False
    action_lower: str = ""
    grants: tuple[KmsGrant, ...] = ()  # the KMS grants on this request's resource

    @property
    def cross_account(self) -> bool:
        return (
            self.principal_account is not None
            and self.resource_account is not None
            and self.principal_account != self.resource_account
        )


@dataclass(slots=True)
class Hit:
    """A statement that applies to the request."""

    policy: CompiledPolicy
    statement: CompiledStatement
    principal: PrincipalMatch | None = None


@dataclass(slots=True)
class SetResult:
    """What one group of policies (e.g. all identity policies) says."""

    # (No defaults: one is built per policy group of every request, each list given, and an
    # initializer with default factories tests every argument.)
    allows: list[Hit]
    denies: list[Hit]
    missing: list[str]
    misses: list[Miss]
    # Policies with statements whose Action names only other services: not listed one by
    # one in explanations (render.py sums them up in one line).
    elsewhere: list[CompiledPolicy]

    @property
    def allowed(self) -> bool:
        return bool(self.allows)


def _note_missing(out: list[str], keys: tuple[str, ...]) -> None:
    for k in keys:
        low = k.lower()
        for m in out:
            if m.lower() == low:
                break
        else:
            out.append(k)


def _note_action_misses(
    result: SetResult,
    policy: CompiledPolicy,
    candidates: tuple[CompiledStatement, ...],
    service: str,
) -> None:
    """For explanations: the statements of `policy` whose Action/NotAction missed the action.

    Those for the action's service are listed one by one; a policy with statements that name
    only other services is noted in `elsewhere` (summed up, not listed).
    """
    near = policy.service_statements(service)
    if len(near) != len(candidates):
        # `candidates` (statements_for) are the statements of `near` that match the action,
        # both in document order: one walk over `near` finds the others.
        misses = result.misses
        pending = iter(candidates)
        nxt = next(pending, None)
        for st in near:
            if st is nxt:
                nxt = next(pending, None)
            else:
                misses.append(Miss(policy, st, _NOT_ACTION if st.not_action else _ACTION))
    if len(near) != len(policy.statements):
        result.elsewhere.append(policy)


def evaluate_policies(
    policies: tuple[CompiledPolicy, ...],
    req: Request,
    *,
    explain: bool,
    track_missing: bool = True,
) -> SetResult:
    """Apply rule 1 to every statement of `policies`."""
    result = SetResult([], [], [], [], [])
    misses = result.misses
    action_lower = req.action_lower
    ctx = req.ctx
    resource = req.resource
    service: str | None = None  # the action's service: split off once, when an explanation needs it
    for policy in policies:
        candidates = policy.statements_for(action_lower)
        if explain and len(candidates) != len(policy.statements):
            if service is None:
                service = action_lower.split(":", 1)[0]
            _note_action_misses(result, policy, candidates, service)
        for st in candidates:
            if not st.resource_matches(resource, ctx):
                rm = st.resources
                if track_missing and rm is not None and rm.templates:
                    _note_missing(result.missing, rm.unresolved_keys(ctx))
                if explain:
                    misses.append(Miss(policy, st, _NOT_RESOURCE if st.not_resource else _RESOURCE))
                continue
            principal: PrincipalMatch | None = None
            if st.principals is not None:
                if st.not_principal:
                    if st.principals.names(req.caller, deny=st.deny, has_boundary=req.has_boundary):
                        if explain:
                            who = req.caller.arn if req.caller else None
                            misses.append(Miss(policy, st, _NOT_PRINCIPAL, who))
                        continue
                    principal = _WILDCARD
                else:
                    principal = st.principals.match(req.caller)
                    if principal is None:
                        if explain:
                            who = req.caller.arn if req.caller else None
                            misses.append(Miss(policy, st, _PRINCIPAL, who))
                        continue
            if st.condition.block is not None:  # (the element, not its compiled form: hot loop)
                outcome = st.condition.compiled.evaluate(ctx)
                if not outcome.matched:
                    if track_missing and outcome.missing_keys:
                        _note_missing(result.missing, outcome.missing_keys)
                    if explain:
                        misses.append(Miss(policy, st, _CONDITION, None, outcome.failures))
                    continue
            if st.deny:
                result.denies.append(Hit(policy, st, principal))
            else:
                result.allows.append(Hit(policy, st, principal))
    return result


@dataclass(slots=True)
class CompiledInputs:
    """The policies of one simulation, compiled, grouped by where they sit."""

    identity: tuple[CompiledPolicy, ...] = ()
    boundaries: tuple[CompiledPolicy, ...] = ()
    sessions: tuple[CompiledPolicy, ...] = ()
    resource: CompiledPolicy | None = None
    scp_levels: tuple[tuple[CompiledPolicy, ...], ...] = ()
    rcp_levels: tuple[tuple[CompiledPolicy, ...], ...] = ()
    # not an __init__ field: dataclasses.replace (enforcement.py) must not copy it
    _all: tuple[CompiledPolicy, ...] | None = field(default=None, init=False)

    def all_policies(self) -> tuple[CompiledPolicy, ...]:
        found = self._all
        if found is None:  # asked for every resource: built once (a request's inputs: per request)
            found = (*self.identity, *self.boundaries, *self.sessions)
            if self.resource is not None:
                found += (self.resource,)
            for level in self.scp_levels:
                found += level
            for level in self.rcp_levels:
                found += level
            self._all = found
        return found


@dataclass(slots=True)
class Evaluation:
    """Everything decided about one request, for results and explanations."""

    request: Request
    decision: Decision
    identity: SetResult
    boundary: SetResult | None
    session: SetResult | None
    resource: SetResult | None
    scp_levels: list[SetResult]
    rcp_levels: list[SetResult]
    organizations_allowed: bool | None  # None: no SCPs in play
    rcps_allowed: bool | None
    boundary_allowed: bool | None  # None: no boundary
    session_allowed: bool | None
    identity_side: Decision  # principal's account (identity within boundary/session)
    resource_side: Decision | None  # resource policy's say; None without one
    # Why the decision, as data (reasons.py); it never names the requested
    # resource, so one evaluation serves every resource that matches the same
    # statements (simulator.py).
    reason: Reason

    @property
    def cross_account(self) -> bool:
        return self.request.cross_account

    @property
    def all_denies(self) -> list[Hit]:
        out: list[Hit] = []
        for part in (self.identity, self.resource, self.boundary, self.session):
            if part is not None:
                out.extend(part.denies)
        return out

    def _in_explanation_order(self) -> list[SetResult]:
        """Every policy group that was evaluated: identity, boundary, session, resource, SCPs, RCPs."""
        # (Plain statements: a comprehension costs a function call, and this runs for every request.)
        parts = [self.identity]
        if self.boundary is not None:
            parts.append(self.boundary)
        if self.session is not None:
            parts.append(self.session)
        if self.resource is not None:
            parts.append(self.resource)
        if self.scp_levels:
            parts += self.scp_levels
        if self.rcp_levels:
            parts += self.rcp_levels
        return parts

    def explained(self, enforced: Decision, advisory: str | None, missing: tuple[str, ...]) -> Explained:
        """The explanation's data: beside the decision and reason, the statements that did not
        apply and the policies holding statements for other services only, policy group by
        policy group (gathered in one walk over the groups)."""
        misses: list[Miss] = []
        elsewhere: list[CompiledPolicy] = []
        for part in self._in_explanation_order():
            if part.misses:
                misses += part.misses
            if part.elsewhere:
                elsewhere += part.elsewhere
        # Positional, in the fields' order (built for every request).
        return Explained(
            self.decision, self.reason, enforced, advisory, missing, tuple(misses), tuple(elsewhere)
        )

    @property
    def missing(self) -> tuple[str, ...]:
        """Missing context keys from identity, resource, boundary and session policies (not SCP/RCP)."""
        out: list[str] = []
        for part in (self.identity, self.resource, self.boundary, self.session):
            if part is not None and part.missing:
                _note_missing(out, part.missing)
        return tuple(out) if out else ()


def _levels(levels: tuple[tuple[CompiledPolicy, ...], ...], req: Request, explain: bool) -> list[SetResult]:
    out: list[SetResult] = []
    for level in levels:  # (a loop: a comprehension costs a function call, once a request)
        out.append(evaluate_policies(level, req, explain=explain, track_missing=False))
    return out


def _all_levels_allow(levels: list[SetResult]) -> bool:
    """Every level allows, and none denies (rules 3 and 4)."""
    for lv in levels:  # noqa: SIM110 (a plain loop: any() over a generator costs an allocation)
        if not lv.allows or lv.denies:
            return False
    return True


def _ref(hit: Hit) -> StatementRef:
    st = hit.statement
    return StatementRef(hit.policy.source.source_id, st.index, st.sid)


# The decision each reason stands for.
DECISION_OF = {
    ReasonCode.DENIED_BY_STATEMENT: Decision.EXPLICIT_DENY,
    ReasonCode.DENIED_BY_SCP: Decision.EXPLICIT_DENY,
    ReasonCode.DENIED_BY_RCP: Decision.EXPLICIT_DENY,
    ReasonCode.SCP_LEVEL_NOT_ALLOWED: Decision.IMPLICIT_DENY,
    ReasonCode.RCP_LEVEL_NOT_ALLOWED: Decision.IMPLICIT_DENY,
    ReasonCode.ALLOWED_NAMING_CALLER: Decision.ALLOWED,
    ReasonCode.ACCOUNT_ONLY: Decision.IMPLICIT_DENY,
    ReasonCode.NOT_ALLOWED: Decision.IMPLICIT_DENY,
    ReasonCode.LIMITED: Decision.IMPLICIT_DENY,
    ReasonCode.ALLOWED_ROOT: Decision.ALLOWED,
    ReasonCode.ALLOWED_BY: Decision.ALLOWED,
    ReasonCode.CROSS_NO_IDENTITY: Decision.IMPLICIT_DENY,
    ReasonCode.CROSS_LIMITED: Decision.IMPLICIT_DENY,
    ReasonCode.CROSS_NO_RESOURCE_GRANT: Decision.IMPLICIT_DENY,
    ReasonCode.CROSS_ALLOWED: Decision.ALLOWED,
}


def evaluate_request(inputs: CompiledInputs, req: Request, *, explain: bool = True) -> Evaluation:
    """Decide one request (rules 1-6 of the module doc): gather what each policy group says, then decide."""
    caller = req.caller
    identity = evaluate_policies(inputs.identity, req, explain=explain)
    boundary = evaluate_policies(inputs.boundaries, req, explain=explain) if inputs.boundaries else None
    session = evaluate_policies(inputs.sessions, req, explain=explain) if inputs.sessions else None
    resource = evaluate_policies((inputs.resource,), req, explain=explain) if inputs.resource else None
    # Rule 3: SCPs do not apply to service principals.
    scp_applies = bool(inputs.scp_levels) and (caller is None or caller.is_iam or caller.kind == "other")
    scps = _levels(inputs.scp_levels, req, explain) if scp_applies else []
    rcps = _levels(inputs.rcp_levels, req, explain) if inputs.rcp_levels else []

    boundary_allowed = None if boundary is None else bool(boundary.allows)
    session_allowed = None if session is None else bool(session.allows)
    if (
        identity.denies
        or (boundary is not None and boundary.denies)
        or (session is not None and session.denies)
    ):
        identity_side = _EXPLICIT_DENY
    elif _identity_allowed(identity, req) and boundary_allowed is not False and session_allowed is not False:
        identity_side = _ALLOWED
    else:
        identity_side = _IMPLICIT_DENY
    resource_side: Decision | None = None
    if resource is not None:
        resource_side = _EXPLICIT_DENY if resource.denies else _ALLOWED if resource.allows else _IMPLICIT_DENY
    reason = _decide(req, identity, boundary, session, resource, scps, rcps)
    # Positional, in the fields' order (built for every request).
    return Evaluation(
        req,
        DECISION_OF[reason.code],
        identity,
        boundary,
        session,
        resource,
        scps,
        rcps,
        _all_levels_allow(scps) if scp_applies else None,  # organizations_allowed
        _all_levels_allow(rcps) if rcps else None,  # rcps_allowed
        boundary_allowed,
        session_allowed,
        identity_side,
        resource_side,
        reason,
    )


def _identity_allowed(identity: SetResult, req: Request) -> bool:
    # The root user of the account has every permission on its own resources
    # that SCPs/RCPs and explicit denies leave it (policy-eval-denyallow page).
    if identity.allows:
        return True
    caller = req.caller
    return caller is not None and caller.kind == "root" and not req.cross_account


_DENY_GROUPS = (
    PolicyKind.IDENTITY,
    PolicyKind.RESOURCE,
    PolicyKind.PERMISSIONS_BOUNDARY,
    PolicyKind.SESSION,
)


def _decide(
    req: Request,
    identity: SetResult,
    boundary: SetResult | None,
    session: SetResult | None,
    resource: SetResult | None,
    scps: list[SetResult],
    rcps: list[SetResult],
) -> Reason:
    """Rules 2-6, in order: the first that decides gives the reason."""
    # Rule 2: any explicit deny wins. (Looked for group by group only when there is one.)
    if (
        identity.denies
        or (resource is not None and resource.denies)
        or (boundary is not None and boundary.denies)
        or (session is not None and session.denies)
    ):
        for group, kind in zip((identity, resource, boundary, session), _DENY_GROUPS, strict=True):
            if group is not None and group.denies:
                return Reason(DENIED_BY_STATEMENT, statement=_ref(group.denies[0]), kind=kind)
    if scps or rcps:
        for code, levels in ((DENIED_BY_SCP, scps), (DENIED_BY_RCP, rcps)):
            for n, lv in enumerate(levels, 1):
                if lv.denies:
                    return Reason(code, statement=_ref(lv.denies[0]), level=n)
        # Rules 3 and 4.
        for code, levels in ((SCP_LEVEL_NOT_ALLOWED, scps), (RCP_LEVEL_NOT_ALLOWED, rcps)):
            for n, lv in enumerate(levels, 1):
                if not lv.allows:
                    return Reason(code, level=n, levels=len(levels))
    boundary_denies = boundary is not None and not boundary.allows
    session_denies = session is not None and not session.allows
    if not req.cross_account:
        return _same_account(req, identity, resource, boundary_denies, session_denies)
    return _cross_account(req, identity, resource, boundary_denies, session_denies)


def _same_account(
    req: Request, identity: SetResult, resource: SetResult | None, boundary_denies: bool, session_denies: bool
) -> Reason:
    """Rule 5."""
    resource_hits = resource.allows if resource is not None else []
    grant: Hit | None = None
    if resource_hits:
        for h in resource_hits:
            if h.principal is not None and h.principal.direct:
                return Reason(ALLOWED_NAMING_CALLER, statement=_ref(h))
        for h in resource_hits:
            if h.principal is not _ACCOUNT:
                grant = h
                break
    if grant is None and not _identity_allowed(identity, req):
        return Reason(ACCOUNT_ONLY if resource_hits else NOT_ALLOWED)
    if boundary_denies or session_denies:
        return Reason(LIMITED, boundary=boundary_denies, session=session_denies)
    hit = identity.allows[0] if identity.allows else grant
    if hit is None:
        return Reason(ALLOWED_ROOT)
    return Reason(ALLOWED_BY, statement=_ref(hit))


def _cross_account(
    req: Request, identity: SetResult, resource: SetResult | None, boundary_denies: bool, session_denies: bool
) -> Reason:
    """Rule 6."""
    if not _identity_allowed(identity, req):
        return Reason(CROSS_NO_IDENTITY, account=req.principal_account)
    if boundary_denies or session_denies:
        return Reason(CROSS_LIMITED, boundary=boundary_denies, session=session_denies)
    resource_hits = resource.allows if resource is not None else []
    if not resource_hits:
        return Reason(
            CROSS_NO_RESOURCE_GRANT,
            account=req.resource_account,
            principal_account=req.principal_account,
            has_resource_policy=resource is not None,
        )
    return Reason(
        CROSS_ALLOWED,
        statement=_ref(identity.allows[0]) if identity.allows else None,
        other=_ref(resource_hits[0]),
    )
