"""Build a run result from cell records and scenario-file facts, without pytest.

The pytest plugin feeds a RunBuilder as reports arrive (locally or from xdist
workers); any other driver (a script, a batch job, `harness report merge`'s
callers) can feed one the same way: `add_file`, `add_cell`, `add_file_errors`,
then `run_result(...)`. The metadata (files, policy documents, account,
backend metadata merged across workers) is built here, once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import __version__
from harness.redact import redact_data
from harness.run.result import CellRecord, RunResult, redact_run
from harness.run.stream import RunStreamWriter, iter_cells

_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CellRecord))


def record_dict(record: CellRecord) -> dict[str, Any]:
    """CellRecord as a plain dict; shallow, because from_cell builds fresh lists (asdict's deep copy
    was a fifth of the plugin's time on 10,000 cells)."""
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


class RunBuilder:
    """Cells, files and load errors of one run, gathered in any order, turned into one RunResult.

    With `stream` set, cells are not held: each is redacted and written to that run.json (v3,
    harness/run/stream.py) as it arrives, and only counts, files, load errors and the warning
    tally stay in memory; `finish_stream` writes the metadata and puts the file in place.
    """

    def __init__(self, stream: Path | None = None) -> None:
        self.stream = stream
        self.stream_error: str | None = None
        self._writer: RunStreamWriter | None = None
        self._counts = {"passed": 0, "failed": 0, "error": 0}
        self.cells: dict[str, tuple[str, int, dict[str, Any]]] = {}
        # Aggregates kept whether or not cells are held: files with cells, answers per `via`.
        self.cell_files: set[str] = set()
        self.vias: Counter[str] = Counter()
        self.warnings = WarningTally()
        self.written: Path | None = None
        self.files: dict[str, dict[str, Any]] = {}
        self.errors: dict[tuple[str, int, str, str], dict[str, Any]] = {}
        self.backend_metadata: list[dict[str, Any]] = []
        self.broken_files: set[str] = set()

    def add_cell(self, record: dict[str, Any], index: int) -> None:
        """A cell's record (a CellRecord as a dict); `index` orders cells within their file."""
        self.cell_files.add(record["file"])
        if record.get("via"):
            self.vias[record["via"]] += 1
        for warning in record.get("warnings") or ():
            self.warnings.add(warning, record.get("id", ""))
        if self.stream is None:
            self.cells[record["id"]] = (record["file"], int(index), record)
            return
        outcome = record["outcome"]
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        writer = self._open_stream()
        if writer is not None:
            try:
                writer.write_cell(record)  # the writer redacts as it encodes: the one pass
            except OSError as exc:
                self._fail_stream(exc)

    def _open_stream(self) -> RunStreamWriter | None:
        if self._writer is None and self.stream is not None and self.stream_error is None:
            try:
                self._writer = RunStreamWriter(self.stream)
            except OSError as exc:
                self._fail_stream(exc)
        return self._writer

    def _fail_stream(self, exc: OSError) -> None:
        self.stream_error = f"cannot write {self.stream}: {exc}"
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    @property
    def cell_count(self) -> int:
        return sum(self._counts.values()) if self.stream is not None else len(self.cells)

    def finish_stream(self, metadata: dict[str, Any]) -> Path | None:
        """Write errors and `metadata` (from `metadata()`, plus anything the caller adds) and put
        run.json in place; None when it could not be written (`stream_error` says why)."""
        writer = self._open_stream()
        if writer is None:
            return None
        errors = sorted(self.errors.values(), key=lambda e: (e.get("file", ""), e.get("line", 0)))
        try:
            self.written = writer.finish(redact_data(metadata), redact_data(errors))
            return self.written
        except OSError as exc:
            self._fail_stream(exc)
            return None
        finally:
            self._writer = None

    def add_file(self, meta: dict[str, Any]) -> None:
        """Facts of one scenario file: path, sha256, account, region, partition, account_model, policies."""
        self.files.setdefault(meta["path"], meta)

    def add_file_errors(self, file: str, errors: Iterable[dict[str, Any]]) -> None:
        """A scenario file that could not be loaded, with its errors ({file, line, field, message})."""
        self.broken_files.add(file)
        for err in errors:
            key = (err.get("file", ""), err.get("line", 0), err.get("field", ""), err.get("message", ""))
            self.errors[key] = err

    @property
    def empty(self) -> bool:
        return not self.cell_count and not self.errors

    def records(self) -> list[CellRecord]:
        ordered = sorted(self.cells.values(), key=lambda t: (t[0], t[1]))
        return [CellRecord.from_dict(r) for _, _, r in ordered]

    def iter_records(self) -> Iterator[CellRecord]:
        """Every cell once: from memory, or (streaming) read back from the written run.json."""
        if self.stream is None:
            yield from self.records()
        elif self.written is not None:
            for data in iter_cells(self.written):
                yield CellRecord.from_dict(data)

    def counts(self) -> dict[str, int]:
        if self.stream is not None:
            return dict(self._counts)
        out = {"passed": 0, "failed": 0, "error": 0}
        for _, _, record in self.cells.values():
            out[record["outcome"]] = out.get(record["outcome"], 0) + 1
        return out

    def metadata(self, backend: str, started: dt.datetime, finished: dt.datetime) -> dict[str, Any]:
        return build_metadata(
            [self.files[k] for k in sorted(self.files)],
            backend=backend,
            started=started,
            finished=finished,
            backend_metadata=self.backend_metadata,
            counts=self.counts(),
        ) | ({"warnings": self.warnings.summary()} if self.warnings.groups else {})

    def run_result(self, backend: str, started: dt.datetime, finished: dt.datetime) -> RunResult:
        """The whole run in memory (not streaming: the cells held so far)."""
        errors = sorted(self.errors.values(), key=lambda e: (e.get("file", ""), e.get("line", 0)))
        metadata = self.metadata(backend, started, finished)
        run = RunResult(metadata=metadata, cells=self.records(), errors=errors)
        # Redacted here, once, so run.json and every report are written from scrubbed data.
        return redact_run(run)


@dataclass
class WarningGroup:
    """One warning text: how many cells raised it, and the first of them."""

    example_cell: str
    cells: int = 0


@dataclass
class WarningTally:
    """Cells' warnings counted per distinct text, for `metadata.warnings`. The same warning raised
    for every cell of a scenario is one entry with a count and an example cell; memory grows with
    distinct texts (at most `limit`; the rest are only counted), never with cells."""

    limit: int = 1000
    groups: dict[str, WarningGroup] = field(default_factory=dict)
    uncounted: int = 0

    def add(self, text: str, cell_id: str) -> None:
        group = self.groups.get(text)
        if group is None:
            if len(self.groups) >= self.limit:
                self.uncounted += 1
                return
            group = self.groups[text] = WarningGroup(cell_id)
        group.cells += 1

    def summary(self) -> list[dict[str, Any]]:
        """Most frequent first: `{"message", "cells", "example_cell"}` (plus one `{"others": N}`)."""
        ordered = sorted(self.groups.items(), key=lambda kv: (-kv[1].cells, kv[0]))
        out: list[dict[str, Any]] = [
            {"message": text, "cells": g.cells, "example_cell": g.example_cell} for text, g in ordered
        ]
        if self.uncounted:
            out.append({"others": self.uncounted})
        return out


def build_metadata(
    files: list[dict[str, Any]],
    *,
    backend: str,
    started: dt.datetime,
    finished: dt.datetime,
    backend_metadata: list[dict[str, Any]],
    counts: dict[str, int],
) -> dict[str, Any]:
    """The run result's metadata from the files' facts (sorted by path) and the backends' metadata."""
    policies: dict[str, dict[str, Any]] = {}
    for f in files:
        for p in f.get("policies", []):
            policies.setdefault(p["origin"] + "\0" + p["sha256"], p)
    return {
        "tool_version": __version__,
        "backend": backend,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "account": common_value(f.get("account") for f in files),
        "region": common_value(f.get("region") for f in files),
        "partition": common_value(f.get("partition") for f in files) or "aws",
        "scenario_files": [{"path": f["path"], "sha256": f["sha256"]} for f in files],
        "policy_documents": sorted(policies.values(), key=lambda p: (p["origin"], p["id"])),
        "account_models": sorted({f["account_model"] for f in files if f.get("account_model")}),
        "backend_metadata": merge_metadata(backend_metadata),
        "counts": counts,
    }


def common_value(values: Iterable[Any]) -> str:
    """The one value all files agree on, or the distinct values joined."""
    distinct = sorted({str(v) for v in values if v})
    return ",".join(distinct)


def merge_metadata(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One backend metadata from several (xdist workers, backends per account model).

    Counters add up; `*started` is the earliest, `*finished` the latest; lists are merged into one
    sorted list of distinct items; other values: the one value, or the sorted distinct values.
    Never a list of lists, whatever the number of parts.
    """
    sums: dict[str, float] = {}
    others: dict[str, list[Any]] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                sums[key] = sums.get(key, 0) + value
            elif value is not None:
                bucket = others.setdefault(key, [])
                for item in value if isinstance(value, list) else [value]:
                    if item not in bucket:
                        bucket.append(item)
    listed = {k for part in parts for k, v in part.items() if isinstance(v, list)}
    out: dict[str, Any] = {}
    for key, values in others.items():
        values = sorted(values, key=repr)
        if key in listed:
            out[key] = values
        elif key.endswith("started"):
            out[key] = min(values, key=str)
        elif key.endswith("finished"):
            out[key] = max(values, key=str)
        else:
            out[key] = values[0] if len(values) == 1 else values
    for key, total in sums.items():
        out[key] = round(total, 6) if isinstance(total, float) else total
    return dict(sorted(out.items()))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
