"""The run result's JSON Schema describes what RunResult writes."""

import json
from dataclasses import fields

import pytest

from harness.reports import SCHEMA_PATH, render_all
from harness.run.result import CellRecord

jsonschema = pytest.importorskip("jsonschema")


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_a_run_result_validates(sample_run):
    jsonschema.validate(sample_run.to_dict(), schema())


def test_the_json_report_with_drift_validates(sample_run, tmp_path):
    render_all(sample_run, tmp_path, baseline=sample_run, formats=("json",))
    jsonschema.validate(json.loads((tmp_path / "report.json").read_text()), schema())


def test_every_cell_field_is_documented():
    documented = set(schema()["$defs"]["cell"]["properties"])
    assert {f.name for f in fields(CellRecord)} <= documented


def test_a_cell_without_a_decision_is_invalid(sample_run):
    doc = sample_run.to_dict()
    del doc["cells"][0]["actual"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())
