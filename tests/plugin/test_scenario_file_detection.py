# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Which YAML files a run reads: scenario files, scenario files with a mistake (an error item), and
everybody else's YAML (ignored). A typo in `scenarios:` must never make a check silently stop."""

from __future__ import annotations

import json

import pytest

from harness.scenarios.loader import FileKind, scenario_file_kind

pytest_plugins = ["pytester"]

from tests.plugin.conftest import BASIC_SCENARIO, POLICY_KMS_DECRYPT  # noqa: E402

TYPO_FILE = """version: 1
policies:
  p: {Statement: [{Effect: Allow, Action: "kms:Decrypt", Resource: "*"}]}
principals:
  a: {policies: [p]}
scenario:
  - {name: decrypts, principal: a, actions: [kms:Decrypt], expect: allowed}
"""


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nscenarios:\n  - name: x\n",
        "scenarios: []\n",
        '"scenarios":\n  - name: x\n',
    ],
    ids=["plain", "only-key", "quoted-key"],
)
def test_a_top_level_scenarios_key_makes_a_scenario_file(text):
    assert scenario_file_kind(text) is FileKind.SCENARIO


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nscenario:\n  - name: x\n",
        "version: 1\nScenarios:\n  - name: x\n",
        "senarios:\n  - name: x\n",
        "version: 1\nprincipals:\n  a: {policies: [p]}\n",
        "defaults:\n  account: '012345678910'\n  region: eu-west-3\n",
        "defaults: {region: eu-west-3}\n",
        "version: 1\nprincipal:\n  a: arn:aws:iam::012345678910:role/r\n",
        "version: 1\npolices:\n  p: policies/p.json\n",
        "version: 1\nscenario: [\n",  # not even valid YAML: still ours, so the loader names the problem
    ],
    ids=[
        "scenario",
        "capitalised",
        "letter-dropped",
        "principals",
        "defaults-block",
        "defaults-flow",
        "version-and-principal",
        "version-and-polices",
        "invalid-yaml",
    ],
)
def test_a_scenario_file_with_a_misspelt_key_is_read_so_the_mistake_is_reported(text):
    assert scenario_file_kind(text) is FileKind.MISTAKEN


@pytest.mark.parametrize(
    "text",
    [
        "name: ci\non: [push]\ndefaults:\n  run:\n    shell: bash\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        'version: "3.8"\nx-defaults: &defaults\n  restart: always\nservices:\n  web:\n    image: nginx\nvolumes:\n  data: {}\nsecrets: {}\n',
        "stages: [test]\ndefault:\n  image: python\nvariables:\n  A: b\ntest:\n  script: [pytest]\n",
        'vars:\n  account_id: "012345678910"\naccounts:\n  - AccountId: ${account_id}\n',
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: stack\nResources: {}\n",
        "apiVersion: v2\nname: chart\nversion: 1.0.0\ndescription: a chart\ntype: application\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}\n",
        'Version: "2012-10-17"\nStatement:\n  - {Effect: Allow, Action: "*", Resource: "*"}\n',
        "jobs:\n  scenarios: []\n",
        "# scenarios: commented out\nname: x\n",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n",
    ],
    ids=[
        "github-workflow",
        "compose",
        "gitlab-ci",
        "account-model",
        "cloudformation",
        "helm-chart",
        "kubernetes",
        "iam-policy-yaml",
        "nested-scenarios",
        "commented-key",
        "dependabot",
    ],
)
def test_other_yaml_is_not_ours(text):
    assert scenario_file_kind(text) is FileKind.OTHER


def test_an_account_model_stays_ignored_even_with_a_scenario_like_key():
    assert scenario_file_kind("accounts: []\nprincipals: {}\n") is FileKind.OTHER


def test_a_typod_file_in_a_directory_run_is_one_error_item_naming_file_line_and_key(pytester, basic_pack):
    pytester.makefile(".yaml", **{"scenarios/typo": TYPO_FILE})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-report-dir", "reports")
    result.assert_outcomes(passed=3, errors=1)  # basic.yaml's three cells still run
    result.stdout.fnmatch_lines(
        [
            "*invalid scenario file (1 error):",
            "*scenarios/typo.yaml:6: scenario: unknown top-level key 'scenario'",
            "*hint: did you mean `scenarios`?",
            "*ERROR scenarios/typo.yaml::scenario file*",
        ]
    )
    assert result.ret == 2  # red: a check that could not run is never a green run
    run = json.loads((pytester.path / "reports" / "run.json").read_text())
    errors = [e for e in run["errors"] if e["file"] == "scenarios/typo.yaml"]
    assert {(e["line"], e["field"]) for e in errors} >= {(6, "scenario")}


def test_other_yaml_in_the_directory_is_left_alone(pytester, write_pack):
    write_pack(
        pytester.path,
        {
            "scenarios/basic.yaml": BASIC_SCENARIO,
            "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT,
            "scenarios/.github/workflows/ci.yml": "on: [push]\ndefaults:\n  run: {shell: bash}\njobs: {}\n",
            "scenarios/compose.yaml": 'version: "3"\nservices:\n  web: {image: nginx}\n',
            "scenarios/accounts/prod.yaml": 'accounts:\n  - AccountId: "012345678910"\n',
        },
    )
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-report-dir", "reports")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
