"""`harness explain CELL_ID --run reports/run.json`: a cell's full explanation, recomputed on demand.

run.json (schema 3) keeps a passing cell compact: its decision and deciding
statements, not the explanation text. This command finds the cell in the run
(read one line at a time) and recomputes its explanation with
harness/run/explain.py: the scenario file the run recorded, checked against
the run's sha256 of it and of its policy documents, that one cell evaluated
with the offline engine, printed as a failed cell shows it. A file or policy
changed since the run is refused (exit 2) rather than explained with the
wrong policy. Exit codes:
0 explained; 1 the recomputed decision differs from the recorded one (said
so); 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.redact import redact_text

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


def run_explain(args: argparse.Namespace) -> int:
    from harness.run.explain import ExplainError, explain_record, find_cell
    from harness.run.load import RunInputError
    from harness.run.stream import StreamFormatError

    run_path = Path(args.run)
    try:
        record, metadata = find_cell(run_path, args.cell_id)
    except (OSError, RunInputError, StreamFormatError) as exc:
        return _err(f"{run_path}: {exc}" if not isinstance(exc, RunInputError) else str(exc))
    if record is None:
        return _err(f"{run_path}: no cell {args.cell_id!r}")
    try:
        explained = explain_record(record, metadata, Path(args.root))
    except ExplainError as exc:
        return _err(str(exc))
    print(redact_text(explained.text))
    if explained.differs:
        print(
            f"note: recomputed decision {explained.decision} differs from the run's {explained.recorded} "
            f"(the run used the {explained.backend} backend)"
        )
        return EXIT_DIFFERS
    return EXIT_OK
