"""The enforce stage: what the real service decides, beside the simulator's answer.

Two things separate them. A real request carries context keys the simulator
only knows if told (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
aws:username, aws:PrincipalIsAWSService, aws:PrincipalServiceName,
aws:ResourceAccount, kms:CallerAccount; reference_policies_condition-keys.html,
conditions-kms.html): `enforcement_context` fills the ones the policies
reference from the caller and the resource. And services apply rules of their
own: the authorizers (authorizers/) adjust the enforced evaluation and decide
on it. When the enforced decision differs, the advisory says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Set

from harness.dataclass import dataclass
from harness.engine.authorizers import Adjustment, Registry
from harness.engine.context import ContextValue, RequestContext
from harness.engine.evaluate import CompiledInputs, Evaluation, Request, evaluate_request
from harness.engine.policy import CompiledPolicy
from harness.engine.reasons import Note, NoteCode
from harness.engine.render import note_text
from harness.engine.types import Decision


@dataclass(slots=True)
class Enforcement:
    """The enforced decision, and the advisory (rendered note) when it differs from the simulator's."""

    decision: Decision
    advisory: str | None = None
    grant: str | None = None  # the KMS grant that allows where no policy does


# Every key enforcement_context may fill, lower-cased: most policies reference none of them.
_FILLABLE = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "kms:calleraccount",
        "aws:principaltype",
        "aws:username",
        "aws:principalisawsservice",
        "aws:principalservicename",
        "aws:resourceaccount",
    }
)


def fillable_keys(policies: Iterable[CompiledPolicy]) -> frozenset[str]:
    """The keys enforcement_context may fill that some of `policies` reference (lower-cased);
    empty for most requests, which then have no filled context to build or compare."""
    found: frozenset[str] = frozenset()
    for p in policies:
        keys = p.condition_keys
        if keys and not keys.isdisjoint(_FILLABLE):  # (most policies read no key: no call)
            found |= keys & _FILLABLE
    return found


def enforcement_context(req: Request, referenced: Set[str]) -> RequestContext | None:
    """The context a real request would carry, or None when it changes nothing.

    Only keys some policy references are added, and a key the caller supplied is kept.
    (Each value is worked out only for a key that is added.)
    """
    ctx = req.ctx
    # The referenced keys the caller did not supply (lower-cased): only these are filled.
    todo: set[str] = set()
    for key in _FILLABLE.intersection(referenced):
        if key not in ctx:
            todo.add(key)
    if not todo:
        return None
    useful: list[ContextValue] = []
    caller = req.caller
    if caller is not None:
        if "aws:principalarn" in todo:
            useful.append(ContextValue("aws:PrincipalArn", (caller.principal_arn,)))
        if caller.account:
            if "aws:principalaccount" in todo:
                useful.append(ContextValue("aws:PrincipalAccount", (caller.account,)))
            if "kms:calleraccount" in todo and req.action_lower.startswith("kms:"):
                useful.append(ContextValue("kms:CallerAccount", (caller.account,)))
        if "aws:principaltype" in todo:
            principal_type = caller.principal_type
            if principal_type:
                useful.append(ContextValue("aws:PrincipalType", (principal_type,)))
        kind = caller.kind
        if kind == "user" and "aws:username" in todo:
            useful.append(ContextValue("aws:username", (caller.arn.rsplit("/", 1)[-1],)))
        if "aws:principalisawsservice" in todo:
            service = "true" if kind == "service" else "false"
            useful.append(ContextValue("aws:PrincipalIsAWSService", (service,), "boolean"))
        if kind == "service" and "aws:principalservicename" in todo:
            useful.append(ContextValue("aws:PrincipalServiceName", (caller.arn,)))
    if req.resource_account and "aws:resourceaccount" in todo:
        useful.append(ContextValue("aws:ResourceAccount", (req.resource_account,)))
    if not useful:
        return None
    return ctx.with_values(useful)


def stand_in_resource(adjustments: tuple[Adjustment, ...]) -> str | None:
    """The resource the enforced evaluation matches statements against, when not the requested one."""
    for a in adjustments:
        if a.resource is not None:
            return a.resource
    return None


def enforce(
    registry: Registry,
    inputs: CompiledInputs,
    ev: Evaluation,
    enforced_ctx: RequestContext | None,
    adjustments: tuple[Adjustment, ...],
    fact_values: tuple[bool, ...],
    action_keys: frozenset[str],
) -> Enforcement:
    """Evaluate the request as the service sees it (when that differs) and let the authorizers decide.

    `action_keys`: the lower-cased context keys the statements of this action read. When
    the filled context gives none of them a value, the enforced evaluation would be the
    simulator's, so it is not run again.
    """
    req = ev.request
    stand_in: str | None = None
    enforced_inputs = inputs
    if adjustments:  # (most requests have none)
        stand_in = stand_in_resource(adjustments)
        if any(a.drop_scps for a in adjustments):
            enforced_inputs = dataclasses.replace(inputs, scp_levels=())
    ctx_matters = (
        enforced_ctx is not None
        and bool(action_keys)
        and any(v.key.lower() in action_keys for v in enforced_ctx if v.key not in req.ctx)
    )
    enforced_ev = ev
    if ctx_matters or stand_in is not None or enforced_inputs is not inputs:
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
                grants=req.grants,
            ),
            explain=False,
        )
    verdict = registry.decide(enforced_ev, fact_values)
    if verdict.decision is ev.decision:
        return Enforcement(verdict.decision, None, verdict.grant)  # (positional: every request)
    note = verdict.note
    for a in adjustments:
        if a.wraps:
            note = Note(a.note, inner=note)
        elif note is None:
            note = Note(a.note)
    if note is None:
        note = Note(NoteCode.FILLED_CONTEXT, filled=_filled(req, enforced_ctx))
    return Enforcement(verdict.decision, note_text(note, req.action, verdict.decision), verdict.grant)


def _filled(req: Request, ctx: RequestContext | None) -> tuple[str, ...]:
    if ctx is None:
        return ()
    return tuple(f"{v.key}={','.join(v.values)}" for v in ctx if v.key not in req.ctx)
