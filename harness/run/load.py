"""Read a run result file with errors that name the file, the cell and the field.

The CLI turns these into one-line messages (exit 2) instead of tracebacks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.inputs.textfiles import FileProblem, read_bytes_checked
from harness.redact import redact_text
from harness.run.result import CellRecord, RunResult

_REQUIRED = tuple(
    name
    for name, f in CellRecord.__dataclass_fields__.items()
    if f.default is f.default_factory  # both MISSING: a required field
)


def cell_problem(cell: Any, index: int) -> str | None:
    """What makes `cell` (the index-th of a run) not a cell record, or None."""
    if not isinstance(cell, dict):
        return f"cells[{index}] must be an object"
    missing = [name for name in _REQUIRED if name not in cell]
    if missing:
        ident = f" (id {cell['id']!r})" if "id" in cell else ""
        return f"cells[{index}]{ident}: missing field(s) {', '.join(missing)}"
    return None


class RunInputError(Exception):
    """A run result file that cannot be used; the message names the file."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        super().__init__(redact_text(f"{path}: {message}"))


def parse_run(data: Any, path: Path | str) -> RunResult:
    if not isinstance(data, dict):
        raise RunInputError(path, "not a run result (the top level must be a JSON object)")
    cells = data.get("cells", [])
    if not isinstance(cells, list):
        raise RunInputError(path, "field 'cells' must be a list")
    if not isinstance(data.get("metadata", {}), dict):
        raise RunInputError(path, "field 'metadata' must be an object")
    for i, cell in enumerate(cells):
        problem = cell_problem(cell, i)
        if problem:
            raise RunInputError(path, problem)
    try:
        return RunResult.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise RunInputError(path, str(exc)) from None


def load_run(path: Path | str) -> tuple[RunResult, bytes]:
    """The run result at `path` and its raw bytes (for hashing)."""
    path = Path(path)
    try:  # a regular file (never a FIFO or /dev/zero); no size cap: a large run's file is large
        raw = read_bytes_checked(path, max_bytes=1 << 40)
    except FileProblem as exc:
        raise RunInputError(path, f"cannot read: {exc.message}") from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise RunInputError(path, "not a run result (nested too deeply to read)") from None
    except UnicodeDecodeError:
        raise RunInputError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RunInputError(
            path, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    return parse_run(data, path), raw
