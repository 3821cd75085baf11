"""`harness explain CELL_ID --run run.json` recomputes a passing cell's explanation from the run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec

from harness.backends.registry import BackendOptions, make_backend
from harness.cli.main import main
from harness.run.builder import RunBuilder, record_dict
from harness.run.result import CellRecord
from harness.run.stream import HEADER_V2, iter_cells
from harness.scenarios import ScenarioLoader

POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Sid": "Decrypt", "Effect": "Allow", '
    '"Action": "kms:Decrypt", "Resource": "*"}]}'
)
SCENARIO = """
version: 1
policies:
  decrypt: decrypt.json
principals:
  reader: {policies: [decrypt]}
scenarios:
  - name: reader decrypts
    principal: reader
    actions: [kms:Decrypt]
    expect: allowed
"""
# Two names that read the same in a test id: the second cell gets the loader's `#2` id, which
# run.json must then store (the first one's is derived).
REPEATED = SCENARIO.replace("name: reader decrypts", "name: reader::decrypts") + (
    "  - name: reader:decrypts\n    principal: reader\n    actions: [kms:Decrypt]\n    expect: allowed\n"
)


def _streamed_run(root: Path, scenario: str = SCENARIO) -> tuple[Path, list[str]]:
    (root / "decrypt.json").write_text(POLICY)
    (root / "s.yaml").write_text(scenario)
    loaded = ScenarioLoader().load(root / "s.yaml", display="s.yaml")
    builder = RunBuilder(stream=root / "run.json")
    docs = [{"id": d.origin, "origin": d.origin, "sha256": _sha(d.text)} for d in loaded.policy_sources()]
    builder.add_file({"path": "s.yaml", "sha256": loaded.sha256, "policies": docs})
    backend = make_backend("offline", BackendOptions())
    for index, (cell, result) in enumerate(zip(loaded.cells, backend.evaluate(loaded.cells), strict=True)):
        builder.add_cell(record_dict(CellRecord.from_cell(cell, result)), index)
    now = dt.datetime.now(dt.UTC)
    return builder.finish_stream(builder.metadata("offline", now, now)), [c.id for c in loaded.cells]


def _sha(text: str) -> str:
    from harness.run.builder import sha256_text

    return sha256_text(text)


def _explain(run: Path, cell_id: str, root: Path) -> int:
    return main(["explain", cell_id, "--run", str(run), "--root", str(root)])


def test_a_passing_cell_of_a_v3_run_is_explained_with_its_deciding_statement(tmp_path, capsys):
    run, (cell_id,) = _streamed_run(tmp_path)
    assert b'"schema_version":3' in run.read_bytes().splitlines()[0]
    assert "explanation" not in run.read_text()  # the run kept it compact
    assert _explain(run, cell_id, tmp_path) == 0
    out = capsys.readouterr().out
    assert "expected: allowed" in out and "Sid 'Decrypt'" in out


def test_a_repeated_cell_whose_id_is_not_the_standard_one_is_found_and_explained(tmp_path, capsys):
    run, ids = _streamed_run(tmp_path, REPEATED)
    assert ids[1].endswith("#2") and [c["id"] for c in iter_cells(run)] == ids
    assert _explain(run, ids[1], tmp_path) == 0
    assert "Sid 'Decrypt'" in capsys.readouterr().out


def test_a_cell_of_a_v2_run_is_explained(tmp_path, capsys):
    run, (cell_id,) = _streamed_run(tmp_path)
    cells, tail = list(iter_cells(run)), run.read_bytes().split(b"\n],", 1)[1]
    v2 = tmp_path / "v2.json"
    v2.write_bytes(HEADER_V2 + b"\n" + b",\n".join(msgspec.json.encode(c) for c in cells) + b"\n]," + tail)
    assert _explain(v2, cell_id, tmp_path) == 0
    assert "Sid 'Decrypt'" in capsys.readouterr().out


def test_a_scenario_file_changed_since_the_run_is_refused(tmp_path, capsys):
    run, (cell_id,) = _streamed_run(tmp_path)
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("allowed", "implicitDeny"))
    assert _explain(run, cell_id, tmp_path) == 2
    assert "changed since the run" in capsys.readouterr().err


def test_a_policy_file_changed_since_the_run_is_refused(tmp_path, capsys):
    run, (cell_id,) = _streamed_run(tmp_path)
    (tmp_path / "decrypt.json").write_text(POLICY.replace("Allow", "Deny"))
    assert _explain(run, cell_id, tmp_path) == 2
    assert "policy" in (err := capsys.readouterr().err) and "changed since the run" in err


def test_an_unknown_cell_is_a_one_line_error(tmp_path, capsys):
    run, _ = _streamed_run(tmp_path)
    assert _explain(run, "nope", tmp_path) == 2
    assert "no cell 'nope'" in capsys.readouterr().err
