"""Conformance against the iam-simulate cases (skipped when absent).

The cases are read from $IAM_HARNESS_CONFORMANCE_CASES, else from
../shared/conformance/iam-simulate beside the checkout (devtools/conformance.py).
Every case must agree with the engine or be listed, with the AWS page behind
our reading, in devtools/conformance_divergences.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.conformance import default_folder, format_summary, load_cases, run_folder, to_simulation_input
from devtools.conformance_divergences import DIVERGENCES

FOLDER = default_folder(Path(__file__).resolve().parents[2])

pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"conformance cases not found at {FOLDER}")


def test_every_case_agrees_or_is_a_documented_divergence() -> None:
    outcomes = run_folder(FOLDER)
    print()
    print(format_summary(outcomes))
    bad = [o for o in outcomes if o.status in ("disagree", "error")]
    assert not bad, "\n".join(
        f"{o.case.group} | {o.case.name}: expected {o.expected}, got {o.got}" for o in bad
    )


def test_every_listed_divergence_still_exists() -> None:
    outcomes = {(o.case.group, o.case.name): o for o in run_folder(FOLDER)}
    stale = [key for key in DIVERGENCES if key not in outcomes or outcomes[key].status != "divergence"]
    assert not stale


def test_cases_map_to_simulation_inputs_with_allow_all_rcp_per_level() -> None:
    for case in load_cases(FOLDER):
        if case.data.get("resourceControlPolicies") and "simulation" not in case.data:
            inp = to_simulation_input(case)
            assert all(len(level) >= 1 for level in inp.rcp_levels)
            assert len(inp.rcp_levels) == len(case.data["resourceControlPolicies"])
            return
    pytest.skip("no RCP case found")
