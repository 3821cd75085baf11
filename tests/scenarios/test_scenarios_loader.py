# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""The scenario format: what loads into which cells, and how mistakes are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cells import Expectation
from harness.scenarios import SCHEMA_PATH, ScenarioFileErrors, ScenarioLoader, looks_like_scenario_file

HEAD = """
version: 1
vars: {account_id: "012345678910", region: eu-west-3}
policies:
  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
principals:
  a: {policies: [p]}
  b: {policies: [p]}
scenarios:
"""


def load(tmp_path: Path, text: str, files: dict[str, str] | None = None, **loader_args):
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return ScenarioLoader(**loader_args).load(path, "s.yaml")


def errors(tmp_path: Path, text: str, **kwargs) -> list:
    with pytest.raises(ScenarioFileErrors) as info:
        load(tmp_path, text, **kwargs)
    return info.value.errors


def test_variables_are_substituted_in_strings(tmp_path):
    f = load(
        tmp_path,
        HEAD
        + "  - {name: s, principal: a, actions: [kms:Decrypt], resources: ['arn:aws:kms:${region}:${account_id}:key/k'], expect: allowed}\n",
    )
    assert f.cells[0].resource == "arn:aws:kms:eu-west-3:012345678910:key/k"


def test_override_variables_beat_the_file_defaults(tmp_path):
    text = (
        HEAD
        + "  - {name: s, principal: a, actions: [kms:Decrypt], resources: ['arn:aws:kms:${region}:1:key/k'], expect: allowed}\n"
    )
    f = load(tmp_path, text, overrides={"region": "us-east-1"})
    assert f.cells[0].resource == "arn:aws:kms:us-east-1:1:key/k"


def test_policy_variables_and_escapes_are_left_for_iam(tmp_path):
    text = (
        HEAD.replace('Resource: "*"}', 'Resource: "arn:aws:s3:::b/${aws:username}/$${literal}/${*}"}')
        + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    )
    f = load(tmp_path, text)
    resource = json.loads(f.policies["p"].text)["Statement"][0]["Resource"]
    assert resource == "arn:aws:s3:::b/${aws:username}/${literal}/${*}"


def test_variables_are_substituted_in_policy_files(tmp_path):
    policy = '{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:${region}:${account_id}:key/*"}]}'
    text = (
        HEAD.replace("  p: {", "  f: policies/f.json\n  p: {")
        + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    )
    f = load(tmp_path, text, {"policies/f.json": policy})
    assert "arn:aws:kms:eu-west-3:012345678910:key/*" in f.policies["f"].text


def test_undefined_variable_names_file_line_field_and_suggests(tmp_path):
    [err] = errors(
        tmp_path,
        HEAD
        + "  - {name: s, principal: a, actions: [kms:Decrypt], resources: ['arn:aws:kms:${regoin}:1:key/k'], expect: allowed}\n",
    )
    assert (err.file, err.line, err.field) == ("s.yaml", 10, "scenarios[0].resources[0]")
    assert "${regoin}" in err.message
    assert err.suggestion == "did you mean ${region}?"


def test_misspelt_action_suggests_the_real_one(tmp_path):
    [err] = errors(
        tmp_path, HEAD + "  - name: s\n    principal: a\n    actions: [kms:Decrpyt]\n    expect: allowed\n"
    )
    assert err.line == 12 and err.field.endswith("actions[0]")
    assert "kms:Decrpyt is not a KMS action" in err.message
    assert "kms:Decrypt" in err.suggestion


def test_action_wildcards_expand_to_concrete_actions(tmp_path):
    f = load(
        tmp_path, HEAD + "  - {name: s, principal: a, actions: ['kms:GenerateDataKey*'], expect: allowed}\n"
    )
    actions = {c.action for c in f.cells}
    assert "kms:GenerateDataKey" in actions and "kms:GenerateDataKeyWithoutPlaintext" in actions
    assert all("*" not in a for a in actions)


def test_overrides_change_the_expectation_per_action_and_resource(tmp_path):
    f = load(
        tmp_path,
        HEAD
        + "  - name: s\n    principal: a\n    actions: [kms:Decrypt, kms:Encrypt]\n"
        + "    resources: ['arn:aws:kms:r:1:key/x', 'arn:aws:kms:r:1:key/y']\n    expect: allowed\n"
        + "    overrides:\n      - {action: kms:Encrypt, expect: denied, reason: no}\n"
        + "      - {resource: 'arn:aws:kms:r:1:key/y', expect: explicitDeny}\n",
    )
    got = {(c.action, c.resource[-1]): (c.expected, c.reason) for c in f.cells}
    assert got[("kms:Decrypt", "x")] == (Expectation.ALLOWED, "")
    assert got[("kms:Encrypt", "x")] == (Expectation.DENIED, "no")
    assert got[("kms:Encrypt", "y")][0] is Expectation.EXPLICIT_DENY  # the later override wins


def test_override_matching_no_cell_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        HEAD + "  - name: s\n    principal: a\n    actions: [kms:Decrypt]\n    expect: allowed\n"
        "    overrides: [{action: 'kms:Encrypt', expect: denied}]\n",
    )
    assert "matches no cell" in err.message


def test_matrix_rows_are_principals_and_columns_actions(tmp_path):
    f = load(
        tmp_path,
        HEAD
        + "  - name: m\n    matrix:\n      principals: [a, b]\n      actions: [kms:Decrypt, kms:Encrypt]\n"
        "      expect:\n        a: [allowed, denied]\n        b: denied\n",
    )
    got = {(c.principal_label, c.action): c.expected.value for c in f.cells}
    assert got == {
        ("a", "kms:Decrypt"): "allowed",
        ("a", "kms:Encrypt"): "denied",
        ("b", "kms:Decrypt"): "denied",
        ("b", "kms:Encrypt"): "denied",
    }


def test_matrix_row_of_wrong_length_is_an_error(tmp_path):
    [err] = errors(
        tmp_path,
        HEAD + "  - name: m\n    matrix:\n      principals: [a]\n      actions: [kms:Decrypt, kms:Encrypt]\n"
        "      expect:\n        a: [allowed]\n",
    )
    assert err.field.endswith("expect.a") and "1 entries for 2 actions" in err.message


def test_context_types_come_from_the_catalog_or_are_given(tmp_path):
    f = load(
        tmp_path,
        HEAD
        + "  - name: s\n    principal: a\n    actions: [kms:Decrypt]\n    expect: allowed\n    context:\n"
        "      aws:SourceIp: 203.0.113.10\n      kms:GrantIsForAWSResource: true\n"
        "      kms:ResourceAliases: {type: stringList, values: [alias/a, alias/b]}\n",
    )
    types = {e.key: (e.type, e.values) for e in f.cells[0].context}
    assert types["aws:SourceIp"] == ("ip", ("203.0.113.10",))
    assert types["kms:GrantIsForAWSResource"] == ("boolean", ("true",))
    assert types["kms:ResourceAliases"] == ("stringList", ("alias/a", "alias/b"))


def test_unknown_key_suggests_the_closest_one(tmp_path):
    errs = errors(tmp_path, HEAD + "  - {name: s, principal: a, actoins: [kms:Decrypt], expect: allowed}\n")
    assert any(e.field == "scenarios[0].actoins" and e.suggestion == "did you mean `actions`?" for e in errs)


def test_every_mistake_in_a_file_is_reported_at_once(tmp_path):
    errs = errors(
        tmp_path,
        HEAD + "  - {name: s1, principal: zz, actions: [kms:Decrypt], expect: allowed}\n"
        "  - {name: s2, principal: a, actions: [kms:Decrypt], expect: alowed}\n",
    )
    assert len(errs) == 2
    assert "no principal named 'zz'" in errs[0].message
    assert "'alowed' is not an expectation" in errs[1].message


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path):
    [err] = errors(
        tmp_path,
        HEAD + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed, expect: denied}\n",
    )
    assert "duplicate key 'expect'" in err.message


def test_explicit_key_overrides_a_yaml_merge_key(tmp_path):
    text = HEAD + (
        "  - &base {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
        "  - <<: *base\n    name: s2\n    expect: denied\n"
    )
    cells = load(tmp_path, text).cells
    assert [(c.source.scenario, c.expected) for c in cells] == [
        ("s", Expectation.ALLOWED),
        ("s2", Expectation.DENIED),
    ]


def test_malformed_policy_is_reported_where_the_policy_is_written(tmp_path):
    text = (
        HEAD.replace("Effect: Allow", "Effect: Alow")
        + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    )
    [err] = errors(tmp_path, text)
    assert (err.line, err.field) == (5, "policies.p")
    assert "Effect must be 'Allow' or 'Deny', got 'Alow'" in err.message
    assert "principals.a.policies" in err.message


def test_resource_policy_without_principal_is_malformed_only_where_used_as_one(tmp_path):
    text = HEAD + "  - {name: s, principal: a, actions: [kms:Decrypt], resource_policy: p, expect: allowed}\n"
    [err] = errors(tmp_path, text)
    assert err.field == "policies.p"
    assert "malformed resource policy" in err.message


def test_missing_policy_file_suggests_a_sibling(tmp_path):
    text = (
        HEAD.replace("  p: {", "  f: policies/kye.json\n  p: {")
        + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    )
    [err] = errors(tmp_path, text, files={"policies/key.json": "{}"})
    assert err.field == "policies.f" and err.suggestion == "did you mean key.json?"


def test_unquoted_policy_version_stays_a_string(tmp_path):
    text = (
        HEAD.replace('Version: "2012-10-17"', "Version: 2012-10-17")
        + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    )
    f = load(tmp_path, text)
    assert json.loads(f.policies["p"].text)["Version"] == "2012-10-17"


def test_account_id_keeps_leading_zero_when_unquoted(tmp_path):
    text = HEAD + "  - {name: s, principal: a, actions: [kms:Decrypt], expect: allowed}\n"
    f = load(tmp_path, text.replace("version: 1", "version: 1\ndefaults: {account: 012345678910}"))
    assert f.account == "012345678910"


def test_builtin_pytest_marker_is_refused_as_a_tag(tmp_path):
    [err] = errors(
        tmp_path,
        HEAD + "  - {name: s, tags: [skip], principal: a, actions: [kms:Decrypt], expect: allowed}\n",
    )
    assert "built-in marker" in err.message


def test_only_files_with_a_scenarios_key_look_like_scenario_files():
    assert looks_like_scenario_file("version: 1\nscenarios:\n  - name: x\n")
    assert not looks_like_scenario_file("jobs:\n  scenarios: []\n")


def test_shipped_example_validates_against_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(SCHEMA_PATH.read_text())
    root = Path(__file__).resolve().parents[2]
    doc = yaml.safe_load((root / "scenarios/examples/quickstart.yaml").read_text())
    jsonschema.validate(doc, schema)


def test_the_example_in_docs_scenarios_md_loads(tmp_path):
    import re

    docs = Path(__file__).resolve().parents[2] / "docs/scenarios.md"
    block = re.search(r"## A complete example\n\n```yaml\n(.*?)```", docs.read_text(), re.S).group(1)
    key_policy = (
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}'
    )
    account = 'accounts:\n  - AccountId: "012345678910"\n'
    f = load(
        tmp_path,
        block,
        {"policies/default-ebs-key-policy.json": key_policy, "accounts/example.yaml": account},
    )
    assert {c.source.scenario for c in f.cells} == {
        "default key via EBS in own region",
        "not outside EBS",
        "who may touch the key",
    }


def test_alias_bomb_is_refused_instead_of_hanging(tmp_path):
    lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    [err] = errors(tmp_path, "\n".join([*lines, "scenarios: [*a8]"]) + "\n")
    assert "expands to more than" in err.message


def test_misspelled_context_key_warns_with_the_nearest_key(tmp_path):
    text = (
        HEAD
        + "  - {name: s, principal: a, actions: [kms:Decrypt], context: {kms:ViaServices: ec2.eu-west-3.amazonaws.com}, expect: allowed}\n"
    )
    loaded = load(tmp_path, text)
    assert any("did you mean kms:ViaService" in w.message for w in loaded.warnings)
