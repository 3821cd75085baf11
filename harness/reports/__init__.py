"""Reports rendered from a run result (harness/runresult.py): Markdown, HTML, CSV, JSON, terminal.

The run result is the source of truth; every format here only renders it.
Entry points:

- `render_all(run, outdir, baseline=None, formats=...)`: write the reports and manifest;
- `terminal.matrix_table(run, drift=None)`: the table printed at the end of a run;
- `drift.diff(old, new)`, `merge.merge([(label, run), ...])`;
- `export.export(run_path, outdir, ...)`: `harness report export`;
- `SCHEMA_PATH`: the run result's JSON Schema (draft 2020-12).
"""

from pathlib import Path

from harness.reports.drift import Drift, DriftKind, diff
from harness.reports.export import FORMATS, render_all
from harness.reports.load import RunInputError, load_run
from harness.reports.merge import MergeResult, merge

SCHEMA_PATH = Path(__file__).with_name("run-result.schema.json")

__all__ = [
    "FORMATS",
    "SCHEMA_PATH",
    "Drift",
    "DriftKind",
    "MergeResult",
    "RunInputError",
    "diff",
    "load_run",
    "merge",
    "render_all",
]
