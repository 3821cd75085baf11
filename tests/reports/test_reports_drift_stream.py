"""Drift streamed against a compact index of the baseline: the same answers as comparing whole runs."""

from __future__ import annotations

import csv
import io

from harness.reports.drift import BaselineIndex, DriftKind, DriftTracker
from harness.reports.export import baseline_index, render_run_file, stream_drift
from harness.reports.source import RunSource
from tests.reports.conftest import cell, run_of


def _runs():
    old = run_of(
        [
            cell("a", "kms:Decrypt", actual="implicitDeny", expected="denied"),
            cell("b", "kms:Decrypt"),
            cell("c", "kms:Decrypt"),
        ]
    )
    new = run_of(
        [
            cell("a", "kms:Decrypt", actual="allowed", expected="denied"),
            cell("b", "kms:Decrypt"),
            cell("d", "kms:Decrypt"),
        ]
    )
    return old, new


def test_the_index_holds_one_small_entry_per_request():
    old, _ = _runs()
    index = BaselineIndex.build(RunSource.from_run(old))
    assert len(index.entries) == 3
    assert all(isinstance(k, bytes) and len(k) == 16 for k in index.entries)


def test_streamed_drift_finds_new_access_added_and_removed(write_run):
    old, new = _runs()
    drift = stream_drift(baseline_index(write_run(old, "old.json")), write_run(new, "new.json"))
    s = drift.summary()
    assert (s["new_access"], s["added"], s["removed"]) == (1, 1, 1)
    assert [c.principal for c in drift.changes if c.kind is DriftKind.REMOVED] == ["c"]


def test_added_and_removed_are_counted_past_the_listing_limit():
    old = run_of([cell(f"old-{i}") for i in range(5)])
    new = run_of([cell(f"new-{i}") for i in range(5)])
    tracker = DriftTracker(BaselineIndex.build(RunSource.from_run(old)), list_limit=2)
    for c in RunSource.from_run(new).cells():
        tracker.observe("111122223333", c)
    drift = tracker.finish()
    assert drift.count(DriftKind.ADDED) == 5 and drift.count(DriftKind.REMOVED) == 5
    assert len(drift.changes) == 4
    assert drift.to_dict()["not_listed"] == {"added": 3, "removed": 3}


def test_a_baseline_replaced_by_the_new_run_still_counts_removed_requests(write_run):
    old, new = _runs()
    path = write_run(old, "run.json")
    index = baseline_index(path)
    write_run(new, "run.json")  # the plugin's case: the baseline was the previous run.json
    drift = stream_drift(index, path)
    assert drift.count(DriftKind.REMOVED) == 1
    assert drift.count(DriftKind.NEW_ACCESS) == 1


def test_render_run_file_marks_drift_in_the_same_pass(write_run, tmp_path):
    old, new = _runs()
    result = render_run_file(
        write_run(new, "new.json"), tmp_path / "out", baseline=baseline_index(write_run(old, "old.json"))
    )
    assert result.drift is not None and result.drift.count(DriftKind.NEW_ACCESS) == 1
    held = result.summary.held_in_order()
    assert held[0].cell.principal == "a" and held[0].decision_change is not None
    rows = csv.DictReader(io.StringIO((tmp_path / "out" / "report.csv").read_text(encoding="utf-8")))
    assert {r["principal"]: r["drift"] for r in rows} == {"a": "new_access", "b": "", "d": "added"}
