"""run.json v3: one JSON document, one entry per line, metadata last; v1 and v2 files still read."""

from __future__ import annotations

import json

import pytest

from harness.run.records import full_record
from harness.run.result import RunResult
from harness.run.stream import (
    HEADER,
    HEADER_V2,
    RunStreamWriter,
    StreamFormatError,
    encode_run,
    is_streamed,
    iter_cells,
    read_tail,
)


def _record(cell_id: str, outcome: str = "passed") -> dict:
    return {
        "id": cell_id, "principal": "alice", "action": "s3:GetObject", "resource": "*",
        "expected": "allowed", "actual": "allowed" if outcome == "passed" else "implicitDeny",
        "outcome": outcome, "backend": "offline", "scenario": "s", "file": "a.yaml", "line": 3,
        "mode": "custom", "explanation": ["Allow in p1 matched"], "warnings": [], "error": None,
        "deciding_statements": [{"policy_id": "p1", "sid": "A", "effect": "Allow"}],
    }  # fmt: skip


def _write(tmp_path, records) -> object:
    writer = RunStreamWriter(tmp_path / "run.json")
    for r in records:
        writer.write_cell(r)
    return writer.finish({"backend": "offline", "counts": {"passed": 1}}, [])


def test_a_streamed_run_is_one_json_document_with_schema_version_3(tmp_path):
    doc = json.loads(_write(tmp_path, [_record("c1"), _record("c2", "failed")]).read_text())
    assert doc["schema_version"] == 3 and isinstance(doc["entries"], list)
    assert doc["metadata"]["backend"] == "offline" and doc["errors"] == []


def test_the_whole_document_loads_the_same_cells_as_the_stream(tmp_path):
    path = _write(tmp_path, [_record("c1"), _record("c2", "failed")])
    whole = RunResult.from_dict(json.loads(path.read_text()))
    assert [vars(c) for c in whole.cells] == list(iter_cells(path))


def test_cells_are_read_back_one_per_line_and_the_tail_without_them(tmp_path):
    path = _write(tmp_path, [_record("c1"), _record("c2", "failed")])
    assert is_streamed(path)
    assert [c["id"] for c in iter_cells(path)] == ["c1", "c2"]
    assert read_tail(path)["metadata"]["counts"] == {"passed": 1}


def test_every_line_between_header_and_tail_is_one_json_object(tmp_path):
    path = _write(tmp_path, [_record("c1"), _record("c2", "failed")])
    lines = path.read_bytes().splitlines()[1:-2]
    assert all(isinstance(json.loads(line.rstrip(b",")), dict) for line in lines)


def test_iter_cells_yields_full_records_with_defaults_filled(tmp_path):
    cell = next(iter_cells(_write(tmp_path, [_record("c1")])))
    assert cell == full_record(_record("c1") | {"explanation": []})


def test_a_passing_cell_keeps_its_deciding_statements_but_not_its_explanation(tmp_path):
    path = _write(tmp_path, [_record("c1")])
    assert "Allow in p1 matched" not in path.read_text()
    statements = next(iter_cells(path))["deciding_statements"]
    assert statements == [{"policy_id": "p1", "sid": "A", "effect": "Allow"}]


def test_a_failed_cell_keeps_its_explanation(tmp_path):
    cell = next(iter_cells(_write(tmp_path, [_record("c1", "failed")])))
    assert cell["explanation"] == ["Allow in p1 matched"]


def test_a_compact_cell_loads_with_its_defaults_filled_in(tmp_path):
    run = RunResult.load(_write(tmp_path, [_record("c1")]))
    assert run.cells[0].explanation == [] and run.cells[0].error is None and run.cells[0].line == 3


def test_a_schema_version_1_file_is_read_by_every_reader(tmp_path):
    path = tmp_path / "old.json"
    doc = {"schema": "iam-harness/run-result", "schema_version": 1, "metadata": {"backend": "offline"},
           "cells": [_record("c1")]}  # fmt: skip
    path.write_text(json.dumps(doc, indent=2))
    assert RunResult.load(path).cells[0].explanation == ["Allow in p1 matched"]
    assert not is_streamed(path)
    assert list(iter_cells(path)) == [full_record(_record("c1"))]
    assert read_tail(path)["metadata"] == {"backend": "offline"}


def test_a_schema_version_2_file_is_read_by_every_reader(tmp_path):
    path = tmp_path / "v2.json"
    compact = {k: v for k, v in _record("c1").items() if k != "explanation"}
    tail = b'\n],"errors":[],\n"metadata":{"backend":"offline"}}\n'
    path.write_bytes(HEADER_V2 + b"\n" + json.dumps(compact).encode() + tail)
    assert is_streamed(path)
    assert list(iter_cells(path)) == [full_record(compact)]
    assert read_tail(path)["metadata"] == {"backend": "offline"}
    assert RunResult.load(path).cells[0].id == "c1"


def test_encode_run_writes_what_the_stream_writer_writes(tmp_path):
    records = [_record("c1"), _record("c2", "failed")]
    streamed = _write(tmp_path, records)
    doc = {"cells": records, "errors": [], "metadata": {"backend": "offline", "counts": {"passed": 1}}}
    assert encode_run(doc) == streamed.read_bytes()


def test_a_truncated_file_is_refused_not_read_as_complete(tmp_path):
    path = _write(tmp_path, [_record("c1"), _record("c2")])
    path.write_bytes(b"\n".join(path.read_bytes().splitlines()[:-2]) + b"\n")
    with pytest.raises(StreamFormatError, match="did not finish"):
        list(iter_cells(path))


def test_a_cell_naming_an_undefined_definition_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, [_record("c1")])
    lines = path.read_bytes().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if not line.startswith(b'{"def"')]
    path.write_bytes(b"\n".join(kept) + b"\n")
    with pytest.raises(StreamFormatError, match=r"line 2: template names definition 0"):
        list(iter_cells(path))


def test_an_aborted_stream_leaves_no_file(tmp_path):
    writer = RunStreamWriter(tmp_path / "run.json")
    writer.write_cell(_record("c1"))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_the_on_disk_file_validates_against_the_run_result_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from harness.reports import SCHEMA_PATH

    doc = json.loads(_write(tmp_path, [_record("c1"), _record("c2", "failed")]).read_text())
    jsonschema.validate(doc, json.loads(SCHEMA_PATH.read_text()))


def test_a_run_written_whole_is_redacted_even_if_nobody_redacted_it_before():
    run = RunResult.from_dict(
        {
            "schema": "iam-harness/run-result",
            "schema_version": 3,
            "metadata": {},
            "cells": [_record("c1") | {"reason": "AKIAIOSFODNN7EXAMPLE"}],
        }
    )
    assert "AKIAIOSFODNN7EXAMPLE" not in run.dumps()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"def":[1],"value":"x"}', r"line 2: definition number \[1\] is not an integer"),
        (b'{"def":0,"value":{"file":"a.yaml"}},\n{"template":0}', r"line 3: a cell .* has no principal"),
        (b'{"def":0,"value":"not a template"},\n{"template":0}', r"line 3: template 0 is not an object"),
    ],
)
def test_a_hand_edited_entry_is_refused_with_its_line_never_a_traceback(tmp_path, line, message):
    path = tmp_path / "run.json"
    path.write_bytes(HEADER + b"\n" + line + b'\n],"errors":[],\n"metadata":{}}\n')
    with pytest.raises(StreamFormatError, match=message):
        list(iter_cells(path))


def test_harness_report_renders_a_version_2_and_a_version_3_file_alike(tmp_path):
    from harness.cli.main import main

    records = [_record("c1"), _record("c2", "failed")]
    v3 = _write(tmp_path, records)
    v2 = tmp_path / "v2.json"
    lines = b",\n".join(json.dumps(r).encode() for r in records)
    v2.write_bytes(HEADER_V2 + b"\n" + lines + b'\n],"errors":[],\n"metadata":{"backend":"offline"}}\n')
    for path in (v2, v3):  # exit 1 for both: c2 failed
        assert main(["report", "export", str(path), "--out", str(tmp_path / path.stem), "-q"]) == 1
    old, new = ((tmp_path / d / "report.csv").read_text().splitlines() for d in ("v2", "run"))
    assert len(old) == len(new) == 3 and old[0] == new[0]
