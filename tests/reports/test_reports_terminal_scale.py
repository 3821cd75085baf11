"""The terminal tables stay bounded at any run size."""

from __future__ import annotations

from dataclasses import replace

from harness.reports.summary import summarise
from harness.reports.terminal import matrix_from_summary, scenario_counts_table
from tests.reports.conftest import cell, run_of


def _wide_run(principals: int, actions: int):
    return run_of(
        [
            cell(
                f"role-{p}", f"svc{a % 9}:Action{a}", actual="implicitDeny" if (p * a) % 7 == 0 else "allowed"
            )
            for p in range(principals)
            for a in range(actions)
        ]
    )


def test_a_run_with_many_actions_prints_the_principal_by_service_summary():
    run = _wide_run(300, 100)
    out = matrix_from_summary(summarise(run.metadata, run.errors, run.cells))
    assert "principal \\ service" in out and "principal \\ action" not in out
    assert "100 more principals" in out
    assert len(out.splitlines()) < 500


def test_a_small_run_keeps_the_principal_by_action_grid():
    run = _wide_run(3, 4)
    out = matrix_from_summary(summarise(run.metadata, run.errors, run.cells))
    assert "principal \\ action" in out


def test_the_grid_is_dropped_once_past_its_limit():
    from harness.reports.summary import RunSummary

    run = _wide_run(10, 10)
    summary = RunSummary(run.metadata, run.errors, grid_limit=50)
    for i, c in enumerate(run.cells):
        summary.add(i, c, None)
    assert summary.grid() is None
    assert summary.matrix().groups  # the summary matrix is still there


def test_scenario_counts_are_cut_after_the_worst_rows():
    records = [
        replace(cell(f"p{i}", outcome="failed" if i == 77 else None), scenario=f"s{i}") for i in range(120)
    ]
    text = scenario_counts_table(records, max_rows=10)
    assert len(text.splitlines()) == 2 + 10 + 1
    assert "s77" in text.splitlines()[2]  # the failing scenario first
    assert "110 more scenarios: 110 passed, 0 failed, 0 error" in text


def test_scenario_counts_come_from_a_summary_without_reading_cells_again():
    run = _wide_run(5, 5)
    summary = summarise(run.metadata, run.errors, run.cells)
    assert "kms keys" in scenario_counts_table(summary)
