"""The readiness view: one row per covered volume, ready / blocked / error, in readiness.csv, report.md
and report.html (a table sorted by any column); nothing of it for a run whose cells cover nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.account.resources import Covered, ResourceKind
from harness.cells import Cell, CellResult, Expectation, SourceRef, Subject
from harness.reports import render_all, render_run_file
from harness.reports.csv_export import READINESS_COLUMNS
from harness.reports.html import build_payload
from harness.reports.markdown import render_markdown
from harness.reports.summary import summarise_run
from harness.run.result import CellRecord, RunResult

ACCOUNT, OTHER = "111122223333", "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ResponseRole"
TEMPLATES = Path(__file__).resolve().parents[2] / "harness" / "reports" / "templates"


def key_arn(n: int, region: str = "eu-west-3", account: str = ACCOUNT) -> str:
    return f"arn:aws:kms:{region}:{account}:key/0000000{n}-1111-2222-3333-444444444444"


def volume(n: int, *, region: str = "eu-west-3", account: str = ACCOUNT, on: str = "", name: str = "",
           key: int = 1) -> Covered:  # fmt: skip
    arn = f"arn:aws:ec2:{region}:{account}:volume/vol-{n:04d}"
    return Covered(arn, ResourceKind.EC2_VOLUME, account, region, on, name, key_arn(key, region, account))


def instance(instance_id: str, name: str, region: str = "eu-west-3") -> Covered:
    arn = f"arn:aws:ec2:{region}:{ACCOUNT}:instance/{instance_id}"
    return Covered(arn, ResourceKind.EC2_INSTANCE, ACCOUNT, region, instance_id, name)


def snapshot(n: int, region: str = "eu-west-3") -> Covered:
    arn = f"arn:aws:ec2:{region}::snapshot/snap-{n:04d}"
    return Covered(arn, ResourceKind.EC2_SNAPSHOT, ACCOUNT, region, key_arn=key_arn(1, region))


def record(covers: tuple[Covered, ...], action: str = "kms:Decrypt", decision: str = "allowed",
           expected: Expectation = Expectation.ALLOWED, resource: str = "") -> CellRecord:  # fmt: skip
    resource = resource or (covers[0].key_arn if covers else key_arn(1))
    cell = Cell(
        id=f"kms.yaml::acquire[{action}|{resource}]",
        source=SourceRef("kms.yaml", 4, "acquire"),
        subject=Subject(principal_arn=ROLE),
        action=action,
        resource=resource,
        expected=expected,
        covers=covers,
    )
    result = CellResult(cell.id, "offline", decision, error="Throttling" if decision == "error" else None)
    return CellRecord.from_cell(cell, result)


def run_of(*records: CellRecord) -> RunResult:
    return RunResult(metadata={"backend": "offline", "account": ACCOUNT}, cells=list(records))


def rows_of(run: RunResult) -> list[dict]:
    return [row.to_dict() for row in summarise_run(run).readiness.rows()]


WEB = (volume(1, on="i-01", name="web"), instance("i-01", "web"), volume(2), snapshot(1))


# -- the verdicts --------------------------------------------------------------------------------


def test_a_volume_whose_covering_cells_all_passed_is_ready():
    rows = rows_of(run_of(record(WEB), record(WEB, "kms:CreateGrant")))
    assert [(r["volume_id"], r["verdict"], r["cells"], r["blocking_cells"]) for r in rows] == [
        ("vol-0001", "ready", 2, []),
        ("vol-0002", "ready", 2, []),
    ]


def test_a_volume_is_blocked_when_any_covering_cell_failed_and_names_the_failed_cells_only():
    failed, errored = record(WEB, "kms:CreateGrant", "implicitDeny"), record(WEB, "kms:ReEncrypt*", "error")
    rows = rows_of(run_of(record(WEB), failed, errored))
    assert {r["verdict"] for r in rows} == {"blocked"}
    assert all(r["blocking_cells"] == [failed.id] for r in rows)


def test_a_failed_cell_that_expected_a_deny_blocks_too():
    opened = record(WEB, "kms:ScheduleKeyDeletion", "allowed", expected=Expectation.DENIED)
    assert {r["verdict"] for r in rows_of(run_of(record(WEB), opened))} == {"blocked"}


def test_a_volume_is_error_when_a_covering_cell_could_not_be_evaluated_and_none_failed():
    errored = record(WEB, "kms:CreateGrant", "error")
    rows = rows_of(run_of(record(WEB), errored))
    assert [(r["verdict"], r["blocking_cells"]) for r in rows] == [("error", [errored.id])] * 2


def test_a_cell_that_was_not_evaluated_never_makes_a_volume_ready():
    cell = Cell(
        id="kms.yaml::acquire[kms:CreateGrant]",
        source=SourceRef("kms.yaml", 4, "acquire"),
        subject=Subject(principal_arn=ROLE),
        action="kms:CreateGrant",
        resource=key_arn(1),
        expected=Expectation.ALLOWED,
        covers=WEB,
        skip_reason="the account model holds no key policy for it",
    )
    skipped = CellRecord.from_skipped_cell(cell)
    rows = rows_of(run_of(record(WEB), skipped))
    assert [(r["verdict"], r["blocking_cells"]) for r in rows] == [("error", [cell.id])] * 2


def test_a_cell_counts_only_against_the_volumes_it_covers():
    other = (volume(3, on="i-03", name="db", key=2),)
    rows = rows_of(run_of(record(WEB), record(other, decision="implicitDeny")))
    assert {r["volume_id"]: r["verdict"] for r in rows} == {
        "vol-0001": "ready",
        "vol-0002": "ready",
        "vol-0003": "blocked",
    }


# -- what a row says -----------------------------------------------------------------------------


def test_rows_are_volumes_only_never_the_instances_snapshots_or_keys_a_cell_also_covers():
    assert [r["volume_arn"].rsplit("/", 1)[1] for r in rows_of(run_of(record(WEB)))] == [
        "vol-0001",
        "vol-0002",
    ]


def test_a_row_names_the_volumes_account_region_instance_its_name_and_key():
    (row, _) = rows_of(run_of(record(WEB)))
    assert row == {
        "account": ACCOUNT,
        "region": "eu-west-3",
        "volume_id": "vol-0001",
        "volume_arn": WEB[0].arn,
        "instance_ids": ["i-01"],
        "instance_names": ["web"],
        "key_arn": key_arn(1),
        "verdict": "ready",
        "cells": 1,
        "blocking_cells": [],
    }


def test_a_volume_attached_to_two_instances_is_one_row_naming_both():
    shared = (volume(7, on="i-01", name="web"), volume(7, on="i-02", name="db"))
    (row,) = rows_of(run_of(record(shared)))
    assert (row["instance_ids"], row["instance_names"]) == (["i-01", "i-02"], ["web", "db"])


def test_a_covered_volume_the_run_has_no_facts_for_still_gets_its_row_from_its_arn():
    bare = record(())
    bare.covers = ["arn:aws:ec2:us-east-1:444455556666:volume/vol-9"]
    (row,) = rows_of(run_of(bare))
    assert (row["account"], row["region"], row["volume_id"], row["key_arn"]) == (
        OTHER,
        "us-east-1",
        "vol-9",
        "",
    )


def test_rows_come_blocked_first_then_error_then_ready_then_by_account_region_and_volume():
    records = [
        record((volume(1, region="us-east-1"),)),
        record((volume(2, account=OTHER),)),
        record((volume(3),), decision="error"),
        record((volume(4, region="ap-south-1"),), decision="implicitDeny"),
        record((volume(5),)),
    ]
    rows = rows_of(run_of(*records))
    assert [r["volume_id"] for r in rows] == ["vol-0004", "vol-0003", "vol-0005", "vol-0001", "vol-0002"]


# -- readiness.csv -------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_readiness_csv_has_its_columns_and_one_row_per_volume(tmp_path):
    failed = record(WEB, "kms:CreateGrant", "implicitDeny")
    render_all(run_of(record(WEB), failed), tmp_path, formats=("csv",))
    header, *rows = csv_rows(tmp_path / "readiness.csv")
    assert tuple(header) == READINESS_COLUMNS == (
        "account", "region", "volume_id", "instance_id", "instance_name", "key_arn", "verdict",
        "blocking_cells", "covering_cells", "volume_arn",
    )  # fmt: skip
    assert rows[0] == [
        ACCOUNT,
        "eu-west-3",
        "vol-0001",
        "i-01",
        "web",
        key_arn(1),
        "blocked",
        failed.id,
        "2",
        WEB[0].arn,
    ]
    assert [r[2] for r in rows] == ["vol-0001", "vol-0002"]


def test_an_instance_name_that_starts_a_formula_is_neutralised_in_readiness_csv(tmp_path):
    render_all(run_of(record((volume(1, on="i-01", name="=HYPERLINK(1)"),))), tmp_path, formats=("csv",))
    assert csv_rows(tmp_path / "readiness.csv")[1][4] == "'=HYPERLINK(1)"


def test_readiness_csv_is_listed_in_the_manifest_and_sha256sums_like_every_report(tmp_path):
    render_all(run_of(record(WEB)), tmp_path, formats=("md", "csv"))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"] == "readiness.csv")
    assert entry["format"] == "csv" and entry["bytes"] == (tmp_path / "readiness.csv").stat().st_size
    assert f"{entry['sha256']}  readiness.csv\n" in (tmp_path / "SHA256SUMS").read_text()


def test_the_view_streamed_from_run_json_is_the_view_of_the_run_in_memory(tmp_path):
    run = run_of(
        record(WEB), record(WEB, "kms:CreateGrant", "implicitDeny"), record((volume(3),), decision="error")
    )
    (tmp_path / "run.json").write_text(run.dumps())
    render_all(run, tmp_path / "memory", formats=("csv",))
    render_run_file(tmp_path / "run.json", tmp_path / "streamed", formats=("csv",))
    memory, streamed = (tmp_path / d / "readiness.csv" for d in ("memory", "streamed"))
    assert memory.read_bytes() == streamed.read_bytes()


# -- report.md -----------------------------------------------------------------------------------


def test_report_md_has_a_readiness_section_with_blocked_volumes_first():
    failed = record((volume(2),), "kms:CreateGrant", "implicitDeny")
    text = render_markdown(run_of(record((volume(1, on="i-01", name="web"),)), failed))
    section = text.split("## Readiness of covered volumes", 1)[1].split("\n## ", 1)[0]
    assert "2 volumes: ❌ 1 blocked · ⚠️ 0 error · ✅ 1 ready" in section
    table = [line for line in section.splitlines() if line.startswith("| ")]
    assert table[0] == "| verdict | account | Region | volume | instance | Name | key | blocking cells |"
    assert table[1].startswith("| ❌ blocked | 111122223333 | eu-west-3 | vol-0002 |  |  | arn:aws:kms:")
    assert table[2].startswith("| ✅ ready |") and "| i-01 | web |" in table[2]


def test_report_md_lists_a_bounded_number_of_volumes_and_counts_the_rest():
    records = [record((volume(n),)) for n in range(5)]
    text = render_markdown(run_of(*records), max_listed=2)
    assert "…and 3 more (readiness.csv lists every volume)." in text


# -- report.html ---------------------------------------------------------------------------------


def test_report_html_carries_the_rows_in_the_order_the_table_first_shows_them():
    failed = record((volume(2),), "kms:CreateGrant", "implicitDeny")
    data = build_payload(run_of(record((volume(1),)), failed))
    assert data["readiness"]["counts"] == {"ready": 1, "blocked": 1, "error": 0}
    assert [(r["volume_id"], r["verdict"]) for r in data["readiness"]["rows"]] == [
        ("vol-0002", "blocked"),
        ("vol-0001", "ready"),
    ]


def test_the_readiness_table_is_sortable_by_every_column_without_inline_handlers(tmp_path):
    render_all(run_of(record(WEB)), tmp_path, formats=("html",))
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    section = page.split('id="readiness-section"', 1)[1].split("</div>", 1)[0]
    keys = [part.split('"', 1)[0] for part in section.split('data-sort="')[1:]]
    assert keys == ["verdict", "account", "region", "volume", "instance", "name", "key", "blocking"]
    assert 'aria-sort="ascending"' in section and " onclick" not in section.lower()
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    assert all(f"{key}: (r) =>" in script for key in keys)  # a sort key for every column


def sorted_in_node(rows: list[dict], clicks: list[str]) -> list[list[str]]:
    """The readiness table's volume ids after each click on a column header, the page's own
    script run in node against a stand-in for the few DOM calls it makes."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node binary")
    data = {"readiness": {"counts": {}, "rows": rows}}
    harness = (Path(__file__).with_name("readiness_dom.js")).read_text(encoding="utf-8")
    done = subprocess.run(
        [node, "-e", harness, json.dumps(data), json.dumps(clicks), str(TEMPLATES / "report.js")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_click_on_a_column_sorts_the_table_by_it_and_a_second_click_reverses_it():
    records = [
        record((volume(1, region="ap-south-1"),)),
        record((volume(2, region="us-east-1"),), decision="implicitDeny"),
        record((volume(3, region="eu-west-3"),)),
    ]
    rows = [row.to_dict() for row in summarise_run(run_of(*records)).readiness.rows()]
    shown = sorted_in_node(rows, ["region", "region", "verdict"])
    assert shown == [
        ["vol-0002", "vol-0001", "vol-0003"],  # as written: blocked first, then by Region
        ["vol-0001", "vol-0003", "vol-0002"],  # ap-south-1, eu-west-3, us-east-1
        ["vol-0002", "vol-0003", "vol-0001"],  # reversed
        ["vol-0002", "vol-0001", "vol-0003"],  # verdict again: blocked first, ties as written
    ]


# -- a run whose cells cover nothing -------------------------------------------------------------


def test_a_run_without_covers_has_no_readiness_file_section_or_table(tmp_path):
    run = run_of(record(()), record((), "kms:CreateGrant", "implicitDeny"))
    (tmp_path / "readiness.csv").write_text("left by an earlier run\n")
    written = render_all(run, tmp_path)
    assert not (tmp_path / "readiness.csv").exists()
    assert "readiness.csv" not in {p.name for p in written}
    assert "readiness.csv" not in (tmp_path / "SHA256SUMS").read_text()
    assert "Readiness" not in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert build_payload(run)["readiness"] is None


def test_report_json_carries_the_estate_once_and_loads_back_as_the_run(tmp_path):
    run = run_of(record(WEB), record(WEB, "kms:CreateGrant"))
    render_all(run, tmp_path, formats=("json",))
    loaded = RunResult.load(tmp_path / "report.json")
    assert loaded.estate == run.estate and len(run.estate) == len(WEB)
    assert [c.covers for c in loaded.cells] == [[c.arn for c in WEB]] * 2


def test_the_terminal_summary_counts_the_covered_volumes_by_verdict():
    from harness.reports.terminal import matrix_table

    text = matrix_table(run_of(record(WEB), record(WEB, "kms:CreateGrant", "implicitDeny")))
    assert "readiness: 2 covered volumes, 2 blocked, 0 error, 0 ready (readiness.csv lists them)" in text
    assert "readiness:" not in matrix_table(run_of(record(())))


def test_a_run_with_covers_a_fix_and_an_estate_validates_against_the_run_result_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from harness.cells import ChangeKind, Fix, PolicyChange
    from harness.reports import SCHEMA_PATH

    statement = {"Sid": "Fix", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": ["kms:Decrypt"]}
    the_fix = Fix((PolicyChange(ChangeKind.ADD_STATEMENT, key_arn(1), "key_policy", statement),), True)
    cell = Cell(
        id="kms.yaml::acquire[fix]",
        source=SourceRef("kms.yaml", 4, "acquire"),
        subject=Subject(principal_arn=ROLE),
        action="kms:Decrypt",
        resource=key_arn(1),
        expected=Expectation.ALLOWED,
        covers=WEB,
    )
    failed = CellRecord.from_cell(cell, CellResult(cell.id, "offline", "implicitDeny", fix=the_fix))
    run = run_of(record(WEB), failed)
    render_all(run, tmp_path, formats=("json",))
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(run.to_dict(), schema)
    jsonschema.validate(json.loads((tmp_path / "report.json").read_text()), schema)
