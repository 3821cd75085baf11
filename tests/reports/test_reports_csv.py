"""CSV: one row per cell, safe to open in a spreadsheet."""

import csv
import io

from harness.reports.csv_export import COLUMNS, guard
from harness.reports.render import render_text


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_cell(sample_run):
    assert len(rows(render_text(sample_run, "csv"))) == len(sample_run.cells)


def test_header_is_the_documented_columns(sample_run):
    assert next(csv.reader(io.StringIO(render_text(sample_run, "csv")))) == list(COLUMNS)


def test_formula_starts_are_neutralised():
    for value in ("=cmd|'/C calc'!A0", "+1", "-1", "@SUM(A1)", "\t=1"):
        assert guard(value).startswith("'")


def test_plain_values_are_unchanged():
    assert guard("kms:Decrypt") == "kms:Decrypt"
    assert guard(12) == 12


def test_formula_in_a_principal_is_quoted_in_the_file(make_cell, make_run):
    out = rows(render_text(make_run([make_cell(principal='=HYPERLINK("http://x")')]), "csv"))
    assert out[0]["principal"].startswith("'=")


def test_failed_cells_come_before_passed(sample_run):
    outcomes = [r["outcome"] for r in rows(render_text(sample_run, "csv"))]
    assert outcomes == sorted(outcomes, key=["error", "failed", "passed"].index)
