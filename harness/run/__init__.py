"""The run result: what one run decided, cell by cell, and everything that writes, streams, reads,
selects and explains it.

- result.py: `RunResult` and `CellRecord`, the schema's names and versions;
- records.py: one cell as a compact run.json entry and back (interned definitions);
- estate.py: the run's estate table, the facts of every resource a cell covers, once each;
- stream.py: run.json written and read as a stream, so passing cells cost no memory;
- builder.py: `RunBuilder`, which the plugin and the CLI feed with cell results;
- select.py: what a partial run (`-k`, `--iam-cell`, `--lf`) covered;
- explain.py: `harness explain`'s recomputation of a cell's text from a run;
- celltext.py: the failure text of one cell (its fix included), shared by pytest items and
  `harness explain`.

Two shared units live outside this package, where a reader looks for them first:
`harness/cells.py` holds the cell and its result, which scenarios produce, backends answer and
this package records (every layer above the engine uses it, so it sits below them all), and
`harness/backends/batching.py` groups cells into simulator requests, which only backends do.
Redaction (`harness/redact.py`) sits below this package and the capture, which both scrub
what they write with it.
"""
