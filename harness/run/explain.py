"""A cell's explanation recomputed from what its run recorded (run.json keeps none for passing cells).

Used by `harness explain` and by anything else that needs the text of a cell
the run stored compact (a report showing a drifted cell, say). The run
names the scenario file and records its sha256 and every policy document's
sha256 (`metadata.scenario_files`, `metadata.policy_documents`): the file
is reloaded, checked against those digests (a file or policy changed since
the run is refused, never explained with the wrong policy), and that one
cell is evaluated again with the offline engine. The text is the one a
failed cell shows (expected, actual, deciding statements, why each
statement did not apply). A fix is computed over the whole run (it is only
verified when no other cell of the run turned allowed), so it is not
recomputed for one cell: the fix the run recorded for the cell is shown as
the run recorded it, JSON ready to paste, with its `verified` state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.cells import CellDecision
from harness.run.builder import sha256_text


class ExplainError(Exception):
    """The cell cannot be explained (not in the run, file changed or unloadable): the message says why."""


@dataclass(frozen=True)
class Explained:
    text: str
    decision: CellDecision  # what the offline engine decides now
    recorded: str  # what the run recorded (`actual`)
    backend: str  # the backend the run used

    @property
    def differs(self) -> bool:
        return self.decision != self.recorded


def find_cell(run_path: Path, cell_id: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The cell's full record (or None) and the run's metadata; a streamed run is read one line at a
    time, an older whole file through the report loader (its errors name the file and field)."""
    from harness.run.load import load_run
    from harness.run.stream import is_streamed, iter_cells, read_tail

    if is_streamed(run_path):
        found = next((c for c in iter_cells(run_path) if c.get("id") == cell_id), None)
        return found, dict(read_tail(run_path).get("metadata") or {})
    run, _ = load_run(run_path)
    for cell in run.cells:
        if cell.id == cell_id:
            return dict(vars(cell)), run.metadata
    return None, run.metadata


def explain_record(record: Mapping[str, Any], metadata: Mapping[str, Any], root: Path) -> Explained:
    """Recompute `record`'s explanation; scenario file paths in the run are relative to `root`."""
    from harness.backends.registry import BackendOptions, BackendUnavailable, make_backend
    from harness.inputs.errors import ScenarioFileErrors
    from harness.run.celltext import describe_error, describe_failure, fix_lines
    from harness.scenarios import ScenarioLoader

    shown = str(record.get("file", ""))
    cell_id = str(record.get("id", ""))
    recorded = {f.get("path"): f.get("sha256") for f in metadata.get("scenario_files") or []}
    try:
        loaded = ScenarioLoader().load(root / shown, display=shown)
    except ScenarioFileErrors as exc:
        raise ExplainError(f"{shown}: cannot be loaded: {exc}") from None
    if recorded.get(shown) and recorded[shown] != loaded.sha256:
        raise ExplainError(f"{shown} changed since the run (sha256 differs from the run's): not explained")
    changed = _changed_policy(loaded, metadata)
    if changed:
        raise ExplainError(f"{shown}: policy {changed} changed since the run (sha256 differs): not explained")
    cell = next((c for c in loaded.cells if c.id == cell_id), None)
    if cell is None:
        raise ExplainError(f"{shown}: no cell {cell_id!r} (the file no longer defines it)")
    try:
        backend = make_backend(
            "offline",
            BackendOptions(account_model_path=loaded.account_model_path, account_model=loaded.account_model),
        )
    except BackendUnavailable as exc:
        raise ExplainError(str(exc)) from None
    result = backend.evaluate([cell])[0]
    text = describe_error(cell, result) if result.is_error else describe_failure(cell, result)
    recorded_fix = record.get("fix")
    if result.fix is None and isinstance(recorded_fix, Mapping):
        text += "\n" + "\n".join(fix_lines(recorded_fix, recorded=True))
    return Explained(
        text=text,
        decision=result.decision,
        recorded=str(record.get("actual")),
        backend=str(record.get("backend")),
    )


def _changed_policy(loaded: Any, metadata: Mapping[str, Any]) -> str | None:
    """The origin of a policy document (a policy file, an account-model entry) whose text is not one
    the run recorded under that origin; None when all match or the run recorded none."""
    digests: dict[str, set[str]] = {}
    for doc in metadata.get("policy_documents") or []:
        if doc.get("origin") and doc.get("sha256"):
            digests.setdefault(doc["origin"], set()).add(doc["sha256"])
    if not digests:
        return None
    docs = loaded.policy_sources()
    if loaded.account_model is not None:
        docs.extend(loaded.account_model.documents())
    for doc in docs:
        known = digests.get(doc.origin)
        if known is not None and sha256_text(doc.text) not in known:
            return doc.origin
    return None
