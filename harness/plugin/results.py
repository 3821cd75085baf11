"""Gather cell records (locally or from xdist workers) into one run result and write it.

Workers attach each cell's CellRecord to its test report's
`user_properties`; xdist ships reports to the controller, which collects
them in `pytest_runtest_logreport`. Without xdist the same hook sees the
same reports, so both paths produce the same run result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness import __version__
from harness.plugin.caveats import CaveatTally
from harness.reports.redact import redact_run
from harness.runresult import CellRecord, RunResult

PROP_CELL = "iam_cell"
PROP_FILE = "iam_file"
PROP_FILE_ERROR = "iam_file_error"


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(CellRecord))


def record_dict(record: CellRecord) -> dict[str, Any]:
    """CellRecord as a plain dict; shallow, because from_cell builds fresh lists (asdict's deep copy
    was a fifth of the plugin's time on 10,000 cells)."""
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


class RunCollector:
    def __init__(self) -> None:
        self.cells: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.errors: dict[tuple[str, int, str, str], dict[str, Any]] = {}
        self.backend_metadata: list[dict[str, Any]] = []
        self.broken_files: set[str] = set()
        self.caveats = CaveatTally()

    def take(self, user_properties: Iterable[Any]) -> None:
        for prop in user_properties:
            try:
                name, value = prop
            except (TypeError, ValueError):
                continue
            if name == PROP_CELL:
                record = value["record"]
                self.cells[record["id"]] = (record["file"], int(value["index"]), record)
                for warning in record.get("warnings") or ():
                    self.caveats.add(warning, f"{record['file']}:{record['line']}")
            elif name == PROP_FILE:
                self.files.setdefault(value["path"], value)
            elif name == PROP_FILE_ERROR:
                self.broken_files.add(value["file"])
                for err in value["errors"]:
                    key = (
                        err.get("file", ""),
                        err.get("line", 0),
                        err.get("field", ""),
                        err.get("message", ""),
                    )
                    self.errors[key] = err

    @property
    def empty(self) -> bool:
        return not self.cells and not self.errors

    def records(self) -> list[CellRecord]:
        ordered = sorted(self.cells.values(), key=lambda t: (t[0], t[1]))
        return [CellRecord.from_dict(r) for _, _, r in ordered]

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "error": 0}
        for _, _, record in self.cells.values():
            out[record["outcome"]] = out.get(record["outcome"], 0) + 1
        return out

    def run_result(self, backend: str, started: dt.datetime, finished: dt.datetime) -> RunResult:
        files = [self.files[k] for k in sorted(self.files)]
        policies: dict[str, dict[str, Any]] = {}
        for f in files:
            for p in f.get("policies", []):
                policies.setdefault(p["origin"] + "\0" + p["sha256"], p)
        metadata: dict[str, Any] = {
            "tool_version": __version__,
            "backend": backend,
            "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "account": _common(f.get("account") for f in files),
            "region": _common(f.get("region") for f in files),
            "partition": _common(f.get("partition") for f in files) or "aws",
            "scenario_files": [{"path": f["path"], "sha256": f["sha256"]} for f in files],
            "policy_documents": sorted(policies.values(), key=lambda p: (p["origin"], p["id"])),
            "account_models": sorted({f["account_model"] for f in files if f.get("account_model")}),
            "backend_metadata": merge_metadata(self.backend_metadata),
            "counts": self.counts(),
        }
        errors = sorted(self.errors.values(), key=lambda e: (e.get("file", ""), e.get("line", 0)))
        # Redacted here, once, so run.json and every report are written from scrubbed data.
        return redact_run(RunResult(metadata=metadata, cells=self.records(), errors=errors))


def _common(values: Iterable[Any]) -> str:
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
