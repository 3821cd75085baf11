"""`harness report export|diff|merge`: outputs and exit codes."""

import json
from dataclasses import replace

from harness.cli.main import main
from harness.run.stream import load_document


def test_export_of_a_run_with_error_cells_exits_2_and_still_writes(sample_run, write_run, tmp_path):
    assert main(["report", "export", str(write_run(sample_run)), "--out", str(tmp_path / "o"), "-q"]) == 2
    assert (tmp_path / "o" / "report.html").exists()


def test_export_of_a_run_with_failures_only_exits_1(sample_run, write_run, tmp_path):
    sample_run.cells = [c for c in sample_run.cells if c.outcome != "error"]
    assert any(c.outcome == "failed" for c in sample_run.cells)
    assert main(["report", "export", str(write_run(sample_run)), "--out", str(tmp_path / "o"), "-q"]) == 1


def test_export_of_a_clean_run_exits_0(make_cell, make_run, write_run, tmp_path):
    path = write_run(make_run([make_cell()]))
    assert (
        main(["report", "export", str(path), "--out", str(tmp_path / "o"), "-q", "--format", "md,csv"]) == 0
    )
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "SHA256SUMS",
        "manifest.json",
        "report.csv",
        "report.md",
    ]


def test_export_of_a_run_with_unloadable_files_exits_2(make_cell, make_run, write_run, tmp_path):
    run = make_run([make_cell()])
    run.errors = [{"file": "s.yaml", "line": 1, "field": "x", "message": "bad"}]
    assert main(["report", "export", str(write_run(run)), "--out", str(tmp_path / "o"), "-q"]) == 2


def test_missing_file_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "nope.json"
    assert main(["report", "export", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err


def test_invalid_json_exits_2_naming_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops\n}")
    assert main(["report", "diff", str(bad), str(bad)]) == 2
    assert f"{bad}: not valid JSON" in capsys.readouterr().err


def test_cell_missing_a_field_exits_2_naming_the_cell(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"schema": "iam-harness/run-result", "schema_version": 1, "cells": [{"id": "c1"}]})
    )
    assert main(["report", "export", str(bad)]) == 2
    assert "cells[0] (id 'c1'): missing field(s) principal" in capsys.readouterr().err


def test_diff_without_changes_exits_0(sample_run, write_run):
    path = write_run(sample_run)
    assert main(["report", "diff", str(path), str(path)]) == 0


def test_diff_with_new_access_exits_1_and_names_it(make_cell, make_run, write_run, capsys):
    old = write_run(make_run([make_cell(actual="implicitDeny")]), "old.json")
    new = write_run(make_run([make_cell(actual="allowed")]), "new.json")
    assert main(["report", "diff", str(old), str(new)]) == 1
    assert "new access" in capsys.readouterr().out


def test_diff_fail_on_new_access_ignores_lost_access(make_cell, make_run, write_run):
    old = write_run(make_run([make_cell(actual="allowed")]), "old.json")
    new = write_run(make_run([make_cell(actual="implicitDeny")]), "new.json")
    assert main(["report", "diff", str(old), str(new), "--fail-on", "new-access"]) == 0


def test_merge_writes_one_run_of_all_accounts(make_cell, make_run, write_run, tmp_path):
    a = write_run(make_run([make_cell()], account="111111111111"), "a.json")
    b = write_run(make_run([make_cell()], account="222222222222"), "b.json")
    out = tmp_path / "merged.json"
    assert main(["report", "merge", str(a), str(b), "--output", str(out)]) == 0
    assert len(load_document(out)["cells"]) == 2


def test_merge_with_conflicts_exits_1_and_reports_them(make_cell, make_run, write_run, tmp_path, capsys):
    a = write_run(make_run([make_cell()]), "a.json")
    b = write_run(make_run([replace(make_cell(), actual="implicitDeny", outcome="failed")]), "b.json")
    assert main(["report", "merge", str(a), str(b), "--output", str(tmp_path / "m.json")]) == 1
    assert "conflict" in capsys.readouterr().err


def test_export_with_baseline_marks_drift_in_the_manifest(make_cell, make_run, write_run, tmp_path):
    old = write_run(make_run([make_cell(actual="implicitDeny")]), "old.json")
    new = write_run(make_run([make_cell(actual="allowed")]), "new.json")
    main(["report", "export", str(new), "--iam-baseline", str(old), "--out", str(tmp_path / "o"), "-q"])
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["drift"]["new_access"] == 1
    assert manifest["baseline"]["path"] == str(old)
