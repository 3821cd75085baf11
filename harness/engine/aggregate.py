"""The aggregate stage: one EvaluationResult per action from its per-resource answers.

IAM API reference (API_EvaluationResult.html): EvalDecision is the most
restrictive decision over the requested resources (explicitDeny, then
implicitDeny, then allowed); MatchedStatements is the union over resources of
the statements behind that decision; EvalDecisionDetails "reports the most
restrictive decision per policy type across all requested resources";
ResourceSpecificResults holds one entry per resource. MatchedStatements never
include SCP (or RCP) statements; for an explicit deny only the deny statements
are listed, for an implicit deny none. EvalDecisionDetails is filled for
cross-account requests, keyed by SourcePolicyType names.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.engine.evaluate import Evaluation, Hit
from harness.engine.render import PendingExplanation, PendingSummary
from harness.engine.types import Decision, EvaluationResult, MatchedStatement, ResourceResult

_SEVERITY = {Decision.ALLOWED: 0, Decision.IMPLICIT_DENY: 1, Decision.EXPLICIT_DENY: 2}
IAM_POLICY_TYPE = "IAM Policy"
RESOURCE_POLICY_TYPE = "Resource Policy"


@dataclass(slots=True)  # not frozen: one per resource (see evaluate.Request)
class ResourceAnswer:
    """One resource's result, the evaluation behind it, and its explanation (still unwritten)."""

    result: ResourceResult
    evaluation: Evaluation
    explanation: PendingExplanation | tuple[str, ...] = ()


def worst(decisions: list[Decision]) -> Decision:
    return max(decisions, key=_SEVERITY.__getitem__) if decisions else Decision.IMPLICIT_DENY


def matched_statements(hits: list[Hit]) -> tuple[MatchedStatement, ...]:
    out: list[MatchedStatement] = []
    seen: set[tuple[str, int]] = set()
    for h in hits:
        key = (h.policy.source.source_id, h.statement.index)
        if key in seen:
            continue
        seen.add(key)
        out.append(h.policy.matched(h.statement))
    return tuple(out)


def contributing(ev: Evaluation) -> list[Hit]:
    """Statements behind the decision (identity and resource policies; denies also from boundary/session)."""
    if ev.decision is Decision.EXPLICIT_DENY:
        return ev.all_denies
    if ev.decision is Decision.ALLOWED:
        return ev.identity.allows + (ev.resource.allows if ev.resource is not None else [])
    return []


def decision_details(ev: Evaluation) -> dict[str, Decision]:
    if not ev.cross_account:
        return {}
    out = {IAM_POLICY_TYPE: ev.identity_side}
    if ev.resource_side is not None:
        out[RESOURCE_POLICY_TYPE] = ev.resource_side
    else:
        out[RESOURCE_POLICY_TYPE] = Decision.IMPLICIT_DENY
    return out


def summed_advisory(results: list[ResourceResult]) -> str | None:
    """Each distinct advisory once, with how many of the resources it concerns."""
    if len(results) == 1:
        return results[0].advisory
    counts: dict[str, int] = {}
    for r in results:
        if r.advisory:
            counts[r.advisory] = counts.get(r.advisory, 0) + 1
    total = len(results)
    return "; ".join(f"{text} ({n} of {total} resources)" for text, n in counts.items()) or None


def all_allowed(values: list[bool | None]) -> bool | None:
    """None when no resource's answer had the policy group in play; else False when one denied."""
    return None if all(v is None for v in values) else all(v is not False for v in values)


def _merged_missing(evs: list[Evaluation]) -> tuple[str, ...]:
    """Missing context keys of every resource, each once, in first-seen order."""
    missing: list[str] = []
    for ev in evs:
        for k in ev.missing:
            if k not in missing:
                missing.append(k)
    return tuple(missing)


def merged_details(rrs: list[ResourceResult]) -> dict[str, Decision]:
    """The most restrictive decision per policy type across the resources."""
    details: dict[str, Decision] = {}
    for r in rrs:
        for k, v in r.decision_details.items():
            details[k] = v if k not in details else worst([details[k], v])
    return details


def aggregate(action: str, per_resource: list[ResourceAnswer], star_only: bool) -> EvaluationResult:
    if len(per_resource) == 1:
        # One resource: the top-level result is that resource's. Its explanation too for
        # resource "*", which the API shows without ResourceSpecificResults; an ARN's
        # result is shown there, so the top level only sums it up.
        answer = per_resource[0]
        rr, ev = answer.result, answer.evaluation
        return EvaluationResult(
            action=action,
            resource=rr.resource,
            decision=rr.decision,
            matched_statements=rr.matched_statements,
            missing_context_values=ev.missing if star_only else (),
            decision_details=dict(rr.decision_details),
            organizations_allowed=ev.organizations_allowed,
            permissions_boundary_allowed=rr.permissions_boundary_allowed,
            resource_results=(rr,),
            enforced_decision=rr.enforced_decision,
            advisory=rr.advisory,
            explanation=answer.explanation if star_only or not answer.explanation else PendingSummary((rr,)),
        )
    # Several resources: merged as the module doc says.
    rrs = [a.result for a in per_resource]
    evs = [a.evaluation for a in per_resource]
    decision = worst([r.decision for r in rrs])
    matched: list[Hit] = []
    for ev in evs:
        if ev.decision is decision:
            matched.extend(contributing(ev))
    # Each resource's result explains that resource; the action's sums them up rather than
    # repeating every resource's lines (written when first read).
    explanation: tuple[str, ...] | PendingSummary = (
        PendingSummary(tuple(rrs)) if any(a.explanation for a in per_resource) else ()
    )
    return EvaluationResult(
        action=action,
        resource="*",
        decision=decision,
        matched_statements=matched_statements(matched),
        missing_context_values=_merged_missing(evs) if star_only else (),
        decision_details=merged_details(rrs),
        organizations_allowed=all_allowed([e.organizations_allowed for e in evs]),
        permissions_boundary_allowed=all_allowed([r.permissions_boundary_allowed for r in rrs]),
        resource_results=tuple(rrs),
        enforced_decision=worst([r.enforced_decision or r.decision for r in rrs]),
        advisory=summed_advisory(rrs),
        explanation=explanation,
    )
