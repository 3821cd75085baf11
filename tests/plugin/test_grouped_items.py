# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Grouped items (`--iam-items scenario|auto`): one pytest item per scenario and principal, every cell
still judged, recorded and counted."""

from __future__ import annotations

import json

import pytest

from harness.run.stream import load_document

pytest_plugins = ["pytester"]

from harness.plugin.items import SHOWN_CELLS, CellGroupItem  # noqa: E402
from harness.plugin.options import AUTO_GROUP_LIMIT  # noqa: E402
from tests.plugin.conftest import BASIC_SCENARIO, POLICY_KMS_DECRYPT  # noqa: E402

NO_CACHE = ("-p", "no:cacheprovider")
GROUPED = ("--iam-items", "scenario")

# Errors every kms:Encrypt cell, as a backend that cannot answer would (restored after the run).
ERROR_ENCRYPT_CONFTEST = """
from harness.backends.offline import OfflineBackend
from harness.cells import error_result

_original = OfflineBackend.evaluate

def _evaluate(self, cells):
    results = _original(self, cells)
    return [error_result(c, self.name, "simulated outage") if c.action == "kms:Encrypt" else r
            for c, r in zip(cells, results)]

def pytest_configure(config):
    OfflineBackend.evaluate = _evaluate

def pytest_unconfigure(config):
    OfflineBackend.evaluate = _original
"""


# Backend calls of one cell's worth (restored after the run).
SMALL_CHUNKS_CONFTEST = """
import harness.plugin.collection as collection

_original = collection.EVAL_CHUNK

def pytest_configure(config):
    collection.EVAL_CHUNK = 1

def pytest_unconfigure(config):
    collection.EVAL_CHUNK = _original
"""


def _run_json(pytester: pytest.Pytester) -> dict:
    return load_document(pytester.path / "reports/run.json")


def _many_failures_pack(pytester, write_pack, count: int) -> None:
    keys = json.dumps([f"arn:aws:kms:eu-west-3:012345678910:key/k{i}" for i in range(count)])
    text = BASIC_SCENARIO.replace(
        "actions: [kms:Encrypt]\n    expect: explicitDeny",
        f"actions: [kms:Encrypt]\n    resources: {keys}\n    expect: allowed",
    )
    write_pack(
        pytester.path, {"scenarios/s.yaml": text, "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT}
    )


def _big_pack(pytester, write_pack) -> None:
    """One file just above the auto limit, one small file."""
    per_action = AUTO_GROUP_LIMIT // 2 + 1
    keys = json.dumps([f"arn:aws:kms:eu-west-3:012345678910:key/k{i}" for i in range(per_action)])
    big = BASIC_SCENARIO.replace(
        'resources: ["arn:aws:kms:eu-west-3:${account_id}:key/k1"]', f"resources: {keys}"
    ).replace(
        "  - name: locked cannot encrypt",
        '  - name: locked cannot encrypt\n    resources: ["arn:aws:kms:eu-west-3:012345678910:key/k1"]',
    )
    write_pack(
        pytester.path,
        {
            "scenarios/big.yaml": big,
            "scenarios/small.yaml": BASIC_SCENARIO,
            "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT,
        },
    )


def test_scenario_mode_yields_one_item_per_scenario_and_principal(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "scenarios/basic.yaml::reader decrypts[[]reader[]]",
            "scenarios/basic.yaml::locked cannot encrypt[[]locked[]]",
        ]
    )
    assert "kms:Decrypt|" not in result.stdout.str()


def test_grouped_run_counts_cells_in_the_summary_and_records_every_cell(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*IAM cells (offline): 3 passed, 0 failed, 0 error in 1 file(s)"])
    run = _run_json(pytester)
    assert len(run["cells"]) == 3
    assert run["metadata"]["complete"] is True


def test_auto_groups_a_file_above_the_limit_and_keeps_small_files_per_cell(pytester, write_pack):
    _big_pack(pytester, write_pack)
    result = pytester.runpytest("scenarios", *NO_CACHE, "--collect-only", "-q")
    out = result.stdout.str()
    assert "scenarios/big.yaml::reader decrypts[reader]\n" in out
    assert "scenarios/small.yaml::reader decrypts[reader|kms:Decrypt|" in out


def test_cell_mode_keeps_one_item_per_cell_above_the_limit(pytester, write_pack):
    _big_pack(pytester, write_pack)
    result = pytester.runpytest("scenarios", *NO_CACHE, "--iam-items", "cell", "--collect-only", "-q")
    result.stdout.fnmatch_lines([f"{AUTO_GROUP_LIMIT + 3 + 3} tests collected*"])


def test_auto_keeps_cell_items_for_a_file_named_by_a_cell_id(pytester, write_pack):
    _big_pack(pytester, write_pack)
    cell = "scenarios/big.yaml::locked cannot encrypt[locked|kms:Encrypt|arn:aws:kms:eu-west-3:012345678910:key/k1]"
    result = pytester.runpytest(cell, *NO_CACHE)
    result.assert_outcomes(passed=1)


def test_ini_key_chooses_the_item_mode(pytester, basic_pack):
    pytester.makeini("[pytest]\niam_items = scenario\n")
    result = pytester.runpytest("scenarios", *NO_CACHE)
    result.assert_outcomes(passed=2)


def test_unknown_item_mode_in_ini_is_a_usage_error(pytester, basic_pack):
    pytester.makeini("[pytest]\niam_items = file\n")
    result = pytester.runpytest("scenarios", *NO_CACHE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*iam_items = 'file': choose one of auto, cell, scenario*"])


def test_a_failing_cell_fails_its_group_with_expected_actual_and_deciding_statements(pytester, write_pack):
    write_pack(
        pytester.path,
        {
            "scenarios/s.yaml": BASIC_SCENARIO.replace("expect: explicitDeny", "expect: allowed"),
            "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT,
        },
    )
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 of 1 cell failed:",
            "locked kms:Encrypt on [*]",
            "*expected: allowed",
            "*actual:   explicitDeny",
            "*deciding statements:",
            "*Deny Sid 'NoEncrypt' in policies.deny-encrypt*",
        ]
    )
    result.stdout.fnmatch_lines(["*IAM cells (offline): 2 passed, 1 failed, 0 error*"])
    assert result.ret == 1


def test_failure_text_shows_the_first_failing_cells_in_full_then_a_count(pytester, write_pack):
    _many_failures_pack(pytester, write_pack, SHOWN_CELLS + 3)
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED)
    result.assert_outcomes(passed=1, failed=1)
    # The failure section only: on CI, pytest's short summary repeats the whole message.
    out = result.stdout.str().split("short test summary info", 1)[0]
    assert f"{SHOWN_CELLS + 3} of {SHOWN_CELLS + 3} cells failed:" in out
    assert out.count("locked kms:Encrypt on arn:") == SHOWN_CELLS
    result.stdout.fnmatch_lines(["... and 3 more (run.json and the reports list every cell;*"])


def test_an_error_cell_makes_its_group_an_error_and_the_run_exit_2(pytester, basic_pack):
    pytester.makeconftest(ERROR_ENCRYPT_CONFTEST)
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED)
    result.assert_outcomes(errors=2)  # both groups hold a kms:Encrypt cell
    assert result.ret == 2
    result.stdout.fnmatch_lines(
        [
            "*1 of 2 cells could not be evaluated:",
            "locked kms:Encrypt on *: could not be evaluated (offline): simulated outage",
        ]
    )
    run = _run_json(pytester)
    assert sorted(c["outcome"] for c in run["cells"]) == ["error", "error", "passed"]


def test_grouped_records_reach_run_json_under_xdist(pytester, basic_pack, write_pack):
    write_pack(pytester.path, {"scenarios/two.yaml": BASIC_SCENARIO.replace("reader decrypts", "again")})
    serial = pytester.runpytest_subprocess("scenarios", *NO_CACHE, *GROUPED)
    serial.assert_outcomes(passed=4)
    cells = sorted(_run_json(pytester)["cells"], key=lambda c: c["id"])
    parallel = pytester.runpytest_subprocess("scenarios", *NO_CACHE, *GROUPED, "-n", "2")
    parallel.assert_outcomes(passed=4)
    parallel.stdout.fnmatch_lines(["*IAM cells (offline): 6 passed, 0 failed, 0 error in 2 file(s)"])
    assert sorted(_run_json(pytester)["cells"], key=lambda c: c["id"]) == cells


def test_k_selects_cells_within_a_group(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, "-k", "Encrypt")
    result.assert_outcomes(passed=2)
    run = _run_json(pytester)
    assert [c["action"] for c in run["cells"]] == ["kms:Encrypt", "kms:Encrypt"]
    assert run["metadata"]["complete"] is False
    assert run["metadata"]["selection"]["deselected"] == 1


def test_k_not_keeps_the_other_cells_of_a_group(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, "-k", "not Encrypt")
    result.assert_outcomes(passed=1)
    assert [c["action"] for c in _run_json(pytester)["cells"]] == ["kms:Decrypt"]


def test_k_on_the_group_name_selects_the_group(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, "-k", "locked")
    result.assert_outcomes(passed=1)
    assert [c["principal"] for c in _run_json(pytester)["cells"]] == ["locked"]


def test_m_selects_groups_by_tag(pytester, basic_pack):
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, "-m", "guardrail")
    result.assert_outcomes(passed=1)
    assert [c["action"] for c in _run_json(pytester)["cells"]] == ["kms:Encrypt"]


def test_lf_reruns_only_the_failed_cells_of_a_failed_group(pytester, write_pack):
    text = BASIC_SCENARIO.replace(
        "- {action: kms:Encrypt, expect: implicitDeny}", "- {action: kms:Encrypt, expect: allowed}"
    )
    write_pack(
        pytester.path, {"scenarios/s.yaml": text, "scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT}
    )
    first = pytester.runpytest("scenarios", *GROUPED)
    first.assert_outcomes(passed=1, failed=1)
    again = pytester.runpytest("scenarios", *GROUPED, "--lf")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*1 of 1 cell failed:", "reader kms:Encrypt on *"])
    run = _run_json(pytester)
    assert [(c["principal"], c["action"]) for c in run["cells"]] == [("reader", "kms:Encrypt")]
    assert run["metadata"]["complete"] is False


def test_a_group_holds_no_records_once_reported(pytester, basic_pack):
    reprec = pytester.inline_run("scenarios", *NO_CACHE, *GROUPED)
    reprec.assertoutcome(passed=2)
    (call,) = reprec.getcalls("pytest_collection_finish")
    groups = [item for item in call.session.items if isinstance(item, CellGroupItem)]
    assert len(groups) == 2 and all(g.records == [] and g.failures is None for g in groups)
    for report in reprec.getreports("pytest_runtest_logreport"):
        assert not any(name in ("iam_cells", "iam_file") for name, _value in report.user_properties)


def test_a_file_is_evaluated_in_calls_of_at_most_the_chunk_size(pytester, basic_pack):
    pytester.makeconftest(SMALL_CHUNKS_CONFTEST)
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED)
    result.assert_outcomes(passed=2)
    run = _run_json(pytester)
    assert len(run["cells"]) == 3
    assert run["metadata"]["backend_metadata"]["calls"] == 2  # a group's cells always go together


def test_an_unusable_backend_is_one_error_per_file_with_grouped_items(pytester, basic_pack):
    args = ("--iam-backend", "aws", "--iam-backend-opt", "max_items=0")
    result = pytester.runpytest("scenarios", *NO_CACHE, *GROUPED, *args)
    result.assert_outcomes(errors=1)
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*3 cells of this file could not be evaluated (aws)*"])
    assert {c["outcome"] for c in _run_json(pytester)["cells"]} == {"error"}
