"""The table printed at the end of a run."""

from harness.reports.terminal import matrix_table


def test_table_has_principals_actions_and_counts(sample_run):
    out = matrix_table(sample_run)
    assert "role/Reader" in out and "kms:ScheduleKeyDeletion" in out
    assert "4 cells, 2 passed, 1 failed, 1 errors" in out


def test_cells_are_marked_with_outcome_and_decision(sample_run):
    out = matrix_table(sample_run)
    assert "FAIL X" in out and "ERR E" in out and "ok A" in out


def test_baseline_marks_new_access(make_cell, make_run):
    old = make_run([make_cell(actual="implicitDeny")])
    new = make_run([make_cell(actual="allowed")])
    out = matrix_table(new, baseline=old)
    assert "+ok A" in out and "1 new access" in out


def test_wide_matrices_are_split_into_blocks(make_big_run):
    out = matrix_table(make_big_run(2, 20), columns_per_block=8)
    assert out.count("principal \\ action") == 3


def test_empty_run_prints_counts_only(make_run):
    assert matrix_table(make_run([])).startswith("IAM permission matrix: 0 cells")
