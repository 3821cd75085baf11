"""Batches of cells -> simulator requests, within what the API accepts.

Which parameters go where, per the IAM API reference
(API_SimulatePrincipalPolicy.html, API_SimulateCustomPolicy.html, as botocore's
IAM service model of 2026-07-30 has it; limits.py holds the shapes):

- Principal mode (SimulatePrincipalPolicy): PolicySourceArn is the identity;
  PolicyInputList adds policies; PolicyExclusionList leaves account policies
  out (managed by ARN; inline by name with AttachmentType/AttachmentName; at
  most 256 entries). There is no input for SCPs: AWS applies the account's own.
- Custom mode (SimulateCustomPolicy): PolicyInputList is required; SCP levels
  go in OrderedOrganizationPolicyInputList, root first (at most 7 levels).
- CallerArn takes an IAM user, group or role, never an assumed role, a
  federated user or a service principal, and defaults to PolicySourceArn; a
  ResourcePolicy needs a caller for its Principal to match. A role caller
  against a resource policy is sent as itself (`via: direct`); a session as its
  role where that is the same question (callers.py); otherwise, or once the
  simulator refuses role callers in that account, through a stand-in user
  (standin.py, `via: stand-in caller`). The backend chooses the path
  (CallerPlan.via); callers.py says why.
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

from harness.backends.aws import callers, limits, standin
from harness.backends.aws.callers import IAM_USER_ARN, Via
from harness.backends.batching import Batch
from harness.cells import Cell
from harness.engine.context import CONTEXT_KEY_TYPES
from harness.engine.principals import parse_caller
from harness.engine.types import PolicySource

_TYPE_BY_LOWER = {t.lower(): t for t in CONTEXT_KEY_TYPES}
ACCOUNT_ID = re.compile(r"^\d{12}$")
MAX_SCP_LEVELS = limits.MAX_SCP_LEVELS

ROLE_CALLER_GAP = (
    "AWS's simulator cannot simulate this caller against a resource policy: CallerArn takes an IAM "
    "user, group or role (not an assumed-role session, a federated user or a service principal), and "
    "a stand-in user answers only for roles and role sessions"
)
ROLE_POLICIES_UNSEEN = (
    "the role's own policies were not checked for keys a stand-in user would not share "
    "(aws:userid, aws:username, aws:PrincipalTag/*): pass --iam-account with a capture holding the role"
)
SESSION_POLICIES_UNSEEN = (
    "the role's own policies were not checked for keys whose value belongs to the session "
    "(aws:userid, aws:PrincipalTag/*, ...): pass --iam-account with a capture holding the role"
)
STAND_IN_GAP = "role and session callers were simulated through a stand-in user (via: stand-in caller)"
RCP_GAP = "AWS's simulator does not evaluate resource control policies (RCPs): they were not applied"
TRUST_GAP = (
    "AWS's simulator ignores role trust policies for sts:AssumeRole*: the answer reflects "
    "identity policies only"
)


class RequestRefused(Exception):
    """This batch cannot be sent to AWS as written; every cell in it is an error."""


@dataclass
class PlannedRequest:
    """One logical request (all its pages) and the cells it answers.

    `direct_caller`: the role sent as CallerArn on the direct path (the backend learns from
    its answer whether the account's simulator takes role callers). `scp_conditions`: the
    request's SCPs use condition keys (what the simulator did with them depends on its
    generation, results.py).
    """

    operation: str
    params: dict[str, Any]
    cells: list[Cell]
    origins: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    via: str | None = None
    direct_caller: str | None = None
    scp_conditions: bool = False

    @property
    def key(self) -> str:
        return self.operation + json.dumps(self.params, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class CallerPlan:
    """How a role or session caller is presented to the simulator, decided by the backend.

    `via`: the path to take (direct, or the stand-in); `stand_in_allowed`: False when
    caller_mode=direct; `stand_in_reason`: why the stand-in, for the cell's warning.
    `policy_source_arn` replaces a session principal by its role (with its path);
    `boundary` says whether the role has a permissions boundary (None: unknown);
    `referenced` adds condition keys of the role's own policies when known.
    """

    stand_in_user: str = standin.DEFAULT_STAND_IN_USER
    via: Via = Via.DIRECT
    stand_in_allowed: bool = True
    stand_in_reason: str = ""
    policy_source_arn: str | None = None
    boundary: bool | None = None
    referenced: frozenset[str] = frozenset()
    role_policies_seen: bool = False
    error: str | None = None


@dataclass
class _Draft:
    """The parameters shared by every request of a batch, as they are worked out."""

    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    context: list[dict[str, Any]] = field(default_factory=list)
    via: str | None = None
    direct_caller: str | None = None


def plan_batch(
    batch: Batch, *, partition: str, max_actions: int, max_resources: int, caller: CallerPlan | None = None
) -> list[PlannedRequest]:
    """The requests that answer `batch`; raises RequestRefused when AWS cannot answer it."""
    draft = _common_params(batch, partition, caller or CallerPlan())
    scp_conditions = bool(referenced_keys(tuple(p for level in batch.key.scp_levels for p in level)))
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
                params = {**draft.params, "ActionNames": list(chunk_actions)}
                params["ResourceArns"] = list(chunk_resources)
                _check_limits(draft.operation, params)
                cell_warnings = list(draft.warnings)
                if any(a.lower().startswith("sts:assumerole") for a in chunk_actions):
                    cell_warnings.append(TRUST_GAP)
                request = PlannedRequest(draft.operation, params, cells, draft.origins, tuple(cell_warnings))
                request.via, request.direct_caller = draft.via, draft.direct_caller
                request.scp_conditions = scp_conditions
                out.append(request)
    return out


def _check_limits(operation: str, params: dict[str, Any]) -> None:
    found = limits.problem(operation, params)
    if found:
        raise RequestRefused(f"{operation} would be refused: {found}")


def _shapes(cells: list[Cell]) -> list[tuple[list[str], list[str]]]:
    """(actions, resources) rectangles covering the cells; resources asked the same actions share one."""
    by_resource: dict[str, set[str]] = {}
    for cell in cells:
        by_resource.setdefault(cell.resource, set()).add(cell.action)
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for resource, actions in by_resource.items():
        by_actions.setdefault(tuple(sorted(actions)), []).append(resource)
    return [(list(actions), sorted(resources)) for actions, resources in by_actions.items()]


def _common_params(batch: Batch, partition: str, plan: CallerPlan) -> _Draft:
    """Everything but ActionNames and ResourceArns, in named parts."""
    key = batch.key
    if key.subject.session_policies:
        raise RequestRefused(
            "AWS's simulator has no input for session policies, so its answer would ignore them "
            "(a session policy only restricts); evaluate this scenario with --iam-backend offline"
        )
    draft = _principal_params(batch, plan) if key.subject.mode == "principal" else _custom_params(batch)
    if key.rcp_levels:
        draft.warnings.append(RCP_GAP)
    _policy_params(batch, partition, draft)
    _caller_params(batch, plan, draft)
    if draft.context:
        draft.params["ContextEntries"] = draft.context
    return draft


def _principal_params(batch: Batch, plan: CallerPlan) -> _Draft:
    key = batch.key
    subject = key.subject
    draft = _Draft("SimulatePrincipalPolicy")
    draft.params["PolicySourceArn"] = plan.policy_source_arn or subject.principal_arn
    if key.scp_levels:
        raise RequestRefused(
            "SimulatePrincipalPolicy takes no SCP input (AWS applies the account's own SCPs); "
            "write the scenario in custom mode (policies:) to test given SCPs"
        )
    if len(key.policy_exclusions) > limits.MAX_POLICY_EXCLUSIONS:
        raise RequestRefused(
            f"{len(key.policy_exclusions)} policy exclusions: PolicyExclusionList accepts at most "
            f"{limits.MAX_POLICY_EXCLUSIONS}"
        )
    if key.policy_exclusions:
        draft.params["PolicyExclusionList"] = [
            _exclusion(e, subject.principal_arn or "") for e in key.policy_exclusions
        ]
    return draft


def _custom_params(batch: Batch) -> _Draft:
    key = batch.key
    draft = _Draft("SimulateCustomPolicy")
    if not key.subject.identity_policies:
        raise RequestRefused("SimulateCustomPolicy needs at least one identity policy (PolicyInputList)")
    if key.policy_exclusions:
        raise RequestRefused("policy exclusions apply only to principal mode (SimulatePrincipalPolicy)")
    if len(key.scp_levels) > MAX_SCP_LEVELS:
        raise RequestRefused(
            f"{len(key.scp_levels)} SCP levels: OrderedOrganizationPolicyInputList "
            f"accepts at most {MAX_SCP_LEVELS}"
        )
    if key.scp_levels:
        draft.params["OrderedOrganizationPolicyInputList"] = [
            {"ServiceControlPolicyInputList": [p.text for p in level]} for level in key.scp_levels
        ]
    return draft


def _policy_params(batch: Batch, partition: str, draft: _Draft) -> None:
    key = batch.key
    subject = key.subject
    if subject.identity_policies:
        draft.params["PolicyInputList"] = [p.text for p in subject.identity_policies]
        _name(draft.origins, "PolicyInputList", subject.identity_policies)
    if subject.permissions_boundaries:
        draft.params["PermissionsBoundaryPolicyInputList"] = [p.text for p in subject.permissions_boundaries]
        _name(draft.origins, "PermissionsBoundaryPolicyInputList", subject.permissions_boundaries)
    if key.resource_policy is not None:
        draft.params["ResourcePolicy"] = key.resource_policy.text
        draft.origins["ResourcePolicy"] = key.resource_policy.origin or "ResourcePolicy"
    if key.resource_owner:
        draft.params["ResourceOwner"] = _owner_arn(key.resource_owner, partition)
    draft.context = [_context_entry(e.key, e.values, e.type) for e in key.context]


def _caller_params(batch: Batch, plan: CallerPlan, draft: _Draft) -> None:
    """CallerArn: the role itself, the stand-in, or the plain rules for everyone else."""
    who = callers.resource_policy_caller(batch.key)
    if who is None:
        caller = _caller(batch, draft.warnings)
        if caller:
            draft.params["CallerArn"] = caller
        return
    reason = plan.stand_in_reason
    if plan.via is Via.DIRECT:
        differs = _session_differs(batch, plan, who)
        if differs is None:
            _use_direct(batch, plan, who, draft)
            return
        if not plan.stand_in_allowed:
            raise RequestRefused(
                f"cannot send {who} as its role: {differs}; caller_mode=direct takes no stand-in "
                "(use caller_mode=auto, or set the keys in the scenario's context)"
            )
        reason = differs
    try:
        _use_stand_in(batch, plan, _stand_in(batch, plan, who), draft)
    except RequestRefused as exc:
        raise RequestRefused(f"{reason}; {exc}" if reason else str(exc)) from None
    draft.via = Via.STAND_IN
    draft.warnings.append(f"{STAND_IN_GAP}: {reason}" if reason else STAND_IN_GAP)


def _role_arn(batch: Batch, plan: CallerPlan, who: str) -> str:
    """The role behind `who`: itself, or a session's role (with its path when the backend read it)."""
    caller = parse_caller(who)
    if caller.kind == "role":
        return who
    if who == batch.key.subject.principal_arn and plan.policy_source_arn:
        return plan.policy_source_arn
    return caller.role_arn or who


def _session_differs(batch: Batch, plan: CallerPlan, who: str) -> str | None:
    """Why a session caller is not the same question as its role (None: it is; roles: None)."""
    if parse_caller(who).kind != "assumed-role":
        return None
    if who == batch.key.subject.principal_arn and plan.error:
        return f"its role could not be read ({plan.error})"
    key = batch.key
    documents = (*key.subject.identity_policies, *key.subject.permissions_boundaries)
    documents += (key.resource_policy,) if key.resource_policy is not None else ()
    named = callers.names_a_session(who, documents)
    if named:
        return f"{named} names a session of the role, so {who} and its role are different callers"
    used = callers.session_keys_used(
        referenced_keys(documents) | plan.referenced, [e.key for e in key.context]
    )
    if used:
        return f"the policies use {', '.join(used)}, whose value belongs to the session, not the role"
    return None


def _use_direct(batch: Batch, plan: CallerPlan, who: str, draft: _Draft) -> None:
    role = _role_arn(batch, plan, who)
    draft.params["CallerArn"] = role
    if who == batch.key.subject.principal_arn:
        draft.params["PolicySourceArn"] = role
    draft.via, draft.direct_caller = Via.DIRECT, role
    if role != who:
        draft.warnings.append(
            f"{who} sent as its role {role}: the simulator takes no session as caller, and no policy "
            "the harness sees tells the two apart"
        )
        if batch.key.subject.mode == "principal" and not plan.role_policies_seen:
            draft.warnings.append(SESSION_POLICIES_UNSEEN)


def _stand_in(batch: Batch, plan: CallerPlan, who: str) -> standin.StandIn:
    subject = batch.key.subject
    role_arn = plan.policy_source_arn if who == subject.principal_arn else None
    found = standin.stand_in_for(who, plan.stand_in_user, role_arn=role_arn)
    assert found is not None  # resource_policy_caller returns roles and sessions only
    if plan.error:
        raise RequestRefused(f"cannot simulate {who} through a stand-in user: {plan.error}")
    return found


def _use_stand_in(batch: Batch, plan: CallerPlan, stand_in: standin.StandIn, draft: _Draft) -> None:
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
    draft.params["ResourcePolicy"] = rewrite.text
    if rewrite.rewritten:
        origin = draft.origins.get("ResourcePolicy", "ResourcePolicy")
        draft.origins["ResourcePolicy"] = f"{origin} (Principal rewritten)"
    draft.params["CallerArn"] = stand_in.user_arn
    if subject.mode == "principal" and not plan.role_policies_seen:
        draft.warnings.append(ROLE_POLICIES_UNSEEN)
    for name, value in standin.added_context(stand_in, given):
        draft.context.append(_context_entry(name, (value,), "string"))
    draft.context.sort(key=lambda e: e["ContextKeyName"].lower())


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
    """CallerArn for a caller the direct and stand-in paths do not handle."""
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
        warnings.append(
            f"CallerArn {caller} not sent: without a resource policy no Principal needs it "
            "(and the simulator takes no session, federated or service caller)"
        )
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
