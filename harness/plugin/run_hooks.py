"""Session-level hooks: gather records, write run.json (controller only), print the summary."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.plugin.lastfailed import save_failed
from harness.plugin.results import drop_bulky, failed_cells
from harness.plugin.selection import selection_metadata
from harness.plugin.session import HarnessSession, item_cell_count
from harness.plugin.terminal import write_summary
from harness.plugin.xdist_hooks import export_worker_output
from harness.run.select import partial_banner

if TYPE_CHECKING:
    from harness.reports.drift import BaselineIndex, Drift


class RunHooks:
    def __init__(self, harness: HarnessSession) -> None:
        self.harness = harness

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.harness.started = dt.datetime.now(dt.UTC)

    @pytest.hookimpl
    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.harness.selection.deselected += sum(item_cell_count(item) for item in items)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # On a worker, reports go to the controller, which collects them; collect only there.
        # Last of the hooks: every other plugin (xdist sending it on, report logs) has seen the report
        # whole before the records are dropped from it.
        if not report.user_properties:
            return
        if not self.harness.is_worker:
            self.harness.collector.take(report.user_properties)
            failed = failed_cells(report.user_properties)
            if failed is not None:
                self.harness.group_failures[report.nodeid] = failed
        drop_bulky(report.user_properties)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        harness = self.harness
        if harness.is_worker:
            export_worker_output(harness.config)
            return
        save_failed(harness.config, harness.group_failures)
        collector = harness.collector
        if collector.empty:
            return
        if not collector.backend_metadata:  # no xdist: this process ran the backends
            collector.backend_metadata.extend(harness.backend_metadata())
        metadata = collector.metadata(harness.options.backend, harness.started, dt.datetime.now(dt.UTC))
        metadata.update(selection_metadata(harness.config, harness.selection, collector.cell_count))
        if harness.loader.plans:  # --iam-plan: what the account models were patched with (docs/plans.md)
            metadata["plans"] = [p.describe() for p in harness.loader.plans]
        harness.partial_line = partial_banner(metadata)
        baseline = self._baseline()  # before run.json is replaced: the baseline may be the last run.json
        target = collector.finish_stream(metadata)
        if target is None:
            harness.report_error = collector.stream_error
            session.exitstatus = pytest.ExitCode.INTERRUPTED
            return
        harness.run_json = target
        counts = collector.counts()
        if harness.options.render_reports:
            # Streamed back from what was written (already redacted), drift in the same pass.
            self._render(target, harness.options.report_dir, baseline)
        elif baseline is not None:
            from harness.reports.export import stream_drift

            harness.drift_line = drift_line(stream_drift(baseline, target, redacted=True))
        if harness.report_error:  # the job was asked for reports and did not get them
            session.exitstatus = pytest.ExitCode.INTERRUPTED
        # Exit codes for schedulers: 0 as expected, 1 expectation failures, 2 a
        # cell or file could not be evaluated (pytest's "interrupted/usage" code),
        # so "could not check" is never read as "policy changed".
        if (collector.errors or counts.get("error")) and session.exitstatus in (0, 1):
            session.exitstatus = pytest.ExitCode.INTERRUPTED

    def _baseline(self) -> BaselineIndex | None:
        """The baseline's compact decision index (read now: the baseline may be the run.json
        about to be replaced)."""
        path = self.harness.options.baseline
        if path is None:
            return None
        from harness.reports.export import baseline_index
        from harness.run.load import RunInputError

        try:
            return baseline_index(path)
        except (OSError, ValueError, RunInputError) as exc:
            self.harness.report_error = f"--iam-baseline {path}: {exc}"
            return None

    def _render(self, run_json: Path, outdir: Path, baseline: BaselineIndex | None) -> None:
        harness = self.harness
        if harness.options.baseline is not None and baseline is None:
            return  # the baseline could not be read: report_error says why
        try:
            reports = importlib.import_module("harness.reports")
        except ImportError:
            return
        render_run_file = getattr(reports, "render_run_file", None)
        if render_run_file is None:
            return
        try:
            result = render_run_file(run_json, outdir, baseline=baseline, redacted=True)
        except Exception as exc:  # a report bug must not hide the test results
            harness.report_error = f"{type(exc).__name__}: {exc}"
            return
        harness.report_paths = [Path(p) for p in result.written]
        harness.report_summary = result.summary  # the terminal's scenario counts, from the same pass
        if result.drift is not None:
            harness.drift_line = drift_line(result.drift)

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.harness.is_worker:
            return
        write_summary(
            self.harness, terminalreporter.write, lambda title: terminalreporter.write_sep("=", title)
        )


def drift_line(drift: Drift) -> str:
    """One line for a CI log, new access first: `drift: 2 new access, 0 lost, ...`."""
    s = drift.summary()
    line = (
        f"drift: {s['new_access']} new access, {s['lost_access']} lost, {s['new_error']} new errors, "
        f"{s['deny_changed'] + s['error_resolved']} other changes ({s['added']} added, {s['removed']} removed"
    )
    if drift.outside_selection:
        line += f", {drift.outside_selection} outside this partial run"
    return line + ")"
