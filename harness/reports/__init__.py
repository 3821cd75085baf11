"""Reports rendered from a run result (harness/run/result.py): Markdown, HTML, CSV, JSON, terminal.

The run result is the source of truth; every format here only renders it.
Entry points:

- `render_all(run, outdir, baseline=None, formats=...)`: write the reports and manifest
  of a run in memory;
- `render_run_file(path, outdir, baseline=index)`: the same, streaming run.json one
  cell at a time (memory bounded by failures; the pytest plugin's entry point), with
  `baseline_index(path)` the compact decision index of a previous run;
- `source.RunSource`: a run's metadata, errors and re-iterable cells, from a path or a RunResult;
- `terminal.matrix_table(run, drift=None)`: the table printed at the end of a run;
- `readiness.Readiness`: one row per covered volume, ready / blocked / error (readiness.csv);
- `drift.diff(old, new)`, `merge.merge([(label, run), ...])`;
- `export.export(run_path, outdir, ...)`: `harness report export`;
- `SCHEMA_PATH`: the run result's JSON Schema (draft 2020-12).
"""

from __future__ import annotations

from pathlib import Path

from harness.lazy import lazy_exports

SCHEMA_PATH = Path(__file__).with_name("run-result.schema.json")

# Resolved on first use, so that importing one module (the pytest plugin needs
# only the terminal tables) does not load jinja2 and every renderer.
_EXPORTS = {
    "Drift": "harness.reports.drift",
    "DriftKind": "harness.reports.drift",
    "diff": "harness.reports.drift",
    "FORMATS": "harness.reports.export",
    "render_all": "harness.reports.export",
    "render_run_file": "harness.reports.export",
    "baseline_index": "harness.reports.export",
    "stream_drift": "harness.reports.export",
    "BaselineIndex": "harness.reports.drift",
    "RunSource": "harness.reports.source",
    "render_source": "harness.reports.render",
    "RunInputError": "harness.run.load",
    "load_run": "harness.run.load",
    "MergeResult": "harness.reports.merge",
    "merge": "harness.reports.merge",
}

__all__ = ["SCHEMA_PATH", *_EXPORTS]


__getattr__ = lazy_exports(__name__, _EXPORTS)
