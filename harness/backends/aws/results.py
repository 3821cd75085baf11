"""AWS's answer -> one CellResult per cell.

Each EvaluationResult is one action. With a list of ResourceArns the
per-resource decision is in ResourceSpecificResults; we also accept results
that carry the resource in EvalResourceName directly, so either shape works
(API_EvaluationResult.html, API_ResourceSpecificResult.html).
MatchedStatements name the policy (SourcePolicyId: `PolicyInputList.1`,
`ResourcePolicy`, or the policy's name in principal mode) and its position;
the API does not return the effect, which follows from the decision: the
statements behind an explicit deny are Deny statements, behind an allow,
Allow statements. MissingContextValues lists keys the policies used that the
request did not supply: a decision that may change once they are given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.cells import Cell, CellResult, DecidingStatement, error_result

BACKEND = "aws"
_DECISIONS = frozenset({"allowed", "explicitDeny", "implicitDeny"})


def index_results(evaluation_results: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping]:
    """(action lowercased, resource) -> the result object deciding it."""
    out: dict[tuple[str, str], Mapping[str, Any]] = {}
    for er in evaluation_results:
        action = str(er.get("EvalActionName", "")).lower()
        for rr in er.get("ResourceSpecificResults") or ():
            out.setdefault((action, str(rr.get("EvalResourceName", ""))), {**rr, "_parent": er})
        out.setdefault((action, str(er.get("EvalResourceName", "*"))), er)
    return out


def cell_result(
    cell: Cell,
    found: Mapping[str, Any] | None,
    *,
    origins: Mapping[str, str],
    warnings: tuple[str, ...] = (),
) -> CellResult:
    if found is None:
        return error_result(cell, BACKEND, f"AWS returned no result for {cell.action} on {cell.resource}")
    decision = str(found.get("EvalResourceDecision") or found.get("EvalDecision") or "")
    if decision not in _DECISIONS:
        return error_result(cell, BACKEND, f"AWS returned an unknown decision {decision!r}")
    parent = found.get("_parent") or {}
    effect = "Deny" if decision == "explicitDeny" else "Allow"
    # A resource's own statements only: the action-level list is the union over all resources.
    statements = tuple(_statement(s, effect, origins) for s in found.get("MatchedStatements") or ())
    missing_lists = (parent.get("MissingContextValues") or (), found.get("MissingContextValues") or ())
    missing = tuple(dict.fromkeys(k for keys in missing_lists for k in keys))
    notes = list(warnings)
    orgs = (parent or found).get("OrganizationsDecisionDetail") or {}
    if orgs.get("AllowedByOrganizations") is False:
        notes.append("denied by the organization's SCPs (OrganizationsDecisionDetail)")
    return CellResult(
        cell_id=cell.id,
        backend=BACKEND,
        decision=decision,
        deciding_statements=statements,
        missing_context=missing,
        warnings=tuple(notes),
    )


def _statement(raw: Mapping[str, Any], effect: str, origins: Mapping[str, str]) -> DecidingStatement:
    start = raw.get("StartPosition") or {}
    end = raw.get("EndPosition") or {}
    policy_id = str(raw.get("SourcePolicyId", ""))
    return DecidingStatement(
        policy_id=policy_id,
        policy_type=str(raw.get("SourcePolicyType", "")),
        sid=None,
        effect=effect,
        start_line=int(start.get("Line", 0)),
        start_column=int(start.get("Column", 0)),
        end_line=int(end.get("Line", 0)),
        end_column=int(end.get("Column", 0)),
        origin=origins.get(policy_id, ""),
    )


def combine_expanded(cell: Cell, parts: Sequence[tuple[str, CellResult]]) -> CellResult:
    """One result for a cell whose wildcard action was expanded into `parts` (action, result).

    The cell holds only if every concrete action meets the expectation, so
    the result reported is the first concrete action that does not (or the
    first error); when all agree, the first.
    """
    for action, result in parts:
        if result.is_error:
            return error_result(cell, BACKEND, f"{action}: {result.error}")
    chosen_action, chosen = parts[0]
    for action, result in parts:
        if not cell.expected.accepts(result.decision):
            chosen_action, chosen = action, result
            break
    decisions = ", ".join(f"{a}={r.decision}" for a, r in parts)
    return CellResult(
        cell_id=cell.id,
        backend=chosen.backend,
        decision=chosen.decision,
        deciding_statements=chosen.deciding_statements,
        missing_context=chosen.missing_context,
        warnings=chosen.warnings,
        explanation=(f"{cell.action} expanded to {len(parts)} actions; deciding: {chosen_action}", decisions),
    )
