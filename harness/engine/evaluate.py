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

from dataclasses import dataclass, field

from harness.engine.conditions import ConditionFailure
from harness.engine.context import RequestContext
from harness.engine.policy import CompiledPolicy, CompiledStatement
from harness.engine.principals import Caller, PrincipalMatch
from harness.engine.types import Decision


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    resource: str
    caller: Caller | None
    ctx: RequestContext
    principal_account: str | None
    resource_account: str | None
    has_boundary: bool = False
    action_lower: str = ""

    @property
    def cross_account(self) -> bool:
        return (
            self.principal_account is not None
            and self.resource_account is not None
            and self.principal_account != self.resource_account
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A statement that applies to the request."""

    policy: CompiledPolicy
    statement: CompiledStatement
    principal: PrincipalMatch | None = None


@dataclass(frozen=True, slots=True)
class Miss:
    """A statement that did not apply, and the first element that failed."""

    policy: CompiledPolicy
    statement: CompiledStatement
    element: str  # Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition
    detail: str = ""
    failures: tuple[ConditionFailure, ...] = ()


@dataclass(slots=True)
class SetResult:
    """What one group of policies (e.g. all identity policies) says."""

    allows: list[Hit] = field(default_factory=list)
    denies: list[Hit] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return bool(self.allows)


def _note_missing(out: list[str], keys: tuple[str, ...]) -> None:
    for k in keys:
        if not any(k.lower() == m.lower() for m in out):
            out.append(k)


def evaluate_policies(
    policies: tuple[CompiledPolicy, ...],
    req: Request,
    *,
    explain: bool,
    track_missing: bool = True,
) -> SetResult:
    """Apply rule 1 to every statement of `policies`."""
    result = SetResult()
    action_lower = req.action_lower
    ctx = req.ctx
    for policy in policies:
        candidates = policy.statements_for(action_lower)
        if explain and len(candidates) != len(policy.statements):
            matched_ids = {id(s) for s in candidates}
            for st in policy.statements:
                if id(st) not in matched_ids:
                    element = "NotAction" if st.not_action else "Action"
                    result.misses.append(Miss(policy, st, element))
        for st in candidates:
            if not st.resource_matches(req.resource, ctx):
                if track_missing and st.resources is not None and st.resources.templates:
                    _note_missing(result.missing, st.resources.unresolved_keys(ctx))
                if explain:
                    element = "NotResource" if st.not_resource else "Resource"
                    result.misses.append(Miss(policy, st, element))
                continue
            principal: PrincipalMatch | None = None
            if st.principals is not None:
                if st.not_principal:
                    if st.principals.names(req.caller, deny=st.deny, has_boundary=req.has_boundary):
                        if explain:
                            who = req.caller.arn if req.caller else "the caller (no CallerArn)"
                            result.misses.append(
                                Miss(policy, st, "NotPrincipal", f"{who} is named by NotPrincipal")
                            )
                        continue
                    principal = PrincipalMatch.WILDCARD
                else:
                    principal = st.principals.match(req.caller)
                    if principal is None:
                        if explain:
                            who = req.caller.arn if req.caller else "the caller (no CallerArn)"
                            result.misses.append(
                                Miss(policy, st, "Principal", f"{who} is not named by Principal")
                            )
                        continue
            if len(st.conditions):
                outcome = st.conditions.evaluate(ctx)
                if not outcome.matched:
                    if track_missing and outcome.missing_keys:
                        _note_missing(result.missing, outcome.missing_keys)
                    if explain:
                        result.misses.append(Miss(policy, st, "Condition", "", outcome.failures))
                    continue
            hit = Hit(policy, st, principal)
            if st.deny:
                result.denies.append(hit)
            else:
                result.allows.append(hit)
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

    def all_policies(self) -> tuple[CompiledPolicy, ...]:
        extra = (self.resource,) if self.resource is not None else ()
        levels = tuple(p for level in (*self.scp_levels, *self.rcp_levels) for p in level)
        return (*self.identity, *self.boundaries, *self.sessions, *extra, *levels)


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
    # Why the decision, and what would have to change for a deny: str.format
    # templates with {action} and {resource}, so that one evaluation can be
    # reused for resources that match the same statements (simulator.py).
    reason_t: str
    remedy_t: str = ""

    @property
    def reason(self) -> str:
        return self.reason_t.format(action=self.request.action, resource=self.request.resource)

    @property
    def remedy(self) -> str:
        return self.remedy_t.format(action=self.request.action, resource=self.request.resource)

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

    @property
    def missing(self) -> list[str]:
        """Missing context keys from identity, resource, boundary and session policies (not SCP/RCP)."""
        out: list[str] = []
        for part in (self.identity, self.resource, self.boundary, self.session):
            if part is not None:
                _note_missing(out, tuple(part.missing))
        return out


def _levels(levels: tuple[tuple[CompiledPolicy, ...], ...], req: Request, explain: bool) -> list[SetResult]:
    return [evaluate_policies(level, req, explain=explain, track_missing=False) for level in levels]


def _sid(hit: Hit) -> str:
    """Statement name for a reason template (braces escaped)."""
    st = hit.statement
    name = f"Sid {st.sid!r}" if st.sid else f"statement {st.index + 1}"
    return escape(f"{name} of {hit.policy.source.source_id}")


def escape(text: str) -> str:
    """Make `text` literal inside a str.format template."""
    return text.replace("{", "{{").replace("}", "}}")


def evaluate_request(inputs: CompiledInputs, req: Request, *, explain: bool = True) -> Evaluation:
    """Decide one request (rules 1-6 of the module doc)."""
    caller = req.caller
    identity = evaluate_policies(inputs.identity, req, explain=explain)
    boundary = evaluate_policies(inputs.boundaries, req, explain=explain) if inputs.boundaries else None
    session = evaluate_policies(inputs.sessions, req, explain=explain) if inputs.sessions else None
    resource = evaluate_policies((inputs.resource,), req, explain=explain) if inputs.resource else None
    # Rule 3: SCPs do not apply to service principals.
    scp_applies = bool(inputs.scp_levels) and (caller is None or caller.is_iam or caller.kind == "other")
    scps = _levels(inputs.scp_levels, req, explain) if scp_applies else []
    rcps = _levels(inputs.rcp_levels, req, explain) if inputs.rcp_levels else []

    boundary_allowed = None if boundary is None else boundary.allowed
    session_allowed = None if session is None else session.allowed
    organizations_allowed = (
        None if not scp_applies else all(lv.allowed for lv in scps) and not any(lv.denies for lv in scps)
    )
    rcps_allowed = None if not rcps else all(lv.allowed for lv in rcps) and not any(lv.denies for lv in rcps)

    # The root user of the account has every permission on its own resources
    # that SCPs/RCPs and explicit denies leave it (policy-eval-denyallow page).
    root_same_account = caller is not None and caller.kind == "root" and not req.cross_account
    identity_allowed = identity.allowed or root_same_account
    principal_side_ok = identity_allowed and boundary_allowed is not False and session_allowed is not False
    identity_side = Decision.ALLOWED if principal_side_ok else Decision.IMPLICIT_DENY
    resource_side: Decision | None = None
    if resource is not None:
        resource_side = (
            Decision.EXPLICIT_DENY
            if resource.denies
            else Decision.ALLOWED
            if resource.allowed
            else Decision.IMPLICIT_DENY
        )
    if identity.denies or (boundary and boundary.denies) or (session and session.denies):
        identity_side = Decision.EXPLICIT_DENY

    def done(decision: Decision, reason: str, remedy: str = "") -> Evaluation:
        return Evaluation(
            request=req,
            decision=decision,
            identity=identity,
            boundary=boundary,
            session=session,
            resource=resource,
            scp_levels=scps,
            rcp_levels=rcps,
            organizations_allowed=organizations_allowed,
            rcps_allowed=rcps_allowed,
            boundary_allowed=boundary_allowed,
            session_allowed=session_allowed,
            identity_side=identity_side,
            resource_side=resource_side,
            reason_t=reason,
            remedy_t=remedy,
        )

    # Rule 2: any explicit deny wins.
    for group, label in (
        (identity, "identity policy"),
        (resource, "resource policy"),
        (boundary, "permissions boundary"),
        (session, "session policy"),
    ):
        if group is not None and group.denies:
            return done(
                Decision.EXPLICIT_DENY,
                f"explicitly denied by {_sid(group.denies[0])} ({label})",
                f"remove or narrow {_sid(group.denies[0])}",
            )
    for n, lv in enumerate(scps, 1):
        if lv.denies:
            return done(
                Decision.EXPLICIT_DENY,
                f"explicitly denied by an SCP at organization level {n} ({_sid(lv.denies[0])})",
                "change the SCP deny at that level",
            )
    for n, lv in enumerate(rcps, 1):
        if lv.denies:
            return done(
                Decision.EXPLICIT_DENY,
                f"explicitly denied by an RCP at organization level {n} ({_sid(lv.denies[0])})",
                "change the RCP deny at that level",
            )
    # Rules 3 and 4.
    for n, lv in enumerate(scps, 1):
        if not lv.allowed:
            return done(
                Decision.IMPLICIT_DENY,
                f"no SCP at organization level {n} of {len(scps)} allows {{action}}",
                f"allow {{action}} in an SCP at level {n}",
            )
    for n, lv in enumerate(rcps, 1):
        if not lv.allowed:
            return done(
                Decision.IMPLICIT_DENY,
                f"no RCP at organization level {n} of {len(rcps)} allows {{action}}",
                f"allow {{action}} in an RCP at level {n}",
            )

    resource_hits = resource.allows if resource is not None else []
    limits = _limits_text(boundary_allowed, session_allowed)
    if not req.cross_account:
        # Rule 5.
        direct = next((h for h in resource_hits if h.principal is not None and h.principal.direct), None)
        if direct is not None:
            return done(
                Decision.ALLOWED, f"allowed by {_sid(direct)} (resource policy names the caller directly)"
            )
        grant = next((h for h in resource_hits if h.principal is not PrincipalMatch.ACCOUNT), None)
        if not identity_allowed and grant is None:
            if resource_hits:
                return done(
                    Decision.IMPLICIT_DENY,
                    "the resource policy only names the account, and no identity-based policy allows",
                    "allow {action} on {resource} in an identity-based policy",
                )
            return done(
                Decision.IMPLICIT_DENY,
                "no identity-based or resource-based policy allows {action} on {resource}",
                "add an Allow for {action} on {resource} to an identity-based policy",
            )
        if limits:
            return done(
                Decision.IMPLICIT_DENY,
                f"allowed by policy but {limits}",
                _limits_remedy(req, boundary_allowed, session_allowed),
            )
        hit = identity.allows[0] if identity.allows else grant
        if hit is None:
            return done(Decision.ALLOWED, "allowed: the account root user")
        return done(Decision.ALLOWED, f"allowed by {_sid(hit)}")

    # Rule 6: cross-account.
    if not identity_allowed:
        return done(
            Decision.IMPLICIT_DENY,
            f"cross-account: no identity-based policy of account {req.principal_account} allows {{action}}",
            "allow {action} on {resource} in the caller's identity-based policy",
        )
    if limits:
        return done(
            Decision.IMPLICIT_DENY,
            f"cross-account: {limits}",
            _limits_remedy(req, boundary_allowed, session_allowed),
        )
    if not resource_hits:
        what = "has no resource policy" if resource is None else "resource policy does not allow the caller"
        return done(
            Decision.IMPLICIT_DENY,
            f"cross-account: the resource in account {req.resource_account} {what}",
            f"allow the caller (or account {req.principal_account}) in the resource policy",
        )
    return done(
        Decision.ALLOWED,
        f"cross-account: allowed by {_sid(identity.allows[0]) if identity.allows else 'the root user'}"
        f" and {_sid(resource_hits[0])}",
    )


def _limits_text(boundary_allowed: bool | None, session_allowed: bool | None) -> str:
    parts = []
    if boundary_allowed is False:
        parts.append("the permissions boundary does not allow it")
    if session_allowed is False:
        parts.append("the session policy does not allow it")
    return " and ".join(parts)


def _limits_remedy(req: Request, boundary_allowed: bool | None, session_allowed: bool | None) -> str:
    parts = []
    if boundary_allowed is False:
        parts.append("allow {action} in the permissions boundary")
    if session_allowed is False:
        parts.append("allow {action} in the session policy")
    return " and ".join(parts)
