"""The Markdown report for CI job summaries and pull-request comments."""

from harness.reports.drift import diff
from harness.reports.markdown import md, render_markdown


def test_summary_counts_every_outcome(sample_run):
    out = render_markdown(sample_run)
    assert "2 passed" in out and "1 failed" in out and "1 errors" in out


def test_html_and_markdown_in_values_are_escaped(sample_run):
    out = render_markdown(sample_run)
    assert "<script" not in out and "<img" not in out
    assert "&lt;/script&gt;" in out


def test_pipes_cannot_break_a_table_row():
    assert md("a|b") == "a\\|b"


def test_links_cannot_be_injected():
    assert md("[x](javascript:alert(1))") == "\\[x\\]\\(javascript:alert\\(1\\)\\)"


def test_failures_list_names_file_and_line(sample_run):
    assert "scenarios/kms.yaml:12" in render_markdown(sample_run)


def test_drift_section_comes_before_failures(make_cell, make_run):
    old = make_run([make_cell(actual="implicitDeny")])
    new = make_run([make_cell(actual="allowed")])
    out = render_markdown(new, drift=diff(old, new))
    assert out.index("Changes since baseline") < out.index("Failures and errors")
    assert "new access" in out


def test_a_huge_matrix_points_to_the_html_report(make_big_run):
    out = render_markdown(make_big_run(100, 50))
    assert "too large for Markdown" in out


def test_a_cell_answered_from_the_resource_side_only_says_so(make_cell, make_run):
    from dataclasses import replace

    external = replace(make_cell(id="x", actual="allowed", expected="denied"), other_side="unknown")
    assert "resource side only" in render_markdown(make_run([external]))
