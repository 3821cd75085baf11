"""A failed cell's fix in its failure text and in `harness explain`: whether it was proven and its
note first, then the fix as JSON ready to paste."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from harness.backends.registry import BackendOptions, make_backend
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
from harness.run.builder import RunBuilder, record_dict, sha256_text
from harness.run.celltext import describe_failure, fix_json
from harness.run.explain import explain_record, find_cell
from harness.run.result import CellRecord
from harness.scenarios import ScenarioLoader

ROLE = "arn:aws:iam::111122223333:role/ResponseRole"
KEY = "arn:aws:kms:eu-west-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STATEMENT = {
    "Sid": "AllowResponseRoleDecrypt",
    "Effect": "Allow",
    "Principal": {"AWS": ROLE},
    "Action": ["kms:Decrypt"],
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:ViaService": "ec2.eu-west-3.amazonaws.com"}},
}
VERIFIED = Fix((PolicyChange(ChangeKind.ADD_STATEMENT, KEY, "key_policy", STATEMENT),), verified=True)
UNPROVEN = Fix((), verified=False, note="an SCP denies kms:Decrypt; the harness cannot see or change it")
CELL = Cell(
    id="c",
    source=SourceRef("kms.yaml", 9, "acquire"),
    subject=Subject(principal_arn=ROLE),
    action="kms:Decrypt",
    resource=KEY,
    expected=Expectation.ALLOWED,
)


def failure_text(fix: Fix | None) -> str:
    return describe_failure(CELL, CellResult("c", "offline", "implicitDeny", fix=fix))


def json_block(text: str) -> dict:
    """The indented JSON under the `fix (...)` line, read back."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  fix (")) + 1
    return json.loads("\n".join(lines[start:]))


def test_a_failure_shows_its_verified_fix_as_json_that_reads_back_as_the_fix():
    text = failure_text(VERIFIED)
    assert "fix (verified: the cell was evaluated again with these changes and came out allowed):" in text
    assert json_block(text) == VERIFIED.to_dict()


def test_the_fix_json_is_indented_under_the_failure_so_it_can_be_pasted_whole():
    body = text_after_fix(failure_text(VERIFIED))
    assert all(line.startswith("    ") for line in body)
    assert [line[4:] for line in body] == fix_json(VERIFIED.to_dict()).splitlines()


def text_after_fix(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.startswith("  fix (")) + 1 :]


def test_an_unproven_fix_says_so_and_why_before_its_json():
    text = failure_text(UNPROVEN)
    heading = next(line for line in text.splitlines() if line.startswith("  fix ("))
    assert "NOT verified" in heading and "an SCP denies kms:Decrypt" in heading
    assert json_block(text) == {"changes": [], "verified": False, "note": UNPROVEN.note}


def test_a_failure_without_a_fix_shows_no_fix():
    assert "fix (" not in failure_text(None)


def _run_with_a_recorded_fix(root: Path) -> tuple[Path, str]:
    (root / "decrypt.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "Other", "Effect": "Allow", '
        '"Action": "s3:GetObject", "Resource": "*"}]}'
    )
    (root / "s.yaml").write_text(
        "version: 1\npolicies:\n  decrypt: decrypt.json\nprincipals:\n  reader: {policies: [decrypt]}\n"
        "scenarios:\n  - name: reader decrypts\n    principal: reader\n    actions: [kms:Decrypt]\n"
        "    expect: allowed\n"
    )
    loaded = ScenarioLoader().load(root / "s.yaml", display="s.yaml")
    builder = RunBuilder(stream=root / "run.json")
    docs = [
        {"id": d.origin, "origin": d.origin, "sha256": sha256_text(d.text)} for d in loaded.policy_sources()
    ]
    builder.add_file({"path": "s.yaml", "sha256": loaded.sha256, "policies": docs})
    (cell,) = loaded.cells
    (result,) = make_backend("offline", BackendOptions()).evaluate([cell])
    result = CellResult(cell.id, result.backend, result.decision, fix=VERIFIED)
    builder.add_cell(record_dict(CellRecord.from_cell(cell, result)), 0)
    now = dt.datetime.now(dt.UTC)
    return builder.finish_stream(builder.metadata("offline", now, now)), cell.id


def test_explain_shows_the_fix_the_run_recorded_as_json_ready_to_paste(tmp_path):
    run, cell_id = _run_with_a_recorded_fix(tmp_path)
    record, metadata = find_cell(run, cell_id)
    assert record is not None
    text = explain_record(record, metadata, tmp_path).text
    heading = next(line for line in text.splitlines() if line.startswith("  fix ("))
    assert "verified" in heading and "as the run recorded it" in heading
    assert json_block(text) == VERIFIED.to_dict()


def test_explain_shows_no_fix_for_a_cell_that_recorded_none(tmp_path):
    run, cell_id = _run_with_a_recorded_fix(tmp_path)
    record, metadata = find_cell(run, cell_id)
    assert record is not None
    record["fix"] = None
    assert "fix (" not in explain_record(record, metadata, tmp_path).text


def test_explain_says_so_when_a_hand_edited_run_does_not_say_whether_the_fix_was_verified(tmp_path):
    run, cell_id = _run_with_a_recorded_fix(tmp_path)
    record, metadata = find_cell(run, cell_id)
    assert record is not None
    record["fix"] = {"changes": [], "verified": "yes"}
    assert "verification unknown" in explain_record(record, metadata, tmp_path).text


def test_harness_explain_prints_the_recorded_fix(tmp_path, capsys):
    from harness.cli.main import main

    run, cell_id = _run_with_a_recorded_fix(tmp_path)
    assert main(["explain", cell_id, "--run", str(run), "--root", str(tmp_path)]) == 0
    assert json_block(capsys.readouterr().out) == VERIFIED.to_dict()
