"""Fixtures for the fixes' tests: a scenario file (and its account model) run offline, fixes attached."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.backends.offline import OfflineBackend
from harness.cells import Cell, CellResult, Fix
from harness.fixes import FixableFile, Fixes
from harness.scenarios import ScenarioFile, ScenarioLoader


@dataclass
class FileRun:
    """One scenario file evaluated offline, with the fixes attached to its results."""

    loaded: ScenarioFile
    pairs: list[tuple[Cell, CellResult]]

    def named(self, scenario: str, action: str | None = None) -> tuple[Cell, CellResult]:
        found = [
            (c, r)
            for c, r in self.pairs
            if c.source.scenario == scenario and (action is None or c.action == action)
        ]
        assert len(found) == 1, f"{len(found)} cells for {scenario!r} {action or ''}"
        return found[0]

    def fix(self, scenario: str, action: str | None = None) -> Fix:
        fix = self.named(scenario, action)[1].fix
        assert fix is not None, f"no fix on {scenario!r}"
        return fix


def run_scenarios(
    directory: Path, scenario: str, model: str | None = None, backend: str = "offline"
) -> FileRun:
    if model is not None:
        (directory / "model.yaml").write_text(model, encoding="utf-8")
    path = directory / "scenarios.yaml"
    path.write_text(scenario, encoding="utf-8")
    loaded = ScenarioLoader().load(path, "scenarios.yaml")
    results = OfflineBackend(loaded.account_model).evaluate(loaded.cells)
    fixable = FixableFile("scenarios.yaml", loaded.cells, loaded.account_model, backend)
    fixed = Fixes().attach(fixable, loaded.cells, results)
    return FileRun(loaded, list(zip(loaded.cells, fixed, strict=True)))


@pytest.fixture
def run_file(tmp_path: Path) -> Callable[..., FileRun]:
    def run(scenario: str, model: str | None = None, backend: str = "offline") -> FileRun:
        return run_scenarios(tmp_path, scenario, model, backend)

    return run


# The moto server the capture's tests start (loopback only, fake credentials): the fixes are
# applied to a moto account and captured again (test_fixes_on_moto.py).
from tests.account.conftest import (  # noqa: E402, F401
    fake_aws_environment,
    loopback_only,
    moto,
    moto_server,
)
