"""Collect scenario files: a YAML file with a top-level `scenarios:` key becomes test items.

Other YAML (CI configs, account models, compose files) is left alone. A file
that fails to load yields a single error item, so the other files still run.
"""

from __future__ import annotations

import re
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.model import Cell, CellResult
from harness.plugin.caveats import group_warnings
from harness.plugin.items import CellItem, FileErrorItem, IamHarnessWarning
from harness.plugin.session import HARNESS_KEY, HarnessSession
from harness.runbuilder import sha256_text
from harness.scenarios import ScenarioFile, ScenarioFileErrors, looks_like_scenario_file
from harness.scenarios.errors import ScenarioError
from harness.scenarios.textfiles import MAX_FILE_BYTES, FileProblem, read_text_checked

SUFFIXES = (".yaml", ".yml")


def is_scenario_path(path: Path) -> bool:
    """A .yaml/.yml file with a top-level `scenarios:` key, in whatever encoding it was saved.

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


class ScenarioFileNode(pytest.File):
    """One scenario file; evaluates all its selected cells in one backend call."""

    loaded: ScenarioFile | None = None
    _results: dict[str, CellResult] | None = None
    meta_sent: bool = False

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
        self.harness.files_loaded += 1
        self.harness.variable_names |= variables_mentioned(self.loaded)
        for group in group_warnings(self.loaded.warnings):
            warnings.warn_explicit(
                IamHarnessWarning(group.text()), IamHarnessWarning, str(self.path), group.first.line
            )
        self._register_markers(self.loaded.tags)
        for index, cell in enumerate(self.loaded.cells):
            name = self.loaded.item_names[cell.id]
            # A string id is parsed like the ids in pytest's cache, so `--lf` finds "name[params]" again.
            item = CellItem.from_parent(
                self, name=name, nodeid=f"{self.nodeid}::{name}", cell=cell, index=index
            )
            for tag in cell.tags:
                item.add_marker(tag)
            item.extra_keyword_matches.update({cell.action, cell.principal_label})
            yield item

    def _register_markers(self, tags: set[str]) -> None:
        registered = {
            line.split(":", 1)[0].split("(", 1)[0].strip() for line in self.config.getini("markers")
        }
        for tag in sorted(tags - registered):
            self.config.addinivalue_line("markers", f"{tag}: IAM scenario tag (from scenario files)")

    def result_for(self, cell: Cell) -> CellResult:
        if self._results is None:
            selected = self.harness.selected_cells(self) or [cell]
            results = self.harness.evaluate(self, selected)
            self._results = {c.id: r for c, r in zip(selected, results, strict=True)}
        found = self._results.get(cell.id)
        if found is None:  # not in the session's item list (e.g. run directly): evaluate alone
            found = self.harness.evaluate(self, [cell])[0]
            self._results[cell.id] = found
        return found

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
