"""AWS's answer -> one CellResult per cell.

Each EvaluationResult is one action. As botocore's IAM model of 2026-07-30
documents it (API_EvaluationResult.html, API_ResourceSpecificResult.html),
the simulator returns one EvaluationResult per action whatever the number of
resources: its top-level EvalDecision is the most restrictive over the
requested resources, and its EvalResourceName the ARN *template* of the
resource type (`arn:${Partition}:s3:::${BucketName}/${KeyName}`), or `*` when
the action has none. Before, one action on N resources came back as N
results, each carrying the same aggregate decision under one resource's name.
Either way a resource's own decision is its ResourceSpecificResults entry;
the top-level result answers for a resource only when the request asked
about that one resource alone (the aggregate over one resource is its own),
never by matching its EvalResourceName. A resource with no answer is an error.

MatchedStatements name the policy (SourcePolicyId: `PolicyInputList.1`,
`ResourcePolicy`, or the policy's name in principal mode) and its position;
the API does not return the effect, which follows from the decision: the
statements behind an explicit deny are Deny statements, behind an allow,
Allow statements. MissingContextValues lists keys the policies used that the
request did not supply: a decision that may change once they are given.

`answer_generation` tells the two shapes apart, for what the simulator did
with SCPs: since 2026 it evaluates their conditions and resource scoping and
returns explicitDeny for an SCP's explicit deny; before, it did neither
(compare mode's readings, harness/backends/compare.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from harness.cells import Cell, CellResult, DecidingStatement, error_result

BACKEND = "aws"
_DECISIONS = frozenset({"allowed", "explicitDeny", "implicitDeny"})
ORGS_DENIED = "denied by the organization's SCPs (OrganizationsDecisionDetail)"
PRE_2026_SCP_CONDITIONS = (
    "the simulator answered the way it did before July 2026 (one result per resource), when it did "
    "not evaluate SCP conditions: this cell's SCPs use some"
)


class Generation(StrEnum):
    """Which documented shape an answer has (None where nothing in it tells)."""

    Y2026 = "2026"
    PRE_2026 = "pre-2026"


def index_results(
    evaluation_results: Sequence[Mapping[str, Any]], resources: Sequence[str] | None = None
) -> dict[tuple[str, str], Mapping]:
    """(action lowercased, resource) -> the result object deciding it.

    `resources`: the request's ResourceArns (None or empty: `*`). The top-level result answers
    only a request about one resource; any other resource needs its own ResourceSpecificResults entry.
    """
    asked = list(resources or ("*",))
    out: dict[tuple[str, str], Mapping[str, Any]] = {}
    for er in evaluation_results:
        action = str(er.get("EvalActionName", "")).lower()
        for rr in er.get("ResourceSpecificResults") or ():
            out.setdefault((action, str(rr.get("EvalResourceName", ""))), {**rr, "_parent": er})
        if len(asked) == 1:
            out.setdefault((action, asked[0]), er)
    return out


def answer_generation(
    evaluation_results: Sequence[Mapping[str, Any]], resources: Sequence[str] | None = None
) -> Generation | None:
    """2026 when a top-level EvalResourceName is a template (or `*` for named resources); pre-2026
    when it is one of the named resources (the old one-result-per-resource shape); else None."""
    asked = set(resources or ("*",))
    for er in evaluation_results:
        name = str(er.get("EvalResourceName", ""))
        if "${" in name or (name == "*" and asked != {"*"}):
            return Generation.Y2026
        if name != "*" and name in asked:
            return Generation.PRE_2026
    return None


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
        notes.append(ORGS_DENIED)
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
