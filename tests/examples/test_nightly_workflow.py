"""examples/nightly-iam.yml: it lints, it has the shape the docs promise, and its shell steps run.

The shell steps are taken from the workflow as written and run with bash the
way GitHub runs them (`bash -eo pipefail`), against the project's local
endpoint (moto + the engine) with fake credentials: no test reaches AWS or
GitHub. `gh` is stubbed (it serves a previous run as the artifact); the
capture step is the real `harness account capture` against moto.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from harness.testing.iam_endpoint import LocalIamEndpoint

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "nightly-iam.yml"
SELF_PACK = ROOT / "scenarios" / "harness-self"


@pytest.fixture
def endpoint() -> Iterator[LocalIamEndpoint]:
    with LocalIamEndpoint() as ep:
        yield ep


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(workflow: dict, job: str) -> dict[str, dict]:
    return {s.get("name") or s.get("uses", ""): s for s in workflow["jobs"][job]["steps"]}


def test_the_workflow_passes_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[lint]'; see pyproject.toml)")
    done = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_is_an_example_not_an_active_workflow() -> None:
    assert not (ROOT / ".github" / "workflows" / WORKFLOW.name).exists()


def test_credentials_come_from_oidc_one_job_per_account(workflow: dict) -> None:
    assert workflow["permissions"]["id-token"] == "write"
    job = workflow["jobs"]["account"]
    assert job["strategy"]["fail-fast"] is False
    assert len(job["strategy"]["matrix"]["account"]) >= 2
    [creds] = [
        s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    assert creds["with"]["role-to-assume"] == "${{ matrix.account.role }}"
    assert not any("aws-access-key-id" in s.get("with", {}) for s in job["steps"])


def test_a_final_job_merges_every_account(workflow: dict) -> None:
    merge = workflow["jobs"]["merge"]
    assert merge["needs"] == "account" and merge["if"] == "always()"
    assert "harness report merge" in _steps(workflow, "merge")["Merge into one report"]["run"]


def test_shell_steps_take_no_expressions(workflow: dict) -> None:
    # Values reach scripts through env:, so no expression is ever substituted into shell text.
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step.get("name")


def _stub(directory: Path, name: str, script: str) -> None:
    path = directory / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    step_env = {**env, **{k: str(v) for k, v in (step.get("env") or {}).items() if "${{" not in str(v)}}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd, env=step_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_shell_steps_run_against_the_local_endpoint(
    workflow: dict, endpoint: LocalIamEndpoint, tmp_path: Path
) -> None:
    work = tmp_path / "checkout"
    shutil.copytree(SELF_PACK, work / "scenarios" / "harness-self")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    previous = tmp_path / "previous-run.json"
    baseline = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios", "-p", "no:cacheprovider", "-q", "--iam-no-reports",
         "--iam-report-dir", str(tmp_path / "baseline")],
        cwd=work, capture_output=True, text=True,
    )  # fmt: skip
    assert baseline.returncode == 0, baseline.stdout[-2000:]
    shutil.copy(tmp_path / "baseline" / "run.json", previous)
    # gh: the last successful run is 42, and its artifact holds the previous run.json.
    _stub(
        bin_dir,
        "gh",
        f'case "$1 $2" in\n  "run list") echo 42 ;;\n'
        f'  "run download") mkdir -p "${{@: -1}}"; cp "{previous}" "${{@: -1}}/run.json" ;;\n'
        "  *) exit 1 ;;\nesac\n",
    )
    outputs, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))},
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint.url,  # boto3 sends every client here (the capture too)
        "PYTEST_ADDOPTS": f"--iam-backend-opt endpoint_url={endpoint.url}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "ACCOUNT_NAME": "platform",
        "ACCOUNT_ID": "123456789012",
        "AWS_REGION": "us-east-1",
        "ARTIFACT": "iam-platform",
        "WORKFLOW_FILE": "nightly-iam.yml",
    }
    steps = _steps(workflow, "account")
    for name in (
        "Previous run of this account",
        "Capture the account",
        "Run every scenario against the account",
        "Reports, with drift against the previous run",
    ):
        done = _run_step(steps[name], work, env)
        assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert _outputs(outputs) == {"found": "true", "status": "0"}
    reports = work / "reports"
    assert {"run.json", "report.md", "report.html", "report.csv", "manifest.json"} <= {
        p.name for p in reports.iterdir()
    }
    assert "Changes since baseline" in (reports / "report.md").read_text()
    assert endpoint.calls["SimulateCustomPolicy"] > 0  # the scenarios ran against the endpoint
    done = _run_step(steps["Fail on unexpected results"], work, {**env, "STATUS": "0"})
    assert done.returncode == 0
    done = _run_step(steps["Fail on unexpected results"], work, {**env, "STATUS": "2"})
    assert done.returncode == 1

    # The merge job, over two accounts' artifacts as download-artifact lays them out.
    merge_dir = tmp_path / "merge"
    for account in ("platform", "target"):
        shutil.copytree(reports, merge_dir / "runs" / f"iam-{account}")
    done = _run_step(_steps(workflow, "merge")["Merge into one report"], merge_dir, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (merge_dir / "merged" / "run.json").is_file()
    assert (merge_dir / "merged" / "report.html").is_file()
