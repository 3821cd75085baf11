"""`harness explain CELL_ID --run run.json` recomputes a passing cell's explanation from the run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from harness.backends.registry import BackendOptions, make_backend
from harness.cli.main import main
from harness.runbuilder import RunBuilder, record_dict
from harness.runresult import CellRecord
from harness.scenarios import ScenarioLoader

POLICY = '{"Version": "2012-10-17", "Statement": [{"Sid": "Decrypt", "Effect": "Allow", ' \
    '"Action": "kms:Decrypt", "Resource": "*"}]}'
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


def _streamed_run(root: Path) -> tuple[Path, str]:
    (root / "decrypt.json").write_text(POLICY)
    (root / "s.yaml").write_text(SCENARIO)
    loaded = ScenarioLoader().load(root / "s.yaml", display="s.yaml")
    builder = RunBuilder(stream=root / "run.json")
    builder.add_file({"path": "s.yaml", "sha256": loaded.sha256, "policies": []})
    backend = make_backend("offline", BackendOptions())
    for index, (cell, result) in enumerate(zip(loaded.cells, backend.evaluate(loaded.cells), strict=True)):
        builder.add_cell(record_dict(CellRecord.from_cell(cell, result)), index)
    now = dt.datetime.now(dt.UTC)
    return builder.finish_stream(builder.metadata("offline", now, now)), loaded.cells[0].id


def test_a_passing_cell_is_explained_with_its_deciding_statement(tmp_path, capsys):
    run, cell_id = _streamed_run(tmp_path)
    assert "explanation" not in run.read_text()  # the run kept it compact
    assert main(["explain", cell_id, "--run", str(run), "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "expected: allowed" in out and "Sid 'Decrypt'" in out


def test_a_scenario_file_changed_since_the_run_is_refused(tmp_path, capsys):
    run, cell_id = _streamed_run(tmp_path)
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("allowed", "implicitDeny"))
    assert main(["explain", cell_id, "--run", str(run), "--root", str(tmp_path)]) == 2
    assert "changed since the run" in capsys.readouterr().err


def test_an_unknown_cell_is_a_one_line_error(tmp_path, capsys):
    run, _ = _streamed_run(tmp_path)
    assert main(["explain", "nope", "--run", str(run), "--root", str(tmp_path)]) == 2
    assert "no cell 'nope'" in capsys.readouterr().err
