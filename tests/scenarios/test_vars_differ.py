# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""`vars_differ:`: a pack says which variables must differ; the same value twice is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenarios import ScenarioFileErrors, ScenarioLoader

FILE = """version: 1
vars:
  region: eu-west-3
  workload_region: us-east-1
vars_differ:
  - vars: [workload_region, region]
    reason: the cross-Region scenarios need another Region
policies:
  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
principals:
  a: {policies: [p]}
scenarios:
  - {name: s, principal: a, actions: [kms:Decrypt], context: {kms:ViaService: "ec2.${workload_region}.amazonaws.com"}, expect: allowed}
"""


def load(tmp_path: Path, text: str = FILE, **overrides: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return ScenarioLoader(overrides=overrides).load(path, "s.yaml")


def errors(tmp_path: Path, text: str = FILE, **overrides: str) -> list:
    with pytest.raises(ScenarioFileErrors) as info:
        load(tmp_path, text, **overrides)
    return info.value.errors


def test_different_values_load(tmp_path):
    assert len(load(tmp_path).cells) == 1


def test_the_same_value_is_one_error_at_the_rule_naming_both_and_how_to_set_it(tmp_path):
    [err] = errors(tmp_path, region="us-east-1")
    assert (err.file, err.line, err.field) == ("s.yaml", 6, "vars_differ[0]")
    assert err.message == (
        "workload_region must differ from region: the cross-Region scenarios need another Region "
        "(both are 'us-east-1')"
    )
    assert "--iam-var workload_region=VALUE" in err.suggestion
    assert "IAM_HARNESS_VAR_workload_region" in err.suggestion


def test_values_are_compared_after_every_override(tmp_path):
    [err] = errors(tmp_path, workload_region="eu-west-3")
    assert "both are 'eu-west-3'" in err.message
    assert len(load(tmp_path, region="us-east-1", workload_region="eu-west-1").cells) == 1


def test_three_names_must_all_differ_pairwise(tmp_path):
    text = FILE.replace("vars: [workload_region, region]", "vars: [a, b, c]").replace(
        "  workload_region: us-east-1\n", "  workload_region: us-east-1\n  a: x\n  b: y\n  c: x\n"
    )
    [err] = errors(tmp_path, text)
    assert err.message.startswith("a must differ from c:")


def test_a_rule_naming_an_undefined_variable_is_an_error_with_the_nearest_name(tmp_path):
    [err] = errors(
        tmp_path, FILE.replace("vars: [workload_region, region]", "vars: [workload_regoin, region]")
    )
    assert (err.field, err.message) == ("vars_differ[0].vars", "undefined variable workload_regoin")
    assert "did you mean ${workload_region}" in err.suggestion


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ("vars_differ: {vars: [a, b]}", "vars_differ"),
        ("vars_differ:\n  - [workload_region, region]", "vars_differ[0]"),
        ("vars_differ:\n  - vars: [region]", "vars_differ[0].vars"),
        ("vars_differ:\n  - {vars: [workload_region, region], why: x}", "vars_differ[0].why"),
    ],
    ids=["not-a-list", "rule-not-a-mapping", "one-name", "unknown-key"],
)
def test_a_malformed_rule_is_an_error_naming_its_field(tmp_path, rule, field):
    text = FILE.replace(
        "vars_differ:\n  - vars: [workload_region, region]\n    reason: the cross-Region scenarios need another Region",
        rule,
    )
    assert field in {e.field for e in errors(tmp_path, text)}
