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

from harness.dataclass import dataclass
from harness.engine.evaluate import Evaluation, Hit
from harness.engine.render import PendingExplanation, PendingSummary, summary_lines
from harness.engine.types import Decision, EvaluationResult, MatchedStatement, ResourceResult

# Read once (a member read off its Enum class goes through EnumType's __getattr__, several
# times slower than a global): compared for every resource.
_ALLOWED = Decision.ALLOWED
_IMPLICIT_DENY = Decision.IMPLICIT_DENY
_EXPLICIT_DENY = Decision.EXPLICIT_DENY
IAM_POLICY_TYPE = "IAM Policy"
RESOURCE_POLICY_TYPE = "Resource Policy"


@dataclass(slots=True)  # not frozen: one per resource (see evaluate.Request)
class ResourceAnswer:
    """One resource's result, the evaluation behind it, and its explanation (still unwritten)."""

    result: ResourceResult
    evaluation: Evaluation
    explanation: PendingExplanation | tuple[str, ...] = ()


def worst(decisions: list[Decision]) -> Decision:
    """The most restrictive of `decisions` (explicitDeny, then implicitDeny, then allowed);
    implicitDeny for none."""
    # (Membership tests: `max` with a key function costs a call per decision.)
    if _EXPLICIT_DENY in decisions:
        return _EXPLICIT_DENY
    if _IMPLICIT_DENY in decisions or not decisions:
        return _IMPLICIT_DENY
    return _ALLOWED


def matched_statements(hits: list[Hit]) -> tuple[MatchedStatement, ...]:
    if len(hits) < 2:  # (most often: nothing to deduplicate)
        return (hits[0].policy.matched(hits[0].statement),) if hits else ()
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
    decision = ev.decision
    if decision is _EXPLICIT_DENY:
        return ev.all_denies
    if decision is _ALLOWED:
        return ev.identity.allows + (ev.resource.allows if ev.resource is not None else [])
    return []


def decision_details(ev: Evaluation) -> dict[str, Decision]:
    if not ev.cross_account:
        return {}
    out = {IAM_POLICY_TYPE: ev.identity_side}
    if ev.resource_side is not None:
        out[RESOURCE_POLICY_TYPE] = ev.resource_side
    else:
        out[RESOURCE_POLICY_TYPE] = _IMPLICIT_DENY
    return out


def summed_advisory(results: list[ResourceResult]) -> str | None:
    """Each distinct advisory once, with how many of the resources it concerns."""
    if len(results) == 1:
        return results[0].advisory
    counts: dict[str, int] = {}
    for r in results:
        if r.advisory:
            counts[r.advisory] = counts.get(r.advisory, 0) + 1
    if not counts:
        return None
    total = len(results)
    return "; ".join(f"{text} ({n} of {total} resources)" for text, n in counts.items())


def all_allowed(values: list[bool | None]) -> bool | None:
    """None when no resource's answer had the policy group in play; else False when one denied."""
    in_play = False
    for v in values:  # (a loop: two generators cost more, for every action)
        if v is False:
            return False
        if v is not None:
            in_play = True
    return True if in_play else None


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
        # result is shown there, so the top level only sums it up (lines looked up in a
        # table, not written: given now rather than left pending).
        answer = per_resource[0]
        rr, ev = answer.result, answer.evaluation
        # Positional, in EvaluationResult's field order (built for every action).
        return EvaluationResult(
            action,
            rr.resource,
            rr.decision,
            rr.matched_statements,
            ev.missing if star_only else (),  # missing_context_values
            dict(rr.decision_details),
            ev.organizations_allowed,
            rr.permissions_boundary_allowed,
            (rr,),  # resource_results
            rr.enforced_decision,
            rr.advisory,
            answer.explanation if star_only or not answer.explanation else summary_lines((rr,)),
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
    explanation: tuple[str, ...] | PendingSummary = ()
    for a in per_resource:
        if a.explanation:
            explanation = PendingSummary(tuple(rrs))
            break
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
