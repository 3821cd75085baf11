"""The hostile scenario-file corpus (scenario_cases.toml): each case is refused with file, line and field,
or loads as a documented acceptance. Loaded through the loader directly; test_hostile_collection.py
runs a representative subset through pytest itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hostile_builders import assert_error, cases, load, write_case

from harness.scenarios import ScenarioLoader

CASES = cases()


@pytest.fixture(scope="module")
def loader_factory():
    """A fresh loader per case (account models are cached per loader) sharing one catalog."""
    catalog = ScenarioLoader().catalog
    return lambda: ScenarioLoader(catalog=catalog)


def test_the_corpus_ids_are_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_case_states_its_outcome():
    for case in CASES:
        assert ("error" in case) != ("accepted" in case), case["id"]


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["id"])
def test_hostile_file_is_refused_with_file_line_and_field(tmp_path: Path, case, loader_factory):
    outcome = load(write_case(tmp_path, case), loader_factory())
    assert_error(
        outcome,
        case["error"],
        file=case.get("file", "s.yaml"),
        line=case.get("line"),
        field=case.get("field"),
    )


@pytest.mark.parametrize("case", [c for c in CASES if "accepted" in c], ids=lambda c: c["id"])
def test_documented_acceptance_loads(tmp_path: Path, case, loader_factory):
    outcome = load(write_case(tmp_path, case), loader_factory())
    assert outcome.loaded is not None, [str(e) for e in outcome.errors]
    if "cells" in case:
        assert len(outcome.loaded.cells) == case["cells"]
    if "warning" in case:
        assert any(re.search(case["warning"], w.message) for w in outcome.loaded.warnings), [
            w.message for w in outcome.loaded.warnings
        ]
    if "statements" in case:
        for doc in outcome.loaded.policies.values():
            statements = json.loads(doc.text)["Statement"]
            assert len(statements) == case["statements"], doc.text
