"""Organizations policies (SCPs, RCPs) and their attachments applied to the account model.

SCPs and RCPs apply at every level from the root down to the account
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html); the model
holds them per level (root, OU or account id), each named by the policy's name. A policy whose
content or target is known only after apply makes the organization policies of the accounts
below that target (all accounts, when the target is unknown) a gap: their cells are errors.
"""

from __future__ import annotations

from typing import Any

from harness.account.gaps import SectionGap
from harness.engine.types import PolicyKind, PolicySource
from harness.plans.changes import PlannedResource, Unknown
from harness.plans.patcher import Patcher, is_delete

_KINDS = {
    "SERVICE_CONTROL_POLICY": ("scps", PolicyKind.SCP),
    "RESOURCE_CONTROL_POLICY": ("rcps", PolicyKind.RCP),
}


def org_policy_outputs(p: Patcher, r: PlannedResource) -> dict[str, Any]:
    policy_id = p.value(r, "id")
    return {"id": policy_id if isinstance(policy_id, str) else f"(policy {r.source.address})"}


def put_org_policy(p: Patcher, r: PlannedResource) -> None:
    """A changed or deleted policy changes every level it is attached to (matched by name)."""
    kind = _KINDS.get(str(p.value(r, "type") or "SERVICE_CONTROL_POLICY"))
    name = p.value(r, "name")
    if kind is None or not isinstance(name, str):
        return  # tag and backup policies grant nothing
    table = getattr(p.model, kind[0])
    text = p.text(r, "content")
    for level, docs in list(table.items()):
        if not any(d.source_id == name for d in docs):
            continue
        _mark_below(p, r, level)
        kept = tuple(d for d in docs if d.source_id != name)
        if is_delete(r):
            table[level] = kept
        elif isinstance(text, Unknown):
            _gap_below(p, r, level, text)
        elif text is not None:
            table[level] = (*kept, _source(p, r, name, text, kind[1]))


def put_org_attachment(p: Patcher, r: PlannedResource) -> None:
    target, policy_id = p.value(r, "target_id"), p.value(r, "policy_id")
    if not isinstance(target, str):
        _gap_below(p, r, None, target if isinstance(target, Unknown) else Unknown("target_id", "missing"))
        return
    policy = next((x for x in p.plan.resources if _is_policy_with_id(p, x, policy_id)), None)
    _mark_below(p, r, target)
    if policy is None:
        _gap_below(p, r, target, Unknown("policy_id", f"policy {policy_id!r}, not in the plan"))
        return
    kind = _KINDS.get(str(p.value(policy, "type") or "SERVICE_CONTROL_POLICY"))
    name, text = p.value(policy, "name"), p.text(policy, "content")
    if kind is None:
        return
    table = getattr(p.model, kind[0])
    setattr(p.model, "has_" + kind[0], True)
    kept = tuple(d for d in table.get(target, ()) if d.source_id != name)
    if is_delete(r):
        table[target] = kept
    elif isinstance(text, Unknown) or not isinstance(name, str) or text is None:
        _gap_below(p, r, target, text if isinstance(text, Unknown) else Unknown("content", "missing"))
    else:
        table[target] = (*kept, _source(p, policy, name, text, kind[1]))


def _is_policy_with_id(p: Patcher, resource: PlannedResource, policy_id: Any) -> bool:
    if resource.type != "aws_organizations_policy":
        return False
    return p.outputs.get(resource.source.address, {}).get("id") == policy_id


def _source(p: Patcher, r: PlannedResource, name: str, text: str, kind: PolicyKind) -> PolicySource:
    return PolicySource(
        text=text,
        source_id=name,
        source_type="Organizations Policy",
        kind=kind,
        origin=p.origin(r, "content"),
    )


def _below(p: Patcher, level: str | None) -> list[str]:
    return [
        a.account_id
        for a in p.model.accounts.values()
        if level is None or level == a.account_id or level in a.organization_path
    ]


def _mark_below(p: Patcher, r: PlannedResource, level: str) -> None:
    for account_id in _below(p, level):
        p.mark(f"account:{account_id}", r)


def _gap_below(p: Patcher, r: PlannedResource, level: str | None, unknown: Unknown) -> None:
    gap = SectionGap(
        "organizations", f"planned change {r.source.address}", "UnknownBeforeApply", p.gap(r, unknown)
    )
    for account_id in _below(p, level):
        account = p.model.accounts[account_id]
        account.gaps = (*account.gaps, gap)
        p.mark(f"account:{account_id}", r)
