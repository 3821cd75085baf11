"""A cell's `covers` and `fix` in the run result: recorded, interned, streamed, read back; the facts of
each covered resource once per run, in its `estate` table; older versions still read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from harness.account.resources import Covered, ResourceKind
from harness.cells import (
    Cell,
    CellResult,
    ChangeKind,
    Expectation,
    Fix,
    PolicyChange,
    SourceRef,
    Subject,
)
from harness.run.builder import RunBuilder, record_dict
from harness.run.estate import ESTATE_FIELDS
from harness.run.load import RunInputError, load_run
from harness.run.records import CellDecoder, CellEncoder
from harness.run.result import CellRecord, RunResult
from harness.run.stream import HEADER, HEADER_V2, StreamFormatError, encode_run, iter_cells, read_tail

ACCOUNT, REGION = "111122223333", "eu-west-3"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ResponseRole"


def volume(n: int, instance: str = "", name: str = "") -> Covered:
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-{n:04d}"
    return Covered(arn, ResourceKind.EC2_VOLUME, ACCOUNT, REGION, instance, name, KEY)


def instance(instance_id: str, name: str) -> Covered:
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}"
    return Covered(arn, ResourceKind.EC2_INSTANCE, ACCOUNT, REGION, instance_id, name)


KEY_COVERS = (volume(1, "i-01", "web"), instance("i-01", "web"), volume(2))
FIX = Fix(
    changes=(
        PolicyChange(
            ChangeKind.ADD_STATEMENT,
            KEY,
            "key_policy",
            {"Sid": "AllowResponseRoleDecrypt", "Effect": "Allow", "Principal": {"AWS": ROLE},
             "Action": ["kms:Decrypt"], "Resource": "*"},
        ),
    ),
    verified=True,
)  # fmt: skip


def key_cell(action: str = "kms:Decrypt", covers: tuple[Covered, ...] = KEY_COVERS) -> Cell:
    return Cell(
        id=f"kms.yaml::acquire[{ROLE.replace('::', ':')}|{action}|{KEY}]",  # the loader's id
        source=SourceRef("kms.yaml", 5, "acquire"),
        subject=Subject(principal_arn=ROLE),
        action=action,
        resource=KEY,
        expected=Expectation.ALLOWED,
        covers=covers,
    )


def record(action: str = "kms:Decrypt", decision: str = "allowed", fix: Fix | None = None, **cell) -> dict:
    c = key_cell(action, **cell)
    return record_dict(CellRecord.from_cell(c, CellResult(c.id, "offline", decision, fix=fix)))


def streamed(tmp_path, records: list[dict]):
    builder = RunBuilder(stream=tmp_path / "run.json")
    for i, r in enumerate(records):
        builder.add_cell(r, i)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return builder.finish_stream(builder.metadata("offline", now, now))


def entries_of(path) -> list[dict]:
    return json.loads(path.read_text())["entries"]


# -- the record ----------------------------------------------------------------------------------


def test_a_record_names_each_covered_arn_once_in_the_order_covered():
    two_instances = (volume(1, "i-01", "web"), volume(1, "i-02", "db"), instance("i-01", "web"))
    covered = record(covers=two_instances)
    assert covered["covers"] == [two_instances[0].arn, two_instances[2].arn]


def test_a_record_carries_the_facts_of_every_covered_resource_to_the_writer():
    facts = record()["estate"]
    assert [f["arn"] for f in facts] == [c.arn for c in KEY_COVERS]
    assert facts[0] == {
        "arn": KEY_COVERS[0].arn, "kind": "ec2:volume", "account": ACCOUNT, "region": REGION,
        "instance_id": "i-01", "instance_name": "web", "key_arn": KEY,
    }  # fmt: skip
    assert set(facts[1]) == set(ESTATE_FIELDS)


def test_a_cell_written_by_hand_covers_nothing():
    assert record(covers=())["covers"] == [] and record(covers=())["estate"] == []


def test_a_failed_cells_record_carries_its_fix_as_json():
    assert record(decision="implicitDeny", fix=FIX)["fix"] == FIX.to_dict()


def test_a_cell_that_passed_keeps_no_fix_even_if_one_was_handed_over():
    assert record(decision="allowed", fix=FIX)["fix"] is None


# -- run.json ------------------------------------------------------------------------------------


def test_covers_and_fix_round_trip_through_run_json(tmp_path):
    path = streamed(tmp_path, [record(), record("kms:CreateGrant", "implicitDeny", FIX)])
    cells = list(iter_cells(path))
    assert [c["covers"] for c in cells] == [[c.arn for c in KEY_COVERS]] * 2
    assert [c["fix"] for c in cells] == [None, FIX.to_dict()]
    loaded = RunResult.load(path)
    assert loaded.cells[1].fix == FIX.to_dict() and loaded.cells[0].covers == cells[0]["covers"]


def test_a_covers_list_shared_by_many_cells_is_one_definition_each_cell_names_by_number(tmp_path):
    path = streamed(tmp_path, [record(a) for a in ("kms:Decrypt", "kms:CreateGrant", "kms:DescribeKey")])
    entries = entries_of(path)
    lists = [e for e in entries if "def" in e and e["value"] == [c.arn for c in KEY_COVERS]]
    assert len(lists) == 1
    cells = [e for e in entries if "template" in e]
    assert {c["covers"] for c in cells} == {lists[0]["def"]}


def test_each_covered_resources_facts_are_written_once_in_the_runs_estate_not_with_its_cells(tmp_path):
    path = streamed(tmp_path, [record(a) for a in ("kms:Decrypt", "kms:CreateGrant")])
    assert "estate" not in path.read_text().split('],"errors":')[0]
    estate = read_tail(path)["estate"]
    assert sorted((e["arn"], e["instance_id"]) for e in estate) == sorted(
        (c.arn, c.instance_id) for c in KEY_COVERS
    )
    assert all(c["estate"] == [] for c in iter_cells(path))


def test_the_estate_line_comes_before_the_metadata_which_stays_last(tmp_path):
    lines = streamed(tmp_path, [record()]).read_bytes().splitlines()
    assert lines[-2].startswith(b'"estate":') and lines[-1].startswith(b'"metadata":')


def test_a_run_without_covers_writes_no_estate(tmp_path):
    path = streamed(tmp_path, [record(covers=())])
    assert "estate" not in read_tail(path) and RunResult.load(path).estate == []


def test_a_passing_cell_with_covers_costs_one_definition_number_not_its_list(tmp_path):
    path = streamed(tmp_path, [record(a) for a in ("kms:Decrypt", "kms:CreateGrant")])
    last = json.loads(path.read_text().split("\n")[-5].rstrip(","))  # the second cell
    assert isinstance(last["covers"], int) and "fix" not in last


def test_a_passing_cell_without_covers_writes_neither_field(tmp_path):
    path = streamed(tmp_path, [record(covers=())])
    cell = next(e for e in entries_of(path) if "template" in e)
    assert "covers" not in cell and "fix" not in cell and "estate" not in cell


def test_a_covers_number_that_names_no_list_is_refused_with_its_line(tmp_path):
    path = tmp_path / "run.json"
    template = {"file": "a.yaml", "scenario": "s", "principal": "p", "expected": "allowed", "backend": "b"}
    body = [{"def": 0, "value": template}, {"def": 1, "value": "not a list"},
            {"template": 0, "action": "kms:Decrypt", "resource": "*", "covers": 1}]  # fmt: skip
    text = ",\n".join(json.dumps(e) for e in body)
    path.write_bytes(HEADER + b"\n" + text.encode() + b'\n],"errors":[],\n"metadata":{}}\n')
    with pytest.raises(StreamFormatError, match="line 4: covers names definition 1, which is not a list"):
        list(iter_cells(path))


def test_a_cell_read_back_gets_a_list_of_its_own_to_change():
    encoder, decoder = CellEncoder(redact=False), CellDecoder()
    decoded = [
        d
        for r in (record(), record("kms:CreateGrant"))
        for e in encoder.encode(r)
        if (d := decoder.decode(e))
    ]
    decoded[0]["covers"].append("x")
    assert "x" not in decoded[1]["covers"]


# -- the run in memory, written whole ------------------------------------------------------------


def test_a_run_in_memory_gathers_its_records_facts_into_its_estate_once_each():
    cells = [CellRecord.from_dict(record(a)) for a in ("kms:Decrypt", "kms:CreateGrant")]
    run = RunResult(metadata={}, cells=cells)
    assert len(run.estate) == len(KEY_COVERS) and all(c.estate == [] for c in run.cells)
    assert run.to_dict()["estate"] == run.estate


def test_a_run_written_whole_is_the_file_the_streaming_builder_writes(tmp_path):
    records = [record(), record("kms:CreateGrant", "implicitDeny", FIX)]
    path = streamed(tmp_path, records)
    metadata = read_tail(path)["metadata"]
    run = RunResult(metadata=metadata, cells=[CellRecord.from_dict(dict(r)) for r in records])
    assert encode_run(run.to_dict()) == path.read_bytes()


def test_the_in_memory_builder_and_the_streaming_one_keep_the_same_estate(tmp_path):
    records = [record(), record("kms:CreateGrant")]
    builder = RunBuilder()
    for i, r in enumerate(records):
        builder.add_cell(dict(r), i)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    in_memory = builder.run_result("offline", now, now)
    assert in_memory.estate == read_tail(streamed(tmp_path, records))["estate"]


def test_a_secret_in_a_covered_instances_name_is_redacted_before_it_is_written(tmp_path):
    leaky = (volume(1, "i-01", "AKIAIOSFODNN7EXAMPLE"),)
    path = streamed(tmp_path, [record(covers=leaky)])
    assert "AKIAIOSFODNN7EXAMPLE" not in path.read_text()
    assert RunResult.load(path).estate[0]["instance_name"] != "AKIAIOSFODNN7EXAMPLE"


# -- hostile and older files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estate", "message"),
    [
        ({"arn": "x"}, "field 'estate' must be a list"),
        (["x"], r"estate\[0\] must be an object"),
        ([{"kind": "ec2:volume"}], r"estate\[0\]: field 'arn' must be a non-empty string"),
        ([{"arn": "a", "region": 3}], r"estate\[0\] \(a\): field 'region' must be a string"),
    ],
)
def test_an_estate_that_is_not_one_is_refused_naming_the_file_entry_and_field(tmp_path, estate, message):
    path = tmp_path / "run.json"
    doc = {"schema": "iam-harness/run-result", "schema_version": 3, "metadata": {}, "entries": [],
           "estate": estate}  # fmt: skip
    path.write_text(json.dumps(doc))
    with pytest.raises(RunInputError, match=f"run.json: {message}"):
        load_run(path)


def test_a_version_1_run_reads_with_no_covers_no_fix_and_no_estate(tmp_path):
    old = {k: v for k, v in record(covers=()).items() if k not in ("covers", "fix", "estate")}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"schema": "iam-harness/run-result", "schema_version": 1, "metadata": {},
                                "cells": [old]}, indent=2))  # fmt: skip
    (cell,) = RunResult.load(path).cells
    assert (cell.covers, cell.fix, cell.estate) == ([], None, [])
    assert next(iter_cells(path))["covers"] == []


def test_a_version_2_run_reads_with_no_covers_no_fix_and_no_estate(tmp_path):
    old = {k: v for k, v in record(covers=()).items() if k not in ("covers", "fix", "estate")}
    path = tmp_path / "v2.json"
    path.write_bytes(HEADER_V2 + b"\n" + json.dumps(old).encode() + b'\n],"errors":[],\n"metadata":{}}\n')
    (cell,) = iter_cells(path)
    assert (cell["covers"], cell["fix"], cell["estate"]) == ([], None, [])
    assert RunResult.load(path).estate == []
