"""A cell answered through a stand-in caller says so in run.json and in every report."""

from __future__ import annotations

import csv
import io

import pytest

from harness.reports.markdown import render_markdown
from harness.reports.render import render_text
from harness.run.result import CellRecord, RunResult

VIA = "stand-in caller"


@pytest.fixture
def run(make_cell, make_run) -> RunResult:
    return make_run(
        [
            make_cell(via=VIA),
            make_cell(action="kms:Encrypt", expected="allowed", actual="implicitDeny", via=VIA),
            make_cell(action="kms:Sign"),
        ]
    )


def test_run_json_keeps_via(run: RunResult) -> None:
    record = run.cells[0]
    assert CellRecord.from_dict(record.__dict__).via == VIA


def test_the_csv_has_a_via_column(run: RunResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render_text(run, "csv"))))
    assert sorted(r["via"] for r in rows) == ["", VIA, VIA]


def test_the_markdown_counts_them_and_marks_a_failure(run: RunResult) -> None:
    text = render_markdown(run)
    assert "2 cells answered via: stand-in caller" in text
    assert "| via: stand-in caller |" in text


def test_the_html_detail_panel_shows_via(run: RunResult) -> None:
    html = render_text(run, "html")
    assert '"via": "stand-in caller"' in html or '"via":"stand-in caller"' in html
    assert 'dlRow(dl, "via", c.via)' in html
