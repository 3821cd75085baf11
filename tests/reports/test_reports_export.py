"""render_all and export: files, manifest, metadata, redaction, atomic writes."""

import hashlib
import json
import os

import pytest

from harness.reports import render_all
from harness.reports.export import atomic_write, enrich_metadata, export
from harness.run.result import RunResult
from tests.reports.conftest import EVERY_REPORT_FILE

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_render_all_writes_every_format_and_the_manifest(sample_run, tmp_path):
    written = render_all(sample_run, tmp_path)
    names = sorted(p.name for p in written)
    assert names == EVERY_REPORT_FILE


def test_manifest_holds_the_sha256_of_every_file_written(sample_run, tmp_path):
    render_all(sample_run, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    for name, digest in listed.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    reports = {"report.md", "report.html", "report.csv", "report.json", "report.sarif"}
    assert set(listed) == reports | {"SHA256SUMS"}


def test_only_the_asked_formats_are_written(sample_run, tmp_path):
    written = render_all(sample_run, tmp_path, formats=("csv",), manifest=False)
    assert [p.name for p in written] == ["report.csv"]


def test_unknown_format_is_refused(sample_run, tmp_path):
    with pytest.raises(ValueError, match="pdf"):
        render_all(sample_run, tmp_path, formats=("pdf",))


def test_json_report_is_a_loadable_run_result_with_drift(make_cell, make_run, tmp_path):
    old = make_run([make_cell(actual="implicitDeny")])
    new = make_run([make_cell(actual="allowed")])
    render_all(new, tmp_path, baseline=old, formats=("json",))
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["drift"]["summary"]["new_access"] == 1
    assert len(RunResult.from_dict(doc).cells) == 1


def test_no_secret_reaches_any_report(make_cell, make_run, tmp_path):
    run = make_run(
        [
            make_cell(
                actual="error", error=f"AccessDenied for AKIAIOSFODNN7EXAMPLE secret_access_key={SECRET}"
            )
        ],
        api={"aws_session_token": "FwoGZXIvYXdzEXAMPLE"},
    )
    for path in render_all(run, tmp_path):
        text = path.read_text(encoding="utf-8")
        assert "AKIAIOSFODNN7EXAMPLE" not in text and SECRET not in text and "FwoGZXIvYXdzEXAMPLE" not in text


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "r.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["r.txt"]


def test_policy_documents_get_a_sha256_of_their_text():
    meta = enrich_metadata({"policy_documents": [{"id": "p", "text": "{}"}]})
    assert meta["policy_documents"][0]["sha256"] == hashlib.sha256(b"{}").hexdigest()


def test_scenario_files_get_a_sha256_from_disk(tmp_path):
    (tmp_path / "s.yaml").write_text("x: 1\n")
    meta = enrich_metadata({"scenario_files": [{"path": "s.yaml"}]}, base_dir=tmp_path)
    assert meta["scenario_files"][0]["sha256"] == hashlib.sha256(b"x: 1\n").hexdigest()


def test_export_records_the_source_file_and_its_hash(sample_run, write_run, tmp_path):
    path = write_run(sample_run)
    export(path, tmp_path / "out", formats=("json",))
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert doc["metadata"]["exported"]["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["source"]["sha256"] == doc["metadata"]["exported"]["source"]["sha256"]
