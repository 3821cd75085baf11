"""Merging runs of several accounts or shards into one."""

from dataclasses import replace

from harness.reports import render_all
from harness.reports.merge import merge
from harness.reports.view import build_grid


def test_runs_of_two_accounts_keep_both_cells_stamped_with_their_account(make_cell, make_run):
    a = make_run([make_cell()], account="111111111111")
    b = make_run([make_cell()], account="222222222222")
    result = merge([("a.json", a), ("b.json", b)])
    assert [c.account for c in result.run.cells] == ["111111111111", "222222222222"]
    assert result.run.metadata["accounts"] == ["111111111111", "222222222222"]
    assert result.conflicts == []


def test_shards_of_one_account_are_concatenated(make_cell, make_run):
    a = make_run([make_cell(action="kms:Decrypt")])
    b = make_run([make_cell(action="kms:Encrypt")])
    result = merge([("a", a), ("b", b)])
    assert [c.action for c in result.run.cells] == ["kms:Decrypt", "kms:Encrypt"]
    assert result.run.metadata["account"] == "111122223333"


def test_identical_duplicates_are_kept_once(make_cell, make_run):
    run = make_run([make_cell()])
    result = merge([("a", run), ("b", run)])
    assert len(result.run.cells) == 1
    assert result.duplicates == 1
    assert result.conflicts == []


def test_conflicting_duplicates_are_reported_and_the_first_wins(make_cell, make_run):
    first = make_run([make_cell(actual="allowed")])
    second = make_run([replace(make_cell(), actual="implicitDeny", outcome="failed")])
    result = merge([("a.json", first), ("b.json", second)])
    [conflict] = result.conflicts
    assert (conflict.kept_from, conflict.dropped_from) == ("a.json", "b.json")
    assert conflict.differences["actual"] == ("allowed", "implicitDeny")
    assert result.run.cells[0].actual == "allowed"
    assert result.run.metadata["merge"]["conflicts"][0]["cell_id"] == conflict.cell_id


def test_merged_time_span_covers_every_input(make_run):
    a = make_run([], started="2026-01-01T01:00:00+00:00", finished="2026-01-01T02:00:00+00:00")
    b = make_run([], started="2026-01-01T00:30:00+00:00", finished="2026-01-01T03:00:00+00:00")
    meta = merge([("a", a), ("b", b)]).run.metadata
    assert (meta["started"], meta["finished"]) == ("2026-01-01T00:30:00+00:00", "2026-01-01T03:00:00+00:00")


def test_load_errors_keep_the_input_they_came_from(make_run):
    a = make_run([])
    a.errors = [{"file": "s.yaml", "line": 3, "field": "action", "message": "bad"}]
    assert merge([("a.json", a)]).run.errors[0]["source"] == "a.json"


def test_merged_run_of_custom_policies_keeps_accounts_apart_in_the_matrix(make_cell, make_run):
    a = make_run([make_cell(principal="PolicyInputList.1")], account="111111111111")
    b = make_run([make_cell(principal="PolicyInputList.1", actual="implicitDeny")], account="222222222222")
    grid = build_grid(merge([("a", a), ("b", b)]).run)
    assert sorted(grid.principals) == ["111111111111:PolicyInputList.1", "222222222222:PolicyInputList.1"]


def test_merged_run_renders_in_every_format(make_cell, make_run, tmp_path):
    a = make_run([make_cell()], account="111111111111")
    b = make_run([make_cell()], account="222222222222")
    written = render_all(merge([("a", a), ("b", b)]).run, tmp_path)
    assert "111111111111, 222222222222" in (tmp_path / "report.md").read_text()
    assert len(written) == 7  # five formats (sarif included), SHA256SUMS, manifest.json
