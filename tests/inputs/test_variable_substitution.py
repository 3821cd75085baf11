# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Variables are substituted into parsed values: no value can change a policy's structure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.account import load_account_model
from harness.inputs.variables import check_value, substitute_json
from harness.scenarios import ScenarioFileErrors, ScenarioLoader

pytest_plugins = ["pytester"]

# The payload closes the JSON string it lands in and opens an Allow for kms:*.
INJECTION = 'k"}, {"Effect": "Allow", "Action": "kms:*", "Resource": "*'

POLICY_FILE = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-3:012345678910:key/${key}"}
  ]
}
"""

SCENARIO = """version: 1
vars: {key: k1}
policies:
  p: policies/p.json
principals:
  app: {policies: [p]}
scenarios:
  - name: the app cannot schedule key deletion
    principal: app
    actions: [kms:ScheduleKeyDeletion]
    resources: ["*"]
    expect: allowed
"""


def _load(tmp_path: Path, text: str, files: dict[str, str], **loader_args):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "s.yaml").write_text(text)
    return ScenarioLoader(**loader_args).load(tmp_path / "s.yaml", "s.yaml")


def _statements(text: str) -> list[dict]:
    return json.loads(text)["Statement"]


def test_a_value_that_closes_a_json_string_stays_inside_it_in_a_policy_file(tmp_path):
    f = _load(tmp_path, SCENARIO, {"policies/p.json": POLICY_FILE}, overrides={"key": INJECTION})
    statements = _statements(f.policies["p"].text)
    assert len(statements) == 1
    assert statements[0]["Resource"] == "arn:aws:kms:eu-west-3:012345678910:key/" + INJECTION


def test_a_value_that_closes_a_json_string_stays_inside_it_in_an_inline_json_policy(tmp_path):
    inline = SCENARIO.replace(
        "p: policies/p.json",
        """p: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-3:012345678910:key/${key}"}]}'""",
    )
    f = _load(tmp_path, inline, {}, overrides={"key": INJECTION})
    assert len(_statements(f.policies["p"].text)) == 1


def test_a_value_in_an_inline_mapping_policy_stays_one_string(tmp_path):
    inline = SCENARIO.replace(
        "p: policies/p.json",
        "p: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: 'arn:aws:kms:eu-west-3:012345678910:key/${key}'}]}",
    )
    f = _load(tmp_path, inline, {}, overrides={"key": INJECTION})
    assert len(_statements(f.policies["p"].text)) == 1


def test_a_value_in_an_account_model_policy_stays_one_string(tmp_path):
    model = tmp_path / "account.yaml"
    model.write_text(
        """accounts:
  - AccountId: "012345678910"
    RoleDetailList:
      - RoleName: app
        RolePolicyList:
          - PolicyName: p
            PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-3:012345678910:key/${key}"}]}'
"""
    )
    loaded = load_account_model(model, {"key": INJECTION})
    text = loaded.accounts["012345678910"].roles["app"].inline[0].text
    assert len(_statements(text)) == 1


def test_the_injection_through_iam_var_does_not_pass_the_scenario(pytester):
    pytester.makefile(".yaml", **{"scenarios/s": SCENARIO})
    pytester.makefile(".json", **{"scenarios/policies/p": POLICY_FILE})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-var", f"key={INJECTION}")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*1 failed*"])


def test_the_injection_through_the_environment_does_not_pass_the_scenario(pytester, monkeypatch):
    monkeypatch.setenv("IAM_HARNESS_VAR_key", INJECTION)
    pytester.makefile(".yaml", **{"scenarios/s": SCENARIO})
    pytester.makefile(".json", **{"scenarios/policies/p": POLICY_FILE})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    assert result.ret == 1


def test_substitution_keeps_the_line_of_every_statement():
    text = '{\n  "Statement": [\n    {"Resource": "${a}"},\n    {"Resource": "x"}\n  ]\n}'
    out = substitute_json(text, {"a": 'line"\n{"two"'})
    assert out.splitlines()[3] == '    {"Resource": "x"}'
    assert json.loads(out)["Statement"][0]["Resource"] == 'line"\n{"two"'


def test_substitution_refuses_text_that_is_not_json_before_any_value_is_used():
    with pytest.raises(json.JSONDecodeError):
        substitute_json('{"Resource": "${a}"', {"a": '"}'})


@pytest.mark.parametrize("value", ["a\nb", "tab\there", "nul\x00", "esc\x1b[31m", "del\x7f"])
def test_a_value_with_a_control_character_is_refused(tmp_path, value):
    with pytest.raises(ScenarioFileErrors) as info:
        _load(tmp_path, SCENARIO, {"policies/p.json": POLICY_FILE}, overrides={"key": value})
    assert "control character" in info.value.errors[0].message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("account_id", "0123456789"),
        ("account_id", "012345678910:role/x"),
        ("target_account_id", "*"),
        ("region", "eu-west-3:012345678910"),
        ("workload_region", "EU-WEST-3"),
        ("partition", "aws:iam"),
        ("ir_role", "*"),
        ("ir_role", "service-role/CadoResponseRole"),
        ("ir_role", "arn:aws:iam::012345678910:role/CadoResponseRole"),
        ("cross_account_role", "x" * 65),
    ],
)
def test_a_value_whose_name_gives_its_shape_must_have_that_shape(name, value):
    assert check_value(name, value) is not None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("account_id", "012345678910"),
        ("region", "us-gov-west-1"),
        ("partition", "aws-cn"),
        ("key", 'a"b}'),
        ("ir_role", "CadoResponseRole"),
        ("cross_account_role", "ir+role=a,b.c@d-e_f"),
    ],
)
def test_a_value_of_the_right_shape_is_accepted(name, value):
    assert check_value(name, value) is None


def test_a_misshapen_value_in_vars_is_reported_at_its_line(tmp_path):
    text = SCENARIO.replace("vars: {key: k1}", "vars:\n  key: k1\n  account_id: '12345'")
    with pytest.raises(ScenarioFileErrors) as info:
        _load(tmp_path, text, {"policies/p.json": POLICY_FILE})
    (err,) = info.value.errors
    assert (err.line, err.field) == (4, "vars.account_id")
