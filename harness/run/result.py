"""The run result: the JSON file every report renders (schema version 3; versions 1 and 2 are still read).

One document per run, in its logical (expanded) form:

    {
      "schema": "iam-harness/run-result",
      "schema_version": 3,
      "metadata": {tool_version, backend, started, finished, account, caller_arn,
                   region, partition, scenario_files: [{path, sha256}],
                   policy_documents: [{id, origin, sha256}], api: {...}, ...},
      "cells": [CellRecord, ...],
      "errors": [{"file", "line", "field", "message"}],  # files that could not be loaded
      "estate": [{arn, kind, account, region, instance_id, instance_name, key_arn}]
    }

A CellRecord flattens the cell and its result so that reports need nothing
else. Field names are stable; new fields may be added in a minor change.
`estate` (only when a cell covers anything) holds the facts of every resource
the cells' `covers` name, once per resource (harness/run/estate.py); a
RunResult gathers the facts its records carry into it when it is made.

run.json stores the same document compactly (harness/run/stream.py,
harness/run/records.py): `entries` (definitions and compact cells, one per
line, written as cells are decided) instead of `cells`, metadata last; a
passing cell has no explanation text (harness explain recomputes it).
`RunResult.from_dict` reads either form, and versions 1 (indented, every
field) and 2 (one full cell per line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.redact import redact_data
from harness.run.estate import EstateTable, check_estate
from harness.run.schema import READABLE_VERSIONS, SCHEMA, SCHEMA_VERSION, CellRecord
from harness.run.stream import decode_entries, encode_run

__all__ = ["READABLE_VERSIONS", "SCHEMA", "SCHEMA_VERSION", "CellRecord", "RunResult", "redact_run"]


@dataclass
class RunResult:
    metadata: dict[str, Any]
    cells: list[CellRecord]
    errors: list[dict[str, Any]] = field(default_factory=list)
    # The facts of every covered resource, once each (harness/run/estate.py).
    estate: list[dict[str, str]] = field(default_factory=list)
    # True once redact_run has scrubbed this data (not serialised): the
    # one redaction pass happens on the data, before any format is written, and is not repeated.
    redacted: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Facts a record carries (one made from a cell) move to the run's table, once per resource.
        carried = [c for c in self.cells if c.estate]
        if carried:
            table = EstateTable(self.estate)
            for cell in carried:
                table.add(cell.estate)
                cell.estate = []
            self.estate = table.rows()

    def to_dict(self) -> dict[str, Any]:
        data = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "metadata": self.metadata,
            # Shallow copies: the fields are JSON values already, and asdict's deep
            # copy dominated writing large runs.
            "cells": [dict(vars(c)) for c in self.cells],
            "errors": self.errors,
        }
        if self.estate:
            data["estate"] = self.estate
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not an iam-harness run result (schema is {data.get('schema')!r})")
        if data.get("schema_version") not in READABLE_VERSIONS:
            raise ValueError(f"unsupported run result schema_version {data.get('schema_version')!r}")
        # "entries": the compact on-disk form (run.json v3).
        cells = decode_entries(data.get("entries") or []) if "entries" in data else data.get("cells", [])
        return cls(
            metadata=dict(data.get("metadata", {})),
            cells=[CellRecord.from_dict(c) for c in cells],
            errors=list(data.get("errors", [])),
            estate=check_estate(data.get("estate")),
        )

    @classmethod
    def load(cls, path: str | Path) -> RunResult:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def dumps(self) -> str:
        # No secret reaches a written run: redacted here unless redact_run already did it (a no-op then).
        return encode_run(redact_run(self).to_dict()).decode("utf-8")


def redact_run(run: RunResult) -> RunResult:
    """The run with every credential-looking string scrubbed, in the data, once.

    This is the only redaction pass for a run: run.json and every report
    format are serialised from its result, so no format needs a second pass
    over its text (which could break an escape sequence, e.g. a JSON `\\"`,
    and make report.json invalid). A run already redacted is returned as is.
    """
    if run.redacted:
        return run
    clean = RunResult.from_dict(redact_data(run.to_dict()))
    clean.redacted = True
    return clean
