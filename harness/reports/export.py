"""Writing reports: run metadata, redaction, atomic files and the SHA-256 manifest.

Every file is written to a temporary file in the target directory and moved
into place with `os.replace` (atomic on POSIX and Windows), so a reader, a
CI artifact upload or a crash never sees half a report. The manifest lists
the SHA-256 of every file written (plus `SHA256SUMS`, checkable with
`sha256sum -c`), so an auditor can prove the reports are what the run produced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from harness import __version__
from harness.reports.csv_export import render_csv
from harness.reports.drift import Drift, diff
from harness.reports.html import render_html
from harness.reports.load import load_run
from harness.reports.markdown import render_markdown
from harness.reports.redact import redact_data, redact_run
from harness.reports.view import ordered_cells
from harness.runresult import SCHEMA, SCHEMA_VERSION, RunResult

FORMATS = ("md", "html", "csv", "json")
REPORT_FILES = {"md": "report.md", "html": "report.html", "csv": "report.csv", "json": "report.json"}
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_SCHEMA = "iam-harness/report-manifest"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary sibling and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; reports are meant to be read (CI artifacts), so keep an
        # existing file's mode, else the usual 0644.
        if hasattr(os, "fchmod"):
            os.fchmod(fd, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def redacted(run: RunResult) -> RunResult:
    """A copy of the run with every credential-looking string scrubbed (once: see redact_run)."""
    return redact_run(run)


def enrich_metadata(metadata: dict[str, Any], *, base_dir: Path | None = None) -> dict[str, Any]:
    """Fill in what an audit needs and the run did not record.

    Policy documents get a SHA-256 of their text; scenario files get one from
    disk when the file is still there (paths are relative to `base_dir`).
    Existing values are never overwritten: the run's own record wins.
    """
    meta = dict(metadata)
    meta.setdefault("tool_version", __version__)
    for key in ("backend", "account", "caller_arn", "region", "started", "finished"):
        meta.setdefault(key, None)
    docs = []
    for doc in meta.get("policy_documents", []) or []:
        doc = dict(doc)
        if not doc.get("sha256") and isinstance(doc.get("text"), str):
            doc["sha256"] = sha256_bytes(doc["text"].encode("utf-8"))
        docs.append(doc)
    meta["policy_documents"] = docs
    files = []
    for entry in meta.get("scenario_files", []) or []:
        entry = dict(entry)
        if not entry.get("sha256") and entry.get("path"):
            candidate = Path(entry["path"])
            if not candidate.is_absolute() and base_dir is not None:
                candidate = base_dir / candidate
            if candidate.is_file():
                entry["sha256"] = sha256_file(candidate)
        files.append(entry)
    meta["scenario_files"] = files
    return meta


def render_json(run: RunResult, *, drift: Drift | None = None) -> str:
    """The run result in report order (drift first), with the drift section when there is one.

    It stays a valid run result: `RunResult.load` reads it (unknown top-level
    keys such as `drift` are ignored).
    """
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "metadata": run.metadata,
        # Shallow: the fields are JSON values already (asdict's deep copy dominated large runs).
        "cells": [dict(vars(c)) for c in ordered_cells(run, drift)],
        "errors": run.errors,
    }
    if drift is not None:
        doc["drift"] = drift.to_dict()
    # msgspec's C encoder: the indenting pure-Python encoder was a large share of writing big runs.
    return msgspec.json.encode(doc).decode("utf-8") + "\n"


_RENDERERS = {
    "md": render_markdown,
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}


def render_all(
    run: RunResult,
    outdir: Path | str,
    *,
    baseline: RunResult | None = None,
    formats: Iterable[str] = FORMATS,
    drift: Drift | None = None,
    manifest: bool = True,
    provenance: dict[str, Any] | None = None,
) -> list[Path]:
    """Write the reports for `run` into `outdir` and return the paths written.

    `baseline` (or a ready `drift`) marks cells whose decision changed. Files:
    report.md, report.html, report.csv, report.json (as asked), then
    SHA256SUMS and manifest.json unless `manifest=False`. The run's data is
    redacted once before rendering (a no-op when the plugin already did it for
    run.json); rendered text is never scrubbed again, so every format is
    serialised from clean data and stays well-formed.
    """
    outdir = Path(outdir)
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in _RENDERERS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    safe = redacted(run)
    if drift is None and baseline is not None:
        drift = diff(redacted(baseline), safe)
    written: list[Path] = []
    entries: list[dict[str, Any]] = []
    for fmt in formats:
        text = _RENDERERS[fmt](safe, drift=drift)
        data = text.encode("utf-8")
        path = outdir / REPORT_FILES[fmt]
        atomic_write(path, data)
        written.append(path)
        entries.append({"path": path.name, "format": fmt, "sha256": sha256_bytes(data), "bytes": len(data)})
    if manifest:
        sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode("utf-8")
        atomic_write(outdir / SUMS, sums)
        written.append(outdir / SUMS)
        entries.append(
            {"path": SUMS, "format": "sha256sum", "sha256": sha256_bytes(sums), "bytes": len(sums)}
        )
        doc = {
            "schema": MANIFEST_SCHEMA,
            "schema_version": 1,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "run": {
                k: safe.metadata.get(k) for k in ("backend", "account", "started", "finished", "complete")
            },
            **redact_data(provenance or {}),
            "drift": drift.summary() if drift is not None else None,
            "files": entries,
        }
        atomic_write(outdir / MANIFEST, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
        written.append(outdir / MANIFEST)
    return written


def export(
    run_path: Path | str,
    outdir: Path | str,
    *,
    formats: Iterable[str] = FORMATS,
    baseline_path: Path | str | None = None,
) -> tuple[RunResult, Drift | None, list[Path]]:
    """`harness report export`: load, add audit metadata, render, write the manifest.

    Raises RunInputError (naming the file) for an unreadable or invalid input.
    """
    run_path = Path(run_path)
    run, raw = load_run(run_path)
    run.metadata = enrich_metadata(run.metadata, base_dir=Path.cwd())
    run.metadata["exported"] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": f"iam-harness {__version__}",
        "source": {"path": run_path.name, "sha256": sha256_bytes(raw)},
    }
    provenance: dict[str, Any] = {"source": {"path": str(run_path), "sha256": sha256_bytes(raw)}}
    drift = None
    if baseline_path is not None:
        baseline_path = Path(baseline_path)
        baseline, base_raw = load_run(baseline_path)
        provenance["baseline"] = {"path": str(baseline_path), "sha256": sha256_bytes(base_raw)}
        run.metadata["exported"]["baseline"] = provenance["baseline"]
        drift = diff(redacted(baseline), redacted(run))
    written = render_all(run, outdir, formats=formats, drift=drift, provenance=provenance)
    return run, drift, written
