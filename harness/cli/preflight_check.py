"""What `harness preflight` checks before running anything: the model loads, every plan reads and applies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.inputs.variables import parse_assignments


def check_inputs(account: Path, plans: Sequence[Path], assignments: Sequence[str]) -> str | None:
    """Why the inputs cannot be used (one message naming the file and where), or None."""
    from harness.account import load_account_model
    from harness.inputs.errors import ScenarioFileErrors
    from harness.plans import PlanError, apply_plans, load_plan

    try:
        variables = parse_assignments(list(assignments), "--iam-var")
    except ValueError as exc:
        return str(exc)
    if not account.is_file():
        return f"--account: account model {account} not found"
    for plan in plans:
        if not plan.is_file():
            return f"--plan: {plan} not found (terraform show -json plan.out > FILE)"
    try:
        model = load_account_model(account, variables)
        apply_plans(model, [load_plan(p, variables, str(p)) for p in plans], variables)
    except ScenarioFileErrors as exc:
        return str(exc)
    except PlanError as exc:
        return str(exc)
    return None
