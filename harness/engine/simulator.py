"""API-shaped results: SimulationInput in, SimulationOutput out.

Result shape (IAM API reference: SimulateCustomPolicy, SimulatePrincipalPolicy,
EvaluationResult, ResourceSpecificResult, Statement, Position; and what the
service returns where it differs from the model):

- One EvaluationResult per action. Its EvalDecision is the most restrictive
  decision over the requested resources (explicitDeny, then implicitDeny, then
  allowed); MatchedStatements is the union over resources of the statements
  behind that decision; EvalDecisionDetails "reports the most restrictive
  decision per policy type across all requested resources"
  (API_EvaluationResult.html). ResourceSpecificResults holds one entry per
  resource.
- MissingContextValues: "used when the resource in a simulation is `*`";
  with a list of ARNs the keys go in each ResourceSpecificResult instead.
- MatchedStatements never include SCP (or RCP) statements. For an explicit
  deny only the deny statements are listed; for an implicit deny none.
- EvalDecisionDetails is filled for cross-account requests, keyed by the
  SourcePolicyType names ("IAM Policy", "Resource Policy").
- AWS accepts only an IAM user as CallerArn. Offline we also accept a role or
  an assumed-role session and add a warning (the real simulator would refuse).

Request context: `decision` uses only the context the caller supplied, as the
simulator does. `enforced_decision` evaluates the request as the service
would see it: keys every real request carries and the simulator only knows if
told (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
aws:ResourceAccount, kms:CallerAccount; reference_policies_condition-keys.html,
conditions-kms.html) are filled from the caller and resource when absent, and
KMS's own rules apply to key requests (kms.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from harness.engine.context import CONTEXT_KEY_TYPES, ContextValue, RequestContext
from harness.engine.enforcement import resource_class, service_rule
from harness.engine.errors import InvalidInput
from harness.engine.evaluate import CompiledInputs, Evaluation, Hit, Request, evaluate_request
from harness.engine.explain import explain_templates, render
from harness.engine.kms import enforce, is_kms_key_request, key_behind_alias
from harness.engine.policy import CompiledPolicy
from harness.engine.principals import Caller, parse_caller
from harness.engine.types import (
    Decision,
    EvaluationResult,
    MatchedStatement,
    PolicySource,
    ResourceResult,
    SimulationInput,
    SimulationOutput,
)

_SEVERITY = {Decision.ALLOWED: 0, Decision.IMPLICIT_DENY: 1, Decision.EXPLICIT_DENY: 2}
_ACTION_NAME = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_-]+$")
_ARN_ACCOUNT = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")
_OWNER = re.compile(r"^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$")
CONTEXT_TYPES = frozenset(t.lower() for t in CONTEXT_KEY_TYPES)

# ResourceHandlingOption scenarios and the resource types each requires
# (SimulateCustomPolicy, ResourceHandlingOption).
_EC2_BASE = ("instance", "image", "security-group", "network-interface")
RESOURCE_HANDLING = {
    "EC2-VPC-InstanceStore": _EC2_BASE,
    "EC2-VPC-InstanceStore-Subnet": (*_EC2_BASE, "subnet"),
    "EC2-VPC-EBS": (*_EC2_BASE, "volume"),
    "EC2-VPC-EBS-Subnet": (*_EC2_BASE, "subnet", "volume"),
}

IAM_POLICY_TYPE = "IAM Policy"
RESOURCE_POLICY_TYPE = "Resource Policy"


def _is_service_linked_role(caller: Caller | None) -> bool:
    """A service-linked role lives under the path /aws-service-role/ (using-service-linked-roles.html);
    a session ARN does not carry the path, so only the role ARN is recognised."""
    return caller is not None and caller.kind == "role" and ":role/aws-service-role/" in caller.arn


def worst(decisions: list[Decision]) -> Decision:
    return max(decisions, key=_SEVERITY.__getitem__) if decisions else Decision.IMPLICIT_DENY


def _validate(inp: SimulationInput, parsed: Caller | None) -> list[str]:
    warnings: list[str] = []
    if not inp.action_names:
        raise InvalidInput("ActionNames must name at least one action")
    for a in inp.action_names:
        if not _ACTION_NAME.match(a):
            raise InvalidInput(
                f"ActionNames: {a!r} is not 'service:Action' (wildcards are not supported in ActionNames)"
            )
    for r in inp.resource_arns:
        if r != "*" and not r.startswith("arn:"):
            raise InvalidInput(f"ResourceArns: {r!r} is not an ARN or '*'")
    if inp.resource_policy is not None and not (inp.caller_arn or inp.principal_arn):
        raise InvalidInput("CallerArn is required when a ResourcePolicy is included")
    for e in inp.context:
        if e.type.lower() not in CONTEXT_TYPES:
            raise InvalidInput(f"ContextEntries: {e.key}: unknown ContextKeyType {e.type!r}")
    if inp.caller_arn and parsed is not None:
        if parsed.kind in ("role", "assumed-role"):
            what = "a role" if parsed.kind == "role" else "an assumed-role session"
            warnings.append(
                f"CallerArn {inp.caller_arn} is {what}: AWS's simulator accepts only IAM users there; "
                "the offline engine evaluates it as given"
            )
        elif parsed.kind != "user":
            warnings.append(f"CallerArn {inp.caller_arn} is not an IAM user: AWS's simulator would refuse it")
    elif (
        inp.principal_arn and parsed is not None and parsed.kind != "user" and inp.resource_policy is not None
    ):
        # SimulatePrincipalPolicy: CallerArn is required with a ResourcePolicy
        # unless PolicySourceArn is a user.
        warnings.append(
            f"no CallerArn: AWS's simulator requires one (an IAM user) with a ResourcePolicy when "
            f"PolicySourceArn is not a user; the offline engine uses {inp.principal_arn} as the caller"
        )
    if inp.resource_handling_option:
        option = inp.resource_handling_option
        needed = RESOURCE_HANDLING.get(option)
        if needed is None:
            raise InvalidInput(
                f"ResourceHandlingOption {option!r} is not one of {', '.join(RESOURCE_HANDLING)}"
            )
        for rtype in needed:
            if not any(f":{rtype}/" in r for r in inp.resource_arns):
                raise InvalidInput(
                    f"ResourceHandlingOption {option} requires a {rtype} resource in ResourceArns"
                )
    return warnings


def owner_account(resource_owner: str | None) -> str | None:
    if not resource_owner:
        return None
    m = _OWNER.match(resource_owner)
    if not m:
        raise InvalidInput(f"ResourceOwner {resource_owner!r} must be arn:aws:iam::ACCOUNT-ID:root")
    return m.group(1) or m.group(2)


def _matched(hits: list[Hit]) -> tuple[MatchedStatement, ...]:
    out: list[MatchedStatement] = []
    seen: set[tuple[str, int]] = set()
    for h in hits:
        key = (h.policy.source.source_id, h.statement.index)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            MatchedStatement(
                source_policy_id=h.policy.source.source_id,
                source_policy_type=h.policy.source.source_type,
                start=h.statement.start,
                end=h.statement.end,
                sid=h.statement.sid,
                effect=h.statement.effect,
                kind=h.policy.source.kind,
            )
        )
    return tuple(out)


def _contributing(ev: Evaluation) -> list[Hit]:
    """Statements behind the decision (identity and resource policies; denies also from boundary/session)."""
    if ev.decision is Decision.EXPLICIT_DENY:
        return ev.all_denies
    if ev.decision is Decision.ALLOWED:
        return ev.identity.allows + (ev.resource.allows if ev.resource is not None else [])
    return []


def _details(ev: Evaluation) -> dict[str, Decision]:
    if not ev.cross_account:
        return {}
    out = {IAM_POLICY_TYPE: ev.identity_side}
    if ev.resource_side is not None:
        out[RESOURCE_POLICY_TYPE] = ev.resource_side
    else:
        out[RESOURCE_POLICY_TYPE] = Decision.IMPLICIT_DENY
    return out


class Simulator:
    """Runs one SimulationInput; `compile_policy` (the Engine's cached compiler) compiles sources."""

    def __init__(
        self, compile_policy: Callable[[PolicySource], CompiledPolicy], *, explain: bool = True
    ) -> None:
        self._compile = compile_policy
        self._explain = explain
        self._memos: dict[tuple, tuple[dict[tuple, tuple], dict[tuple, RequestContext | None]]] = {}
        self._memo_limit = 256

    def compile_inputs(self, inp: SimulationInput) -> CompiledInputs:
        c = self._compile
        return CompiledInputs(
            identity=tuple(c(p) for p in inp.identity_policies),
            boundaries=tuple(c(p) for p in inp.permissions_boundaries),
            sessions=tuple(c(p) for p in inp.session_policies),
            resource=c(inp.resource_policy) if inp.resource_policy is not None else None,
            scp_levels=tuple(tuple(c(p) for p in level) for level in inp.scp_levels),
            rcp_levels=tuple(tuple(c(p) for p in level) for level in inp.rcp_levels),
        )

    def run(self, inp: SimulationInput) -> SimulationOutput:
        caller_arn = inp.caller_arn or inp.principal_arn
        caller = parse_caller(caller_arn) if caller_arn else None
        warnings = _validate(inp, caller)
        inputs = self.compile_inputs(inp)
        owner = owner_account(inp.resource_owner)
        base_ctx = RequestContext.from_entries(inp.context)
        referenced: set[str] = set()
        for p in (
            *inputs.identity,
            *inputs.boundaries,
            *inputs.sessions,
            *([inputs.resource] if inputs.resource else []),
        ):
            referenced |= p.condition_keys
        for level in (*inputs.scp_levels, *inputs.rcp_levels):
            for p in level:
                referenced |= p.condition_keys
        has_boundary = bool(inputs.boundaries)
        star_only = tuple(inp.resource_arns) == ("*",)

        results: list[EvaluationResult] = []
        # Evaluations reused across resources and calls with the same policies,
        # caller and context (see _signature); held on this object, bounded.
        inputs_key = (
            inp.identity_policies,
            inp.permissions_boundaries,
            inp.session_policies,
            inp.resource_policy,
            inp.scp_levels,
            inp.rcp_levels,
            caller_arn,
            owner,
            inp.context,
            star_only,
        )
        memos = self._memos.get(inputs_key)
        if memos is None:
            if len(self._memos) >= self._memo_limit:
                del self._memos[next(iter(self._memos))]
            memos = self._memos[inputs_key] = ({}, {})
        memo, ctx_memo = memos
        if len(memo) > 50_000:
            memo.clear()
        for action in inp.action_names:
            action_lower = action.lower()
            per_resource: list[tuple[ResourceResult, Evaluation]] = []
            for resource in inp.resource_arns or ("*",):
                m = _ARN_ACCOUNT.match(resource)
                resource_account = (
                    (m.group(1) if m else None) or owner or (caller.account if caller else None)
                )
                req = Request(
                    action=action,
                    resource=resource,
                    caller=caller,
                    ctx=base_ctx,
                    principal_account=caller.account if caller else None,
                    resource_account=resource_account,
                    has_boundary=has_boundary,
                    action_lower=action_lower,
                )
                per_resource.append(self._one(inputs, req, referenced, star_only, memo, ctx_memo))
            results.append(self._aggregate(action, inp, per_resource, star_only))
        return SimulationOutput(results=tuple(results), warnings=tuple(warnings))

    def _enforcement_context(self, req: Request, referenced: set[str]) -> RequestContext | None:
        """The context a real request would carry, or None when it changes nothing."""
        caller = req.caller
        extra: list[ContextValue] = []
        if caller is not None:
            extra.append(ContextValue("aws:PrincipalArn", (caller.principal_arn,), "string"))
            if caller.account:
                extra.append(ContextValue("aws:PrincipalAccount", (caller.account,), "string"))
                if req.action_lower.startswith("kms:"):
                    extra.append(ContextValue("kms:CallerAccount", (caller.account,), "string"))
            if caller.principal_type:
                extra.append(ContextValue("aws:PrincipalType", (caller.principal_type,), "string"))
            if caller.kind == "user":
                extra.append(ContextValue("aws:username", (caller.arn.rsplit("/", 1)[-1],), "string"))
            extra.append(
                ContextValue(
                    "aws:PrincipalIsAWSService", ("true" if caller.kind == "service" else "false",), "boolean"
                )
            )
            if caller.kind == "service":
                extra.append(ContextValue("aws:PrincipalServiceName", (caller.arn,), "string"))
        if req.resource_account:
            extra.append(ContextValue("aws:ResourceAccount", (req.resource_account,), "string"))
        useful = [v for v in extra if v.key.lower() in referenced and v.key not in req.ctx]
        if not useful:
            return None
        return req.ctx.with_values(useful)

    def _signature(self, inputs: CompiledInputs, req: Request, enforced_ctx: RequestContext | None) -> tuple:
        """Everything about the resource that the evaluation depends on.

        The evaluation sees the resource only through Resource/NotResource
        matching, the resource's account, and the resource-type tests of
        kms.py and enforcement.py. Two resources with the same signature get
        the same decisions and explanation templates, so the second reuses
        the first's evaluation.
        """
        resource = req.resource
        sig: list[object] = [req.resource_account, is_kms_key_request(req.action_lower, resource)]
        sig.extend(resource_class(resource))
        ctx = req.ctx
        stand_in = key_behind_alias(req.action_lower, resource)
        for policy in inputs.all_policies():
            for st in policy.statements_for(req.action_lower):
                rm = st.resources
                if rm is None or rm.any:
                    continue
                sig.append(st.resource_matches(resource, ctx))
                if rm.templates and enforced_ctx is not None:
                    sig.append(st.resource_matches(resource, enforced_ctx))
                if stand_in is not None:
                    sig.append(
                        st.resource_matches(stand_in, enforced_ctx if enforced_ctx is not None else ctx)
                    )
        return tuple(sig)

    def _one(
        self,
        inputs: CompiledInputs,
        req: Request,
        referenced: set[str],
        star_only: bool,
        memo: dict[tuple, tuple],
        ctx_memo: dict[tuple, RequestContext | None],
    ) -> tuple[ResourceResult, Evaluation]:
        ctx_key = (req.action_lower.startswith("kms:"), req.resource_account)
        if ctx_key in ctx_memo:
            enforced_ctx = ctx_memo[ctx_key]
        else:
            enforced_ctx = ctx_memo[ctx_key] = self._enforcement_context(req, referenced)
        key = (req.action, self._signature(inputs, req, enforced_ctx))
        cached = memo.get(key)
        if cached is None:
            cached = memo[key] = self._evaluate(inputs, req, enforced_ctx, star_only)
        ev, enforced, advisory, templates, matched, missing, details = cached
        result = ResourceResult(
            resource=req.resource,
            decision=ev.decision,
            matched_statements=matched,
            missing_context_values=missing,
            decision_details=dict(details),
            permissions_boundary_allowed=ev.boundary_allowed,
            enforced_decision=enforced,
            advisory=advisory,
            explanation=render(templates, action=req.action, resource=req.resource) if templates else (),
        )
        return result, ev

    def _evaluate(
        self, inputs: CompiledInputs, req: Request, enforced_ctx: RequestContext | None, star_only: bool
    ) -> tuple:
        ev = evaluate_request(inputs, req, explain=self._explain)
        enforced_ev = ev
        advisory: str | None = None
        stand_in = key_behind_alias(req.action_lower, req.resource)
        enforced_inputs = inputs
        if inputs.scp_levels and _is_service_linked_role(req.caller):
            # SCPs do not restrict service-linked roles: the service acts with
            # them whatever the organization's SCPs say
            # (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
            # "Tasks and entities not restricted by SCPs"). The simulator is given
            # the SCPs as input, so only the enforced decision drops them.
            enforced_inputs = dataclasses.replace(inputs, scp_levels=())
        if enforced_ctx is not None or stand_in is not None or enforced_inputs is not inputs:
            enforced_ev = evaluate_request(
                enforced_inputs,
                Request(
                    action=req.action,
                    resource=stand_in or req.resource,
                    caller=req.caller,
                    ctx=enforced_ctx if enforced_ctx is not None else req.ctx,
                    principal_account=req.principal_account,
                    resource_account=req.resource_account,
                    has_boundary=req.has_boundary,
                    action_lower=req.action_lower,
                ),
                explain=False,
            )
        enforced = enforced_ev.decision
        note: str | None = None
        if is_kms_key_request(req.action_lower, req.resource):
            enforced, note = enforce(enforced_ev)
        else:
            rule = service_rule(enforced_ev)
            if rule is not None:
                enforced, note = rule
        if enforced is not ev.decision and stand_in is not None:
            note = (
                f"KMS authorizes {req.action} on the key the alias points to: policy statements are "
                "matched against the key ARN, and an alias ARN in Resource does not name the key "
                "(simulate with the key ARN)" + (f"; {note}" if note else "")
            )
        if enforced is not ev.decision and enforced_inputs is not inputs and note is None:
            note = "SCPs do not restrict a service-linked role"
        if enforced is not ev.decision:
            advisory = note or (
                f"{enforced.value} once the request carries "
                f"{', '.join(sorted(self._filled(req, enforced_ctx)))} (as every real request does)"
            )
        templates = explain_templates(ev, enforced=enforced, advisory=advisory) if self._explain else ()
        return (
            ev,
            enforced,
            advisory,
            templates,
            _matched(_contributing(ev)),
            () if star_only else tuple(ev.missing),
            _details(ev),
        )

    @staticmethod
    def _filled(req: Request, ctx: RequestContext | None) -> list[str]:
        if ctx is None:
            return []
        return [f"{v.key}={','.join(v.values)}" for v in ctx if v.key not in req.ctx]

    def _aggregate(
        self,
        action: str,
        inp: SimulationInput,
        per_resource: list[tuple[ResourceResult, Evaluation]],
        star_only: bool,
    ) -> EvaluationResult:
        if len(per_resource) == 1:
            # One resource: the top-level result is that resource's.
            (rr, ev) = per_resource[0]
            return EvaluationResult(
                action=action,
                resource=rr.resource,
                decision=rr.decision,
                matched_statements=rr.matched_statements,
                missing_context_values=tuple(ev.missing) if star_only else (),
                decision_details=dict(rr.decision_details),
                organizations_allowed=ev.organizations_allowed,
                permissions_boundary_allowed=rr.permissions_boundary_allowed,
                resource_results=(rr,),
                enforced_decision=rr.enforced_decision,
                advisory=rr.advisory,
                explanation=rr.explanation,
            )
        rrs = [r for r, _ in per_resource]
        evs = [e for _, e in per_resource]
        decision = worst([r.decision for r in rrs])
        matched: list[Hit] = []
        for ev in evs:
            if ev.decision is decision:
                matched.extend(_contributing(ev))
        missing: list[str] = []
        if star_only:
            for ev in evs:
                for k in ev.missing:
                    if k not in missing:
                        missing.append(k)
        details: dict[str, Decision] = {}
        for r in rrs:
            for k, v in r.decision_details.items():
                details[k] = v if k not in details else worst([details[k], v])
        orgs = [e.organizations_allowed for e in evs]
        orgs_allowed = None if all(o is None for o in orgs) else all(o is not False for o in orgs)
        pbs = [r.permissions_boundary_allowed for r in rrs]
        pb_allowed = None if all(p is None for p in pbs) else all(p is not False for p in pbs)
        enforced = worst([r.enforced_decision or r.decision for r in rrs])
        advisories = [(r.resource, r.advisory) for r in rrs if r.advisory]
        if len(rrs) == 1:
            advisory = advisories[0][1] if advisories else None
            explanation = rrs[0].explanation
        else:
            advisory = "; ".join(f"{res}: {a}" for res, a in advisories) or None
            explanation = tuple(f"{r.resource}: {line}" for r in rrs for line in r.explanation)
        resource = rrs[0].resource if len(rrs) == 1 else "*"
        return EvaluationResult(
            action=action,
            resource=resource,
            decision=decision,
            matched_statements=_matched(matched),
            missing_context_values=tuple(missing),
            decision_details=details,
            organizations_allowed=orgs_allowed,
            permissions_boundary_allowed=pb_allowed,
            resource_results=tuple(rrs),
            enforced_decision=enforced,
            advisory=advisory,
            explanation=explanation,
        )
