"""Per-run state of the plugin: loader, backends, collected results (no module globals)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.account import AccountModel
from harness.backends.base import Backend
from harness.backends.registry import BackendOptions, BackendUnavailable, make_backend
from harness.cells import Cell, CellResult, error_result
from harness.engine.types import unread_explanation
from harness.fixes import FixableFile, Fixes
from harness.plans import PatchedModel, Plan, PlanError, load_plan
from harness.plugin.filenode import ScenarioFileLike
from harness.plugin.items import BackendErrorItem, CellGroupItem, CellItem, IamHarnessWarning
from harness.plugin.options import HarnessOptions
from harness.plugin.results import RunCollector
from harness.plugin.selection import SelectionCounts
from harness.scenarios import ScenarioLoader

HARNESS_KEY = pytest.StashKey["HarnessSession"]()


class HarnessSession:
    def __init__(self, config: pytest.Config, options: HarnessOptions) -> None:
        self.config = config
        self.options = options
        self.is_worker = hasattr(config, "workerinput")
        self.loader = ScenarioLoader(
            overrides=options.variables, account_override=options.account, plans=_read_plans(options)
        )
        self._plan_warned: set[int] = set()
        # The controller streams cells into run.json as they are decided; a worker only forwards them.
        self.collector = RunCollector(None if self.is_worker else options.report_dir / "run.json")
        self.started = dt.datetime.now(dt.UTC)
        self._backends: dict[Path | None, Backend | BackendUnavailable] = {}
        self._selected: dict[int, list[Cell]] | None = None
        self.report_paths: list[Path] = []
        self.run_json: Path | None = None
        self.report_error: str | None = None
        # `${name}` variables the collected files declare or use, to catch a misspelled --iam-var.
        self.variable_names: set[str] = set()
        self.files_loaded = 0
        self.selection = SelectionCounts()
        # Blocked cells' fixes: one engine for the run, the state of the file being fixed.
        self.fixes = Fixes()
        # Per grouped item that reported: its failed or error cells, for `--lf` (lastfailed.py).
        self.group_failures: dict[str, list[str]] = {}
        # "drift: 2 new access, ..." for the terminal summary when --iam-baseline is given.
        self.drift_line: str | None = None
        # "partial run: selected by -k ..." when the run result is partial (run/select.py).
        self.partial_line: str | None = None

    # -- backends -------------------------------------------------------

    def backend_for(
        self, account_path: Path | None, model: AccountModel | None
    ) -> Backend | BackendUnavailable:
        # The aws backend never reads the account model: one backend (one session, one
        # sts:GetCallerIdentity, one rate limiter) serves every file of the run.
        key = None if self.options.backend == "aws" else account_path
        found = self._backends.get(key)
        if found is None:
            opts = BackendOptions(
                account_model_path=account_path,
                account_model=model,
                aws_profile=self.options.aws_profile,
                aws_region=self.options.aws_region,
                extra=self.options.backend_opts,
                account_model_from_command_line=self.options.account is not None,
            )
            try:
                found = make_backend(self.options.backend, opts)
            except BackendUnavailable as exc:
                found = exc
            self._backends[key] = found
        return found

    def evaluate(self, node: ScenarioFileLike, cells: Sequence[Cell]) -> list[CellResult]:
        """One backend call for the given cells of one file; never raises."""
        loaded = node.loaded
        backend = self.backend_for(
            loaded.account_model_path if loaded else None, loaded.account_model if loaded else None
        )
        if isinstance(backend, BackendUnavailable):
            return [error_result(c, self.options.backend, str(backend)) for c in cells]
        try:
            results = backend.evaluate(cells)
        except Exception as exc:  # a backend bug is an error for these cells, not a crashed run
            return [
                error_result(c, backend.name, f"backend {backend.name} failed: {type(exc).__name__}: {exc}")
                for c in cells
            ]
        if len(results) != len(cells):
            return [
                error_result(c, backend.name, "backend returned the wrong number of results") for c in cells
            ]
        if loaded is None:
            return results
        # A fix on each blocked cell (harness/fixes/); no work at all when no cell is blocked.
        file = FixableFile(loaded.display, loaded.cells, loaded.account_model, backend.name)
        results = self.fixes.attach(file, cells, results)
        patched = self.loader.patched_model(loaded.account_model_path)
        return results if patched is None else self._with_sources(patched, cells, results)

    def _with_sources(
        self, patched: PatchedModel, cells: Sequence[Cell], results: list[CellResult]
    ) -> list[CellResult]:
        """Each cell whose principal or resource a planned change touched names that change."""
        if id(patched) not in self._plan_warned:  # once per model: what the plan could not apply
            self._plan_warned.add(id(patched))
            for text in patched.warnings:
                warnings.warn(IamHarnessWarning(f"--iam-plan: {text}"), stacklevel=1)
        out = []
        for cell, result in zip(cells, results, strict=True):
            source = patched.source_for(cell.subject.principal_arn, cell.resource)
            if source is not None:  # the explanation handed on unwritten: a passing cell costs no text
                result = dataclasses.replace(
                    result, source=source.to_dict(), explanation=unread_explanation(result)
                )
            out.append(result)
        return out

    def unavailable_cause(self, node: ScenarioFileLike) -> str | None:
        """Why no cell of `node` can be evaluated at all (bad backend option, no AWS session), or None."""
        loaded = node.loaded
        backend = self.backend_for(
            loaded.account_model_path if loaded else None, loaded.account_model if loaded else None
        )
        if isinstance(backend, BackendUnavailable):
            return str(backend)
        check = getattr(backend, "unavailable_reason", None)  # optional: backends that open a session
        if check is None:
            return None
        try:
            return check()
        except Exception as exc:  # a failing check is a cause, never a crash
            return f"backend {backend.name} check failed: {type(exc).__name__}: {exc}"

    def backend_metadata(self) -> list[dict[str, object]]:
        out = []
        for backend in self._backends.values():
            if isinstance(backend, BackendUnavailable):
                continue
            try:
                out.append(dict(backend.metadata()))
            except Exception as exc:
                out.append({"error": f"metadata failed: {exc}"})
        return out

    # -- selection ------------------------------------------------------

    def selected_cells(self, node: ScenarioFileLike) -> list[Cell]:
        """The cells of `node` that this session will run (after -k, -m, --lf, deselection), in run
        order; asked once per file, so the index over the session's items is handed out, not kept."""
        if self._selected is None:
            grouped: dict[int, list[Cell]] = {}
            for item in node.session.items:
                cells = getattr(item, "cells", None)
                if cells is not None and item_cell_count(item):
                    grouped.setdefault(id(item.parent), []).extend(cell for _index, cell in cells)
            self._selected = grouped
        return self._selected.pop(id(node), [])

    def filter_cells(self, cells: Sequence[Cell]) -> list[tuple[int, Cell]]:
        """(index, cell) of the cells --iam-cell keeps; the others count as deselected."""
        chosen = list(enumerate(cells))
        if self.options.cell_filter is None:
            return chosen
        matches = self.options.cell_filter.matches
        kept = [(i, c) for i, c in chosen if matches(c)]
        self.selection.deselected += len(chosen) - len(kept)
        return kept


def _read_plans(options: HarnessOptions) -> tuple[Plan, ...]:
    """Every --iam-plan read whole before collection; one that cannot be read stops the run (exit 2):
    no cell is evaluated on a partly read plan."""
    try:
        root = options.root.path
        return tuple(load_plan(path, options.variables, _shown(path, root)) for path in options.plans)
    except PlanError as exc:
        pytest.exit(f"--iam-plan: {exc}", returncode=2)


def _shown(path: Path, root: Path) -> str:
    """A plan's name in errors and reports: relative to the harness root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def item_cell_count(item: pytest.Item) -> int:
    """How many cells a harness item stands for (0 for any other item)."""
    if isinstance(item, CellItem):
        return 1
    if isinstance(item, CellGroupItem | BackendErrorItem):
        return len(item.cells)
    return 0
