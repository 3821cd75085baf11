"""Scenario files: the YAML format people write, loaded into cells.

Public API: ScenarioLoader(overrides, account_override).load(path) ->
ScenarioFile; ScenarioError / ScenarioFileErrors for mistakes;
looks_like_scenario_file(text) for collection.

Names are resolved on first use: the account model shares this package's
low-level modules (errors, variables, YAML source), and importing the loader
here eagerly would make `import harness.account` circular.
"""

from __future__ import annotations

from pathlib import Path

from harness.lazy import lazy_exports

# JSON Schema of the scenario file format (shipped as package data).
SCHEMA_PATH = Path(__file__).with_name("schema.json")

_EXPORTS = {
    "ScenarioError": "harness.inputs.errors",
    "ScenarioFileErrors": "harness.inputs.errors",
    "ScenarioLoader": "harness.scenarios.loader",
    "looks_like_scenario_file": "harness.scenarios.loader",
    "ScenarioFile": "harness.scenarios.model",
}

__all__ = ["SCHEMA_PATH", *_EXPORTS]


__getattr__ = lazy_exports(__name__, _EXPORTS)
