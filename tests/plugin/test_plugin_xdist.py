"""With -n (pytest-xdist) the controller merges every worker's cells into the same run result."""

from __future__ import annotations

pytest_plugins = ["pytester"]

from harness.run.stream import load_document  # noqa: E402
from tests.plugin.conftest import BASIC_SCENARIO, POLICY_KMS_DECRYPT  # noqa: E402


def _pack(pytester, write_pack) -> None:
    files = {"scenarios/policies/decrypt.json": POLICY_KMS_DECRYPT}
    for i in range(4):
        files[f"scenarios/f{i}.yaml"] = BASIC_SCENARIO.replace("reader decrypts", f"reader decrypts {i}")
    # One failing cell, so failures travel through xdist too.
    files["scenarios/f0.yaml"] = files["scenarios/f0.yaml"].replace("expect: explicitDeny", "expect: allowed")
    write_pack(pytester.path, files)


def _run(pytester, *args: str) -> dict:
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=11, failed=1)
    return load_document(pytester.path / "reports/run.json")


def test_results_with_and_without_xdist_are_identical(pytester, write_pack):
    _pack(pytester, write_pack)
    serial = _run(pytester)
    parallel = _run(pytester, "-n", "2")
    # run.json v2 holds cells in the order they were decided, which differs between workers.
    assert sorted(parallel["cells"], key=lambda c: c["id"]) == sorted(serial["cells"], key=lambda c: c["id"])
    assert parallel["errors"] == serial["errors"]
    for key in ("scenario_files", "policy_documents", "counts", "account", "backend"):
        assert parallel["metadata"][key] == serial["metadata"][key]
    # Whole files go to one worker: still one backend call per file.
    assert parallel["metadata"]["backend_metadata"]["calls"] == 4
    assert parallel["metadata"]["backend_metadata"]["cells"] == 12
