"""Batches of cells -> simulator requests, within what the API accepts.

Which parameters go where, per the IAM API reference
(API_SimulatePrincipalPolicy.html, API_SimulateCustomPolicy.html):

- Principal mode (SimulatePrincipalPolicy): PolicySourceArn is the identity;
  PolicyInputList adds policies; PolicyExclusionList leaves account policies
  out (managed by ARN; inline by name with AttachmentType/AttachmentName).
  There is no input for SCPs: AWS applies the account's own.
- Custom mode (SimulateCustomPolicy): PolicyInputList is required; SCP levels
  go in OrderedOrganizationPolicyInputList, root first (at most 7 levels).
- CallerArn accepts only an IAM user ARN. It is required with a
  ResourcePolicy unless PolicySourceArn is itself a user. A role or role
  session caller is simulated through a stand-in user (standin.py): the role
  as PolicySourceArn, the stand-in as CallerArn, the resource policy's
  entries naming the role rewritten to the stand-in. PolicySourceArn takes a
  user, group or role, so a session principal is sent as its role.
- ResourceOwner is an account ARN (`arn:PARTITION:iam::ACCOUNT:root`); a
  bare account id is turned into one.
- ContextEntries carry a ContextKeyType from the API's enum.
- Neither API has an input for session policies or RCPs. Session policies only
  restrict, so a cell with one is an error (AWS would over-report access);
  RCPs are noted as a simulator gap on the result.

A batch (cells sharing everything but action and resource) becomes one or
more requests over ActionNames x ResourceArns: resources that are asked the
same actions share a request, and lists are split at `max_actions` x
`max_resources`. Parameters are canonical (sorted), so identical requests
from different scenario files have the same key and are sent once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from harness.backends.aws import standin
from harness.backends.batching import Batch
from harness.cells import Cell
from harness.engine.context import CONTEXT_KEY_TYPES
from harness.engine.types import PolicySource

_TYPE_BY_LOWER = {t.lower(): t for t in CONTEXT_KEY_TYPES}
IAM_USER_ARN = re.compile(r"^arn:[\w-]+:iam::\d{12}:user/.+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
MAX_SCP_LEVELS = 7

ROLE_CALLER_GAP = (
    "AWS's simulator cannot simulate this caller against a resource policy: CallerArn accepts only "
    "IAM users, and a stand-in user answers only for roles and role sessions"
)
ROLE_POLICIES_UNSEEN = (
    "the role's own policies were not checked for keys a stand-in user would not share "
    "(aws:userid, aws:username, aws:PrincipalTag/*): pass --iam-account with a capture holding the role"
)
STAND_IN_GAP = (
    "AWS's simulator takes only IAM users as CallerArn: role and session callers were simulated "
    "through a stand-in user (via: stand-in caller)"
)
RCP_GAP = "AWS's simulator does not evaluate resource control policies (RCPs): they were not applied"
TRUST_GAP = (
    "AWS's simulator ignores role trust policies for sts:AssumeRole*: the answer reflects "
    "identity policies only"
)


class RequestRefused(Exception):
    """This batch cannot be sent to AWS as written; every cell in it is an error."""


@dataclass
class PlannedRequest:
    """One logical request (all its pages) and the cells it answers."""

    operation: str
    params: dict[str, Any]
    cells: list[Cell]
    origins: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    via: str | None = None

    @property
    def key(self) -> str:
        return self.operation + json.dumps(self.params, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class CallerPlan:
    """How a role or session caller is presented to the simulator, learnt by the backend.

    `policy_source_arn` replaces a session principal by its role; `boundary`
    says whether the role has a permissions boundary (None: unknown);
    `referenced` adds condition keys of the role's own policies when known.
    """

    stand_in_user: str = standin.DEFAULT_STAND_IN_USER
    policy_source_arn: str | None = None
    boundary: bool | None = None
    referenced: frozenset[str] = frozenset()
    role_policies_seen: bool = False
    error: str | None = None


def plan_batch(
    batch: Batch, *, partition: str, max_actions: int, max_resources: int, caller: CallerPlan | None = None
) -> list[PlannedRequest]:
    """The requests that answer `batch`; raises RequestRefused when AWS cannot answer it."""
    operation, common, origins, warnings, via = _common_params(batch, partition, caller or CallerPlan())
    out: list[PlannedRequest] = []
    for actions, resources in _shapes(batch.cells):
        for a_start in range(0, len(actions), max_actions):
            chunk_actions = actions[a_start : a_start + max_actions]
            for r_start in range(0, len(resources), max_resources):
                chunk_resources = resources[r_start : r_start + max_resources]
                wanted_a, wanted_r = set(chunk_actions), set(chunk_resources)
                cells = [c for c in batch.cells if c.action in wanted_a and c.resource in wanted_r]
                if not cells:
                    continue
                params = dict(common)
                params["ActionNames"] = list(chunk_actions)
                params["ResourceArns"] = list(chunk_resources)
                cell_warnings = list(warnings)
                if any(a.lower().startswith("sts:assumerole") for a in chunk_actions):
                    cell_warnings.append(TRUST_GAP)
                out.append(PlannedRequest(operation, params, cells, origins, tuple(cell_warnings), via))
    return out


def _shapes(cells: list[Cell]) -> list[tuple[list[str], list[str]]]:
    """(actions, resources) rectangles covering the cells; resources asked the same actions share one."""
    by_resource: dict[str, set[str]] = {}
    for cell in cells:
        by_resource.setdefault(cell.resource, set()).add(cell.action)
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for resource, actions in by_resource.items():
        by_actions.setdefault(tuple(sorted(actions)), []).append(resource)
    return [(list(actions), sorted(resources)) for actions, resources in by_actions.items()]


def _common_params(
    batch: Batch, partition: str, plan: CallerPlan
) -> tuple[str, dict[str, Any], dict[str, str], list[str], str | None]:
    key = batch.key
    subject = key.subject
    params: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings: list[str] = []
    if subject.session_policies:
        raise RequestRefused(
            "AWS's simulator has no input for session policies, so its answer would ignore them "
            "(a session policy only restricts); evaluate this scenario with --iam-backend offline"
        )
    if key.rcp_levels:
        warnings.append(RCP_GAP)
    if subject.mode == "principal":
        operation = "SimulatePrincipalPolicy"
        params["PolicySourceArn"] = plan.policy_source_arn or subject.principal_arn
        if key.scp_levels:
            raise RequestRefused(
                "SimulatePrincipalPolicy takes no SCP input (AWS applies the account's own SCPs); "
                "write the scenario in custom mode (policies:) to test given SCPs"
            )
        if key.policy_exclusions:
            params["PolicyExclusionList"] = [
                _exclusion(e, subject.principal_arn or "") for e in key.policy_exclusions
            ]
    else:
        operation = "SimulateCustomPolicy"
        if not subject.identity_policies:
            raise RequestRefused("SimulateCustomPolicy needs at least one identity policy (PolicyInputList)")
        if key.policy_exclusions:
            raise RequestRefused("policy exclusions apply only to principal mode (SimulatePrincipalPolicy)")
        if key.scp_levels:
            if len(key.scp_levels) > MAX_SCP_LEVELS:
                raise RequestRefused(
                    f"{len(key.scp_levels)} SCP levels: OrderedOrganizationPolicyInputList "
                    f"accepts at most {MAX_SCP_LEVELS}"
                )
            params["OrderedOrganizationPolicyInputList"] = [
                {"ServiceControlPolicyInputList": [p.text for p in level]} for level in key.scp_levels
            ]
    if subject.identity_policies:
        params["PolicyInputList"] = [p.text for p in subject.identity_policies]
        _name(origins, "PolicyInputList", subject.identity_policies)
    if subject.permissions_boundaries:
        params["PermissionsBoundaryPolicyInputList"] = [p.text for p in subject.permissions_boundaries]
        _name(origins, "PermissionsBoundaryPolicyInputList", subject.permissions_boundaries)
    if key.resource_policy is not None:
        params["ResourcePolicy"] = key.resource_policy.text
        origins["ResourcePolicy"] = key.resource_policy.origin or "ResourcePolicy"
    if key.resource_owner:
        params["ResourceOwner"] = _owner_arn(key.resource_owner, partition)
    context = [_context_entry(e.key, e.values, e.type) for e in key.context]
    via = None
    stand_in = _stand_in(batch, plan)
    if stand_in is not None:
        via = standin.VIA
        _use_stand_in(batch, plan, stand_in, params, origins, context, warnings)
        warnings.append(STAND_IN_GAP)
    else:
        caller = _caller(batch, warnings)
        if caller:
            params["CallerArn"] = caller
    if context:
        params["ContextEntries"] = context
    return operation, params, origins, warnings, via


def _stand_in(batch: Batch, plan: CallerPlan) -> standin.StandIn | None:
    """The stand-in for this batch's caller: only with a resource policy and a role or session caller."""
    subject = batch.key.subject
    who = subject.caller_arn or subject.principal_arn
    if batch.key.resource_policy is None or not who or IAM_USER_ARN.match(who):
        return None
    if subject.caller_arn and subject.principal_arn and IAM_USER_ARN.match(subject.principal_arn):
        return None  # a user's own request: the existing rule (caller dropped) applies
    role_arn = plan.policy_source_arn if who == subject.principal_arn else None
    found = standin.stand_in_for(who, plan.stand_in_user, role_arn=role_arn)
    if found is not None and plan.error:
        raise RequestRefused(f"cannot simulate {who} through a stand-in user: {plan.error}")
    return found


def _use_stand_in(
    batch: Batch,
    plan: CallerPlan,
    stand_in: standin.StandIn,
    params: dict[str, Any],
    origins: dict[str, str],
    context: list[dict[str, Any]],
    warnings: list[str],
) -> None:
    key = batch.key
    subject = key.subject
    assert key.resource_policy is not None
    given = [e.key for e in key.context]
    documents = (*subject.identity_policies, *subject.permissions_boundaries, key.resource_policy)
    unshared = standin.unshared_keys(referenced_keys(documents) | plan.referenced, given)
    if unshared:
        raise RequestRefused(
            f"cannot simulate {stand_in.caller.arn} through a stand-in user: the policies use "
            f"{', '.join(unshared)}, which the stand-in would not share with the role; set "
            f"{'it' if len(unshared) == 1 else 'them'} in the scenario's context"
        )
    boundary = bool(subject.permissions_boundaries) or plan.boundary
    if subject.mode == "custom":
        boundary = bool(subject.permissions_boundaries)  # custom mode: the scenario gives every policy
    try:
        rewrite = standin.rewrite_resource_policy(key.resource_policy.text, stand_in, boundary=boundary)
    except standin.NotFaithful as exc:
        who = stand_in.caller.arn
        raise RequestRefused(f"cannot simulate {who} through a stand-in user: {exc}") from None
    params["ResourcePolicy"] = rewrite.text
    if rewrite.rewritten:
        origins["ResourcePolicy"] = f"{origins.get('ResourcePolicy', 'ResourcePolicy')} (Principal rewritten)"
    params["CallerArn"] = stand_in.user_arn
    if subject.mode == "principal" and not plan.role_policies_seen:
        warnings.append(ROLE_POLICIES_UNSEEN)
    for name, value in standin.added_context(stand_in, given):
        context.append(_context_entry(name, (value,), "string"))
    context.sort(key=lambda e: e["ContextKeyName"].lower())


def referenced_keys(documents: tuple[PolicySource, ...]) -> frozenset[str]:
    """Condition keys (and policy variables) the documents use; a malformed one is AWS's to report."""
    from harness.engine.errors import MalformedPolicyDocument
    from harness.engine.policy import compile_policy

    out: set[str] = set()
    for doc in documents:
        try:
            out |= compile_policy(doc).condition_keys
        except MalformedPolicyDocument:
            continue
    return frozenset(out)


def _caller(batch: Batch, warnings: list[str]) -> str | None:
    key = batch.key
    subject = key.subject
    caller = subject.caller_arn
    principal_is_user = bool(subject.principal_arn and IAM_USER_ARN.match(subject.principal_arn))
    if caller and IAM_USER_ARN.match(caller):
        return caller
    if key.resource_policy is not None and not principal_is_user:
        who = caller or subject.principal_arn or "no caller"
        raise RequestRefused(f"{ROLE_CALLER_GAP} (caller: {who}); use the offline backend for this scenario")
    if caller:
        warnings.append(f"CallerArn {caller} not sent: AWS's simulator accepts only IAM user ARNs")
    return None


def _owner_arn(owner: str, partition: str) -> str:
    return f"arn:{partition}:iam::{owner}:root" if ACCOUNT_ID.match(owner) else owner


_ATTACHED = re.compile(r"^(?P<type>user|group|role)/(?P<name>[^:]+):(?P<policy>.+)$")
_PRINCIPAL = re.compile(
    r"^arn:[\w-]+:(?:iam|sts)::\d{12}:(?P<kind>user|group|role|assumed-role)/(?P<rest>.+)$"
)


def _exclusion(entry: str, principal_arn: str) -> dict[str, Any]:
    """A PolicyIdentifier: a managed policy by ARN, or an inline policy with where it is attached.

    The API wants an inline policy's AttachmentType and AttachmentName; a bare
    name means the principal's own inline policy, `group/NAME:POLICY` one of
    its groups' (or `user/`, `role/`).
    """
    if entry.startswith("arn:"):
        return {"PolicyArn": entry}
    attached = _ATTACHED.match(entry)
    if attached:
        kind, name, policy = attached["type"], attached["name"], attached["policy"]
    else:
        principal = _PRINCIPAL.match(principal_arn)
        if principal is None:
            raise RequestRefused(
                f"cannot exclude inline policy {entry!r}: {principal_arn} is not an IAM identity"
            )
        kind = "role" if principal["kind"] == "assumed-role" else principal["kind"]
        rest = principal["rest"]
        name = rest.split("/", 1)[0] if principal["kind"] == "assumed-role" else rest.rsplit("/", 1)[-1]
        policy = entry
    return {"InlinePolicyIdentifier": {"PolicyName": policy, "AttachmentType": kind, "AttachmentName": name}}


def _context_entry(key: str, values: tuple[str, ...], key_type: str) -> dict[str, Any]:
    api_type = _TYPE_BY_LOWER.get((key_type or "string").lower())
    if api_type is None:
        raise RequestRefused(
            f"context key {key}: type {key_type!r} is not a ContextKeyType "
            f"(one of {', '.join(CONTEXT_KEY_TYPES)})"
        )
    return {"ContextKeyName": key, "ContextKeyValues": list(values), "ContextKeyType": api_type}


def _name(origins: dict[str, str], parameter: str, docs: tuple[PolicySource, ...]) -> None:
    # AWS names a submitted document by its parameter and 1-based position.
    for i, doc in enumerate(docs, 1):
        origins[f"{parameter}.{i}"] = doc.origin or doc.source_id
