"""Planned changes applied to the account model before any cell is evaluated (docs/plans.md).

- reading.py: bounded reading of a plan or template; errors.py: PlanError (file and address/line);
- terraform.py: `terraform show -json` output into planned resources; cloudformation.py (with
  cfn_yaml.py, intrinsics.py): a template into the same shape;
- changes.py: the planned resource, its source and values not known before apply;
- apply.py, patcher.py and the *_handlers.py: a patched copy of the model and the source of each change.
"""

from harness.plans.apply import apply_plans
from harness.plans.changes import Plan, PlanSource
from harness.plans.errors import PlanError
from harness.plans.files import load_plan
from harness.plans.patcher import PatchedModel

__all__ = ["PatchedModel", "Plan", "PlanError", "PlanSource", "apply_plans", "load_plan"]
