"""Options from the command line, the environment and [tool.pytest.ini_options]."""

from __future__ import annotations

from harness.run.stream import load_document

pytest_plugins = ["pytester"]

VAR_SCENARIO = """
version: 1
vars: {account_id: "111111111111"}
policies:
  p: {Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: "arn:aws:kms:eu-west-3:222222222222:key/*"}]}
principals:
  a: {policies: [p]}
scenarios:
  - name: own account key
    principal: a
    actions: [kms:Decrypt]
    resources: ["arn:aws:kms:eu-west-3:${account_id}:key/k"]
    expect: allowed
"""


def test_cli_variable_overrides_the_file_default(pytester):
    pytester.makefile(".yaml", **{"scenarios/v": VAR_SCENARIO})
    pytester.runpytest("scenarios", "-p", "no:cacheprovider").assert_outcomes(failed=1)
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-var", "account_id=222222222222")
    result.assert_outcomes(passed=1)


def test_environment_variable_overrides_the_file_default(pytester, monkeypatch):
    pytester.makefile(".yaml", **{"scenarios/v": VAR_SCENARIO})
    monkeypatch.setenv("IAM_HARNESS_VAR_account_id", "222222222222")
    pytester.runpytest("scenarios", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_ini_vars_and_report_dir(pytester):
    pytester.makefile(".yaml", **{"scenarios/v": VAR_SCENARIO})
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\niam_vars = ["account_id=222222222222"]\niam_report_dir = "out/iam"\n'
    )
    pytester.runpytest("scenarios", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert (pytester.path / "out/iam/run.json").is_file()


def test_run_json_is_written_with_cells_and_metadata(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*IAM permission matrix*",
            "*IAM cells (offline): 3 passed, 0 failed, 0 error*",
            "run result: *run.json",
        ]
    )
    run = load_document(pytester.path / "reports/run.json")
    assert run["schema"] == "iam-harness/run-result"
    meta = run["metadata"]
    assert meta["backend"] == "offline"
    assert [f["path"] for f in meta["scenario_files"]] == ["scenarios/basic.yaml"]
    assert len(meta["scenario_files"][0]["sha256"]) == 64
    assert {p["id"] for p in meta["policy_documents"]} >= {"policies.deny-encrypt"}
    assert meta["backend_metadata"]["calls"] == 1  # the whole file in one backend call
    assert [c["outcome"] for c in run["cells"]] == ["passed", "passed", "passed"]
    assert run["cells"][0]["reason"] == "readers need plaintext"


def test_broken_file_is_listed_under_errors_in_run_json(pytester, basic_pack):
    pytester.makefile(".yaml", **{"scenarios/broken": "version: 2\nscenarios: []\n"})
    pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    run = load_document(pytester.path / "reports/run.json")
    assert {e["field"] for e in run["errors"]} == {"version", "scenarios"}
    assert len(run["cells"]) == 3


def test_no_run_json_when_no_scenario_ran(pytester):
    pytester.makepyfile(test_plain="def test_ok():\n    pass\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()


def test_large_runs_print_counts_instead_of_the_matrix(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-matrix", "none")
    assert "principal    resource" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*IAM cells (offline): 3 passed*"])


def test_assume_role_flags_become_aws_backend_options(pytester):
    from harness.plugin.options import resolve

    config = pytester.parseconfigure(
        "--iam-assume-role", "arn:aws:iam::222222222222:role/audit", "--iam-external-id", "x-1",
        "--iam-max-concurrency", "8", "--iam-profile", "prod", "--iam-region", "eu-west-3",
    )  # fmt: skip
    options = resolve(config)
    assert dict(options.backend_opts) == {
        "assume_role": "arn:aws:iam::222222222222:role/audit",
        "external_id": "x-1",
        "max_concurrency": "8",
    }
    assert (options.aws_profile, options.aws_region) == ("prod", "eu-west-3")


def test_missing_baseline_is_a_usage_error(pytester, basic_pack):
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-baseline", "nothere.json")
    result.stderr.fnmatch_lines(["*--iam-baseline:*nothere.json not found*"])
    assert result.ret == 4  # pytest's usage-error code


def test_unreadable_baseline_fails_the_run_with_2(pytester, basic_pack):
    pytester.path.joinpath("bad.json").write_text('{"trunc')
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-baseline", "bad.json")
    result.stdout.fnmatch_lines(["*reports not rendered: --iam-baseline*bad.json*"])
    assert result.ret == 2


def test_misspelled_cli_variable_warns_with_the_known_names(pytester):
    pytester.makefile(".yaml", **{"scenarios/v": VAR_SCENARIO})
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider", "--iam-var", "acount_id=222222222222")
    result.stdout.fnmatch_lines(["*variable 'acount_id'*is used by no scenario file*known: account_id*"])
