"""RunSource: a run result read one cell at a time, from a streamed run.json, an older file or memory."""

from __future__ import annotations

import json

import pytest

from harness.reports.source import RunSource
from harness.run.load import RunInputError
from harness.run.stream import HEADER_V2, is_streamed

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_a_streamed_run_json_gives_every_cell_in_order(sample_run, write_run):
    path = write_run(sample_run)
    assert is_streamed(path)
    source = RunSource.from_path(path)
    assert [c.id for c in source.cells()] == [c.id for c in sample_run.cells]
    assert source.metadata["account"] == "111122223333"


def test_cells_can_be_read_again(sample_run, write_run):
    source = RunSource.from_path(write_run(sample_run))
    assert [c.id for c in source.cells()] == [c.id for c in source.cells()]
    assert source.count == len(sample_run.cells)


def test_a_version_1_file_is_read_whole(sample_run, tmp_path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(sample_run.to_dict() | {"schema_version": 1}, indent=2), encoding="utf-8")
    assert [c.actual for c in RunSource.from_path(path).cells()] == [c.actual for c in sample_run.cells]


def test_cells_are_redacted_as_they_are_read(make_cell, make_run, write_run):
    run = make_run([make_cell(actual="error", error=f"boom secret_access_key={SECRET} AKIAIOSFODNN7EXAMPLE")])
    [cell] = RunSource.from_path(write_run(run)).cells()
    assert SECRET not in cell.error and "AKIAIOSFODNN7EXAMPLE" not in cell.error


def test_a_cell_without_a_required_field_names_the_file_and_the_cell(sample_run, tmp_path):
    # Version 2 stores every field of every cell: a hand-edited one can lose a required field.
    cells = [dict(vars(c)) for c in sample_run.cells]
    del cells[0]["outcome"]
    lines = [HEADER_V2.decode()] + [json.dumps(c) + "," for c in cells]
    lines[-1] = lines[-1].rstrip(",")
    lines += ['],"errors":[],', '"metadata":{}}']
    path = tmp_path / "v2.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RunInputError, match=r"cells\[0\].*missing field\(s\) outcome") as info:
        list(RunSource.from_path(path).cells())
    assert str(path) in str(info.value)


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(RunInputError, match="no such file"):
        RunSource.from_path(tmp_path / "nope.json")


def test_a_replaced_file_is_not_read_as_the_same_run(sample_run, make_cell, make_run, write_run):
    path = write_run(sample_run)
    source = RunSource.from_path(path)
    write_run(make_run([make_cell(id="other")]))  # same name: the next run's run.json
    with pytest.raises(RunInputError, match="changed since"):
        list(source.cells())
