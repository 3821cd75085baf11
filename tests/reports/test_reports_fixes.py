"""A failed cell's fix in the reports: report.md's failures (a JSON block ready to paste, whether it was
verified and its note), report.html's cell detail, report.json; and the split report functions."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from harness.cells import Cell, CellResult, ChangeKind, Expectation, Fix, PolicyChange, SourceRef, Subject
from harness.reports import render_all
from harness.reports.html import HtmlLimits, build_payload
from harness.reports.markdown import markdown_from_summary, render_markdown
from harness.reports.summary import summarise_run
from harness.run.result import CellRecord, RunResult

ROLE = "arn:aws:iam::111122223333:role/ResponseRole"
KEY = "arn:aws:kms:eu-west-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REPORTS = Path(__file__).resolve().parents[2] / "harness" / "reports"


def fix(sid: str = "AllowResponseRoleDecrypt", *, verified: bool = True, note: str = "") -> Fix:
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": ["kms:Decrypt"],
        "Resource": "*",
    }
    return Fix((PolicyChange(ChangeKind.ADD_STATEMENT, KEY, "key_policy", statement),), verified, note)


def failed(action: str = "kms:Decrypt", the_fix: Fix | None = None) -> CellRecord:
    cell = Cell(
        id=f"kms.yaml::acquire[{action}]",
        source=SourceRef("kms.yaml", 3, "acquire"),
        subject=Subject(principal_arn=ROLE),
        action=action,
        resource=KEY,
        expected=Expectation.ALLOWED,
    )
    return CellRecord.from_cell(cell, CellResult(cell.id, "offline", "implicitDeny", fix=the_fix))


def run_of(*records: CellRecord) -> RunResult:
    return RunResult(metadata={"backend": "offline"}, cells=list(records))


def fenced(markdown: str) -> list[tuple[str, str]]:
    """(fence, body) of every fenced JSON block."""
    return re.findall(r"^(`{3,})json\n(.*?)\n\1$", markdown, re.S | re.M)


# -- report.md -----------------------------------------------------------------------------------


def test_report_md_shows_each_fix_as_a_json_block_that_reads_back_as_the_fix():
    text = render_markdown(run_of(failed(the_fix=fix())))
    assert [json.loads(body) for _, body in fenced(text)] == [fix().to_dict()]


def test_report_md_says_before_the_json_whether_the_fix_was_verified_and_its_note():
    unproven = fix(verified=False, note="an SCP denies it: not visible from this account")
    text = render_markdown(run_of(failed(the_fix=fix()), failed("kms:CreateGrant", unproven)))
    fixes = text.split("### Fixes", 1)[1].replace("\\", "")  # Markdown escapes: read as text
    assert "fix (verified: the cell was evaluated again" in fixes
    assert "fix (NOT verified: no evaluation proved" in fixes and "an SCP denies it" in fixes


def test_report_md_marks_the_failures_that_have_a_fix_in_their_row():
    text = render_markdown(run_of(failed(the_fix=fix()), failed("kms:CreateGrant")))
    rows = [line for line in text.splitlines() if line.startswith("| ❌ failed")]
    assert [("verified, below" in row) for row in rows] == [True, False]


def test_a_backtick_run_inside_a_fix_cannot_close_its_block():
    hostile = fix(sid="x\n```\n<img src=x onerror=alert(1)>")
    ((fence, body),) = fenced(render_markdown(run_of(failed(the_fix=hostile))))
    assert len(fence) > 3 and json.loads(body) == hostile.to_dict()


def test_report_md_shows_a_bounded_number_of_fixes_and_counts_the_rest():
    run = run_of(*(failed(f"kms:Action{n}", fix()) for n in range(5)))
    assert len(fenced(render_markdown(run))) == 5
    bounded = markdown_from_summary(summarise_run(run), max_fixes=2)
    assert (
        len(fenced(bounded)) == 2 and "…and 3 more (report.json and report.html hold every fix)." in bounded
    )


def test_a_run_without_fixes_has_no_fixes_section():
    assert "### Fixes" not in render_markdown(run_of(failed()))


# -- report.html, report.json --------------------------------------------------------------------


def test_report_html_carries_the_fix_in_the_failed_cells_detail():
    (cell,) = build_payload(run_of(failed(the_fix=fix())))["cells"]
    assert cell["fix"] == fix().to_dict()


def test_a_failed_cell_past_the_embedded_limit_keeps_its_fix_in_its_line(tmp_path):
    render_all(run_of(failed(the_fix=fix()), failed("kms:CreateGrant", fix())), tmp_path, formats=("html",),
               html_limits=HtmlLimits(full_cells=1))  # fmt: skip
    lines = (tmp_path / "report.html").read_text().split('id="cell-lines">', 1)[1].split("</script>", 1)[0]
    (line,) = lines.strip().splitlines()
    assert json.loads(line.split("\t")[10].replace("\\l", "<"))["fix"] == fix().to_dict()


def test_the_page_draws_the_fix_as_text_with_its_verified_state_and_a_copy_button():
    script = (REPORTS / "templates" / "report.js").read_text(encoding="utf-8")
    block = script.split("function fixBlock(fix) {", 1)[1].split("\n  }\n", 1)[0]
    assert 'el("pre", { cls: "fix-json", text: JSON.stringify(fix, null, 2) })' in block
    assert "NOT verified" in block and "fix.note" in block and "innerHTML" not in block


def test_report_json_keeps_the_fix_of_a_failed_cell(tmp_path):
    render_all(run_of(failed(the_fix=fix())), tmp_path, formats=("json",))
    (cell,) = json.loads((tmp_path / "report.json").read_text())["cells"]
    assert cell["fix"] == fix().to_dict()


# -- the report functions, split into named parts ------------------------------------------------


def test_no_function_of_the_markdown_and_terminal_reports_is_over_60_lines():
    for name in ("markdown.py", "terminal.py"):
        tree = ast.parse((REPORTS / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno is not None
                assert node.end_lineno - node.lineno + 1 <= 60, f"{name}: {node.name}"
