"""Payloads in every field that reaches a report, checked in every format.

One pack puts markup (`</script>`, `<img onerror>`), a `javascript:` URL, a template expression
(`{{7*7}}`), spreadsheet formula prefixes (= + - @ tab CR) and fake AWS credentials into scenario
names, reasons, descriptions, principal names, resources, context values, Sids, cell errors and
load errors. Then: no credential in any file under reports/ (run.json included); run.json and
report.json are valid JSON that still hold the payloads as data; Markdown and HTML hold no live
markup; no CSV cell starts a formula; and the HTML, opened in headless Chromium, runs its own script
and none of the payload's (each payload would set document.title).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from harness.run.stream import iter_cells

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SCRIPT_CLOSE = "</script><script>document.title='pwned-script'</script>"
IMG = "<img src=x onerror=\"document.title='pwned-img'\">"
JS_URL = "javascript:document.title='pwned-js'"
TEMPLATE = "{{7*7}}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": f"{SCRIPT_CLOSE} {IMG}",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "s3:GetObject"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"{TEMPLATE} {ACCESS_KEY}"}},
        },
        {
            # The reproduction: redacting serialised text broke report.json here.
            "Sid": f'aws_secret_access_key="{SECRET}"',
            "Effect": "Deny",
            "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*",
        },
    ],
}

SCENARIO = f"""
version: 1
description: {json.dumps(f"{TEMPLATE} =cmd|' /C calc'!A0 {IMG} {ACCESS_KEY}")}
policies:
  p: policies/p.json
principals:
  {json.dumps(JS_URL)}: {{policies: [p]}}
  "@SUM(1+1)": {{policies: [p]}}
scenarios:
  - name: {json.dumps("=1+1 " + SCRIPT_CLOSE)}
    principal: {json.dumps(JS_URL)}
    actions: [kms:Decrypt]
    context: {{aws:PrincipalTag/team: {json.dumps(TEMPLATE + " " + ACCESS_KEY)}}}
    expect: denied   # fails: the tag matches, so the explanation text reaches the reports
    reason: {json.dumps("+HYPERLINK(1) " + IMG + " aws_secret_access_key=" + SECRET)}
  - name: "-2+3 tab"
    principal: "@SUM(1+1)"
    actions: [s3:GetObject]
    resources: [{json.dumps("arn:aws:s3:::bucket/" + IMG + ACCESS_KEY)}]
    expect: denied   # passes: no tag in the request
    reason: "\\t=1+1"
  - name: "\\r=cr"
    principal: {json.dumps("arn:aws:iam::111122223333:role/" + SCRIPT_CLOSE)}
    actions: [kms:Decrypt]
    expect: allowed
    reason: "@cmd"
"""

BROKEN = f"""
version: 1
{json.dumps(IMG + ACCESS_KEY)}: 1
scenarios: [{{name: x}}]
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-security")
    (root / "scenarios" / "policies").mkdir(parents=True)
    (root / "scenarios" / "policies" / "p.json").write_text(json.dumps(POLICY, indent=2), encoding="utf-8")
    (root / "scenarios" / "payloads.yaml").write_text(SCENARIO, encoding="utf-8")
    (root / "scenarios" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IAM_HARNESS_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios", "-p", "no:cacheprovider", "-q"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stdout + done.stderr  # an error cell, a failure, a broken file
    assert "Traceback" not in done.stdout + done.stderr
    return root / "reports"


def every_file(reports: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(reports.iterdir()) if p.is_file()}


def test_every_format_was_written(reports: Path):
    assert {"run.json", "report.json", "report.md", "report.csv", "report.html", "manifest.json"} <= set(
        every_file(reports)
    )


def test_no_credential_reaches_any_file_under_reports(reports: Path):
    for name, text in every_file(reports).items():
        assert ACCESS_KEY not in text, name
        assert SECRET not in text, name
        assert "wJalrXUtnFEMI" not in text, name


@pytest.mark.parametrize("name", ["run.json", "report.json", "manifest.json"])
def test_json_reports_stay_valid_json_and_keep_payloads_as_data(reports: Path, name: str):
    doc = json.loads((reports / name).read_text(encoding="utf-8"))
    if name != "manifest.json":
        text = json.dumps(doc, ensure_ascii=False)
        assert SCRIPT_CLOSE in text and TEMPLATE in text and JS_URL in text
        # One of each: a failure carries its full explanation, an error its message.
        assert sorted(c["outcome"] for c in iter_cells(reports / name)) == ["error", "failed", "passed"]
        assert any(IMG[:10] in e["message"] for e in doc["errors"])


def test_markdown_holds_no_live_markup(reports: Path):
    text = (reports / "report.md").read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;img" in text  # the payload is there, as text


def test_no_csv_cell_starts_a_formula(reports: Path):
    rows = list(csv.reader(io.StringIO((reports / "report.csv").read_text(encoding="utf-8"))))
    assert len(rows) > 1
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
    assert any(value.startswith("'=1+1") for row in rows for value in row)  # neutralised, not dropped


def test_html_holds_no_live_markup_and_allows_only_its_own_script(reports: Path):
    text = (reports / "report.html").read_text(encoding="utf-8")
    assert "<img" not in text.lower()
    assert "pwned" not in text.split('id="run-data"', 1)[0]  # nothing before the data island
    # The two data blocks (JSON, compact lines) and the report's own script.
    assert text.count("<script") == 3
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp is not None
    script_src = next(d for d in csp.group(1).split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
    assert 'href="javascript:' not in text.lower()


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(url: str) -> str:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium binary (apt-get install chromium)")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _cell_id(reports: Path, scenario_prefix: str) -> str:
    cells = iter_cells(reports / "run.json")
    return next(c["id"] for c in cells if c["scenario"].startswith(scenario_prefix))


@pytest.mark.parametrize("cell", [None, "=1+1", "-2+3", "\r=cr"], ids=["matrix", "deny", "allow", "error"])
def test_no_payload_script_runs_in_chromium(reports: Path, cell: str | None):
    url = (reports / "report.html").as_uri()
    if cell is not None:  # open the cell's detail panel: statements, explanation, error, context
        url += "?cell=" + urllib.parse.quote(_cell_id(reports, cell), safe="")
    dom = dump_dom(url)
    assert 'data-ready="1"' in dom, "the report's own script did not run"
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and "pwned" not in title.group(1)
    assert "<img" not in dom.lower()
    assert 'href="javascript:' not in dom.lower()
    if cell is not None:
        assert "&lt;/script&gt;" in dom or "&lt;img" in dom  # the payload was drawn, as text
