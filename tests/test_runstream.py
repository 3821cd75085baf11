"""run.json v2: one JSON document, one cell per line, metadata last; passing cells compact."""

from __future__ import annotations

import json

from harness.runresult import RunResult
from harness.runstream import RunStreamWriter, compact_record, is_streamed, iter_cells, read_tail


def _record(cell_id: str, outcome: str = "passed") -> dict:
    return {
        "id": cell_id, "principal": "alice", "action": "s3:GetObject", "resource": "*",
        "expected": "allowed", "actual": "allowed" if outcome == "passed" else "implicitDeny",
        "outcome": outcome, "backend": "offline", "scenario": "s", "file": "a.yaml", "line": 3,
        "mode": "custom", "explanation": ["Allow in p1 matched"], "warnings": [], "error": None,
        "deciding_statements": [{"policy_id": "p1", "sid": "A", "effect": "Allow"}],
    }


def _write(tmp_path, records) -> object:
    writer = RunStreamWriter(tmp_path / "run.json")
    for r in records:
        writer.write_cell(r)
    return writer.finish({"backend": "offline", "counts": {"passed": 1}}, [])


def test_a_streamed_run_is_one_json_document_with_schema_version_2(tmp_path):
    doc = json.loads(_write(tmp_path, [_record("c1"), _record("c2", "failed")]).read_text())
    assert doc["schema_version"] == 2 and [c["id"] for c in doc["cells"]] == ["c1", "c2"]
    assert doc["metadata"]["backend"] == "offline" and doc["errors"] == []


def test_cells_are_read_back_one_per_line_and_the_tail_without_them(tmp_path):
    path = _write(tmp_path, [_record("c1"), _record("c2", "failed")])
    assert is_streamed(path)
    assert [c["id"] for c in iter_cells(path)] == ["c1", "c2"]
    assert read_tail(path)["metadata"]["counts"] == {"passed": 1}


def test_a_passing_cell_keeps_its_deciding_statements_but_not_its_explanation():
    compact = compact_record(_record("c1"))
    assert "explanation" not in compact and compact["deciding_statements"][0]["sid"] == "A"


def test_a_failed_cell_keeps_its_explanation():
    assert compact_record(_record("c1", "failed"))["explanation"] == ["Allow in p1 matched"]


def test_a_compact_cell_loads_with_its_defaults_filled_in(tmp_path):
    run = RunResult.load(_write(tmp_path, [_record("c1")]))
    assert run.cells[0].explanation == [] and run.cells[0].error is None and run.cells[0].line == 3


def test_a_schema_version_1_file_still_loads(tmp_path):
    path = tmp_path / "old.json"
    doc = {"schema": "iam-harness/run-result", "schema_version": 1, "metadata": {}, "cells": [_record("c1")]}
    path.write_text(json.dumps(doc, indent=2))
    assert RunResult.load(path).cells[0].explanation == ["Allow in p1 matched"]


def test_an_aborted_stream_leaves_no_file(tmp_path):
    writer = RunStreamWriter(tmp_path / "run.json")
    writer.write_cell(_record("c1"))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
