"""Planned resources applied to a copy of the account model, with the source of each change.

The copy is the account "as it will be after apply": a created role is one of
`principals: all`, a deleted policy is gone. A value known only after apply is
never guessed: the identity, key, bucket or organization level that depends on
it carries a gap (the account model's own mechanism for what it cannot know,
harness/account/model.py), so the cells that depend on it are error cells naming
the plan resource and attribute, and unrelated cells are evaluated as usual.
The model file is never written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from harness.account.model import AccountModel
from harness.plans.changes import Plan
from harness.plans.handlers import HANDLERS, outputs_of
from harness.plans.patcher import PatchedModel, Patcher
from harness.plans.target import plan_target


def apply_plans(model: AccountModel, plans: Sequence[Plan], variables: Mapping[str, str]) -> PatchedModel:
    """A patched copy of `model`; PlanError (nothing applied) when a plan cannot be placed."""
    patched = PatchedModel(copy.deepcopy(model))
    for plan in plans:
        # The run's variables beat the model file's own `vars:` (as they do when it is loaded).
        merged = {**patched.model.variables, **variables}
        if plan.rebind is not None:  # a template's pseudo parameters may come from the model's vars
            plan = plan.rebind(merged)
        patcher = Patcher(patched, plan_target(patched.model, merged, plan.file), plan)
        _run(patcher)
    patched.model._aliases = None  # the alias index is rebuilt on first use
    _spread_sources(patched)
    return patched


def _run(patcher: Patcher) -> None:
    # Outputs first (names, ARNs, ids), so a reference to a resource later in the plan resolves.
    patcher.patched.warnings.extend(patcher.plan.warnings)
    for resource in patcher.plan.resources:
        patcher.outputs[resource.source.address] = outputs_of(patcher, resource)
    for resource in patcher.plan.resources:
        HANDLERS[resource.type](patcher, resource)


def _spread_sources(patched: PatchedModel) -> None:
    """A changed managed policy or group is the source of every identity using it."""
    sources = patched.sources
    for account in patched.model.accounts.values():
        for ident in account.identities():
            if ident.arn in sources:
                continue
            holders = [ident, *(account.groups[g] for g in ident.groups if g in account.groups)]
            for holder in holders:
                keys = [holder.arn, *holder.attached, *([holder.boundary_arn] if holder.boundary_arn else [])]
                found = next((sources[k] for k in keys if k in sources), None)
                if found is not None:
                    sources[ident.arn] = found
                    break
