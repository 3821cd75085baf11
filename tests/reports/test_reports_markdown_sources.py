"""report.md's drift table names the planned change (--iam-plan) behind each change (docs/plans.md)."""

from __future__ import annotations

from harness.reports.drift import BaselineIndex
from harness.reports.render import render_text
from harness.reports.source import RunSource

TF_SOURCE = {
    "kind": "terraform",
    "address": "module.a.module.b.aws_kms_key_policy.k",
    "file": "plan.json",
    "line": 0,
}


def test_the_markdown_drift_table_names_the_plan_resource_behind_each_change(make_cell, make_run):
    before = make_run([make_cell(actual="implicitDeny", expected="implicitDeny")])
    after = make_run([make_cell(actual="allowed", expected="allowed", source=TF_SOURCE)])
    baseline = BaselineIndex.build(RunSource.from_run(before))
    text = render_text(after, "md", baseline=baseline)
    assert "| caused by |" in text
    assert "terraform module.a.module.b.aws\\_kms\\_key\\_policy.k \\(plan.json\\)" in text
