"""pytest11 entry point: IAM scenario files become tests.

Thin wiring only: options (options.py), collection (collection.py), items
(items.py), result gathering and run.json (results.py), terminal summary
(terminal.py), session-level hooks (run_hooks.py), xdist glue (xdist_hooks.py).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from harness.plugin import keywords, lastfailed
from harness.plugin.collection import ScenarioFileNode, display_path, is_scenario_path
from harness.plugin.items import BackendErrorItem, CellGroupItem, CellItem, FileErrorItem, IamHarnessWarning
from harness.plugin.options import add_options, dist_explicit, resolve
from harness.plugin.results import PROP_CELLS, PROP_FILE, PROP_FILE_ERROR
from harness.plugin.run_hooks import RunHooks
from harness.plugin.session import HARNESS_KEY, HarnessSession, item_cell_count
from harness.plugin.xdist_hooks import XdistHooks


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    options = resolve(config)
    harness = HarnessSession(config, options)
    config.stash[HARNESS_KEY] = harness
    config.pluginmanager.register(RunHooks(harness), "iam-harness-run")
    config.addinivalue_line(
        "filterwarnings", f"default::{IamHarnessWarning.__module__}.{IamHarnessWarning.__name__}"
    )
    root = options.root
    if root.moved and not hasattr(config, "workerinput"):
        config.issue_config_time_warning(
            IamHarnessWarning(
                f"pytest chose rootdir {root.pytest_rootdir} from an option's value; the harness names "
                f"files and writes reports relative to {root.path} (write the option as one word, "
                "--iam-baseline=PATH, or pass --rootdir, to put pytest's rootdir and cache there too)"
            ),
            stacklevel=2,
        )
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(config), "iam-harness-xdist")
        # One worker per file keeps "one backend call per file"; the user's --dist wins.
        if (
            options.xdist_loadfile
            and getattr(config.option, "dist", "no") == "load"
            and not dist_explicit(config)
        ):
            config.option.dist = "loadfile"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_scenario_path(file_path):
        root = parent.config.stash[HARNESS_KEY].options.root
        if root.moved:  # ids relative to the harness root, whatever pytest's rootdir became
            return ScenarioFileNode.from_parent(
                parent, path=file_path, nodeid=display_path(file_path, root.path)
            )
        return ScenarioFileNode.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if isinstance(item, CellItem | CellGroupItem | BackendErrorItem):
        # Exactly one report per item carries its cells' records: the call, or the setup that errored
        # or skipped (cells the account model cannot answer, recorded as `skipped`).
        if call.when == "call" or (call.when == "setup" and (report.failed or report.skipped)):
            records = item.take_records()
            if records:
                node = item.file_node
                if not node.meta_sent:
                    report.user_properties.append((PROP_FILE, node.file_meta()))
                    node.meta_sent = True
                # One property for all of an item's cells: xdist serialises each report's properties.
                report.user_properties.append(
                    (PROP_CELLS, {"group": isinstance(item, CellGroupItem), "cells": records})
                )
    elif isinstance(item, FileErrorItem) and call.when == "setup":
        payload = {"file": item.nodeid.split("::", 1)[0], "errors": [e.to_dict() for e in item.errors]}
        report.user_properties.append((PROP_FILE_ERROR, payload))
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> Any:
    harness: HarnessSession = config.stash[HARNESS_KEY]
    # An invalid scenario file is never filtered away: `-k`, `-m` or `--lf`
    # deselecting its error item would turn a broken file into a green run.
    broken = [item for item in items if isinstance(item, FileErrorItem)]
    groups = [item for item in items if isinstance(item, CellGroupItem)]
    keyword = str(config.option.keyword or "").strip()
    if not (groups and keyword and keywords.AVAILABLE):
        result = yield
    else:
        # pytest's -k would judge a group on all its cells' names at once (`-k "not Encrypt"` dropping
        # a group with one Encrypt cell): keywords.py judges each cell, pytest's -k the other items.
        harness.selection.deselected += keywords.narrow_groups(config, items, keyword)
        config.option.keyword = ""
        try:
            result = yield
        finally:
            config.option.keyword = keyword
        keywords.deselect_others(config, items)
    harness.selection.deselected += lastfailed.narrow_to_failed(config, items)
    kept = {id(item) for item in items}
    items.extend(item for item in broken if id(item) not in kept)
    if not config.getoption("collectonly"):
        items[:] = _backend_failures_per_file(harness, items)
    return result


def _backend_failures_per_file(harness: HarnessSession, items: list[pytest.Item]) -> list[pytest.Item]:
    """A file whose backend cannot be used at all gets one error item naming the cause, not one per cell."""
    out: list[pytest.Item] = []
    replaced: dict[int, BackendErrorItem | None] = {}
    for item in items:
        if not isinstance(item, CellItem | CellGroupItem):
            out.append(item)
            continue
        node = item.file_node
        key = id(node)
        if key not in replaced:
            cause = harness.unavailable_cause(node)
            replaced[key] = (
                None
                if cause is None
                else BackendErrorItem.from_parent(
                    node,
                    name=f"{harness.options.backend} backend",
                    cells=[],
                    backend=harness.options.backend,
                    cause=cause,
                )
            )
            if replaced[key] is not None:
                out.append(replaced[key])  # type: ignore[arg-type]
        stand_in = replaced[key]
        if stand_in is None:
            out.append(item)
        else:
            stand_in.cells.extend(item.cells)
    return out


def pytest_collection_finish(session: pytest.Session) -> None:
    harness: HarnessSession = session.config.stash[HARNESS_KEY]
    harness.selection.collected = sum(item_cell_count(item) for item in session.items)
    # Every xdist worker collects the same files: the first one speaks for all.
    worker = getattr(session.config, "workerinput", {}).get("workerid", "gw0")
    if not harness.files_loaded or worker != "gw0":
        return
    for name in sorted(set(harness.options.variables) - harness.variable_names):
        known = ", ".join(sorted(harness.variable_names)) or "none"
        warnings.warn(
            IamHarnessWarning(
                f"variable {name!r} (--iam-var, IAM_HARNESS_VAR_{name} or iam_vars) is used by no "
                f"scenario file, policy or account model; known: {known}"
            ),
            stacklevel=1,
        )
