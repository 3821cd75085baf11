"""Writing reports: run metadata, redaction, and the entry points `render_all`, `render_run_file`, `export`.

The work is done by `harness.reports.render` (one pass over the cells, every
format, memory bounded by failures); this module adds what an audit needs
(metadata, provenance) and keeps the in-memory entry point for callers that
hold a `RunResult`. Files are written atomically and listed, with their
SHA-256, in `SHA256SUMS` (checkable with `sha256sum -c`) and manifest.json,
so an auditor can prove the reports are what the run produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.reports.drift import BaselineIndex, Drift, DriftTracker
from harness.reports.files import atomic_write, sha256_bytes, sha256_file
from harness.reports.html import HtmlLimits
from harness.reports.render import (
    FORMATS,
    MANIFEST,
    MANIFEST_SCHEMA,
    REPORT_FILES,
    SUMS,
    RenderResult,
    render_source,
    render_text,
)
from harness.reports.source import RunSource
from harness.run.result import RunResult, redact_run
from harness.run.select import is_partial

__all__ = [
    "FORMATS",
    "MANIFEST",
    "MANIFEST_SCHEMA",
    "REPORT_FILES",
    "SUMS",
    "atomic_write",
    "baseline_index",
    "enrich_metadata",
    "export",
    "redacted",
    "render_all",
    "render_json",
    "render_run_file",
    "sha256_bytes",
    "sha256_file",
    "stream_drift",
]


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
    """report.json for `run` in memory (see harness/reports/json_export.py)."""
    return render_text(run, "json", drift=drift)


def render_all(
    run: RunResult,
    outdir: Path | str,
    *,
    baseline: RunResult | None = None,
    formats: Iterable[str] = FORMATS,
    drift: Drift | None = None,
    manifest: bool = True,
    provenance: dict[str, Any] | None = None,
    html_limits: HtmlLimits | None = None,
) -> list[Path]:
    """Write the reports for `run` (in memory) into `outdir` and return the paths written.

    `baseline` (or a ready `drift`) marks cells whose decision changed. The
    run's data is redacted once before rendering (a no-op when it already is);
    rendered text is never scrubbed again. For a run on disk, `render_run_file`
    reads one cell at a time instead.
    """
    index = None
    if drift is None and baseline is not None:
        index = BaselineIndex.build(RunSource.from_run(baseline))
    result = render_source(
        RunSource.from_run(run),
        outdir,
        formats=formats,
        baseline=index,
        drift=drift,
        manifest=manifest,
        provenance=provenance,
        html_limits=html_limits,
    )
    return result.written


def render_run_file(
    run_path: Path | str,
    outdir: Path | str,
    *,
    baseline: BaselineIndex | None = None,
    formats: Iterable[str] = FORMATS,
    redacted: bool = False,
    manifest: bool = True,
    provenance: dict[str, Any] | None = None,
    html_limits: HtmlLimits | None = None,
) -> RenderResult:
    """Write the reports of the run.json at `run_path`, streaming its cells (the plugin's entry point).

    `baseline`: `BaselineIndex.build(RunSource.from_path(old))`, built before
    run.json is replaced when the baseline is the previous run.json.
    `redacted=True`: the file was written from redacted data (the plugin's).
    Raises RunInputError (naming the file) for an unreadable or invalid input.
    """
    source = RunSource.from_path(run_path, redacted=redacted)
    return render_source(
        source,
        outdir,
        formats=formats,
        baseline=baseline,
        manifest=manifest,
        provenance=provenance,
        html_limits=html_limits,
    )


def baseline_index(path: Path | str) -> BaselineIndex:
    """The compact decision index of the run result at `path` (one streamed pass)."""
    return BaselineIndex.build(RunSource.from_path(path))


def stream_drift(index: BaselineIndex, run_path: Path | str, *, redacted: bool = False) -> Drift:
    """Drift of the run.json at `run_path` against `index`, streaming its cells (no reports written)."""
    source = RunSource.from_path(run_path, redacted=redacted)
    tracker = DriftTracker(index, partial=is_partial(source.metadata))
    account = str(source.metadata.get("account") or "")
    for cell in source.cells():
        tracker.observe(cell.account or account, cell)
    return tracker.finish()


def export(
    run_path: Path | str,
    outdir: Path | str,
    *,
    formats: Iterable[str] = FORMATS,
    baseline_path: Path | str | None = None,
    html_limits: HtmlLimits | None = None,
) -> RenderResult:
    """`harness report export`: read (streaming), add audit metadata, render, write the manifest.

    Raises RunInputError (naming the file) for an unreadable or invalid input.
    """
    run_path = Path(run_path)
    source = RunSource.from_path(run_path, sha256=True)
    source.metadata = enrich_metadata(source.metadata, base_dir=Path.cwd())
    source.metadata["exported"] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": f"iam-harness {__version__}",
        "source": {"path": run_path.name, "sha256": source.sha256},
    }
    provenance: dict[str, Any] = {"source": {"path": str(run_path), "sha256": source.sha256}}
    index = None
    if baseline_path is not None:
        baseline_path = Path(baseline_path)
        base = RunSource.from_path(baseline_path, sha256=True)
        provenance["baseline"] = {"path": str(baseline_path), "sha256": base.sha256}
        source.metadata["exported"]["baseline"] = provenance["baseline"]
        index = BaselineIndex.build(base)
    return render_source(
        source, outdir, formats=formats, baseline=index, provenance=provenance, html_limits=html_limits
    )
