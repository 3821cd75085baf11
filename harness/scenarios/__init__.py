"""Scenario files: the YAML format people write, loaded into cells.

Public API: ScenarioLoader(overrides, account_override).load(path) ->
ScenarioFile; ScenarioError / ScenarioFileErrors for mistakes;
looks_like_scenario_file(text) for collection.
"""

from pathlib import Path

from harness.scenarios.errors import ScenarioError, ScenarioFileErrors
from harness.scenarios.loader import ScenarioLoader, looks_like_scenario_file
from harness.scenarios.model import ScenarioFile

# JSON Schema of the scenario file format (shipped as package data).
SCHEMA_PATH = Path(__file__).with_name("schema.json")

__all__ = [
    "SCHEMA_PATH",
    "ScenarioError",
    "ScenarioFile",
    "ScenarioFileErrors",
    "ScenarioLoader",
    "looks_like_scenario_file",
]
