"""Planned changes applied to the account model before any cell is evaluated (docs/plans.md).

- files.py: one plan file of either kind, read whole or refused (PlanError, errors.py: file and
  address or line); reading.py: size and nesting bounds;
- terraform.py: `terraform show -json` output into planned resources; cloudformation.py (with
  cfn_yaml.py, the safe YAML reader, and intrinsics.py): a template into the same shape;
- changes.py: the planned resource, its source, values not known before apply; policytext.py:
  a policy attribute checked as a document; types.py: which types are applied or warned about;
- apply.py: a patched copy of the model; patcher.py: the state of one plan being applied;
  target.py: the account, partition and Region it lands in; iam_handlers.py,
  resource_handlers.py, org_handlers.py (dispatched by handlers.py): each type applied.
"""

from harness.plans.apply import apply_plans
from harness.plans.changes import Plan, PlanSource
from harness.plans.errors import PlanError
from harness.plans.files import load_plan
from harness.plans.patcher import PatchedModel

__all__ = ["PatchedModel", "Plan", "PlanError", "PlanSource", "apply_plans", "load_plan"]
