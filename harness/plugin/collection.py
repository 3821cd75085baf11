"""Collect scenario files: a YAML file with a top-level `scenarios:` key becomes test items.

A file written as a scenario file but with a misspelt key (`scenario:`, `principals:` without
`scenarios:`, ...) is collected too, so the loader names the mistake instead of the check
silently not running; other YAML (CI configs, account models, compose files, workflows) is left
alone (harness/scenarios/loader.py `scenario_file_kind`, docs/scenarios.md "Which files are
scenario files"). A file that fails to load yields a single error item, so the other files
still run.
"""

from __future__ import annotations

import re
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cells import Cell, CellResult
from harness.inputs.errors import ScenarioError
from harness.inputs.textfiles import MAX_FILE_BYTES, FileProblem, read_text_checked
from harness.plugin.caveats import group_warnings
from harness.plugin.groups import group_by_scenario
from harness.plugin.items import CellGroupItem, CellItem, FileErrorItem, IamHarnessWarning
from harness.plugin.options import AUTO_GROUP_LIMIT
from harness.plugin.session import HARNESS_KEY, HarnessSession
from harness.run.builder import sha256_text
from harness.scenarios import ScenarioFile, ScenarioFileErrors, looks_like_scenario_file

SUFFIXES = (".yaml", ".yml")


def is_scenario_path(path: Path) -> bool:
    """A .yaml/.yml file that is a scenario file, or one with a mistake in its keys, in whatever
    encoding it was saved.

    A UTF-16 scenario file (or one with NUL bytes) is collected so the loader
    reports it as an error: skipping it would turn a broken file into a green run.
    A path that is not a regular file (given on the command line) is collected
    for the same reason; it is never opened, so a FIFO cannot block collection.
    """
    if path.suffix.lower() not in SUFFIXES:
        return False
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return True
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES)
    except (OSError, RuntimeError):
        return False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data.decode("utf-16", errors="replace")
    else:
        head = data.replace(b"\0", b"").decode("utf-8", errors="replace")
    return looks_like_scenario_file(head)


def display_path(path: Path, root: Path) -> str:
    """How reports and ids name a file: relative to the rootdir when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# A file's selected cells go to the backend in calls of at most this many (whole files up to it):
# the results wait for their items, so more per call is more memory, fewer is more calls.
EVAL_CHUNK = 5000


class ScenarioFileNode(pytest.File):
    """One scenario file: its cells as items (one per cell, or grouped: groups.py), evaluated in
    backend calls of up to EVAL_CHUNK selected cells, each result handed to its item once."""

    loaded: ScenarioFile | None = None
    meta_sent: bool = False
    grouped: bool = False
    _plan: list[Cell] | None = None
    _positions: dict[str, int] | None = None
    _cursor: int = 0
    _pending: dict[str, CellResult] | None = None

    @property
    def harness(self) -> HarnessSession:
        return self.config.stash[HARNESS_KEY]

    def collect(self) -> Iterator[pytest.Item]:
        display = display_path(self.path, self.harness.options.root.path)
        try:
            self.loaded = self.harness.loader.load(self.path, display)
        except ScenarioFileErrors as exc:
            yield FileErrorItem.from_parent(self, name="scenario file", errors=exc.errors)
            return
        except Exception as exc:  # one bad file is one error item, whatever the exception
            problem = ScenarioError(
                display,
                0,
                "",
                f"could not load the file ({type(exc).__name__}: {exc})",
                "this is a bug in iam-harness: please report it with the file",
            )
            yield FileErrorItem.from_parent(self, name="scenario file", errors=[problem])
            return
        harness = self.harness
        harness.files_loaded += 1
        harness.variable_names |= variables_mentioned(self.loaded)
        for group in group_warnings(self.loaded.warnings):
            warnings.warn_explicit(
                IamHarnessWarning(group.text()), IamHarnessWarning, str(self.path), group.first.line
            )
        self._register_markers(self.loaded.tags)
        # Decided on the whole file, before --iam-cell: a file's node ids do not depend on the filter.
        self.grouped = items_grouped(harness.options.items, len(self.loaded.cells), self._named_by_id())
        chosen = harness.filter_cells(self.loaded.cells)
        if self.grouped:
            yield from self._group_items(chosen)
        else:
            yield from self._cell_items(chosen)

    def _cell_items(self, chosen: list[tuple[int, Cell]]) -> Iterator[pytest.Item]:
        assert self.loaded is not None
        for index, cell in chosen:
            name = self.loaded.item_names[cell.id]
            # A string id is parsed like the ids in pytest's cache, so `--lf` finds "name[params]" again.
            item = CellItem.from_parent(
                self, name=name, nodeid=f"{self.nodeid}::{name}", cell=cell, index=index
            )
            for tag in cell.tags:
                item.add_marker(tag)
            item.extra_keyword_matches.update({cell.action, cell.principal_label})
            yield item

    def _group_items(self, chosen: list[tuple[int, Cell]]) -> Iterator[pytest.Item]:
        for group in group_by_scenario(chosen):
            item = CellGroupItem.from_parent(
                self,
                name=group.name,
                nodeid=f"{self.nodeid}::{group.name}",
                cells=group.cells,
                scenario=group.scenario,
                principal=group.principal,
            )
            for tag in group.cells[0][1].tags:  # tags are the scenario's: the same for all its cells
                item.add_marker(tag)
            yield item

    def _named_by_id(self) -> bool:
        """Whether a node id into this file was given (`file.yaml::name[...]`): such a file keeps one item
        per cell under `auto`, so an id copied from a report or an earlier run still selects its cell."""
        for arg in self.config.args:
            path, sep, _rest = str(arg).partition("::")
            if sep and (self.config.invocation_params.dir / path).resolve() == self.path.resolve():
                return True
        return False

    def _register_markers(self, tags: set[str]) -> None:
        registered = {
            line.split(":", 1)[0].split("(", 1)[0].strip() for line in self.config.getini("markers")
        }
        for tag in sorted(tags - registered):
            self.config.addinivalue_line("markers", f"{tag}: IAM scenario tag (from scenario files)")

    def results_for(self, cells: list[Cell]) -> list[CellResult]:
        """Each cell's result, handed out once: evaluated with the next selected cells of the file in one
        backend call, or alone when not among them (run directly, asked for again, out of order)."""
        if self._plan is None:  # cells the account model cannot answer are never sent (items skip them)
            self._plan = [c for c in self.harness.selected_cells(self) if not c.skip_reason]
            self._positions = {c.id: i for i, c in enumerate(self._plan)}
            self._pending = {}
        pending = self._pending
        assert pending is not None and self._positions is not None
        missing = [c for c in cells if c.id not in pending]
        if missing:
            where = [self._positions.get(c.id, -1) for c in missing]
            start = where[0]
            if start >= self._cursor and all(w >= start for w in where):
                end = max(start + EVAL_CHUNK, max(where) + 1)
                batch = [c for c in self._plan[start:end] if c.id not in pending]
                self._cursor = max(self._cursor, end)
                extra = [c for c in missing if self._positions.get(c.id, -1) >= end]
            else:
                batch, extra = [], missing
            chosen = batch + extra
            for cell, result in zip(chosen, self.harness.evaluate(self, chosen), strict=True):
                pending[cell.id] = result
            if self._cursor >= len(self._plan):  # every selected cell evaluated: the plan is done
                self._plan, self._positions = [], {}
        return [pending.pop(c.id) for c in cells]

    def file_meta(self) -> dict[str, object]:
        loaded = self.loaded
        assert loaded is not None
        docs = loaded.policy_sources()
        if loaded.account_model is not None:
            docs.extend(loaded.account_model.documents())
        seen: dict[tuple[str, str], dict[str, str]] = {}
        for doc in docs:
            digest = sha256_text(doc.text)
            seen.setdefault(
                (doc.origin, digest),
                # The text travels with the run so the HTML detail panel can show the deciding statement.
                {"id": doc.origin or doc.source_id, "origin": doc.origin, "sha256": digest, "text": doc.text},
            )
        return {
            "path": loaded.display,
            "sha256": loaded.sha256,
            "account": loaded.account,
            "region": loaded.region,
            "partition": loaded.partition,
            "account_model": str(loaded.account_model_path) if loaded.account_model_path else "",
            "policies": list(seen.values()),
        }


def items_grouped(mode: str, cells: int, named_by_id: bool) -> bool:
    """`scenario`: always grouped; `cell`: never; `auto`: a file of more than AUTO_GROUP_LIMIT cells, unless
    a node id names one of its cells."""
    if mode == "auto":
        return cells > AUTO_GROUP_LIMIT and not named_by_id
    return mode == "scenario"


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def variables_mentioned(loaded: ScenarioFile) -> set[str]:
    """Names under `vars:` or written as `${name}` in the file, its policy files, its account model."""
    names = set(loaded.declared_variables)
    paths = [loaded.path, *loaded.policy_files]
    if loaded.account_model_path is not None:
        paths.append(loaded.account_model_path)
    for path in paths:
        try:  # the loader has read these files already; a problem here was reported there
            names.update(_VARIABLE.findall(read_text_checked(path)))
        except FileProblem:
            continue
    return names
