"""The README's pull-request workflow: it lints (actionlint, as examples/nightly-iam.yml does) and
runs the steps docs/plans.md promises, in order."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.plans.conftest import REPO

_BLOCK = re.compile(r"<!-- preflight-workflow:[^>]*-->\n```yaml\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def workflow_text() -> str:
    match = _BLOCK.search((REPO / "README.md").read_text())
    assert match, "the README's preflight workflow block is missing"
    return match.group(1)


def test_the_readme_workflow_passes_actionlint(workflow_text, tmp_path):
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[lint]'; see pyproject.toml)")
    path = tmp_path / "iam-preflight.yml"
    path.write_text(workflow_text)
    done = subprocess.run([actionlint, str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_plans_shows_json_runs_preflight_and_uploads_the_sarif(workflow_text):
    steps = yaml.safe_load(workflow_text)["jobs"]["preflight"]["steps"]
    text = [str(s.get("run", "")) + str(s.get("uses", "")) for s in steps]
    order = ["terraform plan", "terraform show -json", "harness preflight", "upload-sarif"]
    positions = [next(i for i, t in enumerate(text) if word in t) for word in order]
    assert positions == sorted(positions)
    upload = next(s for s in steps if "upload-sarif" in str(s.get("uses")))
    assert upload["with"]["sarif_file"] == "reports/report.sarif" and upload["if"] == "always()"
