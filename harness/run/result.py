"""The run result: the JSON file every report renders (schema version 3; versions 1 and 2 are still read).

One document per run, in its logical (expanded) form:

    {
      "schema": "iam-harness/run-result",
      "schema_version": 3,
      "metadata": {tool_version, backend, started, finished, account, caller_arn,
                   region, partition, scenario_files: [{path, sha256}],
                   policy_documents: [{id, origin, sha256}], api: {...}, ...},
      "cells": [CellRecord, ...],
      "errors": [{"file", "line", "field", "message"}]   # files that could not be loaded
    }

A CellRecord flattens the cell and its result so that reports need nothing
else. Field names are stable; new fields may be added in a minor change.

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

from harness.cells import Cell, CellResult, DecidingStatement, Outcome, judge

SCHEMA = "iam-harness/run-result"
SCHEMA_VERSION = 3
# Versions RunResult.from_dict reads: they differ in layout and in the fields left out, not in meaning.
READABLE_VERSIONS = (1, 2, 3)


@dataclass
class CellRecord:
    id: str
    principal: str
    action: str
    resource: str
    expected: str
    actual: str  # allowed | explicitDeny | implicitDeny | error
    outcome: str  # passed | failed | error
    backend: str
    enforced: str | None = None
    advisory: str | None = None
    reason: str = ""
    scenario: str = ""
    file: str = ""
    line: int = 0
    mode: str = "custom"
    deciding_statements: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    other: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    context: list[dict[str, Any]] = field(default_factory=list)
    # compare mode: why the offline engine and AWS disagreed (the cell then fails).
    disagreement: str | None = None
    # True when the scenario judged the enforced decision (what the service does), not the simulator's.
    check_enforced: bool = False
    # Account the cell was evaluated in; empty means metadata["account"] (set by `report merge`).
    account: str = ""
    # How the answer was obtained when not the plain way ("stand-in caller": AWS backend, role caller).
    via: str | None = None

    @classmethod
    def from_cell(cls, cell: Cell, result: CellResult) -> CellRecord:
        """The record of a decided cell. Cheap: fresh shallow lists, no deep copy; a passing cell's
        explanation is never read (it may be rendered lazily, and run.json does not keep it)."""
        outcome = judge(cell, result)
        return cls(
            id=cell.id,
            principal=cell.principal_label or cell.subject.label,
            action=cell.action,
            resource=cell.resource,
            expected=cell.expected.value,
            actual=result.decision.value,  # the record is JSON: plain strings
            outcome=outcome.value,
            backend=result.backend,
            enforced=result.enforced_decision.value if result.enforced_decision else None,
            advisory=result.advisory,
            reason=cell.reason,
            scenario=cell.source.scenario,
            file=cell.source.file,
            line=cell.source.line,
            mode=cell.subject.mode,
            deciding_statements=[statement_dict(s) for s in result.deciding_statements],
            explanation=[] if outcome is Outcome.PASSED else list(result.explanation),
            missing_context=list(result.missing_context),
            warnings=list(result.warnings),
            error=result.error,
            other=dict(result.other),
            tags=list(cell.tags),
            check_enforced=cell.check_enforced,
            disagreement=result.disagreement,
            via=result.via,
            context=[{"key": e.key, "values": list(e.values), "type": e.type} for e in cell.context],
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellRecord:
        known = cls.__dataclass_fields__  # a dict: look names up in it, no set built per cell
        return cls(**{k: v for k, v in data.items() if k in known})


def statement_dict(s: DecidingStatement) -> dict[str, Any]:
    # By hand rather than dataclasses.asdict, whose recursive deep copy is slow per cell.
    return {
        "policy_id": s.policy_id,
        "policy_type": s.policy_type,
        "sid": s.sid,
        "effect": s.effect,
        "start_line": s.start_line,
        "start_column": s.start_column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "origin": s.origin,
    }


@dataclass
class RunResult:
    metadata: dict[str, Any]
    cells: list[CellRecord]
    errors: list[dict[str, Any]] = field(default_factory=list)
    # True once harness.redact.redact_run has scrubbed this data (not serialised): the
    # one redaction pass happens on the data, before any format is written, and is not repeated.
    redacted: bool = field(default=False, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "metadata": self.metadata,
            # Shallow copies: the fields are JSON values already, and asdict's deep
            # copy dominated writing large runs.
            "cells": [dict(vars(c)) for c in self.cells],
            "errors": self.errors,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not an iam-harness run result (schema is {data.get('schema')!r})")
        if data.get("schema_version") not in READABLE_VERSIONS:
            raise ValueError(f"unsupported run result schema_version {data.get('schema_version')!r}")
        if "entries" in data:  # the compact on-disk form (run.json v3)
            from harness.run.stream import decode_entries

            cells = decode_entries(data.get("entries") or [])
        else:
            cells = data.get("cells", [])
        return cls(
            metadata=dict(data.get("metadata", {})),
            cells=[CellRecord.from_dict(c) for c in cells],
            errors=list(data.get("errors", [])),
        )

    @classmethod
    def load(cls, path: str | Path) -> RunResult:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def dumps(self) -> str:
        from harness.redact import redact_run
        from harness.run.stream import encode_run

        # No secret reaches a written run: redacted here unless redact_run already did it (a no-op then).
        return encode_run(redact_run(self).to_dict()).decode("utf-8")
