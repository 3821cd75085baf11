"""run.json v3 cells: compact on disk (templates, interned values, derived fields), full when read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import harness.run.records as runrecords
from harness.cells import Cell, CellResult, DecidingStatement, Expectation, SourceRef, Subject
from harness.run.builder import RunBuilder
from harness.run.records import CellDecoder, CellEncoder, full_record, standard_id
from harness.run.result import CellRecord
from harness.run.stream import iter_cells, read_tail

STATEMENT = {
    "policy_id": "PolicyInputList.1",
    "policy_type": "IAM Policy",
    "sid": "Use",
    "effect": "Allow",
    "start_line": 4,
    "start_column": 6,
    "end_line": 12,
    "end_column": 6,
    "origin": "policies.p",
}


def _record(resource: str = "arn:aws:kms:eu-west-3:111122223333:key/k1", **changes) -> dict:
    record = {
        "principal": "reader",
        "action": "kms:Decrypt",
        "resource": resource,
        "expected": "allowed",
        "actual": "allowed",
        "outcome": "passed",
        "backend": "offline",
        "enforced": "implicitDeny",
        "advisory": "KMS: no key policy was given",
        "scenario": "reader decrypts",
        "file": "s.yaml",
        "line": 7,
        "deciding_statements": [STATEMENT],
        "warnings": ["a caveat of this scenario"],
    }
    record["id"] = standard_id(record)
    return full_record(record | changes)


def _entries(records: list[dict], **kwargs) -> list[dict]:
    encoder = CellEncoder(**kwargs)
    return [entry for record in records for entry in encoder.encode(record)]


def _decoded(entries: list[dict]) -> list[dict]:
    decoder = CellDecoder()
    return [cell for entry in entries if (cell := decoder.decode(entry)) is not None]


def _cells(entries: list[dict]) -> list[dict]:
    return [e for e in entries if "template" in e]


def test_a_passing_cell_stores_neither_its_standard_id_nor_what_judge_and_its_expectation_imply():
    (cell,) = _cells(_entries([_record()]))
    assert not {"id", "outcome", "actual", "explanation", "scenario", "file"} & set(cell)


def test_every_kind_of_cell_reads_back_as_the_full_record_it_was():
    records = [
        _record(),
        _record(id="s.yaml::reader decrypts[reader|kms:Decrypt|*]#2"),
        _record(actual="implicitDeny", enforced="implicitDeny", outcome="failed", explanation=["no Allow"]),
        _record(actual="error", enforced=None, outcome="error", error="AccessDenied", deciding_statements=[]),
        _record(
            expected="denied",
            actual="explicitDeny",
            enforced=None,
            tags=["pci"],
            check_enforced=True,
            context=[{"key": "aws:SourceIp", "values": ["10.0.0.1"], "type": "ip"}],
        ),
        _record(other={"aws": "implicitDeny"}, disagreement="aws says implicitDeny", outcome="failed"),
        _record(via="stand-in caller", account="111122223333", missing_context=["aws:SourceVpc"]),
    ]
    assert _decoded(_entries(records)) == records


def test_a_passing_cells_explanation_is_not_kept():
    (cell,) = _decoded(_entries([_record(explanation=["Allow in p matched"])]))
    assert cell["explanation"] == []


def test_an_outcome_judge_would_not_give_is_stored_as_it_was():
    record = _record(outcome="failed")  # e.g. written by hand or by another tool
    assert _cells(_entries([record]))[0]["outcome"] == "failed"
    assert _decoded(_entries([record])) == [record]


def test_a_cell_without_an_enforced_decision_says_null_and_reads_back_so():
    record = _record(enforced=None)
    assert _cells(_entries([record]))[0]["enforced"] is None
    assert _decoded(_entries([record]))[0]["enforced"] is None


def test_a_warning_raised_for_every_cell_of_a_scenario_is_defined_once():
    entries = _entries([_record(f"arn:aws:kms:eu-west-3:111122223333:key/k{i}") for i in range(50)])
    defined = [e for e in entries if e.get("value") == "a caveat of this scenario"]
    assert len(defined) == 1 and all(c["warnings"] == [defined[0]["def"]] for c in _cells(entries))


def test_deciding_statements_and_templates_are_defined_once_before_their_first_use():
    entries = _entries([_record(), _record("arn:aws:kms:eu-west-3:111122223333:key/k2")])
    definitions = [e for e in entries if "def" in e]
    assert len(definitions) == 4  # template, advisory, statement, warning
    first_cell = entries.index(_cells(entries)[0])
    assert all(entries.index(d) < first_cell for d in definitions)


def test_numbering_starts_again_after_a_reset_and_still_reads_back(monkeypatch):
    monkeypatch.setattr(runrecords, "MAX_DEFS", 3)
    records = [_record(f"arn:aws:kms:eu-west-3:111122223333:key/k{i}", warnings=[f"w{i}"]) for i in range(6)]
    entries = _entries(records)
    assert {"reset_defs": True} in entries
    assert _decoded(entries) == records


def test_a_secret_in_any_field_is_redacted_before_it_is_encoded():
    secret = "AKIAIOSFODNN7EXAMPLE"
    record = _record(
        reason=f"key {secret}",
        advisory=f"a {secret}",
        resource=f"arn:x:{secret}",
        warnings=[secret],
        other={"session_token": "abc"},
    )
    text = repr(_entries([record]))
    assert secret not in text and "abc" not in text and "[REDACTED]" in text


def test_a_cell_like_one_already_written_costs_no_redaction_scan(monkeypatch):
    scanned: list[object] = []
    monkeypatch.setattr(runrecords, "redact_text", lambda text: scanned.append(text) or text)
    monkeypatch.setattr(runrecords, "redact_data", lambda value: scanned.append(value) or value)
    encoder = CellEncoder()
    encoder.encode(_record())
    before = len(scanned)
    encoder.encode(_record())
    assert before and len(scanned) == before


def test_the_standard_id_is_the_one_the_scenario_loader_gives(tmp_path: Path):
    from harness.scenarios import ScenarioLoader

    (tmp_path / "s.yaml").write_text(
        "version: 1\npolicies:\n  p: {Version: '2012-10-17', Statement: []}\nprincipals:\n"
        "  reader: {policies: [p]}\nscenarios:\n  - name: 'reader::  decrypts'\n    principal: reader\n"
        "    actions: [kms:Decrypt, s3:GetObject]\n    resources: ['*', 'arn:aws:s3:::b/k']\n"
        "    expect: denied\n"
    )
    loaded = ScenarioLoader().load(tmp_path / "s.yaml", display="s.yaml")
    for cell in loaded.cells:
        parts = {
            "file": cell.source.file,
            "scenario": cell.source.scenario,
            "principal": cell.principal_label,
            "action": cell.action,
            "resource": cell.resource,
        }
        assert standard_id(parts) == cell.id


class _Unread(tuple):
    def __iter__(self):
        raise AssertionError("a passing cell's explanation was read")


def test_a_passing_cells_record_never_reads_its_explanation():
    cell = Cell(
        id="c",
        source=SourceRef("s.yaml", 1, "s"),
        subject=Subject(caller_arn="arn:aws:iam::1:user/u"),
        action="s3:GetObject",
        resource="*",
        expected=Expectation.ALLOWED,
    )
    statement = DecidingStatement("p", "IAM Policy", "A", "Allow", 1, 1, 2, 2)
    result = CellResult("c", "offline", "allowed", deciding_statements=(statement,), explanation=_Unread())
    record = CellRecord.from_cell(cell, result)
    assert record.explanation == [] and record.deciding_statements[0]["sid"] == "A"


def test_the_run_counts_each_warning_once_with_its_cells_and_an_example(tmp_path: Path):
    builder = RunBuilder(stream=tmp_path / "run.json")
    for i in range(3):
        builder.add_cell(_record(f"arn:aws:kms:eu-west-3:111122223333:key/k{i}"), i)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    path = builder.finish_stream(builder.metadata("offline", now, now))
    first = next(iter_cells(path))["id"]
    summary = read_tail(path)["metadata"]["warnings"]
    assert summary == [{"message": "a caveat of this scenario", "cells": 3, "example_cell": first}]


@pytest.mark.parametrize("cells", [1, 100])
def test_a_passing_cell_costs_well_under_300_bytes(tmp_path: Path, cells: int):
    from harness.run.stream import RunStreamWriter

    writer = RunStreamWriter(tmp_path / "run.json")
    for i in range(cells):
        writer.write_cell(_record(f"arn:aws:kms:eu-west-3:111122223333:key/k{i}"))
    size = writer.finish({}, []).stat().st_size
    assert size / cells < (900 if cells == 1 else 300)
