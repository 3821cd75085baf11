"""`harness explain CELL_ID --run reports/run.json`: a cell's full explanation, recomputed on demand.

run.json (schema 2) keeps a passing cell compact: its decision and deciding
statements, not the explanation text. This command finds the cell in the run
(read one line at a time), loads the scenario file the run recorded, checks
that the file is the one the run evaluated (its sha256 in the run's
metadata), evaluates that one cell with the offline engine and prints the
explanation as a failed cell shows it. A file changed since the run is
refused (exit 2) rather than explained with the wrong policy. Exit codes:
0 explained; 1 the recomputed decision differs from the recorded one (said
so); 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.reports.redact import redact_text

EXIT_OK, EXIT_DIFFERS, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("explain", help="recompute and print one cell's explanation from a run result")
    parser.add_argument("cell_id", metavar="CELL_ID", help="the cell id, as in run.json")
    parser.add_argument("--run", default="reports/run.json", help="run result (default: reports/run.json)")
    parser.add_argument(
        "--root", default=".", help="directory the run's scenario file paths are relative to (default: .)"
    )
    parser.set_defaults(func=run_explain)


def _err(message: str) -> int:
    print(f"harness explain: {redact_text(message)}", file=sys.stderr)
    return EXIT_USAGE


def find_cell(run_path: Path, cell_id: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The cell's record (or None) and the run's metadata, streaming a v2 file, loading a v1 file."""
    from harness.reports.load import load_run
    from harness.runstream import is_streamed, iter_cells, read_tail

    if is_streamed(run_path):
        found = next((c for c in iter_cells(run_path) if c.get("id") == cell_id), None)
        return found, dict(read_tail(run_path).get("metadata") or {})
    run, _ = load_run(run_path)
    for cell in run.cells:
        if cell.id == cell_id:
            return dict(vars(cell)), run.metadata
    return None, run.metadata


def run_explain(args: argparse.Namespace) -> int:
    from harness.backends.registry import BackendOptions, BackendUnavailable, make_backend
    from harness.plugin.items import describe_error, describe_failure
    from harness.reports.load import RunInputError
    from harness.runstream import StreamFormatError
    from harness.scenarios import ScenarioLoader
    from harness.scenarios.errors import ScenarioFileErrors

    run_path = Path(args.run)
    try:
        record, metadata = find_cell(run_path, args.cell_id)
    except (OSError, RunInputError, StreamFormatError) as exc:
        return _err(f"{run_path}: {exc}" if not isinstance(exc, RunInputError) else str(exc))
    if record is None:
        return _err(f"{run_path}: no cell {args.cell_id!r}")
    shown = str(record.get("file", ""))
    recorded = {f.get("path"): f.get("sha256") for f in metadata.get("scenario_files") or []}
    path = Path(args.root) / shown
    try:
        loaded = ScenarioLoader().load(path, display=shown)
    except ScenarioFileErrors as exc:
        return _err(f"{shown}: cannot be loaded: {exc}")
    if recorded.get(shown) and recorded[shown] != loaded.sha256:
        return _err(f"{shown} changed since the run (sha256 differs from the run's): not explained")
    cell = next((c for c in loaded.cells if c.id == args.cell_id), None)
    if cell is None:
        return _err(f"{shown}: no cell {args.cell_id!r} (the file no longer defines it)")
    try:
        backend = make_backend(
            "offline",
            BackendOptions(account_model_path=loaded.account_model_path, account_model=loaded.account_model),
        )
    except BackendUnavailable as exc:
        return _err(str(exc))
    result = backend.evaluate([cell])[0]
    text = describe_error(cell, result) if result.is_error else describe_failure(cell, result)
    print(redact_text(text))
    if result.decision != record.get("actual"):
        print(
            f"note: recomputed decision {result.decision} differs from the run's {record.get('actual')} "
            f"(the run used the {record.get('backend')} backend)"
        )
        return EXIT_DIFFERS
    return EXIT_OK
