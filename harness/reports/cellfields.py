"""What a report shows of one cell: its effective decision, its request identity, its labels.

Every format and drift use these, so they sit below all of them.
"""

from __future__ import annotations

import json

from harness.run.result import CellRecord, RunResult

DENIES = frozenset({"explicitDeny", "implicitDeny"})
# What a cell records when nothing was decided: an error, or `skipped` (the model cannot answer it).
NOT_EVALUATED = frozenset({"error", "skipped"})
# Worst first: an error hides more than a failure, a failure more than a pass.
OUTCOME_RANK = {"error": 0, "failed": 1, "passed": 2}


def cell_account(run: RunResult, cell: CellRecord) -> str:
    return cell.account or str(run.metadata.get("account") or "")


def effective_decision(cell: CellRecord) -> str:
    """What the service does: the enforced decision where the backend knows it, else the simulator's."""
    if cell.actual == "error":
        return "error"
    return cell.enforced or cell.actual


def request_key(account: str, cell: CellRecord) -> str:
    """The request a cell asks about, independent of which scenario or test id asked it.

    Drift compares requests: the same principal, action, resource and context
    in the same account, and the same resource policy where the scenario names one,
    whatever the scenario file or cell id is called now.
    """
    context = (
        json.dumps(
            sorted((e.get("key", ""), list(e.get("values", [])), e.get("type", "")) for e in cell.context),
            separators=(",", ":"),
        )
        if cell.context
        else "[]"  # what json.dumps gives for no context, without the call
    )
    key = "|".join((account, cell.principal, cell.action, cell.resource, context))
    # A scenario's own resource policy is part of its question; cells without one keep the key
    # they always had, so older baselines still pair with them.
    return f"{key}|resource_policy={cell.resource_policy}" if cell.resource_policy else key


def statement_label(stmt: dict) -> str:
    """`policy#sid (Effect) L3-L9` for a deciding statement."""
    sid = stmt.get("sid")
    name = str(stmt.get("policy_id", "?")) + (f"#{sid}" if sid else "")
    effect = stmt.get("effect")
    lines = ""
    if stmt.get("start_line"):
        lines = f" L{stmt.get('start_line')}-L{stmt.get('end_line', stmt.get('start_line'))}"
    return f"{name}{f' ({effect})' if effect else ''}{lines}"


def decision_text(cell: CellRecord) -> str:
    """The simulator's decision, with the enforced one when it differs, and, for a principal
    outside the model whose own account is not in it, that its side was not evaluated."""
    text = cell.actual
    if cell.enforced and cell.enforced != cell.actual:
        text = f"{cell.actual} (enforced: {cell.enforced})"
    if cell.other_side == "unknown":
        text += " (resource side only: the principal's account is not in the model)"
    return text
