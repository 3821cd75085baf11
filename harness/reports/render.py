"""Every report format from one pass over a run's cells, in memory bounded by failures.

`render_source(source, outdir, ...)` reads each cell once. Per cell it works
out its drift (streamed against a `BaselineIndex`, or looked up in a ready
`Drift`), counts it in the `RunSummary`, and then either holds it (failed,
error, decision changed: bounded by failures and drift) or hands it to each
format, which appends it to a spool file (CSV rows, report.json records,
report.html compact lines). At the end every file is written in report order:
its head, the held cells worst first, then the spool copied in a megabyte at
a time, then its tail; report.md and the terminal table come from the
summary alone. No passing cell stays in memory, whatever the run's size.

With report.csv goes readiness.csv, the readiness view (harness/reports/readiness.py) from the
same pass, when any cell covers estate resources; it is listed in SHA256SUMS and the manifest like
every other file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from harness import __version__
from harness.redact import redact_data
from harness.reports.csv_export import CsvFormat, readiness_csv
from harness.reports.drift import BaselineIndex, Drift, DriftTracker
from harness.reports.files import HashingWriter, WrittenFile, atomic_file, atomic_write, spool_file
from harness.reports.html import HtmlFormat, HtmlLimits
from harness.reports.json_export import JsonFormat
from harness.reports.markdown import markdown_from_summary
from harness.reports.sarif import SarifFormat
from harness.reports.source import RunSource
from harness.reports.summary import RunSummary
from harness.run.result import RunResult
from harness.run.select import is_partial

FORMATS = ("md", "html", "csv", "json", "sarif")
REPORT_FILES = {
    "md": "report.md",
    "html": "report.html",
    "csv": "report.csv",
    "json": "report.json",
    "sarif": "report.sarif",
}
# Files written beside a format's own, by that format: the manifest names them by it.
EXTRA_FILES = {"readiness.csv": "csv"}
READINESS_FILE = "readiness.csv"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_SCHEMA = "iam-harness/report-manifest"
_STREAMED = ("html", "csv", "json", "sarif")


@dataclass
class RenderResult:
    """What a render wrote and what it learnt on the way (for the terminal summary)."""

    written: list[Path]
    summary: RunSummary
    drift: Drift | None
    files: list[WrittenFile] = field(default_factory=list)


def check_formats(formats: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    return chosen


# The streamed formats, by name: each takes its spool, the run's metadata and the HTML limits.
# The formats know nothing of this dispatcher (they are below it).
_FORMAT_MAKERS: dict[str, Any] = {
    "csv": lambda spool, metadata, html_limits: CsvFormat(spool),
    "json": lambda spool, metadata, html_limits: JsonFormat(spool),
    "html": lambda spool, metadata, html_limits: HtmlFormat(spool, metadata, html_limits),
    "sarif": lambda spool, metadata, html_limits: SarifFormat(spool),
}


def _make_format(fmt: str, spool: IO[bytes], metadata: dict[str, Any], html_limits: HtmlLimits | None):
    return _FORMAT_MAKERS[fmt](spool, metadata, html_limits)


def run_pass(
    source: RunSource,
    formats: dict[str, Any],
    *,
    baseline: BaselineIndex | None = None,
    drift: Drift | None = None,
    drift_list_limit: int | None = 10_000,
) -> tuple[RunSummary, Drift | None]:
    """The one pass: summary, drift, and each format's spool (see the module docstring)."""
    summary = RunSummary(source.metadata, source.errors, estate=source.estate)
    tracker = None
    if baseline is not None:
        tracker = DriftTracker(baseline, partial=is_partial(source.metadata), list_limit=drift_list_limit)
    default_account = summary.default_account
    takers = [f.take for f in formats.values()]
    add = summary.add
    for index, cell in enumerate(source.cells()):
        if tracker is not None:
            change = tracker.observe(cell.account or default_account, cell)
        elif drift is not None:
            change = drift.lookup(cell.account or default_account, cell)
        else:
            change = None
        placed = add(index, cell, change)
        if cell.outcome == "passed" and (change is None or not change.is_decision_change):
            for take in takers:
                take(placed)
    if tracker is not None:
        drift = tracker.finish()
    return summary, drift


def render_source(
    source: RunSource,
    outdir: Path | str,
    *,
    formats: Iterable[str] = FORMATS,
    baseline: BaselineIndex | None = None,
    drift: Drift | None = None,
    manifest: bool = True,
    provenance: dict[str, Any] | None = None,
    html_limits: HtmlLimits | None = None,
) -> RenderResult:
    """Write the reports of `source` into `outdir` (one pass over its cells; see the module docstring).

    `baseline` (an index of the previous run) or a ready `drift` marks changed
    cells. Files: report.md, report.html, report.csv (and readiness.csv when cells cover
    estate resources), report.json (as asked), then SHA256SUMS and manifest.json unless
    `manifest=False`.
    """
    outdir = Path(outdir)
    chosen = check_formats(formats)
    spools: list[IO[bytes]] = []
    try:
        streamed: dict[str, Any] = {}
        for fmt in chosen:
            if fmt in _STREAMED:
                spool = spool_file(outdir)
                spools.append(spool)
                streamed[fmt] = _make_format(fmt, spool, source.metadata, html_limits)
        summary, drift = run_pass(source, streamed, baseline=baseline, drift=drift)
        files: list[WrittenFile] = []
        for fmt in chosen:
            path = outdir / REPORT_FILES[fmt]
            if fmt == "md":
                files.append(atomic_write(path, markdown_from_summary(summary, drift).encode("utf-8")))
                continue
            with atomic_file(path) as out:
                streamed[fmt].finish(out, summary, drift)
            files.append(WrittenFile(path, out.sha256, out.size))
            if fmt == "csv":
                files += _write_readiness(outdir, summary)
    finally:
        for spool in spools:
            spool.close()
    written = [f.path for f in files]
    if manifest:
        written += write_manifest(outdir, files, summary, drift, provenance)
    return RenderResult(written=written, summary=summary, drift=drift, files=files)


def _write_readiness(outdir: Path, summary: RunSummary) -> list[WrittenFile]:
    """readiness.csv when a cell covers anything; else none, and one an earlier run left in this
    directory is removed: it would describe another run's estate as this one's."""
    path = outdir / READINESS_FILE
    if not summary.readiness.covered:
        path.unlink(missing_ok=True)
        return []
    return [atomic_write(path, readiness_csv(summary.readiness.rows()))]


def write_manifest(
    outdir: Path,
    files: list[WrittenFile],
    summary: RunSummary,
    drift: Drift | None,
    provenance: dict[str, Any] | None,
) -> list[Path]:
    import json

    entries = [
        {"path": f.path.name, "format": _format_of(f.path.name), "sha256": f.sha256, "bytes": f.bytes}
        for f in files
    ]
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode("utf-8")
    sums_file = atomic_write(outdir / SUMS, sums)
    entries.append(
        {"path": SUMS, "format": "sha256sum", "sha256": sums_file.sha256, "bytes": sums_file.bytes}
    )
    meta = summary.metadata
    doc = {
        "schema": MANIFEST_SCHEMA,
        "schema_version": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": __version__,
        "run": {k: meta.get(k) for k in ("backend", "account", "started", "finished", "complete")},
        **redact_data(provenance or {}),
        "drift": drift.summary() if drift is not None else None,
        "files": entries,
    }
    atomic_write(outdir / MANIFEST, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
    return [outdir / SUMS, outdir / MANIFEST]


def _format_of(name: str) -> str:
    return EXTRA_FILES.get(name) or next(fmt for fmt, file in REPORT_FILES.items() if file == name)


def render_text(
    run: RunResult | RunSource,
    fmt: str,
    *,
    drift: Drift | None = None,
    baseline: BaselineIndex | None = None,
    html_limits: HtmlLimits | None = None,
) -> str:
    """One format rendered in memory (small runs and tests): the same pass, spooled to memory."""
    source = run if isinstance(run, RunSource) else RunSource.from_run(run)
    check_formats([fmt])
    if fmt == "md":
        summary, drift = run_pass(source, {}, baseline=baseline, drift=drift)
        return markdown_from_summary(summary, drift)
    spool = io.BytesIO()
    writer = _make_format(fmt, spool, source.metadata, html_limits)
    summary, drift = run_pass(source, {fmt: writer}, baseline=baseline, drift=drift)
    buf = io.BytesIO()
    writer.finish(HashingWriter(buf), summary, drift)
    return buf.getvalue().decode("utf-8")
