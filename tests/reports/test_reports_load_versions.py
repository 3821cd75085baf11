"""`harness report` reads run results of schema version 1 (indented, whole) and 2 (streamed) alike."""

from __future__ import annotations

import json

from harness.cli.main import main
from harness.run.load import load_run


def _write_v1(sample_run, path):
    doc = sample_run.to_dict() | {"schema_version": 1}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_a_version_1_and_a_version_2_file_load_the_same_cells(sample_run, tmp_path):
    v1 = _write_v1(sample_run, tmp_path / "v1.json")
    v2 = tmp_path / "v2.json"
    v2.write_text(sample_run.dumps(), encoding="utf-8")
    old, _ = load_run(v1)
    new, _ = load_run(v2)
    assert [c.id for c in old.cells] == [c.id for c in new.cells]
    assert [c.actual for c in old.cells] == [c.actual for c in new.cells]


def test_report_export_renders_a_version_1_file(sample_run, tmp_path):
    v1 = _write_v1(sample_run, tmp_path / "v1.json")
    main(["report", "export", str(v1), "--out", str(tmp_path / "out"), "-q"])
    assert (tmp_path / "out" / "report.csv").is_file()
