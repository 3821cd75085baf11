"""A verified fix for every blocked cell (docs/fixes.md).

A cell that expected `allowed` and was denied gets `CellResult.fix`: the smallest change to
the policies the account's users control that makes it allowed, proven by evaluating the cell
again with the change applied, and checked against the file's expected-deny cells.

Modules, one job each:
- `needs`: which results get a fix.
- `sides`: the principal's and the resource's side of a request, cross-account or not.
- `statements`: the narrow statement a fix adds (action, resource, principal, conditions, Sid).
- `documents`: a policy changed as parsed data (statement added, removed, found).
- `patch`: changes applied to the account model (a copy) and to cells.
- `reevaluate`: cells asked again of the offline engine, limits lifted on request.
- `propose`: removals for an explicit deny, allows to add for an implicit one.
- `leaks`: the file's expected-deny cells a change reaches, asked again.
- `limits`: SCPs, RCPs, boundaries and session policies, named when they block.
- `fixer`: one cell's fix; `attach`: a file's results, bounded per file.
"""

from __future__ import annotations

from harness.lazy import lazy_exports

# Resolved on first use: the plugin imports this package on every run, and only a blocked
# cell needs the modules that propose, patch and re-evaluate.
_EXPORTS = {
    "MAX_FIXES": "harness.fixes.attach",
    "MAX_REEVALUATIONS": "harness.fixes.attach",
    "FixableFile": "harness.fixes.attach",
    "Fixes": "harness.fixes.attach",
    "needs_fix": "harness.fixes.needs",
    "apply_to_model": "harness.fixes.patch",
}

__all__ = list(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
