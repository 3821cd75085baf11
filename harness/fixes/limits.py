"""Limits a fix does not change, and how a note names them.

An SCP or RCP is set by the organization's administrators, a permissions boundary by whoever
may delegate, a session policy by the caller when the session starts; each can only narrow
what the identity and resource policies allow
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
A fix never proposes to edit one silently: when a cell stays denied with every change a fix
can make, the cell is evaluated with the limits left out, and each limit whose presence
alone keeps it denied is named in the note, with what must change. Nothing about it is
proven against the real organization: `verified` stays false.
"""

from __future__ import annotations

from harness.account import AccountModel
from harness.cells import Cell, CellDecision
from harness.engine.errors import SimulationError
from harness.engine.types import SimulationInput
from harness.fixes.reevaluate import Limit, Reevaluator

ALL_LIMITS = frozenset(Limit)

_WHY = {
    Limit.SCP: (
        "a service control policy on the account's organization path denies {action} or does not "
        "allow it; SCPs are changed in AWS Organizations by its administrators "
        "(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html)"
    ),
    Limit.RCP: (
        "a resource control policy of the resource's account denies {action} or does not allow it; "
        "RCPs are changed in AWS Organizations by its administrators "
        "(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)"
    ),
    Limit.BOUNDARY: (
        "the permissions boundary of {principal} denies {action} or does not allow it; the boundary "
        "must allow it too "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)"
    ),
    Limit.SESSION: (
        "the session policy denies {action} or does not allow it; the session must be started with "
        "a policy that allows it "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session)"
    ),
}


def allowed_without_limits(reevaluator: Reevaluator, cell: Cell, model: AccountModel | None) -> bool:
    return reevaluator.answer(cell, model, ALL_LIMITS).judged(cell) is CellDecision.ALLOWED


def blocking_limits(reevaluator: Reevaluator, cell: Cell, model: AccountModel | None) -> tuple[Limit, ...]:
    """The limits of the request that, each kept alone with the others lifted, keep `cell` denied
    (a cell allowed with all of them lifted). Where no single one does, all present are named."""
    try:  # which limits the request has: its input suffices, no evaluation needed
        request: SimulationInput | None = reevaluator.request(cell, model)
    except SimulationError:
        request = None
    present = _present(request)
    found = tuple(
        limit
        for limit in present
        if reevaluator.answer(cell, model, ALL_LIMITS - {limit}).judged(cell) is not CellDecision.ALLOWED
    )
    return found or present


def _present(request: SimulationInput | None) -> tuple[Limit, ...]:
    if request is None:
        return tuple(Limit)
    has = {
        Limit.SCP: bool(request.scp_levels),
        Limit.RCP: bool(request.rcp_levels),
        Limit.BOUNDARY: bool(request.permissions_boundaries),
        Limit.SESSION: bool(request.session_policies),
    }
    return tuple(limit for limit in Limit if has[limit])


def describe(limits: tuple[Limit, ...], cell: Cell) -> str:
    principal = cell.subject.label
    return "; ".join(_WHY[limit].format(action=cell.action, principal=principal) for limit in limits)
