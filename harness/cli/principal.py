"""`harness simulate-principal-policy --account MODEL`: one request answered from the account model.

AWS's SimulatePrincipalPolicy reads no resource policy by itself: a resource policy counts
only when the request carries it in ResourcePolicy
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
ResourceArns and ResourcePolicy). Offline, the account model holds each resource's policy
(a KMS key's key policy, which KMS always applies), so each resource gets what the model
holds for it, through harness.account.resource_inputs: the pick scenarios and `harness who-can`
use, so one question gets one answer whichever tool asks. ResourcePolicy, ResourceOwner and
ContextEntries in the request win, as in the AWS CLI. (Our reading: it answers what the
request would meet in the account, as if the model's policy had been passed as
ResourcePolicy; docs/account-model.md.) A resource whose policy the capture could not read
is an error (CaptureGap), never answered as if it had none.

One simulation carries one resource policy, so resources whose policies (or owners, or
context) differ are simulated apart and their results joined into one EvaluationResult per
action, as the IAM API sums up several resources
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html): the
decision is the most restrictive over the resources, MatchedStatements the statements
behind it, EvalDecisionDetails the most restrictive per policy type, and
ResourceSpecificResults one per resource, in the request's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from harness.account.model import AccountModel, CaptureGap
from harness.account.resource_inputs import GivenResourceInputs, resource_inputs
from harness.engine import Engine
from harness.engine.aggregate import all_allowed, merged_details, summed_advisory, worst
from harness.engine.render import PendingSummary
from harness.engine.types import (
    ContextEntry,
    EvaluationResult,
    PolicySource,
    SimulationInput,
    SimulationOutput,
)


@dataclass(frozen=True)
class _Inputs:
    policy: PolicySource | None
    owner: str | None
    context: tuple[ContextEntry, ...]


@dataclass(frozen=True)
class PrincipalInputs:
    """A request as the model answers it: one simulation per group of resources alike."""

    resource_arns: tuple[str, ...]  # as the request lists them
    inputs: tuple[SimulationInput, ...]


def principal_inputs(model: AccountModel, request: Mapping[str, Any]) -> PrincipalInputs:
    """The simulations a SimulatePrincipalPolicy request makes on the model (CaptureGap, InvalidInput...)."""
    base = model.simulation_input_from_api(request)  # checks the request and the identity
    given = GivenResourceInputs(
        policy=base.resource_policy,
        policy_named=base.resource_policy is not None,
        owner=base.resource_owner,
        context=base.context,
    )
    groups: dict[_Inputs, list[str]] = {}
    for resource in base.resource_arns:
        picked = resource_inputs(model, resource, given)
        if picked.gap is not None:
            raise CaptureGap(
                f"{resource}: {picked.gap} (account model {model.path}); "
                "give the resource's policy as ResourcePolicy to answer without the model's"
            )
        groups.setdefault(_Inputs(picked.policy, picked.owner, picked.context), []).append(resource)
    return PrincipalInputs(
        base.resource_arns,
        tuple(_input_for(model, base, inputs, resources) for inputs, resources in groups.items()),
    )


def _input_for(
    model: AccountModel, base: SimulationInput, inputs: _Inputs, resources: Sequence[str]
) -> SimulationInput:
    # The identity's side (policies after exclusions, boundary, handling option) is the request's;
    # the resource's side is picked. RCPs follow the resource's owner: asked again if it changed.
    if inputs.owner == base.resource_owner:
        return replace(
            base, resource_arns=tuple(resources), resource_policy=inputs.policy, context=inputs.context
        )
    inp = model.simulation_input_for(
        base.principal_arn or "",
        base.action_names,
        resources,
        context=inputs.context,
        resource_policy=inputs.policy,
        resource_owner=inputs.owner,
        caller_arn=base.caller_arn,
    )
    return replace(
        inp,
        identity_policies=base.identity_policies,
        permissions_boundaries=base.permissions_boundaries,
        resource_handling_option=base.resource_handling_option,
    )


def answer_principal(engine: Engine, model: AccountModel, request: Mapping[str, Any]) -> SimulationOutput:
    """The engine's answer to a SimulatePrincipalPolicy request on the account model."""
    planned = principal_inputs(model, request)
    if len(planned.inputs) == 1:
        return engine.simulate(planned.inputs[0])
    outputs = [engine.simulate(inp) for inp in planned.inputs]
    order: dict[str, int] = {}
    for n, resource in enumerate(planned.resource_arns):
        order.setdefault(resource, n)
    results = tuple(
        _joined([out.results[i] for out in outputs], order) for i in range(len(outputs[0].results))
    )
    warnings = tuple(dict.fromkeys(w for out in outputs for w in out.warnings))
    return SimulationOutput(results=results, warnings=warnings)


def _joined(parts: Sequence[EvaluationResult], order: Mapping[str, int]) -> EvaluationResult:
    """One action's results over groups of resources, as one result over all of them."""
    rrs = sorted((rr for part in parts for rr in part.resource_results), key=lambda r: order[r.resource])
    decision = worst([r.decision for r in rrs])
    matched = tuple(dict.fromkeys(s for r in rrs if r.decision is decision for s in r.matched_statements))
    return EvaluationResult(
        action=parts[0].action,
        resource="*",
        decision=decision,
        matched_statements=matched,
        decision_details=merged_details(rrs),
        organizations_allowed=all_allowed([p.organizations_allowed for p in parts]),
        permissions_boundary_allowed=all_allowed([r.permissions_boundary_allowed for r in rrs]),
        resource_results=tuple(rrs),
        enforced_decision=worst([r.enforced_decision or r.decision for r in rrs]),
        advisory=summed_advisory(list(rrs)),
        explanation=PendingSummary(tuple(rrs)),
    )

