"""One pass over a run's cells renders every format, keeping only aggregates and non-passing cells."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import weakref
from collections.abc import Iterator

import pytest

from harness.reports.html import HtmlLimits
from harness.reports.render import render_source
from harness.reports.source import RunSource
from harness.run.result import CellRecord, RunResult
from tests.reports.conftest import EVERY_REPORT_FILE, XSS_CONDITION, XSS_SID, big_run, cell, run_of


class OnePassSource:
    """A RunSource whose cells come from one generator that fails if asked for a second pass,
    and that remembers (weakly) every passing cell it produced."""

    def __init__(self, run: RunResult) -> None:
        self.run = run
        self.passes = 0
        self.passing: list[weakref.ref] = []
        self.source = RunSource(metadata=run.metadata, errors=run.errors, _records=self._cells)

    def _cells(self) -> Iterator[CellRecord]:
        self.passes += 1
        if self.passes > 1:
            raise AssertionError("the cells were read twice")
        for original in self.run.cells:
            fresh = CellRecord(**vars(original))  # a new object the renderer alone can keep alive
            if fresh.outcome == "passed":
                self.passing.append(weakref.ref(fresh))
            yield fresh


def test_every_format_is_rendered_from_a_single_pass(tmp_path):
    one = OnePassSource(big_run(30, 20))
    render_source(one.source, tmp_path)
    assert one.passes == 1


def test_no_passing_cell_is_kept_after_the_pass(tmp_path):
    one = OnePassSource(big_run(30, 20))
    result = render_source(one.source, tmp_path)
    gc.collect()
    assert one.passing and all(ref() is None for ref in one.passing)
    assert all(p.cell.outcome != "passed" for p in result.summary.held)


def test_held_cells_are_the_failures_and_errors_only(tmp_path):
    run = big_run(30, 20)
    result = render_source(RunSource.from_run(run), tmp_path, formats=["md"])
    assert len(result.summary.held) == sum(1 for c in run.cells if c.outcome != "passed")


def test_csv_has_a_row_for_every_cell(tmp_path):
    run = big_run(30, 20)
    render_source(RunSource.from_run(run), tmp_path, formats=["csv"], manifest=False)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in rows) == sorted(c.id for c in run.cells)
    outcomes = [r["outcome"] for r in rows]
    assert outcomes == sorted(outcomes, key=["error", "failed", "passed"].index)


def test_report_json_has_every_cell_and_loads_as_a_run(tmp_path):
    run = big_run(30, 20)
    render_source(RunSource.from_run(run), tmp_path, formats=["json"], manifest=False)
    loaded = RunResult.load(tmp_path / "report.json")
    assert sorted(c.id for c in loaded.cells) == sorted(c.id for c in run.cells)


def test_report_json_of_a_run_with_only_passing_cells_is_valid(tmp_path):
    render_source(
        RunSource.from_run(run_of([cell(), cell(action="kms:Encrypt")])), tmp_path, formats=["json"]
    )
    assert len(json.loads((tmp_path / "report.json").read_text())["cells"]) == 2


def test_manifest_hashes_match_the_streamed_files(tmp_path):
    import hashlib

    render_source(RunSource.from_run(big_run(10, 10)), tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    for entry in manifest["files"]:
        assert hashlib.sha256((tmp_path / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


def test_no_spool_file_is_left_in_the_report_directory(tmp_path):
    render_source(RunSource.from_run(big_run(10, 10)), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == EVERY_REPORT_FILE


def test_unknown_format_is_refused_before_reading(tmp_path):
    one = OnePassSource(big_run(2, 2))
    with pytest.raises(ValueError, match="pdf"):
        render_source(one.source, tmp_path, formats=["pdf"])
    assert one.passes == 0


def test_markdown_stays_bounded_for_a_large_run(tmp_path):
    run = run_of(
        [
            cell(f"role-{p}", f"svc{a % 40}:Action{a}", actual="implicitDeny" if (p + a) % 3 else "allowed")
            for p in range(150)
            for a in range(200)
        ]
    )
    render_source(RunSource.from_run(run), tmp_path, formats=["md"], manifest=False)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert len(text) < 200_000
    assert "too large for Markdown" in text and "…and" in text


def _html(run: RunResult, tmp_path, **limits) -> str:
    render_source(
        RunSource.from_run(run), tmp_path, formats=["html"], manifest=False, html_limits=HtmlLimits(**limits)
    )
    return (tmp_path / "report.html").read_text(encoding="utf-8")


def test_html_says_when_cells_are_only_counted(tmp_path):
    text = _html(big_run(30, 20), tmp_path, line_bytes=2000)
    assert re.search(r"\d+ passing cells are counted in the summary but not listed", text)
    assert "report.csv and report.json hold every cell" in text


def test_html_past_its_full_limit_writes_the_rest_of_the_failures_as_lines(tmp_path):
    from tests.reports.test_reports_html import cell_lines, data_block

    run = big_run(30, 20)
    text = _html(run, tmp_path, full_cells=5)
    data = data_block(text)
    assert len(data["cells"]) == 5
    assert len(data["cells"]) + len(cell_lines(text)) == len(run.cells)
    assert (
        sum(1 for line in cell_lines(text) if line.split("\t")[2][0] != "p")
        == len([c for c in run.cells if c.outcome != "passed"]) - 5
    )


def test_payload_values_are_escaped_in_the_lines_block(tmp_path):
    from tests.reports.test_reports_html import cell_lines

    run = run_of(
        [cell(resource=f"arn:aws:s3:::b/{XSS_SID}", context=[{"key": "k", "values": [XSS_CONDITION]}])]
    )
    text = _html(run, tmp_path)
    block = text.split('id="cell-lines">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    [line] = cell_lines(text)
    assert "\\l/script>" in line and "\\limg" in line
