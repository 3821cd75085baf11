"""The nightly job as CI runs it: reports and ids stay put, partial runs say so, drift in the log."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

from harness.run.stream import load_document  # noqa: E402
from tests.plugin.conftest import BASIC_SCENARIO, POLICY_KMS_DECRYPT  # noqa: E402

NO_CACHE = ("-p", "no:cacheprovider")

S3_SCENARIO = """
version: 1
policies:
  read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}
principals:
  app: {policies: [read]}
scenarios:
  - name: app reads, never writes
    principal: app
    actions: [s3:GetObject, s3:PutObject]
    resources: ["arn:aws:s3:::bucket/k"]
    expect: allowed
    overrides: [{action: s3:PutObject, expect: implicitDeny}]
"""


def _run_json(pytester: pytest.Pytester) -> dict:
    return load_document(pytester.path / "reports" / "run.json")


def _baseline_elsewhere(pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last run's run.json, kept in a directory outside the pack (as a CI cache would)."""
    target = tmp_path_factory.mktemp("ci-cache") / "last.json"
    shutil.copy(pytester.path / "reports" / "run.json", target)
    return target


def test_an_absolute_baseline_path_moves_neither_reports_nor_ids(pytester, basic_pack, tmp_path_factory):
    pytester.runpytest("scenarios", *NO_CACHE).assert_outcomes(passed=3)
    first = _run_json(pytester)
    baseline = _baseline_elsewhere(pytester, tmp_path_factory)
    (pytester.path / "reports" / "run.json").unlink()

    result = pytester.runpytest(
        "scenarios", *NO_CACHE, "--iam-baseline", str(baseline), "--junitxml", "j.xml"
    )

    result.assert_outcomes(passed=3)
    second = _run_json(pytester)  # written where a plain run writes it
    assert [c["id"] for c in second["cells"]] == [c["id"] for c in first["cells"]]
    assert [f["path"] for f in second["metadata"]["scenario_files"]] == ["scenarios/basic.yaml"]
    assert not (baseline.parent.parent / "reports").exists()
    names = {tc.get("classname") for tc in ET.parse(pytester.path / "j.xml").iter("testcase")}
    assert names == {"scenarios.basic.yaml"}


def test_the_same_option_spelt_with_equals_gives_the_same_ids(pytester, basic_pack, tmp_path_factory):
    pytester.runpytest("scenarios", *NO_CACHE)
    baseline = _baseline_elsewhere(pytester, tmp_path_factory)
    pytester.runpytest("scenarios", *NO_CACHE, "--iam-baseline", str(baseline))
    spaced = _run_json(pytester)
    pytester.runpytest("scenarios", *NO_CACHE, f"--iam-baseline={baseline}")
    assert [c["id"] for c in _run_json(pytester)["cells"]] == [c["id"] for c in spaced["cells"]]


def test_a_moved_pytest_rootdir_is_said_once(pytester, basic_pack, tmp_path_factory):
    pytester.runpytest("scenarios", *NO_CACHE)
    baseline = _baseline_elsewhere(pytester, tmp_path_factory)
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-baseline", str(baseline))
    result.stdout.fnmatch_lines(["*pytest chose rootdir * from an option's value*"])


def test_a_full_run_is_complete(pytester, basic_pack):
    pytester.runpytest("scenarios", *NO_CACHE)
    meta = _run_json(pytester)["metadata"]
    assert meta["complete"] is True
    assert meta["selection"] == {}


def test_a_keyword_run_is_partial_and_says_what_selected_it(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, "-k", "Decrypt")
    result.assert_outcomes(passed=2, deselected=1)
    meta = _run_json(pytester)["metadata"]
    assert meta["complete"] is False
    assert meta["selection"] == {"keyword": "Decrypt", "deselected": 1}
    result.stdout.fnmatch_lines(["partial run: selected by -k Decrypt; 1 cell deselected*"])


def test_a_node_id_run_is_partial(pytester, basic_pack):
    listed = pytester.runpytest("scenarios", *NO_CACHE, "--collect-only", "-q").stdout.lines
    node_id = next(line for line in listed if "::" in line)
    pytester.runpytest(node_id, *NO_CACHE).assert_outcomes(passed=1)
    meta = _run_json(pytester)["metadata"]
    assert meta["complete"] is False
    assert meta["selection"]["node_ids"] == [node_id]


def test_a_run_stopped_by_maxfail_is_partial(pytester, write_pack):
    write_pack(
        pytester.path,
        {
            "scenarios/s.yaml": BASIC_SCENARIO.replace("expect: allowed", "expect: denied"),
            "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT,
        },
    )
    pytester.runpytest("scenarios", *NO_CACHE, "-x")
    meta = _run_json(pytester)["metadata"]
    assert meta["complete"] is False
    assert meta["selection"]["not_run"] == 2


def test_a_partial_run_is_refused_as_baseline(pytester, basic_pack):
    pytester.runpytest("scenarios", *NO_CACHE, "-k", "Decrypt")
    shutil.copy(pytester.path / "reports" / "run.json", pytester.path / "last.json")
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-baseline", "last.json")
    assert result.ret == 4  # pytest's usage-error code
    result.stderr.fnmatch_lines(
        ["*--iam-baseline:*last.json is the result of a partial run (selected by -k Decrypt*"
         "*--iam-baseline-partial-ok*"]
    )  # fmt: skip


def test_a_partial_baseline_is_accepted_when_asked_for(pytester, basic_pack):
    pytester.runpytest("scenarios", *NO_CACHE, "-k", "Decrypt")
    shutil.copy(pytester.path / "reports" / "run.json", pytester.path / "last.json")
    result = pytester.runpytest(
        "scenarios", *NO_CACHE, "--iam-baseline", "last.json", "--iam-baseline-partial-ok"
    )
    assert result.ret == 0
    result.stdout.fnmatch_lines(["drift: 0 new access, 0 lost, 0 new errors, 0 other changes (1 added*"])


def test_a_partial_run_against_a_full_baseline_removes_nothing(pytester, basic_pack):
    pytester.runpytest("scenarios", *NO_CACHE)
    shutil.copy(pytester.path / "reports" / "run.json", pytester.path / "last.json")
    result = pytester.runpytest("scenarios", *NO_CACHE, "-k", "Decrypt", "--iam-baseline", "last.json")
    result.stdout.fnmatch_lines(["drift: * (0 added, 0 removed, 1 outside this partial run)"])


def test_drift_is_in_the_terminal_summary_new_access_first(pytester, write_pack):
    write_pack(pytester.path, {"scenarios/s3.yaml": S3_SCENARIO})
    pytester.runpytest("scenarios", *NO_CACHE)
    shutil.copy(pytester.path / "reports" / "run.json", pytester.path / "last.json")
    write_pack(
        pytester.path,
        {"scenarios/s3.yaml": S3_SCENARIO.replace('"s3:GetObject", Resource', '"s3:*", Resource')},
    )
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-baseline", "last.json")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["drift: 1 new access, 0 lost, 0 new errors, 0 other changes (0 added, 0 removed)"]
    )


def test_the_same_caveat_for_many_cells_is_one_line_with_a_count(pytester, write_pack):
    # A role session as the caller of resource-policy cells: the simulator takes none, for every cell.
    scenario = (
        S3_SCENARIO.replace(
            "  app: {policies: [read]}",
            '  app: {policies: [read], caller: "arn:aws:sts::012345678910:assumed-role/r/s"}',
        )
        .replace(
            "policies:\n",
            'policies:\n  bucket: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", '
            'Action: "s3:GetObject", Resource: "*"}]}\n',
            1,
        )
        .replace("    expect: allowed\n", "    resource_policy: bucket\n    expect: allowed\n")
    )
    write_pack(pytester.path, {"scenarios/s.yaml": scenario})
    result = pytester.runpytest("scenarios", *NO_CACHE)
    assert "IamHarnessWarning" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "caveats (1 distinct*",
            "  2 cells, e.g. scenarios/s.yaml:*: CallerArn arn:aws:sts::*/r/s is an assumed-role session*",
        ]
    )


def test_junit_testcases_carry_the_cell_as_properties(pytester, basic_pack):
    pytester.runpytest("scenarios", *NO_CACHE, "--junitxml", "j.xml")
    cases = list(ET.parse(pytester.path / "j.xml").iter("testcase"))
    assert len(cases) == 3
    props = {p.get("name"): p.get("value") for p in cases[0].iter("property")}
    assert set(props) == {"principal", "action", "resource", "expected", "actual", "enforced", "tags"}
    assert (props["principal"], props["action"], props["expected"], props["actual"], props["tags"]) == (
        "reader", "kms:Decrypt", "allowed", "allowed", "kms",
    )  # fmt: skip


def test_a_bad_backend_option_is_one_error_per_file_and_exits_2(pytester, basic_pack, write_pack):
    write_pack(pytester.path, {"scenarios/two.yaml": BASIC_SCENARIO.replace("reader decrypts", "again")})
    result = pytester.runpytest(
        "scenarios", *NO_CACHE, "--iam-backend", "aws", "--iam-backend-opt", "max_items=0"
    )
    result.assert_outcomes(errors=2)
    assert result.ret == 2
    result.stdout.fnmatch_lines(
        ["*3 cells of this file could not be evaluated (aws): --iam-backend-opt: max_items*"]
    )
    run = _run_json(pytester)
    assert len(run["cells"]) == 6 and {c["outcome"] for c in run["cells"]} == {"error"}
    assert run["metadata"]["complete"] is True


def test_with_xdist_an_absolute_baseline_keeps_ids_and_a_keyword_run_is_partial(
    pytester, basic_pack, tmp_path_factory
):
    pytester.runpytest("scenarios", *NO_CACHE)
    first = _run_json(pytester)
    baseline = _baseline_elsewhere(pytester, tmp_path_factory)
    args = ("scenarios", *NO_CACHE, "-n", "2", "--iam-baseline", str(baseline), "-k", "Decrypt")
    result = pytester.runpytest_subprocess(*args, "--iam-baseline-partial-ok")
    result.assert_outcomes(passed=2)
    second = _run_json(pytester)
    assert {c["id"] for c in second["cells"]} <= {c["id"] for c in first["cells"]}
    assert second["metadata"]["complete"] is False
    assert second["metadata"]["selection"]["deselected"] == 1


def test_the_same_file_warning_for_many_cells_of_a_scenario_is_one_warning_with_a_count(pytester, write_pack):
    keys = '["arn:aws:kms:eu-west-3:012345678910:key/a", "arn:aws:kms:eu-west-3:012345678910:key/b"]'
    write_pack(pytester.path, {"scenarios/s3.yaml": S3_SCENARIO.replace('["arn:aws:s3:::bucket/k"]', keys)})
    result = pytester.runpytest("scenarios", *NO_CACHE)
    out = result.stdout.str()
    assert out.count("matches none of the resource types") == 1
    result.stdout.fnmatch_lines(
        ["*matches none of the resource types*(and 3 more like it in this file, lines *"]
    )
